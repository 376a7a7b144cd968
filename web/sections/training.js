// Training section: batch, sequence, precision, optimizer, recompute, fine-tuning.
import { html } from 'htm/preact';
import { acName, visibleFields, withKey } from '../lib/config.js';
import { Fields, More, Section, split } from './controls.js';

export function TrainingSection({ value, onChange, errors, warnings, resolved, defaults, ctx }) {
  const [main, adv] = split(visibleFields('training', ctx));
  const set = (k, v) => onChange(withKey(value, k, v));
  // The earlier tool's 0–4 checkpointing scale shows as its name.
  const get = (k) => (k === 'activation_checkpointing' ? acName(value?.[k]) : value?.[k]);
  const r = { ...(resolved || {}), activation_checkpointing: acName(resolved?.activation_checkpointing) };
  const common = { section: 'training', value, resolved: r, defaults, errors, warnings, onChange: set, get };
  return html`<${Section} id="sec-training" title="Training">
    <${Fields} defs=${main} ...${common} />
    <${More} label="More training options" defs=${adv} ...${common} />
  </${Section}>`;
}
