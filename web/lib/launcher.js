// Launcher files — a DeepSpeed ds_config.json, Megatron-LM arguments or a launch
// script, an Axolotl, LLaMA-Factory or accelerate YAML, a torchtitan TOML — read by the core's
// importers. They live in a second module, gpumem-import.wasm, loaded only when
// such a file is dropped (the one-file build carries it inline).
import { loadGpuMem } from '../gpumem.js';
import { inflateBase64 } from './inflate.js';

let importer;

/** The import report of a file's text: {kind, detected, config, mapped, ignored, warnings}; throws GmError. */
export async function importLauncher(text) {
  if (!importer) {
    const el = document.getElementById('gm-import-wasm');
    importer = el ? inflateBase64(el.textContent).then((bytes) => loadGpuMem({ bytes })) : loadGpuMem({ url: 'gpumem-import.wasm' });
    importer.catch(() => { importer = undefined; });
  }
  return (await importer).importConfig(text);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** base with part's keys laid over it, object by object (as the CLI combines files). */
export function mergeConfig(base, part) {
  const out = { ...base };
  for (const [k, v] of Object.entries(part)) out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k], v) : v;
  return out;
}

/** One line for a toast: what the file was, and what of it was not mapped. */
export function describeImport(name, report) {
  const unmapped = report.warnings.map((w) => w.field);
  return `${name}: ${report.detected}; ${report.mapped.length} keys mapped` +
    (unmapped.length ? `; not mapped: ${unmapped.slice(0, 4).join(', ')}${unmapped.length > 4 ? ', …' : ''}` : '') + '.';
}
