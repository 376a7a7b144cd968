// Compare: configs pinned as A, B, C beside the one being edited, part by part,
// each computed by the core, with the difference from A.
import { html } from 'htm/preact';
import { fmtBytes, fmtPct } from '../lib/format.js';
import { LEVEL_WORDS, PARTS, level } from './parts.js';



/** A short description of a config: model, GPU count and card, engine. */
export function describe(config) {
  const m = config?.model || {};
  const hw = config?.hardware || {};
  const e = config?.engine || {};
  const t = config?.training || {};
  const model = [m.preset, m.name, m.num_parameters].find((v) => typeof v === 'string' || typeof v === 'number') ?? 'custom model';
  const bits = [String(model)];
  if (typeof e.type === 'string') bits.push(e.type + (e.zero_stage != null ? ` ZeRO-${e.zero_stage}` : ''));
  if (hw.num_gpus != null || typeof hw.gpu === 'string') bits.push(`${hw.num_gpus ?? ''}${hw.num_gpus != null ? ' × ' : ''}${typeof hw.gpu === 'string' ? hw.gpu : 'GPU'}`);
  if (t.batch_size != null) bits.push(`mb ${t.batch_size}`);
  if (t.seq_len != null) bits.push(`${t.seq_len} tokens`);
  return bits.join(' · ');
}


function diff(bytes, base) {
  if (bytes == null || base == null) return '';
  const d = bytes - base;
  if (d === 0) return '=';
  return `${d > 0 ? '+' : '−'}${fmtBytes(Math.abs(d))}`;
}

/**
 * columns: [{label, config, out: {result} | {error}, current}], the pinned ones
 * first, the config being edited last. onUnpin(i), onLoad(i) act on pinned ones.
 */
export function Compare({ columns, onUnpin, onLoad }) {
  if (columns.length < 2) return null;
  const base = columns[0].out.result;
  const rows = [
    ['Peak per GPU (nvidia-smi)', (r) => r.bytes.peak_nvidia_smi, 'peak_nvidia_smi'],
    ...PARTS.map((p) => [p.label, (r) => r.bytes[p.key] || 0, p.key]),
    ['Peak allocated', (r) => r.bytes.peak_allocated, 'peak_allocated'],
    ['Peak reserved', (r) => r.bytes.peak_reserved, 'peak_reserved'],
  ];
  return html`<section class="card compare" aria-labelledby="cmp-h">
    <h2 id="cmp-h">Compare <span class="muted">(per GPU, at each config's peak; differences from A)</span></h2>
    <div class="cmp-scroll">
      <table class="cmp">
        <thead>
          <tr><th scope="col"></th>${columns.map((c, i) => html`<th scope="col" data-col=${i}>
            <span class="cmp-letter">${c.label}</span>${c.current ? html` <span class="muted small">(editing)</span>` : ''}
            <span class="muted small cmp-desc">${describe(c.config)}</span>
            ${!c.current && html`<span class="cmp-actions"><button type="button" class="link" onClick=${() => onLoad(i)}>edit</button> · <button type="button" class="link" onClick=${() => onUnpin(i)}>unpin</button></span>`}
          </th>`)}</tr>
        </thead>
        <tbody>
          <tr class="cmp-verdict"><th scope="row">Verdict</th>${columns.map((c, i) => {
            const r = c.out.result;
            if (!r) return html`<td data-col=${i} class="bad">invalid: ${c.out.error?.field ? `${c.out.error.field}: ` : ''}${c.out.error?.message}</td>`;
            const lv = level(r);
            return html`<td data-col=${i} data-level=${lv} class=${`v-${lv}`}>${LEVEL_WORDS[lv]}, ${fmtPct(r.memory_utilization_percent, 0)} of ${r.gpu_capacity_gb.toFixed(1)} GiB</td>`;
          })}</tr>
          ${rows.map(([label, get, key]) => html`<tr data-row=${key}><th scope="row">${label}</th>${columns.map((c, i) => {
            const r = c.out.result;
            if (!r) return html`<td data-col=${i}>–</td>`;
            const v = get(r);
            return html`<td data-col=${i} class="num" data-bytes=${v}>${fmtBytes(v)}${i > 0 && base ? html`<span class="cmp-diff muted small">${diff(v, get(base))}</span>` : ''}</td>`;
          })}</tr>`)}
        </tbody>
      </table>
    </div>
  </section>`;
}
