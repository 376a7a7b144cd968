// The importers: each launcher file of tests/imports read by the native CLI
// (`gpu-mem-calc import`) and by the WebAssembly import module, which must
// agree, against its expected mapping; then calculated with what the file
// leaves out. Also: detection of every kind, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadGpuMem, GmError } from '../../wasm/gpumem.js';
import { at, build, root } from './helpers.mjs';

const cli = fileURLToPath(new URL('gpu-mem-calc', build));
const importsDir = new URL('tests/imports/', root);
const bytes = readFileSync(new URL('wasm/gpumem-import.wasm', build));
const gm = await loadGpuMem({ bytes });
const files = readdirSync(importsDir).filter((f) => /\.(json|sh|ya?ml|toml)$/.test(f));
const detectedAs = { megatron: 'Megatron-LM arguments', deepspeed: 'a DeepSpeed config', yaml: 'an? [A-Za-z-]+ config \\(YAML\\)', toml: 'a torchtitan job config \\(TOML\\)' };

test('every launcher file has its expectation', () => {
  assert.ok(files.length >= 6);
  for (const f of files) readFileSync(new URL(`expected/${f.replace(/\.[^.]+$/, '')}.json`, importsDir));
});

for (const file of files) {
  const path = fileURLToPath(new URL(file, importsDir));
  const expected = JSON.parse(readFileSync(new URL(`expected/${file.replace(/\.[^.]+$/, '')}.json`, importsDir), 'utf8'));

  test(`${file}: native and WebAssembly give the same report`, () => {
    const native = execFileSync(cli, ['import', path], { encoding: 'utf8' });
    assert.equal(gm.importRaw(readFileSync(path, 'utf8')) + '\n', native);
  });

  test(`${file}: the mapping is the expected one`, () => {
    const report = gm.importConfig(readFileSync(path, 'utf8'));
    assert.equal(report.kind, expected.kind);
    assert.deepEqual(report.config, expected.config);
    assert.deepEqual(report.warnings.map((w) => w.field), expected.warnings);
    // Every key the file holds is accounted for: mapped, without effect, or warned.
    for (const w of report.warnings) assert.ok(w.message.length > 0);
    for (const m of report.mapped) assert.deepEqual(at(report.config, m.to), m.value, m.to);
  });

  test(`${file}: calculate --config with the missing keys gives the expected figures`, () => {
    const { args, expect } = expected.calculate;
    const run = spawnSync(cli, ['calculate', '--config', path, ...args, '--format', 'json'], { encoding: 'utf8', cwd: fileURLToPath(root) });
    assert.equal(run.status, 0, run.stderr + run.stdout.slice(0, 400));
    assert.match(run.stderr, new RegExp(`${file}: ${detectedAs[expected.kind]}`));
    const result = JSON.parse(run.stdout);
    for (const [key, want] of Object.entries(expect)) assert.deepEqual(at(result, key), want, key);
  });
}

test('detection: our config, a config.json, a ds_config.json, Megatron arguments', () => {
  assert.equal(gm.importConfig('{"model": {"preset": "gpt2"}}').kind, 'config');
  const hf = gm.importConfig(readFileSync(new URL('tests/hf/qwen2.5-7b.json', root), 'utf8'));
  assert.equal(hf.kind, 'hf_config');
  assert.match(hf.detected, /model_type qwen2/);
  assert.equal(hf.config.model.hidden_size, 3584);
  assert.equal(gm.importConfig('{"train_micro_batch_size_per_gpu": 2}').config.training.batch_size, 2);
  const mg = gm.importConfig('--num-layers 2 --hidden-size 64 --num-attention-heads 4 --tensor-model-parallel-size 2');
  assert.equal(mg.kind, 'megatron');
  assert.equal(mg.config.parallelism.tensor_parallel_size, 2);
  assert.equal(mg.config.model.intermediate_size, 256); // 4h, Megatron's default
});

test('DeepSpeed: train_batch_size gives the data-parallel size; fp32 without a half section', () => {
  const r = gm.importConfig(JSON.stringify({ train_batch_size: 64, train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 4 }));
  assert.equal(r.config.parallelism.data_parallel_size, 8);
  assert.equal(r.config.training.dtype, 'fp32');
  const odd = gm.importConfig(JSON.stringify({ train_batch_size: 10, train_micro_batch_size_per_gpu: 4 }));
  assert.equal(odd.config.parallelism, undefined);
  assert.deepEqual(odd.warnings.map((w) => w.field), ['train_batch_size']);
  const nvme = gm.importConfig(JSON.stringify({ zero_optimization: { stage: 3, offload_param: { device: 'nvme', nvme_path: '/local_nvme' }, made_up: 1 } }));
  assert.equal(nvme.config.engine.offload_param, 'nvme');
  assert.ok(nvme.ignored.some((i) => i.field === 'zero_optimization.offload_param.nvme_path'));
  assert.ok(nvme.warnings.some((w) => w.field === 'zero_optimization.made_up' && /not recognised/.test(w.message)));
});

