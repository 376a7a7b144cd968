// Hardware section: the GPU (from the presets or a capacity), how many, host memory.
import { html } from 'htm/preact';
import { findGpu, gpuList, inputId, visibleFields, withKey } from '../lib/config.js';
import { Fields, More, Section, split } from './controls.js';

const CUSTOM = '';
const BAD = '__bad';

export function HardwareSection({ value, onChange, errors, warnings, resolved, defaults, ctx }) {
  const hw = value || {};
  const [main, adv] = split(visibleFields('hardware', ctx));
  const set = (k, v) => onChange(withKey(hw, k, v));
  const gpus = gpuList();
  // A GPU that is not a name (an object from a crafted file) shows as such; the core says why.
  const bad = hw.gpu != null && typeof hw.gpu !== 'string';
  const preset = bad ? null : findGpu(hw.gpu);
  const sel = bad ? BAD : preset ? preset.id : hw.gpu ? hw.gpu : CUSTOM;
  const choose = (id) => {
    const next = { ...hw };
    if (id === BAD) return;
    if (id === CUSTOM) {
      delete next.gpu;
      // Keep the capacity the card had, so switching to custom changes nothing by itself.
      if (next.gpu_memory_gb == null && preset) next.gpu_memory_gb = `${Math.round(preset.memory_gb * 1024)}MiB`;
    } else {
      next.gpu = id;
      delete next.gpu_memory_gb;
    }
    onChange(next);
  };
  const gid = inputId('hardware', 'gpu');
  const err = errors?.['hardware.gpu'];
  const common = { section: 'hardware', value: hw, resolved, defaults, errors, warnings, onChange: set };
  return html`<${Section} id="sec-hardware" title="Hardware">
    <div class="fields">
      <div class=${`field wide${err ? ' has-error' : ''}`}>
        <label for=${gid}>GPU</label>
        <select id=${gid} value=${sel} onChange=${(e) => choose(e.currentTarget.value)}
          aria-invalid=${err ? 'true' : undefined} aria-describedby=${err ? `${gid}-err` : undefined}>
          ${gpus.map((g) => html`<option value=${g.id}>${g.name}</option>`)}
          ${hw.gpu && !preset && !bad && html`<option value=${hw.gpu}>${hw.gpu}</option>`}
          ${bad && html`<option value=${BAD}>not a GPU name: see the error</option>`}
          <option value=${CUSTOM}>Other: enter its memory</option>
        </select>
        ${preset && html`<p class="hint">${preset.memory_gb.toFixed(2)} GiB usable as nvidia-smi reports it${preset.cuda_context_gb ? `, ${Math.round(preset.cuda_context_gb * 1024)} MiB CUDA context` : ''}</p>`}
        ${err && html`<p class="field-error" id=${`${gid}-err`}>${err}</p>`}
      </div>
    </div>
    <${Fields} defs=${main} ...${common} />
    <${More} label="More hardware options" defs=${adv} ...${common} />
  </${Section}>`;
}
