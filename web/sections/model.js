// Model section: a preset, a pasted or dropped config.json, or an architecture typed in.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { aliasesOf, findModel, inputId, isFullConfig, modelList, modelValue, sectionFields, visibleFields } from '../lib/config.js';
import { fmtCount, fmtInt, plural } from '../lib/format.js';
import { Fields, More, Section, split } from './controls.js';

const CUSTOM = '__custom';
const COUNT = '__count';
const HF = '__hf';
const BAD = '__bad';

/** A Hugging Face model id: "owner/name", the characters the Hub allows. */
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The model's config.json from the Hugging Face Hub, fetched only when asked.
 * Resolves to {text} or {error} with what to do instead.
 */
export async function fetchHubConfig(id, fetchImpl = fetch) {
  const clean = String(id || '').trim().replace(/^https:\/\/huggingface\.co\//, '').replace(/\/+$/, '');
  if (!HUB_ID.test(clean)) return { error: 'Enter a model id such as meta-llama/Llama-3.1-8B.' };
  let res;
  try {
    res = await fetchImpl(`https://huggingface.co/${clean}/resolve/main/config.json`, { credentials: 'omit' });
  } catch {
    return { error: `Could not reach huggingface.co (offline, or the network blocks it). Download ${clean}'s config.json elsewhere and open it here.` };
  }
  if (res.status === 401 || res.status === 403)
    return { error: `${clean} is gated or private: accept its license on huggingface.co, download config.json there, and open it here.` };
  if (res.status === 404) return { error: `huggingface.co has no config.json for ${clean}: check the id.` };
  if (!res.ok) return { error: `huggingface.co answered ${res.status} for ${clean}.` };
  return { text: await res.text(), id: clean };
}

/** Which of the preset list's choices the model section is in. */
function modeOf(model) {
  if (!model) return CUSTOM;
  if (model.preset != null && typeof model.preset !== 'string') return BAD;
  if (model.preset) return findModel(model.preset)?.id ?? model.preset;
  if (model.model_type) return HF;
  const keys = Object.keys(model).filter((k) => k !== 'name');
  if (keys.length === 1 && keys[0] === 'num_parameters') return COUNT;
  return CUSTOM;
}

/** The architecture the core resolved, as explicit fields to edit. */
function explicitFrom(resolvedModel) {
  const out = {};
  for (const f of sectionFields('model')) {
    const v = resolvedModel?.[f.key];
    if (v == null || f.key === 'num_parameters' || f.key === 'largest_layer_params') continue;
    if (f.key === 'name' && !v) continue;
    if (f.group === 'moe' && f.key !== 'num_experts' && !(resolvedModel.num_experts > 0)) continue;
    out[f.key] = v;
  }
  return out;
}

/** "parameters · 32 layers · hidden 4,096 · 32 heads (8 KV) · vocab 128,256". */
function summary(p, r) {
  const bits = [` parameters${p.estimated ? ' (estimated)' : ''}`, plural(r.num_layers, 'layer'), `hidden ${fmtInt(r.hidden_size)}`,
    `${fmtInt(r.num_attention_heads)} heads${r.num_key_value_heads && r.num_key_value_heads !== r.num_attention_heads ? ` (${r.num_key_value_heads} KV)` : ''}`,
    `vocab ${fmtInt(r.vocab_size)}`];
  if (r.num_experts > 0) bits.push(`${r.num_experts} experts, ${fmtCount(p.active_per_token)} active per token`);
  return bits.join(' · ');
}

export function ModelSection({ value, onChange, errors, warnings, resolved, defaults, result, presets, ctx, onImport }) {
  const model = value || {};
  const mode = modeOf(model);
  const models = presets?.models || {};
  const [paste, setPaste] = useState('');
  const [pasteMsg, setPasteMsg] = useState(null);
  const [hubId, setHubId] = useState('');
  const [hubBusy, setHubBusy] = useState(false);
  const fetchHub = async () => {
    setHubBusy(true);
    setPasteMsg({ text: `Fetching ${hubId.trim()} from huggingface.co…` });
    const r = await fetchHubConfig(hubId);
    setHubBusy(false);
    if (r.error) setPasteMsg({ bad: true, text: r.error });
    else takeJson(r.text, `huggingface.co/${r.id}`);
  };

  const setField = (key, v) => {
    let next = { ...model };
    for (const a of aliasesOf('model', key)) delete next[a];
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };
  const choose = (id) => {
    if (id === CUSTOM) onChange(explicitFrom(resolved));
    else if (id === COUNT) onChange({ num_parameters: fmtCount(result?.parameters?.total ?? 7e9).replace(/,/g, '') });
    else if (id !== HF && id !== BAD) onChange({ preset: id });
  };
  const takeJson = (text, source) => {
    let obj;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      setPasteMsg({ bad: true, text: `Not valid JSON (${e.message}).` });
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      setPasteMsg({ bad: true, text: 'Expected a JSON object such as a config.json.' });
    } else if (isFullConfig(obj)) {
      onImport(obj);
      setPasteMsg({ text: `Loaded the whole config from ${source}.` });
    } else {
      onChange(obj);
      setPasteMsg({ text: `Model taken from ${source}${obj.model_type ? ` (model_type ${obj.model_type})` : ''}.` });
    }
  };
  const onFile = async (file) => {
    if (file) takeJson(await file.text(), file.name);
  };

  const defs = visibleFields('model', ctx);
  const [main, adv] = split(defs);
  const moe = defs.filter((d) => d.group === 'moe');
  const get = (k) => modelValue(model, k);
  const p = result?.parameters;
  const r = resolved || {};
  const common = { section: 'model', value: model, resolved: r, defaults, errors, warnings, onChange: setField, get };
  const presetNote = findModel(mode) && Object.hasOwn(models, mode) ? models[mode] : null;

  return html`<${Section} id="sec-model" title="Model">
    <div class="fields">
      <div class=${`field wide${errors?.['model.preset'] ? ' has-error' : ''}`}>
        <label for=${inputId('model', 'preset')}>Model</label>
        <select id=${inputId('model', 'preset')} value=${mode} onChange=${(e) => choose(e.currentTarget.value)}
          aria-invalid=${errors?.['model.preset'] ? 'true' : undefined}>
          <optgroup label="Presets">
            ${modelList().map((m) => html`<option value=${m.id}>${m.name}${models[m.id]?.parameters ? ` · ${fmtCount(models[m.id].parameters)}` : ''}</option>`)}
            ${typeof model.preset === 'string' && model.preset && !findModel(model.preset) && html`<option value=${model.preset}>${model.preset}</option>`}
            ${mode === BAD && html`<option value=${BAD}>not a preset name: see the error</option>`}
          </optgroup>
          <optgroup label="Your own">
            ${mode === HF && html`<option value=${HF}>From config.json${model.model_type ? ` (${model.model_type})` : ''}</option>`}
            <option value=${CUSTOM}>Custom architecture</option>
            <option value=${COUNT}>Parameter count only (estimated)</option>
          </optgroup>
        </select>
        ${errors?.['model.preset'] && html`<p class="field-error">${errors['model.preset']}</p>`}
      </div>
    </div>
    ${p && html`<p class="model-summary" aria-live="polite">
      <strong>${fmtCount(p.total)}</strong>${summary(p, r)}${presetNote?.hf_id ? html`${' · '}<span class="hf-id">${presetNote.hf_id}</span>` : ''}
    </p>`}
    <${Fields} defs=${main} ...${common} />
    <${More} label="Mixture of experts" defs=${moe} ...${common} />
    <${More} label="More architecture options" defs=${adv} ...${common} />
    <details class="more" open=${mode === HF || undefined}>
      <summary>Paste or open a Hugging Face config.json</summary>
      <div class="paste">
        <div class="hub-row">
          <label for="hf-hub-id">Hugging Face model id</label>
          <div class="hub-input">
            <input id="hf-hub-id" type="text" placeholder="meta-llama/Llama-3.1-8B" autocomplete="off" spellcheck="false"
              value=${hubId} onInput=${(e) => setHubId(e.currentTarget.value)}
              onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); if (hubId.trim() && !hubBusy) fetchHub(); } }} />
            <button type="button" class="button" disabled=${hubBusy || !hubId.trim()} onClick=${fetchHub}>Fetch config.json</button>
          </div>
          <p class="hint">Asks huggingface.co for this one file, only when you press the button.</p>
        </div>
        <label for="hf-paste">config.json text</label>
        <textarea id="hf-paste" rows="4" spellcheck="false" placeholder='{"model_type": "llama", "hidden_size": 4096, ...}'
          value=${paste} onInput=${(e) => { setPaste(e.currentTarget.value); if (e.currentTarget.value.trim()) takeJson(e.currentTarget.value, 'the pasted text'); }}></textarea>
        <div class="paste-row">
          <button type="button" class="button" onClick=${() => document.getElementById('hf-file').click()}>Open a file…</button>
          <input type="file" id="hf-file" hidden accept=".json,application/json" aria-label="config.json file"
            onChange=${(e) => { onFile(e.currentTarget.files[0]); e.currentTarget.value = ''; }} />
          <span class="muted">or drop a .json file anywhere on the page.</span>
        </div>
        ${pasteMsg && html`<p class=${pasteMsg.bad ? 'field-error' : 'ok-note'} role="status">${pasteMsg.text}</p>`}
      </div>
    </details>
  </${Section}>`;
}
