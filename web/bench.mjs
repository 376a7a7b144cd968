// Page benchmark: gzipped bytes of the first load, time from navigation to the
// first result (and per edit), and the planner's search in its worker, in
// headless Chromium.
//   node web/bench.mjs [--runs N] [--json]      (after make web)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT, checkVendor, readImportMap } from './vendor.mjs';
import { startServer } from './serve.mjs';
import { withCsp } from './csp.mjs';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 7;
const BUILD = resolve(ROOT, process.env.GM_BUILD || 'build');
const WEB = join(BUILD, 'web');
const SINGLE = join(BUILD, 'gpu-mem-calc.html');

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// What the served page fetches before its first result: the page, its style,
// the modules it preloads (those the first result runs), the core, and the CDN
// modules it preloads. The other modules (the panels below the first
// screen) and the importers' module come after; the planner's module only with
// its worker; the docs only when followed.
const html = readFileSync(join(WEB, 'index.html'), 'utf8');
const vendor = checkVendor(readImportMap(html));
const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^":]+)"/g)].map((m) => m[1]));
const groups = { page: 0, wasm: 0, vendor: 0, later: 0 };
let planModuleGzip = null;
const raw = { page: 0, wasm: 0, vendor: 0, later: 0 };
for (const f of walk(WEB)) {
  const rel = relative(WEB, f);
  if (rel === 'gpu-mem-calc.html' || rel.startsWith('.') || rel.startsWith('docs/')) continue;
  if (rel === 'gpumem-plan.wasm') {
    planModuleGzip = gz(readFileSync(f));
    continue;
  }
  const b = readFileSync(f);
  const first = rel === 'index.html' || rel === 'style.css' || rel === 'gpumem.wasm' || preloaded.has(rel);
  const g = !first ? 'later' : rel.startsWith('gpumem.') ? 'wasm' : 'page';
  groups[g] += gz(b);
  raw[g] += b.length;
}
// The CDN modules the page preloads: those the first result runs.
for (const v of vendor.filter((x) => html.includes(`<link rel="modulepreload" href="${x.url}"`))) {
  const b = readFileSync(v.file);
  groups.vendor += gz(b);
  raw.vendor += b.length;
}
const single = readFileSync(SINGLE);
const sizes = {
  served_gzip_bytes: groups.page + groups.wasm + groups.vendor,
  served_page_gzip_bytes: groups.page,
  served_wasm_gzip_bytes: groups.wasm,
  served_vendor_gzip_bytes: groups.vendor,
  served_after_first_result_gzip_bytes: groups.later,
  planner_module_gzip_bytes: planModuleGzip,
  offline_file_bytes: single.length,
  offline_file_gzip_bytes: gz(single),
};

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .find((p) => { try { return p && statSync(p); } catch { return false; } });
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
// Timing: the CDN files are served by the same local server (a copy of build/web
// whose import map points at ./vendor/, same SRI), since intercepting requests
// in the browser would add its own latency to every request.
const tmp = mkdtempSync(join(tmpdir(), 'gm-bench-'));
cpSync(WEB, tmp, { recursive: true });
let pageHtml = html;
for (const v of vendor) {
  const local = `vendor/${v.url.replace(/^https:\/\/cdn\.jsdelivr\.net\/npm\//, '')}`;
  mkdirSync(dirname(join(tmp, local)), { recursive: true });
  cpSync(v.file, join(tmp, local));
  pageHtml = pageHtml.replaceAll(v.url, `./${local}`);
}
// Local vendor paths change the page: its policy is hashed afresh, as make serve does.
writeFileSync(join(tmp, 'index.html'), withCsp(pageHtml, { offline: false }));
const { server, url } = await startServer({ dir: tmp, port: 0 });

/** ms from navigation start to the first rendered result, and per edit. */
async function measure(target) {
  const firsts = [];
  const phases = [];
  const settles = [];
  let edit = null;
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(target);
    await page.waitForSelector('html[data-ready] .verdict');
    const at = await page.evaluate(() => ({
      first: performance.getEntriesByName('gm-first-result')[0].startTime,
      core: performance.getEntriesByName('gm-core')[0]?.startTime,
      parsed: performance.getEntriesByType('navigation')[0]?.domInteractive,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    }));
    firsts.push(at.first);
    phases.push(at);
    await page.waitForSelector('html[data-settled]');
    settles.push(await page.evaluate(() => performance.getEntriesByName('gm-settled')[0].startTime));
    if (i === 0) {
      edit = await page.evaluate(async () => {
        // Preact renders in a microtask; a MessageChannel task runs right after it.
        const el = document.getElementById('f-training-batch_size');
        const ch = new MessageChannel();
        const tick = () => new Promise((r) => { ch.port1.onmessage = r; ch.port2.postMessage(0); });
        const n = 200;
        const t0 = performance.now();
        for (let k = 0; k < n; k++) {
          el.value = String((k % 8) + 1);
          el.dispatchEvent(new Event('input', { bubbles: true }));
          await tick();
        }
        return (performance.now() - t0) / n;
      });
    }
    await context.close();
  }
  const med = (k) => (phases.every((p) => p[k] != null) ? median(phases.map((p) => p[k])) : null);
  return {
    first_result_ms: median(firsts), first_result_min_ms: Math.min(...firsts), settled_ms: median(settles), edit_to_result_ms: edit,
    // Medians of the steps before it: the HTML parsed, the loading note painted, the core instantiated.
    html_parsed_ms: med('parsed'), first_paint_ms: med('paint'), core_ready_ms: med('core'),
  };
}

