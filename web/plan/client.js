// The page's side of the planner worker. Two workers run the same script, each
// with its own copy of the core: one searches, one computes the charts' points,
// so a search never waits behind the charts of a large model (and the reverse).
// The served page runs web/planner-worker.js; the offline file carries the
// worker's source inline and runs it from a blob: URL (a classic worker: from a
// file: page, module workers do not start).

/*
 * The worker's script and the core it loads. The search wants the planner's
 * module (gpumem-plan.wasm, which the build names in a meta tag and the
 * offline file carries inline); the charts, and a build without that module,
 * use the page's own gpumem.wasm.
 */
function source(kind) {
  const inline = document.getElementById('gm-planner-worker');
  if (inline) {
    const wasm = (kind === 'plan' && document.getElementById('gm-wasm-plan')) || document.getElementById('gm-wasm');
    return {
      url: URL.createObjectURL(new Blob([inline.textContent], { type: 'text/javascript' })),
      wasm: { gzipBase64: wasm.textContent.trim() },
    };
  }
  const planModule = kind === 'plan' && document.querySelector('meta[name="gm-plan-module"]')?.content;
  return {
    url: new URL('./planner-worker.js', document.baseURI).href,
    wasm: { url: new URL(planModule || './gpumem.wasm', document.baseURI).href },
  };
}

/** A worker answering requests by id; started on first use. */
function lazyWorker(name, kind) {
  let worker = null;
  let ready = null;
  let seq = 0;
  const pending = new Map();
  const send = (type, payload) => {
    const id = ++seq;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, type, ...payload });
    });
  };
  const fail = (message) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  /** Resolves to {version, plan: whether the core has the planner}. */
  const start = () => {
    if (ready) return ready;
    let src;
    try {
      src = source(kind);
      worker = new Worker(src.url, { name });
    } catch (e) {
      ready = Promise.reject(new Error(`the planner's worker could not start: ${e?.message || e}`));
      return ready;
    }
    worker.onmessage = (e) => {
      const { id, ok, value, error } = e.data || {};
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (ok) p.resolve(value);
      else p.reject(new Error(error));
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      fail(`the planner's worker stopped: ${e.message || 'script error'}`);
    };
    ready = send('init', { wasm: src.wasm });
    ready.catch(() => {});
    return ready;
  };
  return { start, send: async (type, payload) => (await start(), send(type, payload)) };
}

const search = lazyWorker('gpu-mem-calc planner', 'plan');
const points = lazyWorker('gpu-mem-calc charts', 'calc');

/** Starts the search's worker; resolves to {version, plan: whether the core has the planner}. */
export const startWorker = () => search.start();

/** The planner's answer for a request: {response, wall_ms} or {unavailable: true}. */
export const runPlan = (request) => search.send('plan', { request });

// The charts want the latest config only: while a batch runs, a newer one
// waits, replacing (and settling as superseded) any that waited before it.
let running = false;
let waiting = null;

async function drain() {
  running = true;
  while (waiting) {
    const { configs, resolve, reject } = waiting;
    waiting = null;
    try {
      resolve(await points.send('calc', { configs }));
    } catch (e) {
      reject(e);
    }
  }
  running = false;
}

/**
 * calculate for each config, in the charts' worker: each result's peak,
 * capacity and verdict, or its error. Resolves to null when a later call
 * superseded this one before it ran.
 */
export function calcMany(configs) {
  return new Promise((resolve, reject) => {
    waiting?.resolve(null);
    waiting = { configs, resolve, reject };
    if (!running) drain();
  });
}
