// Parallelism section: data, tensor, pipeline, context and expert parallel sizes.
import { html } from 'htm/preact';
import { visibleFields, withKey } from '../lib/config.js';
import { Fields, More, Section, split } from './controls.js';

export function ParallelismSection({ value, onChange, errors, warnings, resolved, ctx }) {
  const [main, adv] = split(visibleFields('parallelism', ctx));
  const set = (k, v) => onChange(withKey(value, k, v));
  const common = { section: 'parallelism', value, resolved, errors, warnings, onChange: set };
  const r = resolved || {};
  const layout = [
    ['d', r.data_parallel_size], ['t', r.tensor_parallel_size], ['p', r.pipeline_parallel_size],
    ['c', r.context_parallel_size], ['e', r.expert_parallel_size],
  ].filter(([, v]) => v > 1);
  const note = ctx.engine === 'pytorch_ddp' || ctx.engine === 'deepspeed'
    ? 'Each GPU holds a whole model replica; ZeRO or FSDP shard it across the data-parallel group.'
    : null;
  return html`<${Section} id="sec-parallelism" title="Parallelism" note=${note}>
    <${Fields} defs=${main} ...${common} />
    ${layout.length > 0 && html`<p class="muted small">Layout: ${layout.map(([k, v]) => `${k}=${v}`).join(' × ')} = ${layout.reduce((a, [, v]) => a * v, 1)} GPUs</p>`}
    <${More} label="More parallelism options" defs=${adv} ...${common} />
  </${Section}>`;
}