test('Megatron: SwiGLU width, vocabulary padding, quoting, variables, unknown options', () => {
  const r = gm.importConfig(`H=4096
torchrun --nproc_per_node 8 pretrain_gpt.py --hidden-size $H --num-layers 2 --num-attention-heads 32 \\
  --swiglu --vocab-size 50257 --tensor-model-parallel-size 2 --normalization "RMSNorm" --made-up-flag`);
  assert.equal(r.config.model.hidden_size, 4096);
  assert.equal(r.config.model.intermediate_size, 10880); // int(4h * 2/3 / 64) * 64
  assert.equal(r.config.model.vocab_size, 50432); // a multiple of 128 x 2
  assert.equal(r.config.model.norm, 'rmsnorm');
  assert.equal(r.config.hardware.num_gpus, 8);
  assert.ok(r.warnings.some((w) => w.field === '--made-up-flag'));
  const unresolved = gm.importConfig('--num-layers $LAYERS --hidden-size 64 --num-attention-heads 4');
  assert.match(unresolved.warnings.find((w) => w.field === '--num-layers').message, /shell variable/);
});

test('YAML: plain and quoted scalars, the 4-bit base, LLaMA-Factory checkpointing off, accelerate FSDP numbers', () => {
  const ax = gm.importConfig('base_model: gpt2\nsequence_len: "512"\nmicro_batch_size: 4\nadapter: lora\nload_in_4bit: true\noptimizer: adamw_bnb_8bit\n');
  assert.equal(ax.config.model.preset, 'gpt2');
  assert.equal(ax.config.training.finetune, 'qlora');
  assert.equal(ax.config.training.optimizer, 'adamw_8bit');
  assert.deepEqual(ax.warnings.map((w) => w.field), ['sequence_len']); // quoted: a string, not a number
  const lf = gm.importConfig('model_name_or_path: gpt2\nfinetuning_type: full\ndisable_gradient_checkpointing: true\nquantization_bit: 8\n');
  assert.equal(lf.config.training.activation_checkpointing, 'none');
  assert.ok(lf.warnings.some((w) => w.field === 'quantization_bit'));
  const acc = gm.importConfig('distributed_type: FSDP\nnum_processes: 16\nnum_machines: 2\nfsdp_config:\n  fsdp_sharding_strategy: 4\n  fsdp_offload_params: true\n');
  assert.equal(acc.config.engine.sharding_strategy, 'hybrid_shard');
  assert.equal(acc.config.engine.offload_optimizer, 'cpu');
  assert.equal(acc.config.hardware.gpus_per_node, 8);
});

test('torchtitan TOML: HSDP, DDP, pipeline micro-batches, float8 recipes, the older layout', () => {
  const tt = (body) => gm.importConfig(`[model]\nname = "llama3"\nflavor = "8B"\n${body}`);
  const hsdp = tt('[parallelism]\ndata_parallel_replicate_degree = 2\ndata_parallel_shard_degree = 4\n');
  assert.equal(hsdp.kind, 'toml');
  assert.equal(hsdp.config.engine.sharding_strategy, 'hybrid_shard');
  assert.equal(hsdp.config.parallelism.data_parallel_size, 8);
  const ddp = tt('[parallelism]\ndata_parallel_replicate_degree = 4\ndata_parallel_shard_degree = 1\n');
  assert.equal(ddp.config.engine.type, 'pytorch_ddp');
  assert.equal(ddp.config.parallelism.data_parallel_size, 4);
  // Pipeline: the local batch is cut into micro-batches of pipeline_parallel_microbatch_size.
  const pp = tt('[training]\nlocal_batch_size = 8\nglobal_batch_size = 64\n[parallelism]\ndata_parallel_shard_degree = 2\n' +
    'pipeline_parallel_degree = 4\npipeline_parallel_microbatch_size = 2\npipeline_parallel_schedule = "Interleaved1F1B"\n');
  assert.equal(pp.config.training.batch_size, 2);
  assert.equal(pp.config.parallelism.num_microbatches, 4);
  assert.equal(pp.config.parallelism.pipeline_schedule, 'interleaved');
  assert.equal(pp.config.parallelism.virtual_pipeline_stages, 2);
  assert.equal(pp.config.training.gradient_accumulation_steps, 4); // 64 / (8 x 2)
  const old = gm.importConfig('[model]\nflavor = "8B"\n[training]\nbatch_size = 4\ndata_parallel_degree = 8\n' +
    '[experimental]\npipeline_parallel_degree = 2\npipeline_parallel_microbatches = 2\n[float8]\nenable_float8_linear = true\n');
  assert.equal(old.config.training.batch_size, 2);
  assert.equal(old.config.parallelism.num_microbatches, 2);
  assert.equal(old.config.parallelism.data_parallel_size, 8);
  assert.equal(old.config.training.fp8, 'tensorwise');
  const rowwise = tt('converters = ["quantize.linear.float8"]\n[quantize.linear.float8]\nrecipe_name = "rowwise"\n');
  assert.equal(rowwise.config.training.fp8, 'rowwise');
  const mx = tt('[compile]\nenable = true\ncomponents = ["loss"]\n[activation_checkpoint]\nmode = "selective"\nselective_ac_option = "1"\n');
  assert.equal(mx.config.training.compile, false); // the model stays eager
  assert.equal(mx.config.training.activation_checkpointing, 'full');
  const odd = tt('[training]\nseq_len = 4096.5\nmixed_precision_param = "float16"\n[made_up]\nx = 1\n[parallelism]\ntensor_parallel_degree = "two"\n');
  assert.deepEqual(odd.warnings.map((w) => w.field).sort(),
    ['made_up.x', 'parallelism.tensor_parallel_degree', 'training.mixed_precision_param', 'training.seq_len']);
  assert.throws(() => tt('[model]\n'), /toml: line 4/); // a table defined twice
});

