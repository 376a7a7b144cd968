// The memory components of one GPU, in the order the bar stacks them.
export const PARTS = [
  { key: 'weights', label: 'Weights', about: 'the parameters this GPU holds' },
  { key: 'gradients', label: 'Gradients', about: 'one gradient per trainable parameter held' },
  { key: 'optimizer_states', label: 'Optimizer states', about: 'master weights and moments' },
  { key: 'activations', label: 'Activations', about: 'tensors saved for the backward pass' },
  { key: 'logits', label: 'Logits and loss', about: 'the output layer and the cross-entropy' },
  { key: 'gathered_params', label: 'Gathered parameters', about: 'sharded layers gathered for compute' },
  { key: 'buffers', label: 'Buffers', about: 'communication buckets and cuBLAS workspaces' },
  { key: 'optimizer_step', label: 'Optimizer step', about: 'temporaries of step()' },
  { key: 'allocator_cache', label: 'Allocator cache', about: 'reserved by PyTorch, not in use' },
  { key: 'cuda_context', label: 'CUDA context', about: 'driver and kernels, outside PyTorch' },
];

/** The parts with a non-zero size in a bytes object. */
export const present = (bytes) => PARTS.filter((p) => (bytes?.[p.key] || 0) > 0);

/** The words for each level, the same on the verdict card, in the compare table and in the export. */
export const LEVEL_WORDS = { ok: 'Fits', tight: 'Tight', over: 'Does not fit' };

/** The level the page colours: the core's verdict (fits / tight / does not fit), never its own thresholds. */
export function level(result) {
  if (result?.verdict === 'does_not_fit') return 'over';
  if (result?.verdict === 'tight') return 'tight';
  return 'ok';
}
