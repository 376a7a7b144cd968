// Builds the page: build/web/ (served, Preact from the CDN) and build/gpu-mem-calc.html
// (one file, everything inlined, works from disk with no network). No bundler: the
// modules are copied as they are, or inlined as data: URLs behind an import map.
//
//   node web/build.mjs            both outputs
//   GM_BUILD=dir                  the build folder (default build)
//   GM_WASM_DIR=dir               where gpumem.js and gpumem.wasm are (default $GM_BUILD/wasm)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { withCsp } from './csp.mjs';
import { asciiCss, asciiJs, assertAscii } from './ascii.mjs';
import { exportJoined, handJoined, join as joinModules, stubFor, stubFromPage } from './join.mjs';
import { ROOT, checkVendor, readImportMap } from './vendor.mjs';
import { compileTemplates } from './templates.mjs';

const WEB = join(ROOT, 'web');
const BUILD = resolve(ROOT, process.env.GM_BUILD || 'build');
const OUT = join(BUILD, 'web');
const SINGLE = join(BUILD, 'gpu-mem-calc.html');
const WASM_DIR = resolve(ROOT, process.env.GM_WASM_DIR || join(BUILD, 'wasm'));
// The page's modules: everything under these folders, plus app.js.
const MODULE_DIRS = ['lib', 'sections', 'result', 'plan'];
// The planner's worker, started by plan/client.js.
const WORKER = 'planner-worker.js';

function die(msg) {
  console.error(`web build: ${msg}`);
  process.exit(1);
}

function pageModules() {
  const files = ['app.js'];
  for (const d of MODULE_DIRS) {
    for (const f of readdirSync(join(WEB, d)).sort()) if (f.endsWith('.js')) files.push(`${d}/${f}`);
  }
  return files;
}

/** Between <!--name--> and <!--/name--> (markers included), or at <!--name--> alone. */
function replaceMarker(html, name, text) {
  const open = `<!--${name}-->`;
  const close = `<!--/${name}-->`;
  const i = html.indexOf(open);
  if (i < 0) die(`index.html lacks ${open}`);
  const j = html.indexOf(close, i);
  return html.slice(0, i) + text + (j < 0 ? html.slice(i + open.length) : html.slice(j + close.length));
}

const stripMap = (js) => js.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
const dataUrl = (js) => `data:text/javascript;base64,${Buffer.from(js).toString('base64')}`;

// Where the page links: GM_REPO_URL, or the GitHub repository CI builds
// (its rendered docs, its Pages address); else the docs copied beside the page.
const REPO = process.env.GM_REPO_URL || (process.env.GITHUB_REPOSITORY ? `https://github.com/${process.env.GITHUB_REPOSITORY}` : '');
const PAGE_URL = process.env.GM_PAGE_URL || (process.env.GITHUB_REPOSITORY
  ? `https://${process.env.GITHUB_REPOSITORY.split('/')[0].toLowerCase()}.github.io/${process.env.GITHUB_REPOSITORY.split('/')[1]}/` : '');
const attr = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const metas = (docs) => `<meta name="gm-docs" content="${attr(docs)}">\n<meta name="gm-page-url" content="${attr(PAGE_URL)}">`;
const html = readFileSync(join(WEB, 'index.html'), 'utf8').replace('<meta charset="utf-8">', () =>
  `<meta charset="utf-8">\n${metas(REPO ? `${REPO}/blob/main/docs/` : 'docs/')}`);
let vendor;
try {
  vendor = checkVendor(readImportMap(html));
} catch (e) {
  die(e.message);
}
const wasmJs = join(WASM_DIR, 'gpumem.js');
const wasmBin = join(WASM_DIR, 'gpumem.wasm');
if (!existsSync(wasmJs) || !existsSync(wasmBin)) die(`${relative(ROOT, WASM_DIR)}/gpumem.{js,wasm} missing: run make wasm first`);
const modules = pageModules();

