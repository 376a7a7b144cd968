// "Find a layout": the core's planner, run in a worker, over the form's model,
// recipe and GPU type. The best layouts in a sortable table (a click loads one
// into the form), why the other families were rejected, the fewest GPUs, and
// changes that make the form's own config fit.
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { findGpu, findModel } from '../lib/config.js';
import { fmtGiB, fmtInt } from '../lib/format.js';
import { ALLOW, FRAMEWORKS, SORTS, currentRequest, defaultPlanOptions, fixableFields, formConfig, planRequest, sortLayouts } from '../lib/plan.js';
import { runPlan, startWorker } from './client.js';

const VERDICT = { fits: 'fits', tight: 'tight' };

/** Same config, whatever the key order. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

const FRAMEWORK_LABEL = Object.fromEntries(FRAMEWORKS.filter(([v]) => v));
const frameworkOf = (l) => FRAMEWORK_LABEL[l.config?.engine?.framework] || l.config?.engine?.framework || '';

const fmtSeconds = (s) => (Number.isFinite(s) ? (s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`) : '–');
const fmtMfu = (m) => (Number.isFinite(m) ? `${(m * 100).toFixed(1)} %` : '–');

function modelName(config) {
  const m = config?.model || {};
  const name = [m.preset, m.name, m._name_or_path].find((v) => typeof v === 'string' && v);
  return findModel(m.preset)?.name || name || 'this model';
}

function Input({ id, label, value, onInput, error, hint, placeholder, inputmode = 'numeric' }) {
  return html`<div class=${`field${error ? ' has-error' : ''}`}>
    <label for=${id}>${label}</label>
    <input id=${id} type="text" value=${value} placeholder=${placeholder} inputmode=${inputmode} autocomplete="off" spellcheck="false"
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-err` : hint ? `${id}-hint` : undefined}
      onInput=${(e) => onInput(e.currentTarget.value)} />
    ${hint && !error && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-err`}>${error}</p>`}
  </div>`;
}

function SortHead({ k, sort, setSort, children, num }) {
  const on = sort.key === k;
  const dir = on ? (sort.asc ? 'ascending' : 'descending') : undefined;
  return html`<th scope="col" aria-sort=${dir || 'none'} class=${num ? 'num-col' : ''}>
    <button type="button" class="th-sort" onClick=${() => setSort(on ? { key: k, asc: !sort.asc } : { key: k, asc: SORTS[k].asc })}>
      ${children}<span class="sort-mark" aria-hidden="true">${on ? (sort.asc ? ' ▲' : ' ▼') : ''}</span>
    </button>
  </th>`;
}

/** Tokens per second of the whole job: what "fastest" means across GPU counts and micro-batches. */
const jobRate = (l) => l.tokens_per_s_per_gpu * (l.config?.hardware?.num_gpus || 0);

/*
 * Without a global batch a step's work differs between layouts (another
 * micro-batch, another data-parallel size), so step times do not compare:
 * the table then opens sorted by tokens/s per GPU.
 */
