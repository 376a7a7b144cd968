// Peak memory as the current config scales: against micro-batch, sequence
// length and GPU count, each point a calculate in the planner's worker, with
// the card's capacity and, when the core reports one, the margin band.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { fmtGiB, fmtInt } from '../lib/format.js';
import { AXES, marginBand, pointOf, sweepConfigs } from '../lib/plan.js';
import { calcMany } from './client.js';

const W = 260;
const H = 160;
const PAD = { l: 34, r: 8, t: 18, b: 28 };

const fmtX = (axis, v) => (axis === 'seq_len' && v >= 1024 && v % 1024 === 0 ? `${v / 1024}K` : fmtInt(v));

function niceStep(max) {
  return [1, 2, 5, 10, 20, 25, 40, 50, 100, 200, 250, 500, 1000, 2000, 5000].find((s) => max / s <= 5) || Math.ceil(max / 5);
}

/** One chart: points {x, peak_gb, fits, error}, the capacity, the margin band. */
export function SweepChart({ axis, points, capacity, band, current }) {
  const a = AXES[axis];
  const ok = points.filter((p) => Number.isFinite(p.peak_gb));
  const xs = points.map((p) => p.x);
  const log = axis !== 'batch_size' || Math.max(...xs) > 32;
  const fx = log ? Math.log2 : (v) => v;
  const x0 = fx(Math.min(...xs));
  const x1 = fx(Math.max(...xs));
  const curPeak = ok.find((p) => p.x === current)?.peak_gb ?? 0;
  // The scale keeps the capacity in view; points far above it leave the top.
  const yMax = Math.max(capacity * 1.3, Math.min(curPeak * 1.15, capacity * 3)) || 1;
  const sx = (v) => PAD.l + ((fx(v) - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  // Above the scale, the line leaves through the top (clipped) and the point is an arrow there.
  const sy = (gb) => PAD.t + (1 - Math.min(gb, yMax * 1.5) / yMax) * (H - PAD.t - PAD.b);
  const step = niceStep(yMax);
  const yTicks = [];
  for (let v = 0; v <= yMax; v += step) yTicks.push(v);
  const xTicks = log ? xs.filter((v, i) => xs.length <= 7 || i % Math.ceil(xs.length / 6) === 0 || v === current) : xs.filter((v) => v === 1 || v % 4 === 0 || v === current);
  const segs = [];
  let run = [];
  for (const p of points) {
    if (Number.isFinite(p.peak_gb)) run.push(`${sx(p.x).toFixed(1)},${sy(p.peak_gb).toFixed(1)}`);
    else if (run.length) { segs.push(run); run = []; }
  }
  if (run.length) segs.push(run);
  // "Fits" as the core's largest micro-batch counts it: tight points are not.
  const fitting = ok.filter((p) => p.level === 'fits');
  const largest = fitting.length ? Math.max(...fitting.map((p) => p.x)) : null;
  const smallest = fitting.length ? Math.min(...fitting.map((p) => p.x)) : null;
  const tightTo = Math.max(-1, ...ok.filter((p) => p.level === 'tight').map((p) => p.x));
  const unit = axis === 'num_gpus' ? ' GPUs' : '';
  // More GPUs take less memory each: the question is from how many it fits.
  const summary = largest == null
    ? `None of those tried fits.`
    : axis === 'num_gpus'
      ? `Fits from ${fmtX(axis, smallest)} GPUs${smallest === Math.min(...xs) ? ' (the fewest tried)' : ''}.`
      : `Fits up to ${a.label} ${fmtX(axis, largest)}${largest === Math.max(...xs) ? ' (the largest tried)' : ''}${tightTo > largest ? `, tight up to ${fmtX(axis, tightTo)}` : ''}.`;
  return html`<figure class="sweep" data-axis=${axis} data-largest-fit=${largest ?? ''} data-smallest-fit=${smallest ?? ''}>
    <figcaption><strong>${a.title.replace('Peak memory against ', 'Against ')}</strong> <span class="muted">${summary}</span></figcaption>
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`${a.title}: ${ok.map((p) => `${fmtX(axis, p.x)}${unit} ${fmtGiB(p.peak_gb, 1)}`).join(', ')}; capacity ${fmtGiB(capacity)}. ${summary}`}>
      ${band && html`<rect class="sw-band" x=${PAD.l} width=${W - PAD.l - PAD.r} y=${sy(band.to_gb)} height=${Math.max(0, sy(band.from_gb) - sy(band.to_gb))}><title>${`margin: ${fmtGiB(band.from_gb)}–${fmtGiB(band.to_gb)} is tight`}</title></rect>`}
      ${yTicks.map((v) => html`<g class="sw-grid"><line x1=${PAD.l} x2=${W - PAD.r} y1=${sy(v)} y2=${sy(v)} /><text x=${PAD.l - 5} y=${sy(v) + 3.5} text-anchor="end">${v}</text></g>`)}
      <text class="sw-unit" x=${PAD.l + 3} y=${PAD.t - 8}>GiB</text>
      ${xTicks.map((v) => html`<text class="sw-x" x=${sx(v)} y=${H - PAD.b + 14} text-anchor="middle">${fmtX(axis, v)}</text>`)}
      <text class="sw-unit" x=${W - PAD.r} y=${H - 3} text-anchor="end">${a.label}</text>
      <line class="sw-cap" x1=${PAD.l} x2=${W - PAD.r} y1=${sy(capacity)} y2=${sy(capacity)} />
      <clipPath id=${`sw-clip-${axis}`}><rect x=${PAD.l - 6} y=${PAD.t} width=${W - PAD.l - PAD.r + 12} height=${H - PAD.t - PAD.b + 6} /></clipPath>
      <g clip-path=${`url(#sw-clip-${axis})`}>
        ${segs.map((s) => html`<polyline class="sw-line" points=${s.join(' ')} />`)}
      </g>
      ${ok.map((p) => {
        const cls = `sw-pt ${p.level}${p.x === current ? ' cur' : ''}`;
        const title = html`<title>${`${fmtX(axis, p.x)}${unit}: ${fmtGiB(p.peak_gb)}${p.level === 'over' ? ', does not fit' : p.level === 'tight' ? ', tight' : ''}${p.x === current ? ' (the form)' : ''}`}</title>`;
        const x = sx(p.x);
        if (p.peak_gb > yMax) return html`<path class=${`${cls} off`} d=${`M${x - 3.5} ${PAD.t + 3}L${x} ${PAD.t - 3}L${x + 3.5} ${PAD.t + 3}Z`}>${title}</path>`;
        return html`<circle class=${cls} cx=${x} cy=${sy(p.peak_gb)} r=${p.x === current ? 4.5 : 2.6}>${title}</circle>`;
      })}
      <text class="sw-cap-label" x=${W - PAD.r - 2} y=${sy(capacity) + 11} text-anchor="end">capacity ${fmtGiB(capacity, 1)}</text>
    </svg>
  </figure>`;
}

/** The three charts for the form's config; recomputed shortly after it changes. */
export function ScalingCharts({ config, result }) {
  const [data, setData] = useState(null);
  const [failed, setFailed] = useState('');
  const key = JSON.stringify(config);
  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      try {
        const sweeps = Object.keys(AXES).map((axis) => ({ axis, items: sweepConfigs(config, axis, result.resolved) }));
        const results = await calcMany(sweeps.flatMap((s) => s.items.map((i) => i.config)));
        if (!results) return; // a newer config's charts replaced these
        let k = 0;
        const out = sweeps.map((s) => ({ axis: s.axis, points: s.items.map((i) => pointOf(i.x, results[k++])) }));
        if (live) {
          setData({ key, sweeps: out });
          setFailed('');
        }
      } catch (e) {
        if (live) setFailed(String(e?.message || e));
      }
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  const band = marginBand(result);
  const cap = result.gpu_capacity_gb;
  return html`<section class=${`card sweeps${data && data.key !== key ? ' updating' : ''}`} aria-labelledby="sweeps-h" data-ready=${data?.key === key ? '1' : undefined}>
    <h2 id="sweeps-h">Peak memory as the run scales <span class="muted">(this layout, one figure changed)</span></h2>
    ${failed && html`<p class="bad small">${failed}</p>`}
    ${data ? html`<div class="sweep-grid">
      ${data.sweeps.map((s) => html`<${SweepChart} key=${s.axis} axis=${s.axis} points=${s.points} capacity=${cap} band=${band}
        current=${AXES[s.axis].current(result.resolved)} />`)}
    </div>` : !failed && html`<p class="muted small">Computing…</p>`}
    <p class="muted small">Per GPU, most loaded stage, as nvidia-smi shows it. ${band ? `Shaded: the safety margin under the capacity (${fmtGiB(band.from_gb, 1)} to ${fmtGiB(band.to_gb, 1)}), where the verdict is tight.` : ''}</p>
  </section>`;
}
