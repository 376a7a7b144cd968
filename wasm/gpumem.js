// gpumem.js - loads gpumem.wasm (the C core) in browsers and Node, no dependencies.
//
//   const gm = await loadGpuMem();            // ./gpumem.wasm next to this file
//   const gm = await loadGpuMem({ bytes });   // ArrayBuffer or Uint8Array
//   const gm = await loadGpuMem({ module });  // a WebAssembly.Module, or a promise
//                                             // of one, compiled while the page loads
//   gm.calc(config)     -> result object; throws GmError (.field) on a bad config
//   gm.calcRaw(config)  -> the result JSON string, untouched
//   gm.presets()        -> {gpus: [...], models: {...}}
//   gm.presetId(kind, name) -> the id of the GPU ('gpu') or model ('model')
//                          preset a name stands for, as the core reads it; or null
//   gm.schema()         -> every config key the core reads: {keys: [{section,
//                          key, aliases, kind, min, max, values, default,
//                          default_rule, doc, unit, label, in_resolved}], gpus,
//                          models, thresholds} (doc is null in the module: the
//                          docs live in docs/config.md)
//   gm.importConfig(text, kind = 'auto') -> {kind, detected, config, mapped,
//                          ignored, warnings}: a DeepSpeed ds_config.json,
//                          Megatron-LM arguments, an Axolotl, LLaMA-Factory or
//                          accelerate YAML, a torchtitan TOML, or a Hugging Face config.json read
//                          as a config; throws GmError when it is none. These
//                          need the import module: loadGpuMem({ url:
//                          './gpumem-import.wasm' })
//   gm.importRaw(text, kind) -> import_json's JSON string, untouched
//   gm.plan(request)    -> the layouts that fit (a config with a "plan" section,
//                          see docs/config.md); throws GmError on a bad request
//   gm.planRaw(request) -> the planner's JSON string, untouched
//   gm.version, gm.exports (the raw exports: memory, calc_json, ...)
//
// The module's ABI is one string in, one string out: calc_json(char*) returns
// a string the module allocated, released with calc_free().

const MAX_CONFIG_BYTES = 1048576; // GM_MAX_CONFIG_BYTES in core/gpumem.h
// An error as calc_json writes it (result_json.c).
const errorJson = (message) => `{\n  "error": {\n    "field": "",\n    "message": ${JSON.stringify(message)}\n  }\n}\n`;
const VERSION = '0.1.0'; // the CLI's; the module's gm_version() when it has one
const byUrl = new Map();
const byBytes = new WeakMap();

/** A config the calculator rejects: .field is its JSON path. */
export class GmError extends Error {
  constructor(field, message) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'GmError';
    this.field = field;
  }
}

/** Loads and instantiates the module once per source; later calls share it. */
export async function loadGpuMem({ bytes, url, module } = {}) {
  // A relative url is resolved as fetch() would, against the page.
  const base = url === undefined ? import.meta.url : globalThis.document?.baseURI ?? globalThis.location?.href;
  const given = module ?? bytes;
  const key = given ?? new URL(url ?? './gpumem.wasm', base).href;
  const cache = given ? byBytes : byUrl;
  let loading = cache.get(key);
  if (!loading) {
    loading = (given ? Promise.resolve(given) : readUrl(new URL(key))).then(instantiate);
    cache.set(key, loading);
    loading.catch(() => cache.delete(key)); // a failed load may be retried
  }
  return loading;
}

