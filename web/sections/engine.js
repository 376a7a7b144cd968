// Engine section: the training engine and the settings only it reads.
import { html } from 'htm/preact';
import { visibleFields, withKey } from '../lib/config.js';
import { Fields, More, Section, split } from './controls.js';

export function EngineSection({ value, onChange, onEngine, errors, warnings, resolved, ctx }) {
  const [main, adv] = split(visibleFields('engine', ctx));
  const set = (k, v) => (k === 'type' ? onEngine(v) : onChange(withKey(value, k, v)));
  const get = (k) => (k === 'type' ? value?.type ?? resolved?.type ?? 'pytorch_ddp' : value?.[k]);
  const common = { section: 'engine', value, resolved, errors, warnings, onChange: set, get };
  return html`<${Section} id="sec-engine" title="Engine">
    <${Fields} defs=${main} ...${common} />
    <${More} label="Buffers and buckets" defs=${adv} ...${common} />
  </${Section}>`;
}
