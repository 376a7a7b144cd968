// Sizes of the web payload and calcs/sec of the core, native and WASM.
// Usage: node bench/bench.mjs [BUILD]   (make bench)
// Each speed is the median of RUNS runs of SECONDS of CPU time each, after a
// warm-up. CPU time, not wall time, so other load on the machine matters less.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadGpuMem } from '../wasm/gpumem.js';

const build = process.argv[2] ?? 'build';
const RUNS = 5;
const SECONDS = 1;
const configPath = new URL('./config.json', import.meta.url);
const config = readFileSync(configPath, 'utf8');

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rate = (n) => `${Math.round(n).toLocaleString('en-US')} calcs/s`;

const wasmBytes = readFileSync(`${build}/wasm/gpumem.wasm`);
const loaderBytes = readFileSync(`${build}/wasm/gpumem.js`);
const sizes = {
  wasm: [wasmBytes.length, gz(wasmBytes)],
  loader: [loaderBytes.length, gz(loaderBytes)],
};
sizes.total = [sizes.wasm[0] + sizes.loader[0], sizes.wasm[1] + sizes.loader[1]];
console.log('size            raw         gzip -9');
for (const [name, [raw, packed]] of Object.entries(sizes))
  console.log(`${name.padEnd(8)} ${kib(raw).padStart(12)} ${kib(packed).padStart(12)}`);

// Native: the C driver calls calc_json in a loop.
const out = execFileSync(`${build}/bench_native`, [configPath.pathname, RUNS, SECONDS], { encoding: 'utf8' });
const native = Number(/^median (\d+)/m.exec(out)[1]);

// WASM: the loader's calcRaw, string in and string out, as the page calls it.
const gm = await loadGpuMem({ bytes: wasmBytes });
const first = JSON.parse(gm.calcRaw(config));
if (first.error) throw new Error(`the bench config fails: ${JSON.stringify(first.error)}`);
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
// Like bench_native: `seconds` of CPU time, at most 3x that of wall time.
const timeRun = (seconds, text = config) => {
  let calls = 0;
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  let cpu;
  do {
    for (let i = 0; i < 64; i++) gm.calcRaw(text);
    calls += 64;
    cpu = cpuSeconds() - cpu0;
  } while (cpu < seconds && performance.now() - wall0 < 3000 * seconds);
  return calls / cpu;
};
timeRun(SECONDS / 2); // warm-up: lets the engine tier up
const wasm = median(Array.from({ length: RUNS }, () => timeRun(SECONDS)));

// The page's default config, which names a model and a GPU preset: it also
// times the preset lookups.
const presetPath = new URL('./preset.json', import.meta.url);
const preset = readFileSync(presetPath, 'utf8');
if (JSON.parse(gm.calcRaw(preset)).error) throw new Error('the preset bench config fails');
const presetOut = execFileSync(`${build}/bench_native`, [presetPath.pathname, RUNS, SECONDS], { encoding: 'utf8' });
const presetNative = Number(/^median (\d+)/m.exec(presetOut)[1]);
const presetWasm = median(Array.from({ length: RUNS }, () => timeRun(SECONDS, preset)));
console.log(`\nspeed: the page's default config, bench/preset.json (median of ${RUNS} x ${SECONDS} CPU-s)`);
console.log(`native   ${rate(presetNative).padStart(20)}   ${(1e6 / presetNative).toFixed(1)} us/calc`);
console.log(`wasm     ${rate(presetWasm).padStart(20)}   ${(1e6 / presetWasm).toFixed(1)} us/calc`);

const c = JSON.parse(config);
const what = `${c.model.name}, ${c.engine.type}, ${c.hardware.num_gpus} GPUs`;
console.log(`\nspeed: ${what} (median of ${RUNS} x ${SECONDS} CPU-s)`);
console.log(`native   ${rate(native).padStart(20)}   ${(1e6 / native).toFixed(1)} us/calc`);
console.log(`wasm     ${rate(wasm).padStart(20)}   ${(1e6 / wasm).toFixed(1)} us/calc   (Node ${process.versions.node})`);
console.log(`wasm/native ${(wasm / native).toFixed(2)}`);

