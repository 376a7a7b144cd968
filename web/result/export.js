// Export: the result as Markdown (for a planning doc) and CSV, the charts as SVG and PNG.
import { html } from 'htm/preact';
import { GiB, fmtBytes, fmtCount, fmtPct } from '../lib/format.js';
import { LEVEL_WORDS, PARTS, level } from './parts.js';


const gib = (b) => (b / GiB).toFixed(2);

/** A one-line description of what was computed. */
function what(result) {
  const r = result.resolved || {};
  const m = r.model || {};
  const hw = r.hardware || {};
  const e = r.engine || {};
  const t = r.training || {};
  const p = r.parallelism || {};
  const name = m.name || m.preset || 'model';
  const lay = [['DP', p.data_parallel_size], ['TP', p.tensor_parallel_size], ['PP', p.pipeline_parallel_size], ['CP', p.context_parallel_size]]
    .filter(([, v]) => v > 1).map(([k, v]) => `${k} ${v}`).join(' × ') || 'one replica';
  return `${name} (${fmtCount(result.parameters?.total)} parameters), ${e.type}${e.type === 'deepspeed' ? ` ZeRO-${e.zero_stage}` : ''}, ` +
    `${hw.num_gpus} × ${hw.gpu || `${result.gpu_capacity_gb.toFixed(2)} GiB GPU`} (${lay}), micro-batch ${t.batch_size} × ${t.seq_len} tokens, ${t.precision} precision, ${t.optimizer}`;
}

export function toMarkdown(result, link = '') {
  const b = result.bytes;
  const lv = level(result);
  const lines = [
    '## GPU memory estimate',
    '',
    what(result),
    '',
    `**${LEVEL_WORDS[lv]}**: ${gib(b.peak_nvidia_smi)} GiB of ${result.gpu_capacity_gb.toFixed(2)} GiB per GPU (${fmtPct(result.memory_utilization_percent)})` +
      `${result.stages?.length > 1 ? `, stage ${result.worst_stage}` : ''}; largest micro-batch that fits: ${result.max_micro_batch_size > 0 ? result.max_micro_batch_size : 'none'}.`,
    '',
    '| Component | GiB | Share | Formula |',
    '|---|---:|---:|---|',
    ...PARTS.map((p) => `| ${p.label} | ${gib(b[p.key] || 0)} | ${((100 * (b[p.key] || 0)) / (b.peak_nvidia_smi || 1)).toFixed(1)} % | ${String(result.formulas?.[p.key] || '').replace(/\|/g, '\\|')} |`),
    `| **Peak allocated** | ${gib(b.peak_allocated)} | | torch.cuda.max_memory_allocated |`,
    `| **Peak reserved** | ${gib(b.peak_reserved)} | | torch.cuda.max_memory_reserved |`,
    `| **Peak on nvidia-smi** | ${gib(b.peak_nvidia_smi)} | | reserved + CUDA context |`,
  ];
  if (result.stages?.length > 1) {
    lines.push('', '| Stage | Layers | GiB | Peak during |', '|---:|---|---:|---|');
    for (const s of result.stages) lines.push(`| ${s.stage} | ${s.num_layers > 0 ? `${s.first_layer}–${s.first_layer + s.num_layers - 1}` : 'none'} | ${s.total_gb.toFixed(2)} | ${s.peak_phase} |`);
  }
  if (result.warnings?.length) {
    lines.push('', 'Warnings:', '');
    for (const w of result.warnings) lines.push(`- ${w.field ? `\`${w.field}\`: ` : ''}${w.message}`);
  }
  lines.push('', `Memory in GiB (2^30 bytes), per GPU, at the step's peak.${link ? ` [Open this config](${link})` : ''}`, '');
  return lines.join('\n');
}

const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/** One row per stage and component, in bytes and GiB. */
export function toCsv(result) {
  const rows = [['stage', 'component', 'bytes', 'gib', 'formula']];
  const stages = result.stages?.length ? result.stages : [{ stage: 0, bytes: result.bytes }];
  for (const s of stages) {
    for (const p of PARTS) rows.push([s.stage, p.key, s.bytes[p.key] || 0, gib(s.bytes[p.key] || 0), s.stage === result.worst_stage ? result.formulas?.[p.key] || '' : '']);
    for (const k of ['peak_allocated', 'peak_reserved', 'peak_nvidia_smi']) rows.push([s.stage, k, s.bytes[k], gib(s.bytes[k]), '']);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

const COLORS = ['#2f5fd0', '#e0892b', '#7b4fd0', '#21955a', '#16a0a8', '#d98cb3', '#8d96a3', '#b4b9e8', '#c5cad3', '#4b5563'];

/** The stacked bars of every stage (or the one GPU) against the capacity, as SVG text. */
export function barsSvg(result) {
  const stages = result.stages?.length ? result.stages : [{ stage: 0, bytes: result.bytes }];
  const cap = result.gpu_capacity_gb * GiB;
  const top = Math.max(cap, ...stages.map((s) => s.bytes.peak_nvidia_smi)) * 1.05;
  const W = 640, left = 70, right = 20, row = 26, H = 40 + stages.length * row + 86;
  const x = (v) => left + ((W - left - right) * v) / top;
  let out = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="11">`;
  out += `<rect width="${W}" height="${H}" fill="#ffffff"/><text x="10" y="18" font-size="13" font-weight="600">Memory per GPU at the peak (GiB)</text>`;
  stages.forEach((s, i) => {
    const y = 32 + i * row;
    let at = 0;
    out += `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${stages.length > 1 ? `stage ${s.stage}` : 'GPU'}</text>`;
    PARTS.forEach((p, k) => {
      const v = s.bytes[p.key] || 0;
      if (v > 0) out += `<rect x="${x(at).toFixed(1)}" y="${y}" width="${(x(at + v) - x(at)).toFixed(1)}" height="18" fill="${COLORS[k]}"><title>${p.label} ${fmtBytes(v)}</title></rect>`;
      at += v;
    });
  });
  const yEnd = 32 + stages.length * row;
  out += `<line x1="${x(cap).toFixed(1)}" x2="${x(cap).toFixed(1)}" y1="26" y2="${yEnd}" stroke="#c0392b" stroke-width="1.5"/>`;
  out += `<text x="${x(cap).toFixed(1)}" y="${yEnd + 12}" text-anchor="middle" fill="#c0392b">capacity ${fmtBytes(cap)}</text>`;
  PARTS.forEach((p, k) => {
    const lx = 10 + (k % 4) * 155, ly = yEnd + 30 + Math.floor(k / 4) * 16;
    out += `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[k]}"/><text x="${lx + 14}" y="${ly}">${p.label}</text>`;
  });
  return `${out}</svg>`;
}

