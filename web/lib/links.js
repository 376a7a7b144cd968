// Where the page's "why" links go: the docs beside the served page, or the
// repository's rendered copies when the build knows them (<meta name="gm-docs">).

function docsBase() {
  const m = typeof document !== 'undefined' && document.querySelector('meta[name="gm-docs"]');
  return (m && m.getAttribute('content')) || 'docs/';
}

/** The URL of a docs page, with an optional section anchor. */
export function docsUrl(file, anchor = '') {
  return `${docsBase()}${file}${anchor ? `#${anchor}` : ''}`;
}

/** The section of docs/formulas.md that derives each memory component. */
export const FORMULA_SECTION = {
  weights: '2-model-states-corestatesc',
  gradients: '2-model-states-corestatesc',
  optimizer_states: '2-model-states-corestatesc',
  activations: '3-activations-coreactivationsc',
  logits: '4-logits-and-loss-gm_loss_bytes',
  gathered_params: '5-gathered-parameters-buffers-and-step-temporaries',
  buffers: '5-gathered-parameters-buffers-and-step-temporaries',
  optimizer_step: '5-gathered-parameters-buffers-and-step-temporaries',
  allocator_cache: '6-the-peak-reserved-memory-and-nvidia-smi-corecalcc',
  cuda_context: '6-the-peak-reserved-memory-and-nvidia-smi-corecalcc',
};

/** The published page, where the offline file's links point (<meta name="gm-page-url">). */
export function publishedUrl() {
  const m = typeof document !== 'undefined' && document.querySelector('meta[name="gm-page-url"]');
  return (m && m.getAttribute('content')) || '';
}