function Layouts({ layouts, current, onLoad, byStep }) {
  const [sort, setSort] = useState(byStep ? { key: 'step_time_s', asc: true } : { key: 'tokens_per_s_per_gpu', asc: false });
  const rows = useMemo(() => sortLayouts(layouts, sort.key, sort.asc), [layouts, sort]);
  const best = useMemo(() => {
    const known = layouts.filter((l) => Number.isFinite(jobRate(l)) && jobRate(l) > 0);
    return known.length ? known.reduce((a, b) => (jobRate(b) > jobRate(a) ? b : a)) : null;
  }, [layouts]);
  return html`<div class="table-wrap">
    <table class="plan-table" data-testid="plan-layouts">
      <caption class="visually-hidden">Layouts that fit, ${SORTS[sort.key].label.toLowerCase()} ${sort.asc ? 'ascending' : 'descending'}; a row loads into the form</caption>
      <thead><tr>
        <${SortHead} k="summary" sort=${sort} setSort=${setSort}>Layout</${SortHead}>
        <${SortHead} k="peak_gb" sort=${sort} setSort=${setSort} num>Peak</${SortHead}>
        <${SortHead} k="verdict" sort=${sort} setSort=${setSort}>Verdict</${SortHead}>
        <${SortHead} k="step_time_s" sort=${sort} setSort=${setSort} num>Step time*</${SortHead}>
        <${SortHead} k="tokens_per_s_per_gpu" sort=${sort} setSort=${setSort} num>Tokens/s per GPU*</${SortHead}>
        <${SortHead} k="mfu" sort=${sort} setSort=${setSort} num>MFU*</${SortHead}>
        <th scope="col" class="load-col"><span class="visually-hidden">Load</span></th>
      </tr></thead>
      <tbody>
        ${rows.map((l) => {
          const inForm = current === canonical(formConfig(l.config));
          return html`<tr class=${`${inForm ? 'in-form' : ''}${l === best ? ' fastest' : ''}`} data-verdict=${l.verdict} onClick=${() => onLoad(l.config)}>
            <td class="plan-summary">${l.summary || 'layout'}${frameworkOf(l) ? html` <span class="muted small">· ${frameworkOf(l)}</span>` : ''}${l === best ? html` <span class="badge ok">fastest</span>` : ''}${inForm ? html` <span class="badge">in the form</span>` : ''}</td>
            <td class="num num-col" data-label="Peak" data-gb=${l.peak_gb}>${fmtGiB(l.peak_gb)}</td>
            <td data-label="Verdict"><span class=${`vtag v-${l.verdict}`}>${VERDICT[l.verdict] || l.verdict || '–'}</span></td>
            <td class="num num-col" data-label="Step*">${fmtSeconds(l.step_time_s)}</td>
            <td class="num num-col" data-label="Tokens/s/GPU*">${Number.isFinite(l.tokens_per_s_per_gpu) ? fmtInt(Math.round(l.tokens_per_s_per_gpu)) : '–'}</td>
            <td class="num num-col" data-label="MFU*">${fmtMfu(l.mfu)}</td>
            <td class="load-col"><button type="button" class="small-btn" onClick=${(e) => { e.stopPropagation(); onLoad(l.config); }}
              aria-label=${`Load ${l.summary || 'this layout'} into the form`}>Load</button></td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function Found({ found, gpuName, current, onLoad, stale }) {
  const r = found.response;
  const layouts = r.layouts || [];
  const rejected = r.rejected || [];
  // Suggestions are about the form's config as it is, not the search's open one.
  const own = found.current || {};
  const suggestions = own.suggestions || [];
  return html`<div class=${`plan-found${stale ? ' stale' : ''}`} data-testid="plan-found" data-suggestions=${found.current ? 'ready' : 'pending'}>
    <p class="plan-meta small" data-testid="plan-meta">
      Searched <span class="num" data-testid="plan-searched">${fmtInt(r.searched)}</span> layouts in${' '}
      <span class="num" data-testid="plan-wall" data-ms=${found.wall_ms}>${found.wall_ms < 10 ? found.wall_ms.toFixed(1) : found.wall_ms.toFixed(0)} ms</span>.${' '}
      ${Number.isFinite(r.min_gpus) && r.min_gpus > 0
        ? html`Without offloading, this model and recipe need at least <strong class="num" data-testid="plan-min-gpus">${fmtInt(r.min_gpus)}</strong> × ${gpuName}.`
        : r.min_gpus === 0 || r.min_gpus == null ? '' : ''}
      ${stale ? html` <strong>The form changed since this search.</strong>` : ''}
    </p>
    ${(r.warnings || []).length > 0 && html`<ul class="plan-warnings small" data-testid="plan-warnings">
      ${r.warnings.map((w) => html`<li>${w.field ? html`<code>${w.field}</code>: ` : ''}${w.message}</li>`)}
    </ul>`}
    ${layouts.length
      ? html`<${Layouts} key=${found.seq} layouts=${layouts} current=${current} onLoad=${onLoad} byStep=${found.byStep} />
        <p class="muted small">* Estimates from the step-time model (FLOPs, peak throughput, collectives, pipeline bubble), not measurements. Click a row to load the layout into the form.</p>`
      : html`<p class="plan-none" data-testid="plan-none">No layout fits.${rejected.length ? ' The reasons are below.' : ''}</p>`}
    ${suggestions.length > 0 && html`<div class="plan-block">
      <h3>Changes to your config${Number.isFinite(own.base_peak_gb) ? html` <span class="muted">(now ${fmtGiB(own.base_peak_gb)} per GPU)</span>` : ''}</h3>
      <ul class="plan-suggestions" data-testid="plan-suggestions">
        ${suggestions.map((s) => html`<li>
          <span>${s.change}${s.fits === false ? html` <span class="muted small">(not enough alone)</span>` : ''}</span>
          <span class="num saving">${Number.isFinite(s.saving_gb) ? `−${fmtGiB(s.saving_gb)}` : ''}${Number.isFinite(s.peak_gb) ? html` <span class="muted">→ ${fmtGiB(s.peak_gb)}</span>` : ''}</span>
          ${s.config && html`<button type="button" class="small-btn" onClick=${() => onLoad(s.config)} aria-label=${`Apply: ${s.change}`}>Apply</button>`}
        </li>`)}
      </ul>
    </div>`}
    ${rejected.length > 0 && html`<details class="plan-block plan-rejected" open=${!layouts.length}>
      <summary>${fmtInt(rejected.length)} ${rejected.length === 1 ? 'family' : 'families'} of layouts rejected, and why</summary>
      <ul data-testid="plan-rejected">
        ${rejected.map((x) => html`<li><strong>${x.family}</strong>: ${x.reason}</li>`)}
      </ul>
    </details>`}
  </div>`;
}

export function PlannerPanel({ config, result, onLoad: load }) {
  const onLoad = (c) => load(formConfig(c));
  // The options the user set; the others follow the form (GPU count, per node, framework).
  const [chosen, setChosen] = useState({});
  const opts = { ...defaultPlanOptions(config), ...chosen };
  const [state, setState] = useState({ status: 'idle' });
  const searches = useRef(0);
  // The search's worker starts when the panel comes into view, so the first search does not wait for it.
  const panel = useRef(null);
  useEffect(() => {
    const el = panel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(([e]) => {
      if (!e.isIntersecting) return;
      io.disconnect();
      startWorker().catch(() => {});
    });
    io.observe(el);
    return () => io.disconnect();
  }, []);
  const current = useMemo(() => canonical(config), [config]);
  const hw = config?.hardware || {};
  const set = (k, v) => setChosen((o) => ({ ...o, [k]: v }));
  const fixable = fixableFields(config);
  const built = planRequest(config, opts);
  const errors = built.errors || {};
  const gpu = findGpu(hw.gpu);
  const gpuName = gpu?.name || (typeof hw.gpu === 'string' && hw.gpu ? hw.gpu : `GPUs of ${fmtGiB(result?.gpu_capacity_gb)}`);

  const search = async () => {
    if (!built.request) return;
    const request = built.request;
    setState((s) => ({ ...s, status: 'running' }));
    try {
      const info = await startWorker();
      if (!info.plan) {
        setState({ status: 'unavailable' });
        return;
      }
      const out = await runPlan(request);
      if (out.unavailable) return setState({ status: 'unavailable' });
      if (out.response?.error) return setState({ status: 'error', error: out.response.error });
      const seq = ++searches.current;
      setState({ status: 'done', found: { ...out, seq, byStep: !!(request.plan.global_batch_samples || request.plan.global_batch_tokens) }, config: current });
      // Then the suggestions for the form's config as it is: the table does not wait for them.
      const own = (await runPlan(currentRequest(config, opts))).response || {};
      const mine = { base_peak_gb: own.base_peak_gb, suggestions: own.suggestions || [] };
      setState((st) => (st.found?.seq === seq ? { ...st, found: { ...st.found, current: mine } } : st));
    } catch (e) {
      setState({ status: 'error', error: { message: String(e?.message || e) } });
    }
  };

  const id = (k) => `plan-${k}`;
  return html`<section class="card planner" id="planner" ref=${panel} aria-labelledby="planner-h" data-status=${state.status}>
    <h2 id="planner-h">Find a layout</h2>
    <p class="muted small plan-intro">Every layout the training code can run for <strong>${modelName(config)}</strong> with the form's recipe on <strong>${gpuName}</strong>: engine, sharding, tensor, pipeline, context and expert parallel sizes, micro-batch, checkpointing and offload. Those that fit, with their estimated speed.</p>
    <div class="fields plan-inputs">
      <${Input} id=${id('gpus')} label="GPUs" value=${opts.gpus} onInput=${(v) => set('gpus', v)} error=${errors.gpus} hint="a count, or a range such as 32-256" />
      <${Input} id=${id('per-node')} label="GPUs per node" value=${opts.gpusPerNode} onInput=${(v) => set('gpusPerNode', v)} error=${errors.gpusPerNode}
        placeholder=${String(result?.resolved?.hardware?.gpus_per_node ?? 8)} />
      <div class=${`field${errors.batch ? ' has-error' : ''}`}>
        <label for=${id('batch')}>Global batch</label>
        <div class="plan-pair">
          <input id=${id('batch')} type="text" value=${opts.batch} placeholder="any" inputmode="numeric" autocomplete="off"
            aria-invalid=${errors.batch ? 'true' : undefined} aria-describedby=${errors.batch ? `${id('batch')}-err` : undefined}
            onInput=${(e) => set('batch', e.currentTarget.value)} />
          <select id=${id('batch-kind')} aria-label="Global batch in" value=${opts.batchKind} onChange=${(e) => set('batchKind', e.currentTarget.value)}>
            <option value="samples">samples</option>
            <option value="tokens">tokens</option>
          </select>
        </div>
        ${errors.batch && html`<p class="field-error" id=${`${id('batch')}-err`}>${errors.batch}</p>`}
      </div>
      <${Input} id=${id('max-mb')} label="Largest micro-batch" value=${opts.maxMicroBatch} onInput=${(v) => set('maxMicroBatch', v)} error=${errors.maxMicroBatch} />
      <div class="field">
        <label for=${id('framework')}>Training code</label>
        <select id=${id('framework')} value=${opts.framework} onChange=${(e) => set('framework', e.currentTarget.value)}>
          ${FRAMEWORKS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>
      </div>
    </div>
    <div class="plan-choices">
      <fieldset class="plan-group">
        <legend>Keep from the form</legend>
        ${fixable.length
          ? fixable.map((f) => html`<label class="check"><input type="checkbox" checked=${opts.fixed.includes(f.path)}
              onChange=${(e) => set('fixed', e.currentTarget.checked ? [...opts.fixed, f.path] : opts.fixed.filter((p) => p !== f.path))} />
              ${f.label} = ${String(f.value)}</label>`)
          : html`<p class="muted small">The form sets no layout field; all are searched.</p>`}
      </fieldset>
      <fieldset class="plan-group">
        <legend>The search may change</legend>
        ${ALLOW.map((a) => html`<label class="check"><input type="checkbox" id=${id(`allow-${a.key}`)} checked=${!!opts.allow[a.key]}
            onChange=${(e) => set('allow', { ...opts.allow, [a.key]: e.currentTarget.checked })} />${a.label}</label>`)}
      </fieldset>
    </div>
    <div class="plan-go">
      <button type="button" class="primary" onClick=${search} disabled=${!built.request || state.status === 'running'}>
        ${state.status === 'running' ? 'Searching…' : 'Find layouts'}
      </button>
      <span class="muted small" role="status" aria-live="polite" data-testid="plan-status">
        ${state.status === 'running' ? 'Searching in the background; the form stays usable.' : ''}
        ${state.status === 'unavailable' ? 'This build of the calculator has no planner: the search is not available.' : ''}
      </span>
    </div>
    ${state.status === 'error' && html`<p class="plan-error" role="alert" data-testid="plan-error">${state.error.field ? html`<strong>${state.error.field}</strong>: ` : ''}${state.error.message}</p>`}
    ${state.found && html`<${Found} found=${state.found} gpuName=${gpuName} current=${current} onLoad=${onLoad}
      stale=${state.status === 'done' && state.config !== current && !state.found.response.layouts?.some((l) => canonical(formConfig(l.config)) === current)} />`}
  </section>`;
}
