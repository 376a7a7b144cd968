// The breakdown: each part's size, share and formula, then the totals PyTorch and nvidia-smi report.
import { html } from 'htm/preact';
import { fmtBytes, fmtCount, fmtInt } from '../lib/format.js';
import { FORMULA_SECTION, docsUrl } from '../lib/links.js';
import { PARTS } from './parts.js';

/** A part with a formula but nothing at the peak: it exists in another phase. */
const elsewhere = (bytes, formula) => !bytes && /[0-9]/.test(formula || '') && !/^(none|0 )/.test(formula);

export function Breakdown({ result }) {
  const b = result.bytes;
  const total = b.peak_nvidia_smi || 1;
  const f = result.formulas || {};
  const phase = result.stages?.[result.worst_stage]?.peak_phase;
  return html`<section class="card" aria-labelledby="bd-h">
    <h2 id="bd-h">Breakdown <span class="muted">per GPU${result.stages?.length > 1 ? `, stage ${result.worst_stage}` : ''}${phase ? `, at the peak (during the ${phase})` : ''}; open a row for its formula</span></h2>
    <div class="bd" role="list">
      ${PARTS.map((p) => html`<details class=${`bd-row${b[p.key] ? '' : ' zero'}`} role="listitem" data-part=${p.key}>
        <summary>
          <span class=${`swatch c-${p.key}`} aria-hidden="true"></span>
          <span class="bd-name">${p.label}${elsewhere(b[p.key], f[p.key]) && html` <span class="bd-note">not held at the peak</span>`}<span class="muted small bd-about"> ${p.about}</span></span>
          <span class="num bd-val" data-bytes=${b[p.key] || 0}>${fmtBytes(b[p.key] || 0)}</span>
          <span class="num muted bd-share">${((100 * (b[p.key] || 0)) / total).toFixed(1)}%</span>
        </summary>
        <div class="formula">
          <code>${f[p.key] || 'no formula reported'}</code>
          <span class="muted small">${b[p.key] ? `${fmtInt(b[p.key])} bytes at the peak` : elsewhere(b[p.key], f[p.key]) ? 'not held at the peak: the formula is its size in the phase that holds it' : '0 bytes'}
${' · '}<a href=${docsUrl('formulas.md', FORMULA_SECTION[p.key])} target="_blank" rel="noopener">how it is derived</a></span>
        </div>
      </details>`)}
    </div>
    <dl class="totals">
      <div><dt>Peak allocated <span class="muted small">torch.cuda.max_memory_allocated</span></dt><dd class="num" data-bytes=${b.peak_allocated}>${fmtBytes(b.peak_allocated)}</dd></div>
      <div><dt>Peak reserved <span class="muted small">max_memory_reserved</span></dt><dd class="num" data-bytes=${b.peak_reserved}>${fmtBytes(b.peak_reserved)}</dd></div>
      <div class="grand"><dt>Peak on nvidia-smi <span class="muted small">reserved + CUDA context</span></dt><dd class="num" data-bytes=${b.peak_nvidia_smi}>${fmtBytes(b.peak_nvidia_smi)}</dd></div>
    </dl>
  </section>`;
}

export function Parameters({ result }) {
  const p = result.parameters || {};
  const rows = [
    ['Total', p.total],
    ['Trainable', p.trainable],
    ['Embedding', p.embedding],
    ['Output head', p.output_head],
    ['One layer', p.per_layer],
    ['Largest gathered unit', p.largest_layer],
    ['Active per token', p.active_per_token !== p.total ? p.active_per_token : null],
    ['Per pipeline stage and TP rank', p.per_gpu !== p.total ? p.per_gpu : null],
  ].filter(([, v]) => v != null);
  return html`<section class="card" aria-labelledby="params-h">
    <h2 id="params-h">Parameters${p.estimated ? html` <span class="badge warn">estimated</span>` : ''}</h2>
    <dl class="kv">
      ${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd class="num" title=${fmtInt(v)}>${fmtCount(v)}</dd></div>`)}
    </dl>
  </section>`;
}
