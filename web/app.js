// The page: one config object, the result computed from it on every change, no submit.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { context, defaultConfig, isFullConfig, isHfConfig, SECTIONS, switchEngine } from './lib/config.js';
import { configFromHash, hashFor, shareUrl } from './lib/url-state.js';
import { ModelSection } from './sections/model.js';
import { TrainingSection } from './sections/training.js';
import { ParallelismSection } from './sections/parallelism.js';
import { EngineSection } from './sections/engine.js';
import { HardwareSection } from './sections/hardware.js';
import { ErrorCard, MiniVerdict, Verdict } from './result/verdict.js';
import { Chart } from './result/chart.js';
import { Stages } from './result/stages.js';
import { Breakdown, Parameters } from './result/breakdown.js';
import { HostMemory, Warnings } from './result/notes.js';
import { PlannerPanel } from './plan/panel.js';
import { ScalingCharts } from './plan/charts.js';

/** The one-file build carries the WASM inline; the served page offers that file. */
const OFFLINE = typeof document !== 'undefined' && !!document.getElementById('gm-wasm');

/** Run the core; an invalid config gives {error:{field, message}}. */
function compute(gm, config) {
  try {
    const r = JSON.parse(gm.calcRaw(config));
    if (r.error) return { error: { field: r.error.field || '', message: r.error.message || 'invalid config' } };
    return { result: r };
  } catch (e) {
    return { error: { field: '', message: String(e?.message || e) } };
  }
}

/** Every section present as an object, whatever an imported file held. */
function normalize(obj) {
  const c = { ...obj };
  for (const s of SECTIONS) if (!c[s] || typeof c[s] !== 'object' || Array.isArray(c[s])) c[s] = {};
  return c;
}

/** Keys with a value only: what export, the URL and the core receive. */
function compact(config) {
  const out = {};
  for (const [k, v] of Object.entries(config)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && SECTIONS.includes(k)) {
      if (Object.keys(v).length) out[k] = v;
    } else if (v !== undefined) out[k] = v;
  }
  return out;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

function fileName(config) {
  const m = config.model || {};
  const base = String(m.preset || m.name || m._name_or_path || 'config').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `gpu-mem-${base || 'config'}.json`;
}

function useToast() {
  const [msg, setMsg] = useState('');
  const timer = useRef(0);
  const show = useCallback((m) => {
    setMsg(m);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setMsg(''), 3500);
  }, []);
  return [msg, show];
}

