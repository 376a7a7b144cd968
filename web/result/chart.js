// A stacked bar of one GPU's memory against the card's capacity (plain HTML and CSS).
import { html } from 'htm/preact';
import { GiB, fmtBytes } from '../lib/format.js';
import { PARTS, present } from './parts.js';

/** The largest figure a set of bars must show, with room for the capacity label. */
export function scaleFor(capacityBytes, totals) {
  return Math.max(capacityBytes, ...totals) * 1.06 || GiB;
}

function ticks(scale) {
  const gib = scale / GiB;
  const step = [1, 2, 4, 5, 10, 20, 25, 40, 50, 100, 200, 250, 500, 1000].find((s) => gib / s <= 6) || Math.ceil(gib / 5);
  const out = [];
  for (let v = 0; v <= gib; v += step) out.push(v);
  return out;
}

/** One bar. bytes: the result's bytes object; total: what it sums to on nvidia-smi. */
export function Bar({ bytes, total, capacity, scale, label, compact }) {
  const pct = (b) => `${Math.max(0, (100 * b) / scale)}%`;
  const parts = present(bytes);
  const desc = `${label ? `${label}: ` : ''}${fmtBytes(total)} of ${fmtBytes(capacity)}; ${parts.map((p) => `${p.label} ${fmtBytes(bytes[p.key])}`).join(', ')}`;
  return html`<div class=${`bar${compact ? ' compact' : ''}${total > capacity ? ' over' : ''}`} role="img" aria-label=${desc}>
    <div class="bar-track">
      ${parts.map((p) => html`<span class=${`seg c-${p.key}`} style=${{ width: pct(bytes[p.key]) }} title=${`${p.label}: ${fmtBytes(bytes[p.key])}`}></span>`)}
      <span class="cap-line" style=${{ left: pct(capacity) }} aria-hidden="true"></span>
    </div>
  </div>`;
}

/** GiB ticks under a bar. */
export function Axis({ scale }) {
  return html`<div class="axis" aria-hidden="true">
    ${ticks(scale).map((v, i, all) => html`<span class="tick" style=${{ left: `${(100 * v * GiB) / scale}%` }}>${v}${i === all.length - 1 ? ' GiB' : ''}</span>`)}
  </div>`;
}

/** The capacity's label, over the line the bars draw. */
export function CapLabel({ scale, capacity }) {
  return html`<div class="cap-row" aria-hidden="true">
    <span class="cap-label" style=${capacity / scale < 0.3 ? { left: `${(100 * capacity) / scale}%` } : { right: `${100 - (100 * capacity) / scale}%` }}>capacity ${fmtBytes(capacity)}</span>
  </div>`;
}

/** The most loaded GPU's memory, part by part, with a legend. */
export function Chart({ result }) {
  const b = result.bytes;
  const cap = result.gpu_capacity_gb * GiB;
  const total = b.peak_nvidia_smi;
  const scale = scaleFor(cap, [total]);
  const parts = present(b);
  return html`<section class="card" aria-labelledby="chart-h">
    <h2 id="chart-h">Where the memory goes${result.stages?.length > 1 ? html` <span class="muted">(stage ${result.worst_stage}, the most loaded GPU)</span>` : ''}</h2>
    <${CapLabel} scale=${scale} capacity=${cap} />
    <${Bar} bytes=${b} total=${total} capacity=${cap} scale=${scale} />
    <${Axis} scale=${scale} />
    <ul class="legend">
      ${parts.map((p) => html`<li><span class=${`swatch c-${p.key}`} aria-hidden="true"></span>${p.label} <span class="num">${fmtBytes(b[p.key])}</span></li>`)}
    </ul>
  </section>`;
}

export { PARTS };
