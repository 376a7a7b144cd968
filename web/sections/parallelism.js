// Parallelism section: data, tensor, pipeline, context and expert parallel sizes.
import { html } from 'htm/preact';
import { visibleFields, withKey } from '../lib/config.js';
import { plural } from '../lib/format.js';
import { Fields, More, Section, split } from './controls.js';

/** What each data-parallel GPU holds, in the engine's own terms. */
function replicaNote(ctx) {
  if (ctx.engine === 'pytorch_ddp') return 'Each GPU holds a whole model replica: weights, gradients and optimizer states. FSDP or DeepSpeed ZeRO shard them.';
  if (ctx.engine !== 'deepspeed') return null;
  if (ctx.zero >= 3) return 'ZeRO-3 shards weights, gradients and optimizer states across the data-parallel GPUs.';
  if (ctx.zero === 2) return 'ZeRO-2 shards gradients and optimizer states; each GPU holds all the weights.';
  if (ctx.zero === 1) return 'ZeRO-1 shards optimizer states; each GPU holds all the weights and gradients.';
  return 'ZeRO stage 0: each GPU holds a whole model replica. Stages 1–3 shard it across the data-parallel GPUs.';
}

export function ParallelismSection({ value, onChange, errors, warnings, resolved, defaults, ctx, invalid }) {
  const [main, adv] = split(visibleFields('parallelism', ctx));
  const set = (k, v) => onChange(withKey(value, k, v));
  const common = { section: 'parallelism', value, resolved, defaults, errors, warnings, onChange: set };
  // With an invalid config the last result's sizes are stale: show what is typed.
  const r = invalid ? {} : resolved || {};
  const pick = (k) => (typeof value?.[k] === 'number' ? value[k] : r[k]);
  const layout = [
    ['d', pick('data_parallel_size')], ['t', pick('tensor_parallel_size')], ['p', pick('pipeline_parallel_size')],
    ['c', pick('context_parallel_size')], ['e', pick('expert_parallel_size')],
  ].filter(([, v]) => v > 1);
  const gpus = layout.filter(([k]) => k !== 'e').reduce((a, [, v]) => a * v, 1);
  return html`<${Section} id="sec-parallelism" title="Parallelism" note=${replicaNote(ctx)}>
    <${Fields} defs=${main} ...${common} />
    ${layout.length > 0 && html`<p class="muted small layout-line">Layout: ${layout.map(([k, v]) => `${k}=${v}`).join(' × ')}${
      invalid ? ' (as typed; the config is invalid)' : ` = ${plural(gpus, 'GPU')}`}</p>`}
    <${More} label="More parallelism options" defs=${adv} ...${common} />
  </${Section}>`;
}
