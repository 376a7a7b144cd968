// Shared by the WASM tests: paths, the module, the cases and their checks.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadGpuMem } from '../../wasm/gpumem.js';

export const root = new URL('../../', import.meta.url);
const dir = (p, base) => new URL(p.endsWith('/') ? p : `${p}/`, base);
// make passes its BUILD; GM_CASES points at another case directory.
export const build = dir(process.env.GM_BUILD ?? 'build', root);
export const casesDir = dir(process.env.GM_CASES ?? 'tests/cases', root);
export const wasmUrl = new URL('wasm/gpumem.wasm', build);
export const calcStdin = fileURLToPath(new URL('calc_stdin', build));
export const wasmBytes = readFileSync(wasmUrl);
export const load = () => loadGpuMem({ bytes: wasmBytes });
export const benchConfig = readFileSync(new URL('bench/config.json', root), 'utf8');

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every case file, sorted by name: {file, id, input (the text given to
 * calc_json), ...case}, or {file, id, bad} when the file is not JSON. */
export function readCases() {
  return readdirSync(casesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      let c;
      try {
        c = JSON.parse(readFileSync(new URL(file, casesDir), 'utf8'));
      } catch (e) {
        return { file, id: file, bad: `not valid JSON: ${e.message}` };
      }
      if (!isObj(c)) return { file, id: file, bad: 'a case must be an object' };
      const input = typeof c.config_text === 'string' ? c.config_text : c.config !== undefined ? JSON.stringify(c.config) : undefined;
      const id = typeof c.id === 'string' ? c.id : file;
      if (input === undefined || (!isObj(c.expect) && !isObj(c.error)))
        return { file, id, bad: 'a case needs config (or config_text) and expect (or error)' };
      return { ...c, file, id, input };
    });
}

/** The value at a dotted path ("stages.0.bytes.weights"); undefined if absent. */
export function at(obj, path) {
  let v = obj;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? (/^\d+$/.test(key) ? v[Number(key)] : undefined) : v[key];
  }
  return v;
}

/** One expectation, as run_cases.c's check(): a message when it fails.
 * [value, rel_tol], an exact number, bool or string, or null (absent or null). */
export function checkValue(path, want, got) {
  const show = (v) => (v === undefined ? '(missing)' : JSON.stringify(v));
  if (want === null) return got === undefined || got === null ? null : `${path}: expected null, got ${show(got)}`;
  if (Array.isArray(want)) {
    const [value, tol] = want;
    if (want.length !== 2 || typeof value !== 'number' || typeof tol !== 'number')
      return `${path}: bad expectation ${show(want)} (use [value, rel_tol])`;
    const ok = typeof got === 'number' && Math.abs(got - value) <= tol * (value !== 0 ? Math.abs(value) : 1);
    return ok ? null : `${path}: expected ${show(want)}, got ${show(got)}`;
  }
  const ok = ['number', 'boolean', 'string'].includes(typeof want) && got === want;
  return ok ? null : `${path}: expected ${show(want)}, got ${show(got)}`;
}

/** The failures of one case against its parsed result, as run_cases.c counts them. */
export function check(c, result) {
  if (c.bad) return [c.bad];
  const err = result.error;
  const hasError = err && typeof err.field === 'string' && typeof err.message === 'string';
  if (isObj(c.error)) {
    if (!hasError) return [`expected an error at ${c.error.field ?? '?'}, got a result`];
    const fails = [];
    if (typeof c.error.field === 'string' && c.error.field !== err.field)
      fails.push(`error field: expected "${c.error.field}", got "${err.field}" (${err.message})`);
    if (typeof c.error.message_contains === 'string' && !err.message.includes(c.error.message_contains))
      fails.push(`error message: expected it to contain "${c.error.message_contains}", got "${err.message}"`);
    return fails;
  }
  if (err !== undefined) return [`expected a result, got error ${JSON.stringify(err)}`];
  return Object.entries(c.expect)
    .map(([path, want]) => checkValue(path, want, at(result, path)))
    .filter(Boolean);
}

/** What a case's resolved config, run again, must reproduce (run_cases.c). */
export const roundtripPaths = ['bytes', 'stages', 'parameters.total', 'host_memory', 'max_micro_batch_size', 'fits_on_gpu'];

/** cJSON_Compare(a, b, case_sensitive): deep equality, numbers to DBL_EPSILON. */
export function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * Number.EPSILON;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

/** calc_json() of each input by the native build, in one process. */
export function nativeCalc(inputs) {
  for (const s of inputs) if (s.includes('\0')) throw new Error('an input holds a NUL');
  const out = execFileSync(calcStdin, ['-0'], {
    input: inputs.map((s) => `${s}\0`).join(''),
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  const results = out.split('\0');
  results.pop(); // after the last terminator
  return results;
}
