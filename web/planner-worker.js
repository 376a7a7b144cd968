// The planner's worker: its own copy of the core, so a search never blocks the
// page. The page runs two (web/plan/client.js): one searches, one draws charts.
// Messages in:  {id, type: 'init', wasm: {url} | {gzipBase64}}  (the offline file's inline module: base64 of its gzipped bytes)
//               {id, type: 'plan', request}
//               {id, type: 'calc', configs: [config, ...]}  (the figures of each result)
// Messages out: {id, ok: true, value} or {id, ok: false, error}
// A classic worker script (no static import): the offline file runs it from a
// blob: URL, where module workers cannot start, with the addresses of the
// loader and of lib/inflate.js replaced by data: URLs (web/build.mjs).
const loader = import('./gpumem.js');

let core = null;

/** The planner's answer; a request the core rejects gives the same error object as calc_json. */
function planOrError(gm, request) {
  try {
    return gm.plan(request);
  } catch (err) {
    if (err?.name !== 'GmError') throw err;
    const prefix = err.field ? `${err.field}: ` : '';
    return { error: { field: err.field, message: err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message } };
  }
}

const handlers = {
  async init({ wasm }) {
    const { loadGpuMem } = await loader;
    core = wasm.gzipBase64
      ? import('./lib/inflate.js').then(({ inflateBase64 }) => inflateBase64(wasm.gzipBase64)).then((bytes) => loadGpuMem({ bytes }))
      : loadGpuMem({ url: wasm.url });
    const gm = await core;
    return { version: gm.version, plan: !!gm.exports.plan_json };
  },
  async plan({ request }) {
    const gm = await core;
    if (!gm.exports.plan_json) return { unavailable: true };
    const t0 = performance.now();
    const response = planOrError(gm, request);
    return { response, wall_ms: performance.now() - t0 };
  },
  // Only the figures a chart point needs cross back to the page: whole
  // results would cost the page more to receive than the core to compute.
  async calc({ configs }) {
    const gm = await core;
    return configs.map((c) => {
      const r = JSON.parse(gm.calcRaw(c));
      if (r.error) return { error: r.error };
      const { total_memory_per_gpu_gb, gpu_capacity_gb, fits_on_gpu, verdict } = r;
      return { total_memory_per_gpu_gb, gpu_capacity_gb, fits_on_gpu, verdict };
    });
  },
};

self.onmessage = async (e) => {
  const { id, type } = e.data || {};
  try {
    if (!handlers[type]) throw new Error(`unknown request ${type}`);
    if (type !== 'init' && !core) throw new Error('the core is not loaded');
    self.postMessage({ id, ok: true, value: await handlers[type](e.data) });
  } catch (err) {
    self.postMessage({ id, ok: false, error: String(err?.message || err) });
  }
};
