// Form controls shared by the sections: one labelled input per config field.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { inputId } from '../lib/config.js';
import { fmtCount, inputToValue } from '../lib/format.js';

const round = (v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));

/** How a resolved (default) value reads as a placeholder. */
function placeholderFor(def, resolved) {
  if (resolved == null || resolved === '') return def.kind === 'memory' ? 'e.g. 80GB' : '';
  if (def.kind === 'count') return typeof resolved === 'number' ? fmtCount(resolved) : String(resolved);
  if (def.kind === 'memory') return typeof resolved === 'number' ? `${round(resolved)} GiB` : String(resolved);
  if (typeof resolved === 'number') return round(resolved);
  return String(resolved);
}

function optionLabel(def, v) {
  const o = def.options.find((x) => String(x.value) === String(v));
  return o ? o.label : String(v);
}

/** A text input's value as the config stores it; a bare count takes the field's unit. */
function toValue(def, text) {
  if (def.kind === 'text') return text || undefined;
  if (def.bare && /^\s*[0-9]*\.?[0-9]+\s*$/.test(text)) return `${text.trim()}${def.bare}`;
  return inputToValue(text, def.kind);
}

/**
 * One field. value: what the config holds (undefined = default); resolved:
 * the value the core used, shown as the placeholder; dflt: the value the core
 * uses with the field unset, named by a select's "default" choice.
 */
export function Field({ section, def, value, resolved, dflt, error, warning, onChange }) {
  const id = inputId(section, def.key);
  // What the user is typing, kept while the config holds its reading ("70" -> "70B").
  const [draft, setDraft] = useState(null);
  const descIds = [];
  if (error) descIds.push(`${id}-err`);
  else if (warning) descIds.push(`${id}-warn`);
  if (def.hint) descIds.push(`${id}-hint`);
  const describedBy = descIds.join(' ') || undefined;
  const set = (v) => onChange(def.key, v);
  let control;
  if (def.kind === 'bool') {
    const checked = value != null ? !!value : !!resolved;
    return html`
      <div class=${`field field-bool${error ? ' has-error' : ''}`}>
        <input type="checkbox" id=${id} checked=${checked} aria-invalid=${error ? 'true' : undefined}
          aria-describedby=${describedBy} onChange=${(e) => set(e.currentTarget.checked)} />
        <label for=${id}>${def.label}${value == null ? html`<span class="default-tag"> default</span>` : ''}</label>
        ${error && html`<p class="field-error" id=${`${id}-err`}>${error}</p>`}
        ${!error && warning && html`<p class="field-warn" id=${`${id}-warn`}>${warning}</p>`}
      </div>`;
  }
  if (def.kind === 'select') {
    const cur = value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const known = value == null || def.options.some((o) => String(o.value) === cur);
    control = html`
      <select id=${id} value=${cur} aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy}
        onChange=${(e) => {
          const v = e.currentTarget.value;
          if (v === '') return set(undefined);
          const o = def.options.find((x) => String(x.value) === v);
          set(o ? o.value : v);
        }}>
        ${!def.required && html`<option value="">${dflt != null && dflt !== '' ? `default: ${optionLabel(def, dflt)}` : 'default'}</option>`}
        ${def.options.map((o) => html`<option value=${String(o.value)}>${o.label}</option>`)}
        ${!known && html`<option value=${cur}>${cur}</option>`}
      </select>`;
  } else {
    const shown = value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const text = draft != null && toValue(def, draft) === value ? draft : shown;
    const numeric = def.kind === 'int' || def.kind === 'number';
    control = html`
      <input id=${id} type="text" value=${text} placeholder=${placeholderFor(def, resolved)}
        inputmode=${numeric ? (def.kind === 'int' ? 'numeric' : 'decimal') : undefined}
        autocomplete="off" spellcheck="false"
        aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy}
        onInput=${(e) => { setDraft(e.currentTarget.value); set(toValue(def, e.currentTarget.value)); }}
        onBlur=${() => setDraft(null)} />`;
  }
  return html`
    <div class=${`field${error ? ' has-error' : ''}${def.wide ? ' wide' : ''}`}>
      <label for=${id} title=${def.title}>${def.label}</label>
      ${control}
      ${def.hint && html`<p class="hint" id=${`${id}-hint`}>${def.hint}</p>`}
      ${error && html`<p class="field-error" id=${`${id}-err`}>${error}</p>`}
      ${!error && warning && html`<p class="field-warn" id=${`${id}-warn`}>${warning}</p>`}
    </div>`;
}

/**
 * A grid of fields. get(key) reads the config value (a section may map
 * names); defaults(section, key) is the value with the key unset (the core's
 * answer); errors and warnings are keyed by the full path "section.key".
 */
export function Fields({ section, defs, value, resolved, defaults, errors, warnings, onChange, get }) {
  if (!defs.length) return null;
  const read = get || ((k) => value?.[k]);
  // Unset, the value the core resolved is the default; set, the core is asked without it.
  const dflt = (def, v) => (v == null ? resolved?.[def.key] : def.kind === 'select' ? defaults?.(section, def.key) : undefined);
  return html`<div class="fields">
    ${defs.map((def) => html`<${Field} key=${def.key} section=${section} def=${def} value=${read(def.key)}
      resolved=${resolved?.[def.key]} dflt=${dflt(def, read(def.key))} error=${errors?.[`${section}.${def.key}`]}
      warning=${warnings?.[`${section}.${def.key}`]} onChange=${onChange} />`)}
  </div>`;
}

/**
 * Folded-away fields; open by itself when one of them is set or wrong. Folded,
 * they are not rendered at all: most of the form is folded, and the first
 * result should not wait for fields nobody sees.
 */
export function More({ label, section, defs, value, errors, warnings, get, children, ...rest }) {
  if (!defs.length && !children) return null;
  const read = get || ((k) => value?.[k]);
  const hot = defs.some((d) => read(d.key) != null || errors?.[`${section}.${d.key}`] || warnings?.[`${section}.${d.key}`]);
  const [open, setOpen] = useState(hot);
  useEffect(() => { if (hot) setOpen(true); }, [hot]);
  return html`<details class="more" open=${open} onToggle=${(e) => setOpen(e.currentTarget.open)}>
    <summary>${label}</summary>
    ${open && html`${children}
      <${Fields} section=${section} defs=${defs} value=${value} errors=${errors} warnings=${warnings} get=${get} ...${rest} />`}
  </details>`;
}

/** The frame of one form section. */
export function Section({ id, title, note, children }) {
  return html`<fieldset class="section" id=${id}>
    <legend>${title}</legend>
    ${note && html`<p class="section-note">${note}</p>`}
    ${children}
  </fieldset>`;
}

/** Split a section's visible fields into the main ones and the folded ones. */
export function split(defs) {
  return [defs.filter((d) => !d.advanced && !d.group), defs.filter((d) => d.advanced && !d.group)];
}
