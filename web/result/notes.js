// Host memory under offload, and the core's warnings in plain words.
import { html } from 'htm/preact';
import { fieldLabel, inputId } from '../lib/config.js';
import { fmtGiB, plural } from '../lib/format.js';

export function HostMemory({ result }) {
  const h = result.host_memory || {};
  if (!(h.per_gpu_gb > 0 || h.nvme_per_gpu_gb > 0)) return null;
  const hw = result.resolved?.hardware || {};
  const cap = hw.host_memory_per_node_gb;
  const over = cap > 0 && h.per_node_gb > cap;
  return html`<section class="card" aria-labelledby="host-h">
    <h2 id="host-h">Host memory <span class="muted">(offload)</span></h2>
    <dl class="kv">
      <div><dt>Per GPU</dt><dd class="num">${fmtGiB(h.per_gpu_gb)}</dd></div>
      <div><dt>Per node${hw.gpus_per_node ? ` (${plural(hw.gpus_per_node, 'GPU')})` : ''}</dt><dd class="num">${fmtGiB(h.per_node_gb)}</dd></div>
      ${h.nvme_per_gpu_gb > 0 && html`<div><dt>NVMe per GPU</dt><dd class="num">${fmtGiB(h.nvme_per_gpu_gb)}</dd></div>`}
      ${cap > 0 && html`<div><dt>Node has</dt><dd class=${`num${over ? ' bad' : ''}`}>${fmtGiB(cap)}</dd></div>`}
    </dl>
    ${over && html`<p class="bad">The offloaded states need more host memory than the node has.</p>`}
    ${!(cap > 0) && html`<p class="muted small">Enter the host memory per node under Hardware to check it.</p>`}
  </section>`;
}

/** Move focus to a field's input, unfolding what hides it. */
export function focusField(path) {
  const [section, key] = String(path || '').split('.');
  const el = document.getElementById(inputId(section, key)) || document.getElementById(`sec-${section}`);
  if (!el) return;
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  el.focus({ preventScroll: true });
}

export function Warnings({ warnings }) {
  if (!warnings?.length) return null;
  return html`<section class="card warnings" aria-labelledby="warn-h">
    <h2 id="warn-h">Warnings <span class="muted">(${warnings.length})</span></h2>
    <ul>
      ${warnings.map((w) => html`<li>
        ${w.field ? html`<button type="button" class="link" onClick=${() => focusField(w.field)}>${fieldLabel(w.field)}</button>: ` : ''}${w.message}
      </li>`)}
    </ul>
  </section>`;
}
