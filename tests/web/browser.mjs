// Shared by the browser tests: Chromium through playwright-core, the CDN answered
// from node_modules, the native CLI for reference figures, and readers of the page.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { hashFor } from '../../web/lib/url-state.js';
import { ROOT, cdnToLocal } from '../../web/vendor.mjs';
import { startServer } from '../../web/serve.mjs';

export { ROOT };
export const BUILD = resolve(ROOT, process.env.GM_BUILD || 'build');
export const SINGLE_URL = pathToFileURL(join(BUILD, 'gpu-mem-calc.html')).href;
export const SHOTS = join(BUILD, 'screenshots');
const CLI = process.env.GM_CLI || join(BUILD, 'gpu-mem-calc');

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];

export function chromiumPath() {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']
    .find((p) => p && existsSync(p));
  if (!found) throw new Error('no Chromium found: install chromium or set CHROMIUM_PATH');
  return found;
}

export function requireBuild() {
  for (const f of ['gpu-mem-calc.html', 'web/index.html', 'web/gpumem.wasm']) {
    if (!existsSync(join(BUILD, f))) throw new Error(`${join(BUILD, f)} missing: run make web first`);
  }
}

/** One browser for a test file; a fresh profile each launch. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath(), args: BROWSER_ARGS, headless: true });
}

let browser;
/**
 * The test file's browser: launched before its first test (once the build is
 * checked), closed with the server after its last. newPage and open use it.
 */
export function useBrowser({ build = true } = {}) {
  before(async () => {
    if (build) requireBuild();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    browser = undefined;
    await stopServer();
  });
}

/**
 * A page in a new context. CDN requests are answered from node_modules (the
 * import map's SRI still applies); any other request off this machine is
 * refused and recorded in page.blocked. offline: refuse the CDN too.
 */
export async function newPage({ width = 1280, height = 900, colorScheme = 'light', offline = false } = {}) {
  if (!browser) throw new Error('newPage: call useBrowser() at the top of the test file');
  const context = await browser.newContext({
    viewport: { width, height }, colorScheme, acceptDownloads: true, deviceScaleFactor: 1,
    isMobile: width < 500, hasTouch: width < 500,
  });
  const blocked = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    const u = new URL(url);
    if (u.protocol === 'file:' || u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
    const local = !offline && cdnToLocal(url);
    if (local && existsSync(local.file)) {
      return route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
        body: readFileSync(local.file),
      });
    }
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.blocked = blocked;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  return page;
}

let server;
/** The served build/web (started once per process). */
export async function servedUrl() {
  server ??= startServer({ dir: join(BUILD, 'web'), port: 0 });
  return (await server).url;
}
export async function stopServer() {
  if (server) (await server).server.close();
  server = undefined;
}

/** Wait until the page shows a result (or an error) and the panels that follow it. */
export async function ready(page) {
  await page.waitForSelector('html[data-ready][data-settled]', { timeout: 15000 });
  await page.waitForSelector('.verdict', { timeout: 5000 });
}

/**
 * A new page at where ('served', 'offline' for the one-file build, or a URL),
 * opened on config (or on hash), once it shows its result. The other options
 * go to newPage; the offline file gets no network.
 */
export async function open(where = 'served', { config, hash = config ? hashFor(config) : '', ...opts } = {}) {
  const offline = where === 'offline' || where === SINGLE_URL;
  const page = await newPage({ offline, ...opts });
  const url = where === 'served' ? await servedUrl() : offline ? SINGLE_URL : where;
  await page.goto(`${url}${hash}`);
  await ready(page);
  return page;
}

/** The native CLI's JSON for a config. */
export function cli(config) {
  const dir = mkdtempSync(join(tmpdir(), 'gm-web-'));
  const f = join(dir, 'config.json');
  writeFileSync(f, JSON.stringify(config));
  const r = spawnSync(CLI, ['calculate', '--config', f, '--format', 'json'], { encoding: 'utf8' });
  const text = [r.stdout, r.stderr].find((t) => t && t.trim().startsWith('{'));
  if (!text) throw new Error(`${CLI} printed no JSON (status ${r.status}): ${r.stderr || r.stdout}`);
  return JSON.parse(text);
}

/** The figures the page shows. */
export async function shown(page) {
  return page.evaluate(() => {
    const t = (sel) => document.querySelector(sel)?.textContent.trim() ?? null;
    const parts = {};
    const partsText = {};
    for (const row of document.querySelectorAll('.bd-row')) {
      const v = row.querySelector('.bd-val');
      parts[row.dataset.part] = Number(v.dataset.bytes);
      partsText[row.dataset.part] = v.textContent.trim();
    }
    const totals = [...document.querySelectorAll('.totals dd')].map((d) => Number(d.dataset.bytes));
    return {
      peak: t('[data-testid="peak"]'),
      capacity: t('[data-testid="capacity"]'),
      util: t('[data-testid="util"]'),
      headroom: t('[data-testid="headroom"]'),
      maxMb: t('[data-testid="max-mb"]'),
      level: document.querySelector('.verdict[data-level]')?.dataset.level ?? null,
      error: t('[data-testid="error"]'),
      parts,
      partsText,
      totals,
      stages: document.querySelectorAll('.stage-row:not([aria-hidden])').length,
    };
  });
}

/** Click "Save JSON" and return the parsed file. */
export async function exportConfig(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save JSON' }).click()]);
  // Saved outside the context, which deletes its downloads when it closes.
  const p = join(mkdtempSync(join(tmpdir(), 'gm-web-')), dl.suggestedFilename());
  await dl.saveAs(p);
  return { config: JSON.parse(readFileSync(p, 'utf8')), path: p, name: dl.suggestedFilename() };
}

/** Type into a labelled field, replacing what it held. */
export async function fill(page, id, text) {
  const el = page.locator(`#${id}`);
  await el.fill(text);
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
