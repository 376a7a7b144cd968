// The verdict: does the run fit, by how much, and the largest micro-batch that would.
import { html } from 'htm/preact';
import { fieldLabel, findGpu } from '../lib/config.js';
import { fmtCount, fmtGiB, fmtInt, fmtPct } from '../lib/format.js';
import { docsUrl } from '../lib/links.js';
import { focusField } from './notes.js';
import { LEVEL_WORDS, level } from './parts.js';

const ICON = { ok: '✓', tight: '!', over: '✕' };

/** The headline of the core's verdict. */
function head(result) {
  const lv = level(result);
  if (lv === 'tight') return `${LEVEL_WORDS.tight}: may run out of memory`;
  return lv === 'over' && result.verdict_reason === 'host_memory' ? `${LEVEL_WORDS.over} (host memory)` : LEVEL_WORDS[lv];
}

/** Why the verdict is what it is, in one sentence. */
function why(result) {
  const margin = result.resolved?.hardware?.safety_margin;
  const pct = margin != null ? fmtPct(margin * 100, 0) : 'the margin';
  const host = result.host_memory?.per_node_gb;
  const node = result.resolved?.hardware?.host_memory_per_node_gb;
  if (result.verdict_reason === 'host_memory')
    return `Offloading needs ${fmtGiB(host)} of host memory per node; the node has ${fmtGiB(node)}.`;
  if (result.verdict === 'tight')
    return `Without memory pressure the allocator would hold ${fmtGiB(result.peak_unconstrained_gb)}, above the ${fmtGiB(result.fits_below_gb)} that keeps a ${pct} safety margin: fragmentation can end the run.`;
  if (result.verdict === 'does_not_fit')
    return `The allocations alone (${fmtGiB(result.peak_allocated_gb)} + CUDA context) exceed the card.`;
  return `${fmtGiB(result.fits_below_gb - result.peak_unconstrained_gb)} below the ${pct} safety margin.`;
}

/** "each of 8 × NVIDIA H100 SXM 80GB", or "each of 128 GPUs of 80.00 GiB". */
function onWhat(result) {
  const hw = result.resolved?.hardware || {};
  const n = hw.num_gpus;
  const g = findGpu(hw.gpu);
  if (g) return `on ${n > 1 ? `each of ${fmtInt(n)} × ` : ''}${g.name}`;
  return n > 1 ? `on each of ${fmtInt(n)} GPUs of ${fmtGiB(result.gpu_capacity_gb)}` : `on a GPU of ${fmtGiB(result.gpu_capacity_gb)}`;
}

