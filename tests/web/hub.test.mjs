// Hub lookup: a model id fetches its config.json from huggingface.co only on
// that action; offline, gated and unknown ids say what to do. The network is mocked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SINGLE_URL, cli, exportConfig, newPage, ready, servedUrl, useBrowser } from './browser.mjs';

useBrowser();

const QWEN = { model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'], hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
  num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936, max_position_embeddings: 32768, tie_word_embeddings: true, hidden_act: 'silu' };

async function hubPage(url, answer) {
  const page = await newPage({ offline: url === SINGLE_URL });
  const asked = [];
  await page.route('https://huggingface.co/**', (route) => {
    asked.push(route.request().url());
    return answer(route);
  });
  await page.goto(url);
  await ready(page);
  await page.click('text=Paste or open a Hugging Face config.json');
  page.asked = asked;
  return page;
}

test('a model id fills the model from the Hub, asked once and only then', async () => {
  const page = await hubPage(await servedUrl(), (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(QWEN) }));
  assert.deepEqual(page.asked, [], 'nothing fetched before the button');
  await page.fill('#hf-hub-id', 'Qwen/Qwen2.5-0.5B');
  assert.deepEqual(page.asked, [], 'typing fetches nothing');
  await page.getByRole('button', { name: 'Fetch config.json' }).click();
  await page.waitForSelector('.paste .ok-note');
  assert.deepEqual(page.asked, ['https://huggingface.co/Qwen/Qwen2.5-0.5B/resolve/main/config.json']);
  assert.match(await page.textContent('.paste .ok-note'), /huggingface\.co\/Qwen\/Qwen2\.5-0\.5B/);
  const { config } = await exportConfig(page);
  assert.deepEqual(config.model, QWEN);
  const want = cli(config);
  assert.equal(want.parameters.total, 494032768, 'the exact count of Qwen2.5-0.5B');
  assert.match(await page.textContent('.model-summary'), /494M/);
  await page.context().close();
});

for (const [name, answer, message] of [
  ['offline', (route) => route.abort('internetdisconnected'), /Could not reach huggingface\.co/],
  ['gated', (route) => route.fulfill({ status: 401, body: 'Access to model is restricted' }), /gated or private/],
  ['unknown', (route) => route.fulfill({ status: 404, body: 'Entry not found' }), /no config\.json for/],
]) {
  test(`${name}: a clear message, the config unchanged`, async () => {
    const page = await hubPage(await servedUrl(), answer);
    const before = (await exportConfig(page)).config;
    await page.fill('#hf-hub-id', 'meta-llama/Llama-3.1-8B');
    await page.press('#hf-hub-id', 'Enter');
    await page.waitForSelector('.paste .field-error');
    assert.match(await page.textContent('.paste .field-error'), message);
    assert.deepEqual((await exportConfig(page)).config, before);
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await page.context().close();
  });
}

test('the offline file asks the Hub too, and says so when it cannot', async () => {
  const page = await hubPage(SINGLE_URL, (route) => route.abort('internetdisconnected'));
  await page.fill('#hf-hub-id', 'not an id');
  await page.getByRole('button', { name: 'Fetch config.json' }).click();
  assert.match(await page.textContent('.paste .field-error'), /model id such as/);
  assert.deepEqual(page.asked, [], 'an invalid id asks nothing');
  await page.fill('#hf-hub-id', 'Qwen/Qwen2.5-0.5B');
  await page.getByRole('button', { name: 'Fetch config.json' }).click();
  await page.waitForFunction(() => /Could not reach/.test(document.querySelector('.paste .field-error')?.textContent || ''));
  await page.context().close();
});
