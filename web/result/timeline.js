// Memory over one training step, per pipeline stage: allocated and reserved as
// the core's stages[].timeline gives them (the phases whose maximum is the peak),
// against the card's capacity. An SVG, so it can be saved as it is drawn.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { GiB, fmtBytes } from '../lib/format.js';

const W = 640;
const H = 220;
const PAD = { l: 44, r: 10, t: 12, b: 34 };

function niceStep(max) {
  const gib = max / GiB;
  return [1, 2, 5, 10, 20, 25, 40, 50, 100, 200, 250, 500, 1000].find((s) => gib / s <= 5) || Math.ceil(gib / 5);
}

/** The chart as an SVG element tree; id lets the export find it. */
export function TimelineSvg({ stage, capacity, title }) {
  const t = stage.timeline || [];
  const top = Math.max(capacity, ...t.map((p) => p.reserved)) * 1.08 || GiB;
  const x = (i) => PAD.l + ((W - PAD.l - PAD.r) * i) / Math.max(1, t.length - 1);
  const y = (b) => PAD.t + (H - PAD.t - PAD.b) * (1 - b / top);
  const path = (key) => t.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const step = niceStep(top);
  const ticks = [];
  for (let v = 0; v * GiB <= top; v += step) ticks.push(v);
  const phaseAt = (name) => t.findIndex((p) => p.at.startsWith(name));
  const marks = [['forward', phaseAt('forward')], ['loss', phaseAt('loss')], ['backward', phaseAt('backward')], ['step', phaseAt('optimizer')]].filter(([, i]) => i >= 0);
  const peak = t.reduce((a, p, i) => (p.reserved > t[a].reserved ? i : a), 0);
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox=${`0 0 ${W} ${H}`} class="tl-svg" role="img"
    aria-label=${`${title}: peak reserved ${fmtBytes(t[peak]?.reserved)} at ${t[peak]?.at}, capacity ${fmtBytes(capacity)}`}
    font-family="system-ui, sans-serif" font-size="11">
    <title>${title}</title>
    ${ticks.map((v) => html`<g><line x1=${PAD.l} x2=${W - PAD.r} y1=${y(v * GiB)} y2=${y(v * GiB)} stroke="currentColor" stroke-opacity="0.12" />
      <text x=${PAD.l - 6} y=${y(v * GiB) + 4} text-anchor="end" fill="currentColor" fill-opacity="0.7">${v}</text></g>`)}
    <text x=${4} y=${PAD.t + 4} fill="currentColor" fill-opacity="0.7">GiB</text>
    ${marks.map(([name, i]) => html`<g><line x1=${x(i)} x2=${x(i)} y1=${PAD.t} y2=${H - PAD.b} stroke="currentColor" stroke-opacity="0.25" stroke-dasharray="2 3" />
      <text x=${i === t.length - 1 ? x(i) - 3 : x(i) + 3} y=${H - PAD.b + 14} text-anchor=${i === t.length - 1 ? 'end' : 'start'} fill="currentColor" fill-opacity="0.8">${name}</text></g>`)}
    <line class="tl-cap" x1=${PAD.l} x2=${W - PAD.r} y1=${y(capacity)} y2=${y(capacity)} stroke="#c0392b" stroke-width="1.5" />
    <text x=${W - PAD.r - 2} y=${y(capacity) - 4} text-anchor="end" fill="#c0392b">capacity ${fmtBytes(capacity)}</text>
    <path class="tl-reserved" d=${path('reserved')} fill="none" stroke="#7b61c9" stroke-width="2" stroke-dasharray="5 3" />
    <path class="tl-allocated" d=${path('allocated')} fill="none" stroke="#2f5fd0" stroke-width="2.2" />
    ${t[peak] && html`<circle cx=${x(peak)} cy=${y(t[peak].reserved)} r="3.5" fill="#7b61c9" />`}
    <g transform=${`translate(${PAD.l},${H - 8})`}>
      <line x1="0" x2="18" y1="-4" y2="-4" stroke="#2f5fd0" stroke-width="2.2" /><text x="22" y="0" fill="currentColor">allocated</text>
      <line x1="90" x2="108" y1="-4" y2="-4" stroke="#7b61c9" stroke-width="2" stroke-dasharray="5 3" /><text x="112" y="0" fill="currentColor">reserved (allocated + cache)</text>
    </g>
  </svg>`;
}

export function Timeline({ result }) {
  const stages = result.stages || [];
  const [pick, setPick] = useState(null);
  if (!stages.length || !stages[0].timeline) return null;
  const i = pick != null && pick < stages.length ? pick : result.worst_stage || 0;
  const s = stages[i];
  const capacity = result.gpu_capacity_gb * GiB - (s.bytes?.cuda_context || 0);
  const title = `Memory over one step${stages.length > 1 ? `, stage ${i}` : ''}`;
  return html`<section class="card timeline" aria-labelledby="tl-h" data-stage=${i}>
    <h2 id="tl-h">Memory over one step <span class="muted">(one GPU${stages.length > 1 ? ` of stage ${i}` : ''}; what PyTorch's memory snapshot shows after a run)</span></h2>
    ${stages.length > 1 && html`<p class="tl-stages"><label for="tl-stage">Pipeline stage</label>${' '}
      <select id="tl-stage" value=${String(i)} onChange=${(e) => setPick(Number(e.currentTarget.value))}>
        ${stages.map((x, j) => html`<option value=${String(j)}>stage ${j}${j === result.worst_stage ? ' (most loaded)' : ''}</option>`)}
      </select></p>`}
    <div class="tl-chart" id="timeline-chart"><${TimelineSvg} stage=${s} capacity=${capacity} title=${title} /></div>
    <p class="muted small">Capacity here is the card less the CUDA context (${fmtBytes(s.bytes?.cuda_context || 0)}), which PyTorch does not see.
      Forward keeps activations layer by layer; the loss adds the logits; backward frees them as gradients arrive; then the optimizer step.
      The phase points are the figures the peak is taken from; the points between them spread each phase's activations evenly over the layers.</p>
  </section>`;
}