export function Verdict({ result, stale }) {
  const util = result.memory_utilization_percent;
  const lv = level(result);
  const seq = result.max_seq_len;
  const free = result.gpu_capacity_gb - result.total_memory_per_gpu_gb;
  const mb = result.max_micro_batch_size;
  const b = result.resolved?.training?.batch_size;
  const pp = result.stages?.length > 1;
  return html`<section class=${`verdict v-${lv}${stale ? ' stale' : ''}`} aria-labelledby="verdict-h" aria-live="polite" data-level=${lv}>
    <div class="verdict-head">
      <span class="verdict-icon" aria-hidden="true">${ICON[lv]}</span>
      <h2 id="verdict-h"><span data-testid="verdict">${head(result)}</span> <span class="verdict-gpu">${onWhat(result)}</span></h2>
    </div>
    <p class="small verdict-why" data-testid="verdict-why">${why(result)}</p>
    <div class="verdict-main">
      <p class="big"><span class="num" data-testid="peak">${result.total_memory_per_gpu_gb.toFixed(2)}</span> GiB${' '}
        <span class="muted">of <span class="num" data-testid="capacity">${result.gpu_capacity_gb.toFixed(2)}</span> GiB per GPU${pp ? ` (stage ${result.worst_stage})` : ''}</span></p>
      <div class="meter" role="meter" aria-label="Memory utilization" aria-valuemin="0" aria-valuemax="100"
        aria-valuenow=${Math.round(Math.min(util, 100))} aria-valuetext=${fmtPct(util)}>
        <span class="meter-fill" style=${{ width: `${Math.min(util, 100)}%` }}></span>
        ${result.fits_below_gb > 0 && html`<span class="meter-margin" data-testid="margin-mark" title=${`fits below ${fmtGiB(result.fits_below_gb)}: the safety margin`}
          style=${{ left: `${Math.min(100, (100 * result.fits_below_gb) / result.gpu_capacity_gb)}%` }}></span>`}
      </div>
    </div>
    <dl class="facts">
      <div><dt>Utilization</dt><dd class="num" data-testid="util">${fmtPct(util)}</dd></div>
      <div><dt>${free >= 0 ? 'Headroom' : 'Short by'}</dt><dd class="num" data-testid="headroom">${fmtGiB(Math.abs(free))}</dd></div>
      <div><dt title="the largest micro-batch per GPU that fits with the safety margin">Largest micro-batch</dt><dd class="num" data-testid="max-mb">${mb > 0 ? fmtInt(mb) : 'none'}${b ? html`<span class="muted small"> (now ${fmtInt(b)})</span>` : ''}</dd></div>
      <div><dt title="the longest sequence that fits with the safety margin, at this micro-batch">Longest sequence</dt><dd class="num" data-testid="max-seq">${seq > 0 ? `${fmtInt(seq)} tokens` : 'none'}</dd></div>
      ${result.host_fits != null && html`<div><dt>Host memory</dt><dd class="num" data-testid="host">${result.host_fits ? 'fits' : 'does not fit'}<span class="muted small"> (${fmtGiB(result.host_memory?.per_node_gb)} per node)</span></dd></div>`}
      <div><dt>Parameters</dt><dd class="num">${fmtCount(result.parameters?.total)}${result.parameters?.per_gpu !== result.parameters?.total ? html`<span class="muted small" title="parameters of one pipeline stage and tensor-parallel rank, before data-parallel sharding"> · ${fmtCount(result.parameters?.per_gpu)} per rank</span>` : ''}</dd></div>
    </dl>
    ${(result.warnings || []).filter((w) => w.field === 'hardware.num_gpus').map((w) => html`<p class="verdict-warn small" data-testid="layout-warning">
      <strong>The parallel sizes do not match the GPU count.</strong> ${w.message}</p>`)}
    <p class="muted small verdict-links"><a href=${docsUrl('accuracy.md')} target="_blank" rel="noopener">How accurate is this?</a> Measured runs against these predictions.</p>
    ${mb === 0 && result.verdict_reason !== 'host_memory' && html`<p class="small">Even a micro-batch of 1 does not fit with the safety margin: shard more (ZeRO-3 / FSDP, tensor or pipeline parallel), checkpoint activations, or offload.</p>`}
  </section>`;
}

/** The config is invalid: say which fields and why, and take the user there. */
export function ErrorCard({ error, causes, hasResult }) {
  const list = causes?.length ? causes : [error];
  const cause = (c) => html`${c.field ? html`<button type="button" class="link" onClick=${() => focusField(c.field)}>${fieldLabel(c.field)}</button>: ` : ''}${c.message}`;
  return html`<section class="verdict v-error" role="alert" aria-labelledby="error-h">
    <div class="verdict-head">
      <span class="verdict-icon" aria-hidden="true">✕</span>
      <h2 id="error-h">This config cannot be computed</h2>
    </div>
    <div class="error-text" data-testid="error">
      ${list.length === 1 ? html`<p>${cause(list[0])}</p>` : html`<p>${list.length} problems:</p><ul class="causes">${list.map((c) => html`<li>${cause(c)}</li>`)}</ul>`}
    </div>
    ${hasResult && html`<p class="muted small">The figures below are from the last valid config.</p>`}
  </section>`;
}

/** A one-line verdict that stays in view on narrow screens while the form scrolls. */
export function MiniVerdict({ result, error }) {
  if (error) return html`<div class="mini v-error" aria-hidden="true">✕ ${fieldLabel(error.field)}: ${error.message}</div>`;
  if (!result) return null;
  const lv = level(result);
  return html`<div class=${`mini v-${lv}`} aria-hidden="true">
    <span>${ICON[lv]} ${head(result)}</span>
    <span class="num">${result.total_memory_per_gpu_gb.toFixed(1)} / ${result.gpu_capacity_gb.toFixed(1)} GiB</span>
    <span class="num">${fmtPct(result.memory_utilization_percent, 0)}</span>
  </div>`;
}
