// A seeded generator of extreme configs, shared by the native/WASM differential
// test and the fuzzer's seeds.

/** A seeded generator of extreme configs: presets and sizes near and past every bound. */
export function* extremeConfigs(count, presets, seed = 1) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const sizes = [0, 1, 2, 3, 4, 7, 8, 16, 64, 96, 1000, 4096, 65536, 100000, 1e6, 1048576, 1e7, 1e8, 1e9, 2 ** 31, 1e13, 1e15, 2 ** 53, 1e300, -1, 1.5, '7B', '1.5T', '1e15'];
  const fields = {
    model: ['num_layers', 'hidden_size', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'intermediate_size', 'vocab_size',
      'max_position_embeddings', 'num_experts', 'num_experts_per_tok', 'moe_intermediate_size', 'num_shared_experts', 'first_dense_layers',
      'num_parameters', 'kv_lora_rank', 'q_lora_rank', 'largest_layer_params', 'num_labels', 'decoder_sparse_step'],
    training: ['batch_size', 'seq_len', 'gradient_accumulation_steps', 'lora_rank'],
    parallelism: ['tensor_parallel_size', 'pipeline_parallel_size', 'data_parallel_size', 'context_parallel_size', 'expert_parallel_size',
      'virtual_pipeline_stages', 'num_microbatches'],
    engine: ['zero_stage', 'reduce_bucket_size', 'stage3_max_live_parameters', 'sub_group_size', 'bucket_cap_mb'],
    hardware: ['num_gpus', 'gpus_per_node', 'gpu_memory_gb', 'host_memory_per_node_gb', 'cuda_context_gb'],
  };
  const choices = {
    training: { optimizer: ['adamw', 'adamw_8bit', 'adafactor', 'sgd', 'lion'], finetune: ['full', 'lora', 'qlora'], precision: ['fp32', 'amp', 'mixed', 'pure_bf16'],
      activation_checkpointing: ['none', 'selective', 'full'], attention: ['flash', 'eager'], activation_offload: [true, false] },
    engine: { type: ['pytorch_ddp', 'deepspeed', 'megatron_lm', 'megatron_deepspeed', 'fsdp'], offload_optimizer: ['none', 'cpu', 'nvme'],
      offload_param: ['none', 'cpu', 'nvme'], sharding_strategy: ['full_shard', 'hybrid_shard', 'shard_grad_op'] },
    parallelism: { sequence_parallel: [true, false], pipeline_schedule: ['1f1b', 'interleaved', 'gpipe'] },
    hardware: { gpu: ['H100', 'A100 40GB', 'a100-80gb'] },
  };
  for (let i = 0; i < count; i++) {
    const c = { model: rnd() < 0.7 ? { preset: pick(presets) } : {}, training: {}, parallelism: {}, engine: {}, hardware: {} };
    const n = 1 + Math.floor(rnd() * 6);
    for (let k = 0; k < n; k++) {
      const section = pick(Object.keys(fields));
      if (rnd() < 0.7) c[section][pick(fields[section])] = pick(sizes);
      else if (choices[section]) {
        const key = pick(Object.keys(choices[section]));
        c[section][key] = pick(choices[section][key]);
      }
    }
    yield JSON.stringify(c);
  }
}