/** The on-page "memory over one step" chart as standalone SVG text. */
export function timelineSvg(dark = false) {
  const svg = document.querySelector('#timeline-chart svg');
  if (!svg) return '';
  const copy = svg.cloneNode(true);
  const ink = dark ? '#e4e7ec' : '#1a1e24';
  copy.setAttribute('width', '640');
  copy.setAttribute('height', '220');
  copy.insertAdjacentHTML('afterbegin', `<rect width="640" height="220" fill="${dark ? '#15181d' : '#ffffff'}"/>`);
  return new XMLSerializer().serializeToString(copy).replace(/currentColor/g, ink);
}

/** SVG text -> PNG blob at twice the size, through a canvas. */
export function svgToPng(svgText) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    // A data: URL: the page's Content-Security-Policy allows data: images.
    const bytes = new TextEncoder().encode(svgText);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const url = `data:image/svg+xml;base64,${btoa(bin)}`;
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth * 2;
      canvas.height = img.naturalHeight * 2;
      const ctx = canvas.getContext('2d');
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png');
    };
    img.onerror = () => {
      reject(new Error('the chart could not be drawn'));
    };
    img.src = url;
  });
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The export row under the result. */
export function Export({ result, link, base, onDone }) {
  const save = async (kind) => {
    try {
      if (kind === 'md') download(`${base}.md`, new Blob([toMarkdown(result, link())], { type: 'text/markdown' }));
      else if (kind === 'csv') download(`${base}.csv`, new Blob([toCsv(result)], { type: 'text/csv' }));
      else if (kind === 'bars-svg') download(`${base}-memory.svg`, new Blob([barsSvg(result)], { type: 'image/svg+xml' }));
      else if (kind === 'bars-png') download(`${base}-memory.png`, await svgToPng(barsSvg(result)));
      else if (kind === 'step-svg') download(`${base}-step.svg`, new Blob([timelineSvg()], { type: 'image/svg+xml' }));
      else if (kind === 'step-png') download(`${base}-step.png`, await svgToPng(timelineSvg()));
    } catch (e) {
      onDone?.(`Export failed: ${e.message}`);
    }
  };
  const btn = (kind, label) => html`<button type="button" class="link" onClick=${() => save(kind)}>${label}</button>`;
  return html`<section class="card export" aria-labelledby="exp-h">
    <h2 id="exp-h">Export</h2>
    <p class="export-row">Result: ${btn('md', 'Markdown')} · ${btn('csv', 'CSV')}
      <span class="sep"> </span>Memory bars: ${btn('bars-svg', 'SVG')} · ${btn('bars-png', 'PNG')}
      <span class="sep"> </span>Memory over one step: ${btn('step-svg', 'SVG')} · ${btn('step-png', 'PNG')}</p>
  </section>`;
}