async function readUrl(url) {
  if (url.protocol === 'file:' && globalThis.process?.versions?.node) {
    const fs = await import('node:fs/promises'); // Node's fetch cannot read file: URLs
    return fs.readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`gpumem: ${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function instantiate(bytes) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let ex = null;
  const imports = {
    env: {
      // Called after memory.grow: nothing to do, since every view of the
      // memory is made afresh after each call.
      emscripten_notify_memory_growth() {},
      // strtod (wasm/strtod.c): the decimal at ptr to the nearest double, as
      // glibc's strtod rounds it, so native and WASM read numbers alike.
      // The C side takes the exact cases itself; the text is ASCII.
      gm_parse_number: (ptr, len) => Number(String.fromCharCode(...new Uint8Array(ex.memory.buffer, ptr >>> 0, len >>> 0))),
    },
    // The import module's C++ runtime (toml++ reads floats through an
    // istringstream) links stdio and the environment without using them:
    // nothing is written, the environment is empty, and 52 is WASI's ENOSYS.
    wasi_snapshot_preview1: {
      fd_write: () => 52,
      fd_close: () => 52,
      fd_seek: () => 52,
      environ_sizes_get: (count, size) => {
        const view = new DataView(ex.memory.buffer);
        view.setUint32(count, 0, true);
        view.setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
      proc_exit: (code) => { throw new Error(`gpumem: the module exited (${code})`); },
    },
  };
  // Bytes give {module, instance}; a compiled module gives the instance.
  const made = await WebAssembly.instantiate(bytes, imports);
  const instance = made.instance ?? made;
  ex = instance.exports;
  if (ex._initialize) ex._initialize(); // reactor: runs the C constructors

  // The NUL-terminated string at ptr; the view is made after the call
  // because memory.grow detaches the previous buffer.
  const cString = (ptr) => {
    const heap = new Uint8Array(ex.memory.buffer);
    return dec.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
  };

  // A text the module wrote and malloc'd (calc_json, presets_json, ...): read, then freed.
  const taken = (ptr) => {
    if (!ptr) throw new Error('gpumem: out of memory');
    try {
      return cString(ptr);
    } finally {
      ex.calc_free(ptr);
    }
  };

  // run(...pointers) on NUL-terminated copies of the inputs (UTF-8 bytes) in
  // the module's memory, which are freed after it.
  const withInputs = (inputs, run) => {
    const ptrs = [];
    try {
      for (const input of inputs) {
        const ptr = ex.malloc(input.length + 1) >>> 0;
        if (!ptr) throw new Error('gpumem: out of memory');
        ptrs.push(ptr);
        const heap = new Uint8Array(ex.memory.buffer);
        heap.set(input, ptr);
        heap[ptr + input.length] = 0;
      }
      return run(...ptrs);
    } finally {
      for (const ptr of ptrs) ex.free(ptr);
    }
  };

  // One string in, one string out, through the export named fn.
  const call = (fn, config) => {
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    const input = enc.encode(text);
    // Refused before it is copied in, so that it cannot grow the memory for
    // good: the core's own error for an oversized config (GM_MAX_CONFIG_BYTES,
    // after a byte order mark), byte for byte; and a NUL, which would end the
    // text early for the core.
    const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
    if (input.length - bom > MAX_CONFIG_BYTES)
      return errorJson(`the config is ${input.length - bom} bytes; at most ${MAX_CONFIG_BYTES} are accepted`);
    const nul = input.indexOf(0);
    if (nul >= 0) return errorJson(`a NUL byte at offset ${nul}; a config is text`);
    return withInputs([input], (ptr) => taken(fn(ptr) >>> 0));
  };

  const calcRaw = (config) => call(ex.calc_json, config);

  const importRaw = (text, kind = 'auto') => {
    if (!ex.import_json) throw new Error('gpumem: this module has no importers');
    const nul = text.indexOf('\0');
    if (nul >= 0) return errorJson(`a NUL character at offset ${nul}; a launcher's file is text`);
    return withInputs([enc.encode(kind), enc.encode(text)], (k, t) => taken(ex.import_json(k, t) >>> 0));
  };

  const importConfig = (text, kind = 'auto') => {
    const report = JSON.parse(importRaw(text, kind));
    if (report.error) throw new GmError(report.error.field ?? '', report.error.message ?? '');
    return report;
  };

  const calc = (config) => {
    const result = JSON.parse(calcRaw(config));
    if (result.error) throw new GmError(result.error.field ?? '', result.error.message ?? '');
    return result;
  };

  const planRaw = (request) => {
    if (!ex.plan_json) throw new Error('gpumem: this module has no planner');
    return call(ex.plan_json, request);
  };

  // The planner; evaluated_per_s is measured here, around the call.
  const plan = (request) => {
    const t0 = globalThis.performance?.now() ?? Date.now();
    const result = JSON.parse(planRaw(request));
    const ms = (globalThis.performance?.now() ?? Date.now()) - t0;
    if (result.error) throw new GmError(result.error.field ?? '', result.error.message ?? '');
    result.evaluated_per_s = ms > 0 ? Math.round((result.searched * 1000) / ms) : null;
    return result;
  };

  // The module writes gm_presets_json()'s text from its preset tables.
  let presetsText;
  const presets = () => {
    if (presetsText === undefined) {
      if (!ex.presets_json) throw new Error('gpumem: this module has no presets');
      presetsText = taken(ex.presets_json() >>> 0);
    }
    return JSON.parse(presetsText); // a fresh copy: callers may mutate it
  };

  let schemaText;
  const schema = () => {
    if (schemaText === undefined) {
      if (!ex.schema_json) throw new Error('gpumem: this module has no schema');
      schemaText = taken(ex.schema_json() >>> 0);
    }
    return JSON.parse(schemaText); // a fresh copy: callers may mutate it
  };

  // gm_preset_id (core/gpumem.h): the id is static, nothing to free.
  const presetId = (kind, name) =>
    withInputs([enc.encode(name)], (ptr) => {
      const id = ex.gm_preset_id(kind === 'model' ? 1 : 0, ptr) >>> 0;
      return id ? cString(id) : null;
    });

  const version = ex.gm_version ? cString(ex.gm_version() >>> 0) : VERSION;
  return Object.freeze({ calc, calcRaw, plan, planRaw, presets, presetId, schema, importConfig, importRaw, version, exports: ex });
}