test('torchtitan llama3_8b.toml as its December 2024 benchmark ran it gives the figure of the measured row TT-1', () => {
  const row = JSON.parse(readFileSync(new URL('tests/validation/rows/TT-1.json', root), 'utf8'));
  const calc = (args, input) => JSON.parse(execFileSync(cli, ['calculate', ...args, '--format', 'json'], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] }));
  const fromRow = calc(['--config', '-'], JSON.stringify(row.config));
  const imported = calc(['--config', fileURLToPath(new URL('torchtitan_llama3_8b.toml', importsDir)), '--set', 'training.batch_size=2',
    '--set', `hardware.num_gpus=${row.config.hardware.num_gpus}`, '--set', `engine.framework_version=${row.config.engine.framework_version}`,
    '--set', `hardware.gpu_memory_gb=${row.config.hardware.gpu_memory_gb}`]);
  assert.equal(imported.peak_reserved_gb, fromRow.peak_reserved_gb);
  assert.deepEqual(imported.resolved.training, fromRow.resolved.training);
  assert.deepEqual(imported.resolved.parallelism, fromRow.resolved.parallelism);
  assert.ok(Math.abs(imported.peak_reserved_gb - row.measured.value) / row.measured.value < 0.1);
});

test('TOML errors give the line and column; a TOML that is not torchtitan is named', () => {
  assert.throws(() => gm.importConfig('[training]\nseq_len = 8192\nlocal_batch_size = \n'), (e) => e.field === 'toml' && /^toml: line 3, column 20: .*expected value/.test(e.message));
  assert.throws(() => gm.importConfig('[training]\nseq_len = 1\nseq_len = 2\n'), /toml: line 3/);
  assert.throws(() => gm.importConfig('[tool.poetry]\nname = "x"\n'), (e) => e.field === 'toml' && /not a torchtitan job config/.test(e.message));
  assert.throws(() => gm.importConfig('a = 1\n', 'toml'), /not a torchtitan job config/);
  assert.throws(() => gm.importConfig('not = [toml\n', 'torchtitan'), /toml: line 1/);
  // A header with no key (toml++ 3.3.0 asserted here) and a control character: errors, with their place.
  assert.throws(() => gm.importConfig('[job]\n[\n', 'toml'), /toml: line 2, column 2: .*expected bare key/);
  assert.throws(() => gm.importConfig('[job]\n[\u001braining]\n'), /toml: line 2, column 2: a control character \(0x1B\)/);
});

test('errors name what is wrong', () => {
  assert.throws(() => gm.importConfig('just some text'), (e) => e instanceof GmError && /neither JSON, TOML, YAML nor a Megatron-LM/.test(e.message));
  assert.throws(() => gm.importConfig('a: [1, 2'), /neither JSON, TOML, YAML nor/);
  assert.throws(() => gm.importConfig('colour: blue\n'), /neither an Axolotl, a LLaMA-Factory nor an accelerate config/);
  assert.throws(() => gm.importConfig('a: &x 1\nb: *x\n', 'yaml'), /aliases/);
  assert.throws(() => gm.importConfig('{"foo": 1}'), /neither a gpu-mem-calc config/);
  assert.throws(() => gm.importConfig('{}', 'made-up'), (e) => e.field === 'kind');
  assert.throws(() => gm.importConfig('[1]', 'deepspeed'), /not a JSON object/);
  assert.throws(() => gm.importConfig('--a 1 '.repeat(15000), 'megatron'), /more than 20000 words/);
});

test('the import module holds no presets or schema: asking for them is an error, not an empty list', () => {
  assert.throws(() => gm.presets(), /this module has no presets/);
  assert.throws(() => gm.schema(), /this module has no schema/);
});