function App({ gm }) {
  const presets = useMemo(() => gm.presets(), [gm]);
  const [config, setConfig] = useState(() => normalize(configFromHash(location.hash) || defaultConfig(presets)));
  const out = useMemo(() => compute(gm, compact(config)), [gm, config]);
  const lastGood = useRef(null);
  if (out.result) lastGood.current = out.result;
  const result = out.result || lastGood.current;
  const resolved = result?.resolved || {};
  const [toast, showToast] = useToast();
  const [dragging, setDragging] = useState(false);
  const verdictRef = useRef(null);
  const [verdictVisible, setVerdictVisible] = useState(true);

  // The URL always carries the config, so a reload or a copied address restores it.
  useEffect(() => {
    const t = setTimeout(() => {
      const h = hashFor(compact(config));
      if (location.hash !== h) history.replaceState(null, '', h);
    }, 150);
    return () => clearTimeout(t);
  }, [config]);
  useEffect(() => {
    const onHash = () => {
      const c = configFromHash(location.hash);
      if (c) setConfig(normalize(c));
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const el = verdictRef.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(([e]) => setVerdictVisible(e.isIntersecting), { threshold: 0 });
    io.observe(el);
    return () => io.disconnect();
  }, [!!result]);

  const importObject = useCallback((obj, source) => {
    if (isFullConfig(obj)) {
      setConfig(normalize(obj));
      showToast(`Config loaded from ${source}.`);
    } else if (isHfConfig(obj)) {
      setConfig((c) => ({ ...c, model: obj }));
      showToast(`Model taken from ${source}.`);
    } else {
      showToast(`${source} holds neither a config nor a model config.json.`);
    }
  }, [showToast]);
  const importFile = useCallback(async (file) => {
    if (!file) return;
    try {
      importObject(JSON.parse(await file.text()), file.name);
    } catch (e) {
      showToast(`${file.name} is not valid JSON (${e.message}).`);
    }
  }, [importObject, showToast]);

  useEffect(() => {
    const over = (e) => {
      if ([...(e.dataTransfer?.types || [])].includes('Files')) {
        e.preventDefault();
        setDragging(true);
      }
    };
    const leave = (e) => { if (!e.relatedTarget) setDragging(false); };
    const drop = (e) => {
      if (!e.dataTransfer?.files?.length) return;
      e.preventDefault();
      setDragging(false);
      importFile(e.dataTransfer.files[0]);
    };
    addEventListener('dragover', over);
    addEventListener('dragleave', leave);
    addEventListener('drop', drop);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('dragleave', leave);
      removeEventListener('drop', drop);
    };
  }, [importFile]);

  const json = () => `${JSON.stringify(compact(config), null, 2)}\n`;
  const actions = {
    share: async () => showToast((await copyText(shareUrl(compact(config)))) ? 'Link copied: it opens this exact config.' : 'Copy failed; the address bar holds the link.'),
    copy: async () => showToast((await copyText(json())) ? 'Config JSON copied.' : 'Copy failed.'),
    download: () => {
      const url = URL.createObjectURL(new Blob([json()], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName(config);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    reset: () => setConfig(normalize(defaultConfig(presets))),
  };

  const errors = out.error ? { [out.error.field]: out.error.message } : {};
  const warnings = {};
  for (const w of result && !out.error ? result.warnings || [] : []) if (w.field && !warnings[w.field]) warnings[w.field] = w.message;
  const ctx = context(config, resolved);
  const sectionProps = (s) => ({
    value: config[s],
    onChange: (v) => setConfig((c) => ({ ...c, [s]: v })),
    errors,
    warnings,
    resolved: resolved[s],
    ctx,
  });

  return html`
    <header class="top">
      <div class="brand">
        <h1>GPU memory calculator</h1>
        <p>How much memory one GPU needs to train an LLM, before you rent it.</p>
      </div>
      <div class="actions" role="toolbar" aria-label="Share and export">
        <button type="button" onClick=${actions.share}>Copy link</button>
        <button type="button" onClick=${actions.copy}>Copy JSON</button>
        <button type="button" onClick=${actions.download}>Save JSON</button>
        <button type="button" onClick=${() => document.getElementById('import-file').click()}>Import…</button>
        <input type="file" id="import-file" hidden accept=".json,application/json" aria-label="Import a config file"
          onChange=${(e) => { importFile(e.currentTarget.files[0]); e.currentTarget.value = ''; }} />
        <a class="button" href="#planner">Find a layout</a>
        <button type="button" class="quiet" onClick=${actions.reset}>Reset</button>
      </div>
    </header>
    ${!verdictVisible && html`<${MiniVerdict} result=${result} error=${out.error} />`}
    <main class="layout">
      <form class="form" aria-label="Training configuration" onSubmit=${(e) => e.preventDefault()} novalidate>
        <${ModelSection} ...${sectionProps('model')} result=${result} presets=${presets} onImport=${(o) => importObject(o, 'the pasted text')} />
        <${TrainingSection} ...${sectionProps('training')} />
        <${EngineSection} ...${sectionProps('engine')} onEngine=${(t) => setConfig((c) => switchEngine(c, t))} />
        <${ParallelismSection} ...${sectionProps('parallelism')} />
        <${HardwareSection} ...${sectionProps('hardware')} presets=${presets} />
      </form>
      <div class="results" aria-label="Result">
        <div class="verdict-slot" ref=${verdictRef}>
          ${out.error && html`<${ErrorCard} error=${out.error} />`}
          ${result && html`<${Verdict} result=${result} presets=${presets} stale=${!!out.error} />`}
        </div>
        ${result && html`<div class=${`details${out.error ? ' stale' : ''}`}>
          <${Chart} result=${result} />
          <${Stages} result=${result} />
          <${Warnings} warnings=${out.error ? [] : result.warnings} />
          <${HostMemory} result=${result} />
          <${Breakdown} result=${result} />
          <${Parameters} result=${result} />
          ${!out.error && html`<${ScalingCharts} config=${compact(config)} result=${result} />`}
        </div>`}
      </div>
    </main>
    <${PlannerPanel} config=${compact(config)} result=${result} presets=${presets}
      onLoad=${(c) => { setConfig(normalize(c)); showToast('Layout loaded into the form.'); }} />
    <footer class="foot">
      <p>Memory in GiB (2<sup>30</sup> bytes), per GPU, at the step's peak as nvidia-smi shows it. Computed in your browser; the config never leaves this page.${
        OFFLINE ? '' : html`${' '}<a href="gpu-mem-calc.html" download>Download the calculator as one HTML file</a> to use it offline.`}</p>
    </footer>
    <div class="toast" role="status" aria-live="polite">${toast}</div>
    ${dragging && html`<div class="drop-overlay" aria-hidden="true"><p>Drop a config or a model's config.json</p></div>`}
  `;
}

/** Mount the page into root once the core is loaded. */
export function start(root, gmPromise) {
  return Promise.resolve(gmPromise).then(
    (gm) => {
      root.textContent = '';
      render(html`<${App} gm=${gm} />`, root);
      document.documentElement.dataset.ready = '1';
      performance.mark('gm-first-result');
    },
    (e) => {
      root.innerHTML = '';
      const p = document.createElement('p');
      p.className = 'load-error';
      p.textContent = `The calculator could not start: ${e?.message || e}`;
      root.appendChild(p);
      throw e;
    },
  );
}
