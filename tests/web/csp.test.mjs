// The Content-Security-Policy: the served page and the offline file both run
// under it without a single violation, and it does refuse what it should.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../../web/serve.mjs';
import { BUILD, SINGLE_URL, newPage, ready, servedUrl, useBrowser } from './browser.mjs';

useBrowser();

/** Open url, record every CSP violation, and wait for a result. */
async function openWatched(url, offline) {
  const page = await newPage({ offline });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  await ready(page);
  return page;
}

async function check(page) {
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'|\*/, 'no eval, no blanket inline, no wildcard');
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no violation while loading and computing');
  assert.deepEqual(page.errors, []);
  // A script injected at run time is refused: the policy is in force.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.head.appendChild(s);
  });
  assert.equal(await page.evaluate(() => window.__injected ?? false), false);
  assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.startsWith('script-src')), 'the injected script was reported');
}

test('the served page runs under its policy', async () => {
  const page = await openWatched(await servedUrl(), false);
  await check(page);
  await page.context().close();
});

test('the offline file runs under its policy', async () => {
  const page = await openWatched(SINGLE_URL, true);
  await check(page);
  await page.context().close();
});

test('make serve (Preact from node_modules, the page rewritten) runs under a policy hashed afresh', async () => {
  const { server, url } = await startServer({ dir: join(BUILD, 'web'), port: 0, localVendor: true });
  try {
    const page = await openWatched(url, true);
    await check(page);
    await page.context().close();
  } finally {
    server.close();
  }
});