// The planner: one full search (bench/plan_request.json: Llama 3.1 405B on
// 1,024 H100, every framework, every recompute mode, micro-batches up to 16),
// CPU time per search. A layout is one whole assignment (framework and
// sharding, TP, PP and its split, virtual stages, CP, EP, DP, recompute,
// offload, micro-batch and accumulation) whose most loaded GPU's peak the
// search found: evaluated in full, or read off the stages' polynomials in the
// micro-batch (docs/performance-model.md, "Speed"). Full evaluations (the
// physics run on a whole layout) are counted too.
const planRequest = readFileSync(new URL('./plan_request.json', import.meta.url), 'utf8');
const planOut = execFileSync(`${build}/plan_test`, ['--bench', new URL('./plan_request.json', import.meta.url).pathname, '15'], {
  encoding: 'utf8',
});
const field = (k) => Number(new RegExp(`^${k} ([0-9.]+)`, 'm').exec(planOut)[1]);
const gmPlan = await loadGpuMem({ bytes: readFileSync(`${build}/wasm/gpumem-plan.wasm`) });
// The search's own time: planRaw, request text to answer text.
const planSearch = () => {
  const cpu0 = cpuSeconds();
  const text = gmPlan.planRaw(planRequest);
  const ms = (cpuSeconds() - cpu0) * 1e3;
  const r = JSON.parse(text);
  if (r.error) throw new Error(`the plan request fails: ${JSON.stringify(r.error)}`);
  return [ms, r.searched, r.evaluated];
};
// The first search runs before the engine has tiered the module up (what a
// page's first search costs); the median is taken after warm-up searches,
// as the calculator's figures are. Node's tier-up of this module takes some
// 40 searches (their CPU time, background compilation included, falls from
// 10-20 ms to a steady ~1.5 ms on the bench machine): 60 warm-up searches.
const [planFirstMs] = planSearch();
for (let i = 0; i < 60; i++) planSearch();
const planTimes = Array.from({ length: 7 }, planSearch);
const planMs = median(planTimes.map(([ms]) => ms));
const [, searched, evaluated] = planTimes[0];
const perS = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');
console.log(`planner module ${kib(readFileSync(`${build}/wasm/gpumem-plan.wasm`).length)}, ${kib(gz(readFileSync(`${build}/wasm/gpumem-plan.wasm`)))} gzipped (loaded only for a search)`);
console.log(`\nplanner: Llama 3.1 405B on 1,024 H100, all frameworks (CPU time; native: median of 15 searches, WASM: of 7 after 60 warm-up ones)`);
console.log(`         ms/search   layouts/s (goal: 5M native, 1M WASM)   full evaluations/s`);
// plan_test's own rate: its median CPU time unrounded (it prints the time to 0.01 ms).
const nativeRate = field('layouts_per_s');
const count = (x) => Math.round(x).toLocaleString('en-US');
console.log(`native   ${field('median_ms').toFixed(2).padStart(8)}   ${count(nativeRate).padStart(10)} (${field('searched')} layouts)   ${count((nativeRate * field('evaluated')) / field('searched')).padStart(10)} (${field('evaluated')})`);
if (process.env.GM_CFLAGS !== undefined) console.log(`native build: CFLAGS=${process.env.GM_CFLAGS}`);
console.log(`wasm     ${planMs.toFixed(1).padStart(8)}   ${perS(searched, planMs).padStart(10)} (${searched} layouts)   ${perS(evaluated, planMs).padStart(10)} (${evaluated})`);
console.log(`wasm, first search (before tier-up): ${planFirstMs.toFixed(1)} ms`);
console.log(`one layout (TP 8 x PP 16, native CPU time): full evaluation ${(field('full_evaluation_ns') / 1e3).toFixed(2)} us, ` +
  `its stages' polynomials ${(field('stage_polys_ns') / 1e3).toFixed(2)} us, each further micro-batch read off them ${field('poly_peak_ns')} ns`);
