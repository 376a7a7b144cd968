// The page: one config object, the result computed from it on every change, no submit.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { context, defaultConfig, fieldLabel, isFullConfig, isHfConfig, schemaRow, SECTIONS, setSchema, switchEngine } from './lib/config.js';
import { docsUrl, publishedUrl } from './lib/links.js';
import { LETTERS, MAX_COMPARED, ambiguousKey, configFromHash, hashFor, pinnedFromHash, shareUrl, textFromHash } from './lib/url-state.js';
import { later, settled, usePainted } from './lib/later.js';
import { ModelSection } from './sections/model.js';
import { TrainingSection } from './sections/training.js';
import { ParallelismSection } from './sections/parallelism.js';
import { EngineSection } from './sections/engine.js';
import { HardwareSection } from './sections/hardware.js';
import { ErrorCard, MiniVerdict, Verdict } from './result/verdict.js';
import { Chart } from './result/chart.js';
import { Stages } from './result/stages.js';
import { HostMemory, Warnings } from './result/notes.js';

// Below the first screen: loaded once the first result is on it.
const Compare = later(() => import('./result/compare.js'), 'Compare');
const Breakdown = later(() => import('./result/breakdown.js'), 'Breakdown');
const Parameters = later(() => import('./result/breakdown.js'), 'Parameters');
const Timeline = later(() => import('./result/timeline.js'), 'Timeline');
const Export = later(() => import('./result/export.js'), 'Export');
const PlannerPanel = later(() => import('./plan/panel.js'), 'PlannerPanel');
const ScalingCharts = later(() => import('./plan/charts.js'), 'ScalingCharts');

/** The one-file build carries the WASM inline; the served page offers that file. */
const OFFLINE = typeof document !== 'undefined' && !!document.getElementById('gm-wasm');

const isObj = (v) => !!v && typeof v === 'object' && !Array.isArray(v);

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

/** Every section present as an object; a section that is not one stays as it was and the core rejects it. */
function normalize(obj) {
  const c = { ...obj };
  for (const s of SECTIONS) if (!Object.hasOwn(c, s) || c[s] == null) c[s] = {};
  return c;
}

