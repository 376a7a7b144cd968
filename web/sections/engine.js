// Engine section: the training engine and the settings only it reads.
import { html } from 'htm/preact';
import { inputId, visibleFields, withKey } from '../lib/config.js';
import { Fields, More, Section, split } from './controls.js';

/* FSDP's CPUOffload(offload_params=True) keeps parameters and gradients on the
 * host and runs the optimizer step there; the core reads that as both offloads. */
const FSDP_OFFLOAD = [
  ['none', 'none'],
  ['all', 'parameters, gradients and optimizer (CPUOffload)'],
  ['optimizer', 'optimizer states only'],
];

function fsdpOffloadOf(e) {
  const p = e?.offload_param, o = e?.offload_optimizer;
  if (p == null && o == null) return '';
  if (p === 'cpu' && o === 'cpu') return 'all';
  if ((p == null || p === 'none') && o === 'cpu') return 'optimizer';
  if ((p == null || p === 'none') && (o == null || o === 'none')) return 'none';
  return 'other';
}

function FsdpOffload({ value, onChange, errors }) {
  const id = inputId('engine', 'offload_param');
  const cur = fsdpOffloadOf(value);
  const err = errors?.['engine.offload_param'] || errors?.['engine.offload_optimizer'];
  const choose = (v) => {
    let e = withKey(withKey(value, 'offload_param', undefined), 'offload_optimizer', undefined);
    if (v === 'all') e = { ...e, offload_param: 'cpu', offload_optimizer: 'cpu' };
    else if (v === 'optimizer') e = { ...e, offload_optimizer: 'cpu' };
    else if (v === 'none') e = { ...e, offload_param: 'none', offload_optimizer: 'none' };
    onChange(e);
  };
  return html`<div class=${`field wide${err ? ' has-error' : ''}`}>
    <label for=${id}>CPU offload</label>
    <select id=${id} value=${cur} onChange=${(ev) => choose(ev.currentTarget.value)} aria-invalid=${err ? 'true' : undefined}>
      <option value="">default: none</option>
      ${FSDP_OFFLOAD.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      ${cur === 'other' && html`<option value="other">as imported: parameters ${String(value?.offload_param)}, optimizer ${String(value?.offload_optimizer)}</option>`}
    </select>
    ${err && html`<p class="field-error" id=${`${id}-err`}>${err}</p>`}
  </div>`;
}

export function EngineSection({ value, onChange, onEngine, errors, warnings, resolved, defaults, ctx }) {
  const [main, adv] = split(visibleFields('engine', ctx));
  const set = (k, v) => (k === 'type' ? onEngine(v) : onChange(withKey(value, k, v)));
  const get = (k) => (k === 'type' ? value?.type ?? resolved?.type ?? 'pytorch_ddp' : value?.[k]);
  const common = { section: 'engine', value, resolved, defaults, errors, warnings, onChange: set, get };
  return html`<${Section} id="sec-engine" title="Engine">
    <${Fields} defs=${main} ...${common} />
    ${ctx.engine === 'fsdp' && html`<div class="fields"><${FsdpOffload} value=${value} onChange=${onChange} errors=${errors} /></div>`}
    <${More} label="Buffers and buckets" defs=${adv} ...${common} />
  </${Section}>`;
}