// A page module's text, its html`...` templates as the h() calls htm would
// make (templates.mjs): parsed here, not on the first result's time.
const pageSource = (f) => {
  try {
    return compileTemplates(readFileSync(join(WEB, f), 'utf8'), f);
  } catch (e) {
    return die(e.message);
  }
};

// The modules the first result runs (app.js and what it imports statically)
// joined into one, which takes app.js's place; at each joined module's path, a
// stub for the modules loaded later (the panels below the first screen).
let joined;
try {
  joined = joinModules('app.js', pageSource, (f) => modules.includes(f));
} catch (e) {
  die(e.message);
}
const pageFiles = new Map(modules.map((f) => [f, null]));
pageFiles.set('app.js', joined.js + exportJoined(joined.joined));
for (const { file, exports } of joined.joined) pageFiles.set(file, stubFor(file, exports, 'app.js'));

// The page's text, as ASCII (web/ascii.mjs).
const source = (f) => pageFiles.get(f) ?? pageSource(f);
const ascii = (f, text) => {
  try {
    return f.endsWith('.css') ? asciiCss(text) : asciiJs(text, f);
  } catch (e) {
    return die(e.message);
  }
};

// build/web: the served page.
rmSync(OUT, { recursive: true, force: true });
for (const f of [...modules, WORKER]) {
  mkdirSync(dirname(join(OUT, f)), { recursive: true });
  writeFileSync(join(OUT, f), ascii(f, source(f)));
}
copyFileSync(wasmJs, join(OUT, 'gpumem.js'));
mkdirSync(join(OUT, 'docs'), { recursive: true });
for (const f of ['formulas.md', 'accuracy.md']) copyFileSync(join(ROOT, 'docs', f), join(OUT, 'docs', f));
copyFileSync(wasmBin, join(OUT, 'gpumem.wasm'));
// The importers' module, fetched only when a launcher's file is dropped.
const importBin = join(WASM_DIR, 'gpumem-import.wasm');
if (!existsSync(importBin)) die(`${relative(ROOT, importBin)} missing: run make wasm first`);
copyFileSync(importBin, join(OUT, 'gpumem-import.wasm'));
// The planner's module, when the build has one: only the planner's worker loads it.
const planBin = join(WASM_DIR, 'gpumem-plan.wasm');
const hasPlanModule = existsSync(planBin);
if (hasPlanModule) copyFileSync(planBin, join(OUT, 'gpumem-plan.wasm'));
/**
 * The served page's core, in a module script of its own with the loader's
 * text inline: as soon as the core is compiled, it is instantiated
 * (window.gmLoad, which the page's main script takes; loadGpuMem keeps one
 * instance per module) and run once, since a module's functions compile on
 * their first call, which would otherwise come with the first result. Inline,
 * the loader costs no request of its own on the first load (with one, the
 * run waited for it and its request took a connection the page's modules
 * wanted); the modules loaded later import it from gpumem.js. async: it need
 * not wait for the parser to reach the end of the page.
 */
// Text that goes inside a <script> element must not end it or open another.
const assertInlineable = (text, what) => {
  if (/<\/script|<!--|<script/i.test(text)) die(`${what} must not hold "</script", "<script" or "<!--"`);
};
const loaderText = stripMap(readFileSync(wasmJs, 'utf8'));
assertInlineable(loaderText, 'gpumem.js');
const warmCore = `<script type="module" async>
${loaderText.trimEnd()}

window.gmLoad = Promise.resolve(window.gmCore).then((module) => loadGpuMem(module ? { module } : { url: new URL('./gpumem.wasm', document.baseURI) }));
window.gmLoad.then((gm) => {
  const s = gm.schema();
  gm.presets();
  gm.calcRaw({ model: { preset: s.models[0]?.id }, hardware: { gpu: s.gpus[0]?.id } });
}).catch(() => {});
</script>`;

const STYLESHEET = '<link rel="stylesheet" href="style.css">';
// The stylesheet goes inline in both builds: linked, it cost a round trip
// before the first paint, and a script at the end of the body, and with it
// the parser and the page's main module, waited for it.
const STYLE = `<style>\n${ascii('style.css', readFileSync(join(WEB, 'style.css'), 'utf8'))}</style>`;

