// The module's memory: no growth over many calls, and recovery from bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchConfig, load } from './helpers.mjs';

const gm = await load();
const memory = gm.exports.memory;
const reference = gm.calcRaw(benchConfig);
const bad = '{"model":{"num_layers":-1}}';

test('100,000 calls leave the memory size unchanged after warm-up', () => {
  for (let i = 0; i < 1000; i++) gm.calcRaw(i % 10 ? benchConfig : bad);
  const before = memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) {
    const out = gm.calcRaw(i % 10 ? benchConfig : bad);
    if (i % 10 && out !== reference) assert.fail(`call ${i} answered differently`);
  }
  assert.equal(memory.buffer.byteLength, before);
});

test('malformed input returns an error and the module still answers', () => {
  for (const text of ['', '{', '{"model":', 'nul', '{"a":1}}', '\u0000', '[1,2', '"x"']) {
    assert.ok(JSON.parse(gm.calcRaw(text)).error, `no error for ${JSON.stringify(text)}`);
    assert.equal(gm.calcRaw(benchConfig), reference);
  }
});

test('5 MB inputs return an error and the module still answers', () => {
  const mb5 = 5 * 1024 * 1024;
  const inputs = [
    `{"model":${' '.repeat(mb5)}`, // truncated
    '['.repeat(mb5), // nested past the parser's limit
    `[${'1,'.repeat(mb5 / 2)}1]`, // valid JSON, not an object
  ];
  for (const text of inputs) {
    const result = JSON.parse(gm.calcRaw(text));
    assert.ok(result.error, `no error for ${text.slice(0, 20)}...`);
    assert.equal(gm.calcRaw(benchConfig), reference);
  }
  // A valid config with a 5 MB name: whatever the answer, the module goes on.
  const big = JSON.parse(benchConfig);
  big.model.name = 'x'.repeat(mb5);
  JSON.parse(gm.calcRaw(big));
  assert.equal(gm.calcRaw(benchConfig), reference);
});
