// The page's side of the planner worker: one worker, started on first use,
// answering requests by id. The served page runs web/planner-worker.js; the
// offline file carries the worker's source inline and runs it from a blob: URL
// (a classic worker: from a file: page, module workers do not start).

let worker = null;
let ready = null;
let seq = 0;
const pending = new Map();

function source() {
  const inline = document.getElementById('gm-planner-worker');
  if (inline) {
    return {
      url: URL.createObjectURL(new Blob([inline.textContent], { type: 'text/javascript' })),
      wasm: { base64: document.getElementById('gm-wasm').textContent.trim() },
    };
  }
  return {
    url: new URL('./planner-worker.js', document.baseURI).href,
    wasm: { url: new URL('./gpumem.wasm', document.baseURI).href },
  };
}

function send(type, payload, transfer) {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, ...payload }, transfer || []);
  });
}

function fail(message) {
  for (const p of pending.values()) p.reject(new Error(message));
  pending.clear();
}

/** Starts the worker once; resolves to {version, plan: whether the core has the planner}. */
export function startWorker() {
  if (ready) return ready;
  let src;
  try {
    src = source();
    worker = new Worker(src.url, { name: 'gpu-mem-calc planner' });
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
}

/** The planner's answer for a request: {response, wall_ms} or {unavailable: true}. */
export async function runPlan(request) {
  await startWorker();
  return send('plan', { request });
}

/** calculate for each config, in the worker: each result's peak, capacity and verdict, or its error. */
export async function calcMany(configs) {
  await startWorker();
  return send('calc', { configs });
}