// The CDN modules the first result runs: those app.js imports, and theirs (with
// the templates compiled, htm is not among them).
const importsOf = (js) => [...js.matchAll(/\bfrom\s*(['"])([^'"]+)\1/g)].map((m) => m[2]);
const firstVendor = [];
for (const queue = importsOf(joined.js); queue.length;) {
  const spec = queue.shift();
  const v = vendor.find((x) => x.specifier === spec);
  if (v && !firstVendor.includes(v)) {
    firstVendor.push(v);
    queue.push(...importsOf(readFileSync(v.file, 'utf8')));
  }
}

// Preload hints flatten the module waterfall to one round trip; the WASM first,
// since its compile is the longest step, then what the first result runs:
// app.js, the largest (compiled off the main thread as it streams in), first.
const preload = [
  // The core is fetched and compiled while the modules load; the loader's
  // script takes the compiled module (or fetches it again, if that failed).
  "<script>\nwindow.gmCore = WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch('gpumem.wasm')).catch(function () { return null; }) : null;\n</script>",
  warmCore,
  '<link rel="modulepreload" href="app.js">',
  ...firstVendor.map((v) => `<link rel="modulepreload" href="${v.url}" integrity="${readImportMap(html).integrity[v.url]}" crossorigin="anonymous">`),
  ...(hasPlanModule ? ['<meta name="gm-plan-module" content="gpumem-plan.wasm">'] : []),
  STYLE,
].join('\n');
if (html.split(STYLESHEET).length !== 2) die(`index.html must link style.css exactly once, as ${STYLESHEET}`);
const servedHtml = withCsp(replaceMarker(html.replace(`${STYLESHEET}\n`, ''), 'preload', preload), { offline: false });
try {
  assertAscii(servedHtml, 'index.html');
  assertAscii(readFileSync(wasmJs, 'utf8'), 'gpumem.js');
} catch (e) {
  die(e.message);
}
writeFileSync(join(OUT, 'index.html'), servedHtml);
writeFileSync(join(OUT, '.nojekyll'), '');

// build/gpu-mem-calc.html: one file. Every module becomes a data: URL behind a
// bare name ("gm/lib/format.js"); relative imports are rewritten to those names.
const imports = {};
for (const v of vendor) imports[v.specifier] = dataUrl(stripMap(readFileSync(v.file, 'utf8')));
const rewrite = (file, js) =>
  js.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (_, kw, q, spec) => {
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    if (!modules.includes(target) && target !== 'gpumem.js') die(`${file} imports ${spec}, which is not a page module`);
    return `${kw}${q}gm/${target}${q}`;
  });
// The joined modules run as the page's main script (below), not as a data:
// URL: Chromium spends about as long on a long data: URL as on compiling
// what it holds. Modules loaded later find them through window.gmJoined.
const JOINED = 'gmJoined';
const offlineStubs = new Map(joined.joined.map(({ file, exports }) => [file, stubFromPage(file, exports, JOINED)]));
for (const f of modules) {
  if (f !== 'app.js') imports[`gm/${f}`] = dataUrl(offlineStubs.get(f) ?? ascii(f, rewrite(f, pageSource(f))));
}
imports['gm/gpumem.js'] = dataUrl(stripMap(readFileSync(wasmJs, 'utf8')));
// The worker cannot use the page's import map: it imports the loader and the
// inflater from data: URLs and runs from a blob: URL that plan/client.js makes
// of this inline copy.
const WORKER_IMPORTS = ['gpumem.js', 'lib/inflate.js'];
let workerSrc = ascii(WORKER, readFileSync(join(WEB, WORKER), 'utf8'));
for (const f of WORKER_IMPORTS) {
  const quoted = `'./${f}'`;
  const call = `import(${quoted})`;
  if (offlineStubs.has(f)) die(`${f} is joined into app.js: the worker, without the page's modules, cannot import it`);
  if (workerSrc.split(quoted).length !== 2 || !workerSrc.includes(call)) die(`${WORKER} must import ${quoted} once, as ${call}`);
  workerSrc = workerSrc.replace(call, () => `import('${imports[`gm/${f}`]}')`);
}
if (/<\/script/i.test(workerSrc)) die(`${WORKER} must not contain a closing script tag`);
const map = `<script type="importmap">\n${JSON.stringify({ imports }, null, 1)}\n</script>`;
// The modules go in gzipped: the browser reads, decodes and tokenizes every
// byte of the file before the first result, and gzip takes 60 % off a module.
// The page and the worker inflate them (DecompressionStream) before compiling.
const wasmText = (file) => gzipSync(readFileSync(file), { level: 9 }).toString('base64');
const planInline = hasPlanModule ? `<script type="application/wasm+gzip;base64" id="gm-wasm-plan">${wasmText(planBin)}</script>\n` : '';
// The core first: it compiles (off the main thread) while the modules load.
// The main module comes next, so that its imports are fetched while the parser
// reads the blobs the first result does not need (the worker, the planner's and
// the importers' modules), which follow it.
// No warm-up run here, unlike the served page: the core, the loader and this
// script are in at about the same time, so a run before the first result's
// added its own work (about 13 ms of the main thread) to it. The main script
// passes the compiled module itself (loadGpuMem keeps one instance per module).
const mainJs = `${ascii('app.js', rewrite('app.js', joined.js))}${handJoined(joined.joined, JOINED)}
import { loadGpuMem } from 'gm/gpumem.js';
start(document.getElementById('app'), Promise.resolve(window.gmCore).then((module) => loadGpuMem({ module })));`;
assertInlineable(mainJs, 'the joined modules');
// The bootstrap inflates the core with the page's own helper, lib/inflate.js,
// its text inlined (a classic script: the module's one export made a plain
// function, in the bootstrap's scope).
const INFLATE = 'lib/inflate.js';
const inflateText = ascii(INFLATE, readFileSync(join(WEB, INFLATE), 'utf8'));
if (/^import\b/m.test(inflateText) || (inflateText.match(/^export\b/gm) || []).length !== 1 || !/^export function inflateBase64\(/m.test(inflateText))
  die(`${INFLATE} must have no imports and one export, export function inflateBase64(...)`);
const inflateFn = inflateText.replace(/^(?:\/\/.*\n|\n)*/, '').replace(/^export /m, '').trimEnd();
assertInlineable(inflateFn, INFLATE);
const main = `<script type="application/wasm+gzip;base64" id="gm-wasm">${wasmText(wasmBin)}</script>
<script>
window.gmCore = (function () {
${inflateFn}
  return inflateBase64(document.getElementById('gm-wasm').textContent).then(function (wasm) {
    return WebAssembly.compile(wasm);
  });
})();
</script>
<script type="module">
${mainJs}
</script>
<script type="text/plain" id="gm-planner-worker">${workerSrc}</script>
${planInline}
<script type="application/wasm+gzip;base64" id="gm-import-wasm">${wasmText(importBin)}</script>`;
let single = replaceMarker(html, 'importmap', map);
single = replaceMarker(single, 'preload', '');
single = replaceMarker(single, 'main', main);
single = single.replace(STYLESHEET, () => STYLE);
if (single.includes('href="style.css"')) die('index.html must link style.css exactly once');
single = withCsp(single, { offline: true });
try {
  assertAscii(single, relative(ROOT, SINGLE));
} catch (e) {
  die(e.message);
}
writeFileSync(SINGLE, single);
// The served page links the offline file for download.
writeFileSync(join(OUT, 'gpu-mem-calc.html'), single);

const kb = (p) => `${(statSync(p).size / 1024).toFixed(0)} KiB`;
console.log(`web: ${relative(ROOT, OUT)}/ (${modules.length + 1} modules, gpumem.wasm ${kb(wasmBin)}), ${relative(ROOT, SINGLE)} (${kb(SINGLE)})`);
