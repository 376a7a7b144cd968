// One bar per pipeline stage, on one scale, the most loaded one marked.
import { html } from 'htm/preact';
import { GiB, fmtBytes, fmtCount, fmtGiB, plural } from '../lib/format.js';
import { Axis, Bar, CapLabel, scaleFor } from './chart.js';

/** "layers 0–9, 40–49": every chunk the stage runs, from the core's list. */
function layers(s) {
  const chunks = (s.chunks || []).filter((c) => Array.isArray(c) && c.length === 2);
  if (!chunks.length) return 'no layers';
  const one = chunks.length === 1 && chunks[0][0] === chunks[0][1];
  return `${one ? 'layer' : 'layers'} ${chunks.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ')}`;
}

export function Stages({ result }) {
  const stages = result.stages || [];
  if (stages.length < 2) return null;
  const cap = result.gpu_capacity_gb * GiB;
  const totals = stages.map((s) => s.total_gb * GiB);
  const scale = scaleFor(cap, totals);
  return html`<section class="card" aria-labelledby="stages-h">
    <h2 id="stages-h">Pipeline stages <span class="muted">(one GPU of each)</span></h2>
    <div class="stages">
      <div class="stage-row stage-head" aria-hidden="true">
        <span></span><${CapLabel} scale=${scale} capacity=${cap} /><span></span>
      </div>
      ${stages.map((s, i) => html`<div class=${`stage-row${i === result.worst_stage ? ' worst' : ''}`}>
        <div class="stage-label">
          <strong>Stage ${s.stage ?? i}</strong>
          <span class="muted small" data-testid="stage-layers">${layers(s)}${s.has_embedding ? ' · embedding' : ''}${s.has_output_head ? ' · head' : ''}</span>
        </div>
        <${Bar} compact bytes=${s.bytes} total=${totals[i]} capacity=${cap} scale=${scale} label=${`Stage ${s.stage ?? i}`} />
        <div class="stage-value">
          <span class="num">${fmtGiB(s.total_gb)}</span>
          <span class="muted small" title=${`${fmtCount(s.params)} parameters; activations of ${plural(s.microbatches_in_flight, 'micro-batch')} held; peak during ${s.peak_phase}`}>${s.microbatches_in_flight} in flight · ${s.peak_phase}</span>
        </div>
      </div>`)}
      <div class="stage-row" aria-hidden="true"><span></span><${Axis} scale=${scale} /><span></span></div>
    </div>
    <p class="muted small">The most loaded stage (${result.worst_stage}) decides whether the job fits. ${fmtBytes(Math.max(...totals) - Math.min(...totals))} separates the fullest and the emptiest stage.</p>
  </section>`;
}