/**
 * The planner panel's full search for Llama-3.1-405B on 1,024 H100s (every
 * framework, recompute mode and micro-batch up to 16): the time the worker
 * reports around plan_json, and from the click to the table on the page.
 * The first search follows the panel scrolling into view, which starts the
 * worker; the rest are warm. null when the
 * core has no planner.
 */
async function measurePlan(target) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(target);
  await page.waitForSelector('html[data-ready] .verdict');
  await page.selectOption('#f-model-preset', 'llama-3.1-405b');
  await page.selectOption('#f-hardware-gpu', 'h100-80gb');
  await page.fill('#f-hardware-num_gpus', '1024');
  await page.locator('#planner').scrollIntoViewIfNeeded();
  const runs = [];
  for (let i = 0; i <= RUNS; i++) {
    const r = await page.evaluate(async () => {
      const panel = document.getElementById('planner');
      const button = [...panel.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Find layouts');
      const done = new Promise((res) => {
        const mo = new MutationObserver(() => {
          if (panel.dataset.status !== 'running') { mo.disconnect(); res(); }
        });
        mo.observe(panel, { attributes: true, attributeFilter: ['data-status'] });
      });
      const t0 = performance.now();
      button.click();
      await done;
      const click_ms = performance.now() - t0;
      const wall = panel.querySelector('[data-testid="plan-wall"]');
      // The next search starts once the suggestions for the form's config are in.
      while (panel.querySelector('[data-testid="plan-found"]')?.dataset.suggestions === 'pending') await new Promise((res) => setTimeout(res, 5));
      return {
        status: panel.dataset.status,
        click_ms,
        wall_ms: wall ? Number(wall.dataset.ms) : null,
        searched: Number(panel.querySelector('[data-testid="plan-searched"]')?.textContent.replace(/,/g, '')) || null,
        layouts: panel.querySelectorAll('[data-testid="plan-layouts"] tbody tr').length,
      };
    });
    if (r.status !== 'done') {
      await context.close();
      return r.status === 'unavailable' ? null : { error: r.status };
    }
    runs.push(r);
  }
  await context.close();
  const warm = runs.slice(1);
  return {
    cold_click_to_table_ms: runs[0].click_ms,
    cold_search_ms: runs[0].wall_ms,
    search_ms: median(warm.map((r) => r.wall_ms)),
    click_to_table_ms: median(warm.map((r) => r.click_ms)),
    searched: runs[0].searched,
    layouts_shown: runs[0].layouts,
  };
}

const served = await measure(url);
const offline = await measure(pathToFileURL(SINGLE).href);
const plan = await measurePlan(url);
server.close();
await browser.close();
rmSync(tmp, { recursive: true, force: true });

const out = { runs: RUNS, ...sizes, served, offline, plan_405b_1024_h100: plan };
if (args.includes('--json')) {
  console.log(JSON.stringify(out, null, 2));
} else {
  console.log(`page bench (${RUNS} loads each, median; headless Chromium, local files, no network latency)`);
  console.log(`  first load, served: ${kib(sizes.served_gzip_bytes)} gzipped = page ${kib(groups.page)} + wasm ${kib(groups.wasm)} + Preact/htm ${kib(groups.vendor)} (raw ${kib(raw.page + raw.wasm + raw.vendor)}); after the first result ${kib(groups.later)}`);
  if (planModuleGzip != null) console.log(`  planner module:     ${kib(planModuleGzip)} gzipped, fetched by the search's worker when the panel comes into view`);
  console.log(`  offline file:       ${kib(sizes.offline_file_bytes)}, ${kib(sizes.offline_file_gzip_bytes)} gzipped`);
  console.log(`  navigation -> first result: served ${served.first_result_ms.toFixed(0)} ms, offline file ${offline.first_result_ms.toFixed(0)} ms (fastest ${served.first_result_min_ms.toFixed(0)}, ${offline.first_result_min_ms.toFixed(0)})`);
  const steps = (m) => `HTML parsed ${m.html_parsed_ms?.toFixed(0)}, first paint ${m.first_paint_ms?.toFixed(0)}, core ready ${m.core_ready_ms?.toFixed(0)}`;
  console.log(`  on the way (ms):            served ${steps(served)}; offline file ${steps(offline)}`);
  console.log(`  navigation -> every panel:  served ${served.settled_ms.toFixed(0)} ms, offline file ${offline.settled_ms.toFixed(0)} ms`);
  console.log(`  edit -> updated result:     served ${served.edit_to_result_ms.toFixed(2)} ms, offline file ${offline.edit_to_result_ms.toFixed(2)} ms`);
  if (!plan) console.log('  planner search: this build of the core has no planner');
  else if (plan.error) console.log(`  planner search: failed (${plan.error})`);
  else {
    console.log(`  planner, Llama-3.1-405B on 1,024 H100 (goal < 100 ms): search ${plan.search_ms.toFixed(1)} ms in the worker, ` +
      `click -> table ${plan.click_to_table_ms.toFixed(1)} ms (first search: ${plan.cold_search_ms.toFixed(1)} ms in the worker, ${plan.cold_click_to_table_ms.toFixed(0)} ms click -> table); ` +
      `${plan.searched?.toLocaleString('en-US')} layouts searched`);
  }
}