/** The config path an edit of one section changed ("parallelism.tensor_parallel_size"). */
function changedPath(section, before, after) {
  const a = isObj(before) ? before : {};
  const b = isObj(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const k = keys.find((x) => Object.hasOwn(b, x) && JSON.stringify(a[x]) !== JSON.stringify(b[x])) ||
    keys.find((x) => JSON.stringify(a[x]) !== JSON.stringify(b[x]));
  return k ? `${section}.${k}` : section;
}

/**
 * Every reason a config is invalid, as the core names them: drop the field of
 * each error in turn (back to its default) and ask the core again.
 */
function allCauses(gm, config, first) {
  const list = [first];
  const c = structuredClone(config);
  for (let i = 0; i < 4; i++) {
    const [sec, key] = String(list[list.length - 1].field).split('.');
    if (!key || !isObj(c[sec]) || !Object.hasOwn(c[sec], key)) break;
    delete c[sec][key];
    const r = compute(gm, c);
    if (!r.error || list.some((e) => e.field === r.error.field)) break;
    list.push(r.error);
  }
  return list;
}

/**
 * What a set key defaults to: the schema's constant when no rule can move it,
 * else the core's resolved value for the config with the key unset, asked
 * only for the keys a field names, once per config. A model's keys are always
 * asked: its model_type's rules override the constants.
 */
function defaultsOf(gm, config) {
  const memo = new Map();
  return (section, key) => {
    const path = `${section}.${key}`;
    const row = schemaRow(section, key);
    if (section !== 'model' && row && row.default != null && !row.default_rule) return row.default;
    if (!memo.has(path)) {
      let v;
      if (isObj(config[section]) && Object.hasOwn(config[section], key)) {
        const c = structuredClone(config);
        delete c[section][key];
        v = compute(gm, c).result?.resolved?.[section]?.[key];
      }
      memo.set(path, v);
    }
    return memo.get(path);
  };
}

/** Keys with a value only: what export, the URL and the core receive. */
function compact(config) {
  const out = {};
  for (const [k, v] of Object.entries(config)) {
    if (isObj(v) && SECTIONS.includes(k)) {
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
  const m = isObj(config.model) ? config.model : {};
  const name = [m.preset, m.name, m._name_or_path].find((v) => typeof v === 'string' && v);
  const base = String(name || 'config').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `gpu-mem-${base || 'config'}.json`;
}

function useToast() {
  const [msg, setMsg] = useState('');
  const timer = useRef(0);
  // m: a text, or {text, action: {label, run}} for a toast with a button.
  const show = useCallback((m, ms = 3500) => {
    setMsg(m);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setMsg(''), ms);
  }, []);
  return [msg, show];
}

function App({ gm }) {
  const presets = useMemo(() => gm.presets(), [gm]);
  const [config, setConfigState] = useState(() => normalize(configFromHash(location.hash) || defaultConfig()));
  // The text of a config that came from a link or a file: the core reads it as
  // written (so both see the same keys) until the first edit.
  const [raw, setRaw] = useState(() => (configFromHash(location.hash) ? textFromHash(location.hash) : null));
  const lastEdit = useRef('');
  // Configs pinned for comparison (A, B, C); the edited one is the last column.
  const [pinned, setPinned] = useState(() => pinnedFromHash(location.hash).slice(0, MAX_COMPARED - 1));
  const setConfig = useCallback((next, edited = '') => {
    lastEdit.current = edited;
    setRaw(null);
    setConfigState(next);
  }, []);
  const load = useCallback((obj, text = null) => {
    lastEdit.current = '';
    setRaw(text);
    setConfigState(normalize(obj));
  }, []);
  const out = useMemo(() => {
    const r = compute(gm, raw ?? compact(config));
    const odd = raw != null && !r.error && ambiguousKey(raw);
    if (odd) return { error: { field: '', message: `This config is ambiguous: ${odd}. Fix the file or link it came from.` } };
    if (r.error && raw == null) r.error.causes = allCauses(gm, compact(config), r.error);
    return r;
  }, [gm, config, raw]);
  const lastGood = useRef(null);
  if (out.result) lastGood.current = out.result;
  const result = out.result || lastGood.current;
  const resolved = result?.resolved || {};
  const [toast, showToast] = useToast();
  const [dragging, setDragging] = useState(false);
  const verdictRef = useRef(null);
  const [verdictVisible, setVerdictVisible] = useState(true);
  // The first frame holds the result and the model's section; the rest of the
  // form (below it, on any screen) follows in the next.
  const painted = usePainted();

  // The URL always carries the config, so a reload or a copied address restores it.
  useEffect(() => {
    if (raw != null) return undefined; // the address holds the link as it came
    const t = setTimeout(() => {
      const h = hashFor(compact(config), pinned.map(compact));
      if (location.hash !== h) history.replaceState(null, '', h);
    }, 150);
    return () => clearTimeout(t);
  }, [config, raw, pinned]);
  const columns = useMemo(() => (pinned.length ? [
    ...pinned.map((c, i) => ({ label: LETTERS[i], config: c, out: compute(gm, compact(c)) })),
    { label: LETTERS[pinned.length], config, out, current: true },
  ] : []), [gm, pinned, config, out]);
  useEffect(() => {
    const onHash = () => {
      const c = configFromHash(location.hash);
      if (c) {
        load(c, textFromHash(location.hash));
        setPinned(pinnedFromHash(location.hash).slice(0, MAX_COMPARED - 1));
      }
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

  const importObject = useCallback((obj, source, text = null) => {
    if (isFullConfig(obj)) {
      load(obj, text);
      showToast(`Config loaded from ${source}.`);
    } else if (isHfConfig(obj)) {
      setConfig({ ...config, model: obj }, 'model');
      showToast(`Model taken from ${source}.`);
    } else {
      showToast(`${source} holds neither a config nor a model config.json.`);
    }
  }, [showToast, config, load, setConfig]);
  const importFile = useCallback(async (file) => {
    if (!file) return;
    const text = await file.text();
    let obj = null;
    try {
      obj = JSON.parse(text);
    } catch (e) { /* not JSON: a launch script, a YAML or a TOML, perhaps */ }
    if (obj && (isFullConfig(obj) || isHfConfig(obj))) return importObject(obj, file.name, text);
    // A launcher's file (DeepSpeed, Megatron-LM, YAML, torchtitan TOML): laid over the config.
    try {
      const { describeImport, importLauncher, mergeConfig } = await import('./lib/launcher.js');
      const report = await importLauncher(text);
      setConfig((c) => normalize(mergeConfig(c, report.config)));
      showToast(describeImport(file.name, report));
    } catch (e) {
      showToast(`${file.name}: ${e.message}`);
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
      // Several files at once: in order, each laid over the last.
      (async () => { for (const f of e.dataTransfer.files) await importFile(f); })();
    };
    // Pasted outside a field: files, or text, read as a dropped file would be.
    const paste = (e) => {
      if (e.target instanceof Element && e.target.closest('input, textarea, select, [contenteditable]')) return;
      const files = [...(e.clipboardData?.files || [])];
      const text = files.length ? '' : e.clipboardData?.getData('text/plain') || '';
      if (!files.length && !text.trim()) return;
      e.preventDefault();
      (async () => { for (const f of files.length ? files : [new File([text], 'the pasted text')]) await importFile(f); })();
    };
    addEventListener('dragover', over);
    addEventListener('dragleave', leave);
    addEventListener('drop', drop);
    addEventListener('paste', paste);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('dragleave', leave);
      removeEventListener('drop', drop);
      removeEventListener('paste', paste);
    };
  }, [importFile]);

  const json = () => `${JSON.stringify(compact(config), null, 2)}\n`;
  const published = OFFLINE ? publishedUrl() : '';
  const linkText = () => (raw != null ? location.href : shareUrl(compact(config), published || location.href, pinned.map(compact)));
  // A whole new config (reset, a planned layout): the current entry first holds
  // the config as it is now (the address follows edits after a short delay),
  // then the new one gets an entry of its own: Back, or Undo, returns.
  const replace = (fresh, message) => {
    const now = raw != null ? location.hash : hashFor(compact(config), pinned.map(compact));
    history.replaceState(null, '', now);
    const before = { config, raw, hash: now };
    history.pushState(null, '', hashFor(compact(fresh), pinned.map(compact)));
    setConfig(fresh);
    showToast({ text: message, action: { label: 'Undo', run: () => {
      history.pushState(null, '', before.hash);
      if (before.raw != null) load(before.config, before.raw);
      else setConfig(before.config);
      showToast('Config restored.');
    } } }, 8000);
  };
  const actions = {
    pin: () => {
      if (pinned.length >= MAX_COMPARED - 1) return;
      setRaw(null);
      setPinned([...pinned, structuredClone(compact(config))]);
      showToast(`Pinned as ${LETTERS[pinned.length]}: change the config to compare it with ${LETTERS[pinned.length + 1]}.`);
    },
    unpin: (i) => setPinned(pinned.filter((_, j) => j !== i)),
    // Edit a pinned config: it swaps places with the one being edited.
    edit: (i) => {
      const next = pinned.slice();
      next[i] = structuredClone(compact(config));
      setPinned(next);
      setConfig(normalize(pinned[i]));
    },
    share: async () => {
      const ok = await copyText(linkText());
      const where = !OFFLINE ? 'it opens this exact config.' : published ? 'it opens this exact config on the published page.' : 'it opens this exact config in this file, on this computer.';
      showToast(ok ? `Link copied: ${where}` : 'Copy failed; the address bar holds the link.');
    },
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
    reset: () => replace(normalize(defaultConfig()), 'Reset to the default config.'),
    // A layout or a suggestion from the planner.
    plan: (c) => replace(normalize(c), 'Layout loaded into the form.'),
  };

  const causes = out.error ? out.error.causes || [out.error] : [];
  const errors = {};
  for (const c of causes) if (c.field && !errors[c.field]) errors[c.field] = c.message;
  // The field just edited shows every cause, named, when the core blames others.
  const edited = lastEdit.current;
  if (out.error && edited && (causes.length > 1 || causes[0].field !== edited)) {
    errors[edited] = causes.map((c) => (c.field === edited ? c.message : `${fieldLabel(c.field)}: ${c.message}`)).join(' · ');
  }
  const warnings = {};
  for (const w of result && !out.error ? result.warnings || [] : []) if (w.field && !warnings[w.field]) warnings[w.field] = w.message;
  const ctx = context(config, resolved);
  const defaults = useMemo(() => defaultsOf(gm, compact(config)), [gm, config]);
  const sectionProps = (s) => ({
    defaults,
    value: isObj(config[s]) ? config[s] : {},
    onChange: (v) => setConfig({ ...config, [s]: v }, changedPath(s, config[s], v)),
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
        <button type="button" onClick=${actions.pin} disabled=${pinned.length >= MAX_COMPARED - 1}
          title="Keep this config as a column and compare it with what you change next">Pin as ${LETTERS[Math.min(pinned.length, MAX_COMPARED - 1)]}</button>
        <button type="button" onClick=${actions.share}>Copy link</button>
        <button type="button" onClick=${actions.copy}>Copy JSON</button>
        <button type="button" onClick=${actions.download}>Save JSON</button>
        <button type="button" onClick=${() => document.getElementById('import-file').click()}>Import…</button>
        <input type="file" id="import-file" hidden accept=".json,.toml,.yaml,.yml,.sh,.txt,application/json" aria-label="Import a config file"
          onChange=${(e) => { importFile(e.currentTarget.files[0]); e.currentTarget.value = ''; }} />
        <a class="button" href="#planner">Find a layout</a>
        <button type="button" class="quiet" onClick=${actions.reset}>Reset</button>
      </div>
    </header>
    ${!verdictVisible && html`<${MiniVerdict} result=${result} error=${out.error} />`}
    <main class="layout">
      <form class="form" aria-label="Training configuration" onSubmit=${(e) => e.preventDefault()} novalidate>
        <${ModelSection} ...${sectionProps('model')} result=${result} presets=${presets} onImport=${(o) => importObject(o, 'the pasted text')} />
        ${painted && html`
          <${TrainingSection} ...${sectionProps('training')} />
          <${EngineSection} ...${sectionProps('engine')} onEngine=${(t) => setConfig(switchEngine(config, t), 'engine.type')} />
          <${ParallelismSection} ...${sectionProps('parallelism')} invalid=${!!out.error} />
          <${HardwareSection} ...${sectionProps('hardware')} />`}
      </form>
      <div class="results" aria-label="Result">
        <div class="verdict-slot" ref=${verdictRef}>
          ${out.error && html`<${ErrorCard} error=${out.error} causes=${causes} hasResult=${!!result} />`}
          ${result && !out.error && html`<${Verdict} result=${result} />`}
        </div>
        <${Compare} columns=${columns} onUnpin=${actions.unpin} onLoad=${actions.edit} />
        ${result && html`<div class=${`details${out.error ? ' stale' : ''}`}>
          <${Chart} result=${result} />
          <${Stages} result=${result} />
          <${Timeline} result=${result} />
          <${Warnings} warnings=${out.error ? [] : result.warnings} />
          <${HostMemory} result=${result} />
          <${Breakdown} result=${result} />
          <${Parameters} result=${result} />
          ${!out.error && html`<${ScalingCharts} config=${compact(config)} result=${result} />`}
          ${!out.error && html`<${Export} result=${result} link=${linkText} base=${fileName(config).replace(/\.json$/, '')} onDone=${showToast} />`}
        </div>`}
      </div>
    </main>
    <${PlannerPanel} config=${compact(config)} result=${result} onLoad=${actions.plan} />
    <footer class="foot">
      <p>Memory in GiB (2<sup>30</sup> bytes), per GPU, at the step's peak as nvidia-smi shows it. Computed in your browser; the config never leaves this page.${
        OFFLINE ? '' : html`${' '}<a href="gpu-mem-calc.html" download>Download the calculator as one HTML file</a> to use it offline.`}</p>
      <p class="muted small" data-testid="version">gpu-mem-calc ${gm.version} · <a href=${docsUrl('formulas.md')} target="_blank" rel="noopener">formulas</a> · <a href=${docsUrl('accuracy.md')} target="_blank" rel="noopener">accuracy</a>${
        OFFLINE && published ? html` · <a href=${published}>published page</a>` : ''}</p>
    </footer>
    <div class="toast" role="status" aria-live="polite">${typeof toast === 'string' ? toast : html`${toast.text} <button type="button" class="link" onClick=${toast.action.run}>${toast.action.label}</button>`}</div>
    ${dragging && html`<div class="drop-overlay" aria-hidden="true"><p>Drop a config, a model's config.json, or a DeepSpeed, Megatron-LM, YAML or torchtitan TOML launcher file</p></div>`}
  `;
}

/** Mount the page into root once the core is loaded. */
export function start(root, gmPromise) {
  return Promise.resolve(gmPromise).then(
    (gm) => {
      performance.mark('gm-core');
      setSchema(gm.schema(), gm.presetId);
      root.textContent = '';
      render(html`<${App} gm=${gm} />`, root);
      document.documentElement.dataset.ready = '1';
      performance.mark('gm-first-result');
      // The panels below the first screen follow; then the page is complete.
      settled().then(() => {
        document.documentElement.dataset.settled = '1';
        performance.mark('gm-settled');
      });
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
