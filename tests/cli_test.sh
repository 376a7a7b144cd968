#!/bin/sh
# cli_test.sh BINARY [RUN_CASES] - tests of the gpu-mem-calc command line:
# exit statuses, the table and its verdict, JSON output byte-identical to
# calc_json's (printed by RUN_CASES --calc, by default next to BINARY),
# quick, validate and presets. Ends with "N passed, N failed".
BIN=${1:?usage: cli_test.sh BINARY [RUN_CASES]}
RUNNER=${2:-$(dirname "$BIN")/run_cases}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EX=$ROOT/presets/examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$ROOT/tests/cli_lib.sh"

write() { # write FILE TEXT
  printf '%s\n' "$2" >"$TMP/$1"
}

write fits.json '{"model": {"preset": "gpt2"}, "training": {"batch_size": 1, "seq_len": 1024},
  "hardware": {"num_gpus": 1, "gpu": "H100"}}'
write tight.json '{"model": {"preset": "gpt2"}, "training": {"batch_size": 50, "seq_len": 1024},
  "hardware": {"num_gpus": 1, "gpu": "H100"}}'
write host.json '{"model": {"preset": "llama-3.1-70b"}, "training": {"batch_size": 1, "seq_len": 4096,
  "activation_checkpointing": "full"}, "engine": {"type": "deepspeed", "zero_stage": 3,
  "offload_optimizer": "cpu", "offload_param": "cpu"},
  "hardware": {"gpu": "h100-80gb", "num_gpus": 8, "host_memory_per_node_gb": "512GB"}}'
write nofit.json '{"model": {"preset": "llama-3-8b"}, "training": {"batch_size": 1, "seq_len": 4096},
  "hardware": {"num_gpus": 1, "gpu": "A100 40GB"}}'
write pp.json '{"model": {"preset": "llama-3-8b"}, "training": {"batch_size": 1, "seq_len": 4096,
  "gradient_accumulation_steps": 8}, "parallelism": {"pipeline_parallel_size": 4},
  "engine": {"type": "megatron_lm"}, "hardware": {"num_gpus": 4, "gpu": "H100"}}'
write vpp.json '{"model": {"preset": "llama-3-8b"}, "training": {"batch_size": 1, "seq_len": 4096,
  "gradient_accumulation_steps": 8}, "parallelism": {"pipeline_parallel_size": 4,
  "virtual_pipeline_stages": 2}, "engine": {"type": "megatron_lm"}, "hardware": {"num_gpus": 4, "gpu": "H100"}}'
write bad.json '{"model": {"preset": "gpt2"}, "training": {"batch_size": -4}}'
write warn.json '{"model": {"preset": "gpt2", "nmu_layers": 3}, "training": {"batch_size": 1,
  "seq_len": 1024}, "hardware": {"num_gpus": 1}}'
write quick7.json '{"model": {"num_parameters": "7B", "name": "quick estimate"},
  "engine": {"type": "megatron_lm"}, "hardware": {"num_gpus": 8, "gpu_memory_gb": 40}}'
printf '{"model": {' >"$TMP/malformed.json"

# --help, --version, usage errors
run "$BIN" --help
check "--help exits 0 and shows the commands" $(status_is 0 && out_has "calculate --config FILE" && out_has "quick PARAMS"; echo $?)
run "$BIN" --version
check "--version prints the name and a version" $(status_is 0 && out_has "^gpu-mem-calc [0-9]"; echo $?)
run "$BIN"
check "no command exits 2" $(status_is 2 && err_has "missing command"; echo $?)
run "$BIN" frobnicate
check "an unknown command exits 2" $(status_is 2 && err_has "unknown command 'frobnicate'"; echo $?)
run "$BIN" calculate --config "$TMP/fits.json" --format yaml
check "an unknown --format exits 2" $(status_is 2 && err_has "table or json"; echo $?)
# Every command reads its options alike: "--opt VALUE", "--opt=VALUE", the short alias.
for cmd in "calculate --config $TMP/fits.json" "validate $TMP/fits.json" "sweep $TMP/fits.json --vary training.batch_size=1,2" "presets" "import $TMP/fits.json" "quick 7 --gpus 8" "plan --config $TMP/fits.json"; do
  run "$BIN" $cmd --format
  check "${cmd%% *} --format without a value exits 2 naming it" $(status_is 2 && err_has "^gpu-mem-calc: --format needs a value$"; echo $?)
done
run "$BIN" sweep "$TMP/fits.json" --vary=training.batch_size=1,2 -f csv
check "sweep: --vary=VALUE and -f csv" $(status_is 0 && [ "$(wc -l <"$TMP/out")" = 3 ] && out_has "^training.batch_size,model,"; echo $?)
run "$BIN" validate "$TMP/fits.json" --format=json
check "validate --format=json" $(status_is 0 && out_has '"valid":	true'; echo $?)
run "$BIN" sweep "$TMP/fits.json" --vary
check "sweep --vary without a value exits 2" $(status_is 2 && err_has "^gpu-mem-calc: --vary needs a value$"; echo $?)

# calculate: the table
run "$BIN" calculate --config "$TMP/fits.json"
check "calculate: a config that fits exits 0 with a FITS verdict" $(status_is 0 && out_has "^FITS: .* GiB of 79.65 GiB per GPU (.*%), .* GiB headroom"; echo $?)
check "calculate: the table shows the breakdown and the total" $(out_has "^  Model parameters  *[0-9.]*$" && out_has "^  Total (nvidia-smi)  *[0-9.]*$" && out_has "124,439,808"; echo $?)
check "calculate: the table shows the largest micro-batch that fits" $(out_has "^Largest micro-batch that fits with the margin: 44$"; echo $?)
check "calculate: the table shows the longest sequence that fits" $(out_has "^Longest sequence that fits with the margin: 1,024 tokens$"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json"
check "calculate: within the margin the verdict is TIGHT" $(status_is 0 && out_has "^TIGHT (may run out of memory): 70.21 GiB of 79.65 GiB per GPU (88.2 %)" && out_has "62.92 GiB that keeps a 21 % margin"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin 0.05
check "calculate --margin 0.05: the same run fits" $(status_is 0 && out_has "^FITS: 70.21 GiB" && out_has "fits below 75.67 GiB with the 5 % safety margin$" && out_has "^Largest micro-batch that fits with the margin: 54$"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin=0.05 --format json
check "calculate --margin: resolved shows the margin" $(status_is 0 && out_has '"safety_margin": 0.05' && out_has '"verdict": "fits"'; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin 5% --format json
check "calculate --margin 5%: a percentage is the share 0.05" $(status_is 0 && out_has '"safety_margin": 0.05' && out_has '"verdict": "fits"'; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin 5
check "calculate --margin 5: a percentage without its sign is refused, saying how to write it" $(status_is 2 && err_has "^gpu-mem-calc: --margin 5: a share below 1 (0.05) or a percentage (5%)"; echo $?)
run "$BIN" quick 8 --gpus 8 --margin 30
check "quick --margin 30: refused the same way" $(status_is 2 && err_has "a share below 1 (0.3) or a percentage (30%)"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin 5%x
check "calculate --margin 5%x is invalid and names the field" $(status_is 2 && err_has "hardware.safety_margin"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin 1
check "calculate --margin 1 is invalid and names the field" $(status_is 2 && err_has "hardware.safety_margin: must be at least 0 and below 1"; echo $?)
run "$BIN" calculate --config "$TMP/tight.json" --margin
check "calculate --margin without a value exits 2" $(status_is 2 && err_has "needs a value"; echo $?)
run "$BIN" calculate --config "$TMP/vpp.json"
check "calculate: with virtual stages each stage lists its chunks" $(status_is 0 && out_has "^      0  0-3, 16-19  " && out_has "^      3  12-15, 28-31  "; echo $?)
run "$BIN" calculate --config "$TMP/host.json"
check "calculate: offloaded states beyond the node's memory: DOES NOT FIT (host memory)" $(status_is 0 && out_has "^DOES NOT FIT (host memory): 1182.75 GiB of host memory per node needed" && ! out_has "^FITS"; echo $?)
run "$BIN" quick 125M --gpus 1 --gpu H100 --engine ddp --batch-size 50 --seq-len 1024 --margin 0.5 --format json
check "quick --margin sets the margin" $(status_is 0 && out_has '"safety_margin": 0.5'; echo $?)
run "$BIN" calculate --config "$TMP/nofit.json"
check "calculate: a config that does not fit still exits 0" $(status_is 0 && out_has "^DOES NOT FIT: .* GiB of 40.00 GiB per GPU (.*%), .* GiB over"; echo $?)
run "$BIN" calculate "$TMP/fits.json"
check "calculate: the file may be given without --config" $(status_is 0 && out_has "^FITS: "; echo $?)
run "$BIN" calculate --config "$TMP/pp.json"
check "calculate: a pipeline shows one row per stage" $(status_is 0 && out_has "^Pipeline stages" && out_has "^      3  " && out_has "most loaded"; echo $?)
run "$BIN" calculate --config "$EX/llama2_7b_deepspeed.json"
check "calculate: optimizer offload shows host memory" $(status_is 0 && out_has "^Host memory [0-9.]* GiB per GPU" && out_has "ZeRO-3"; echo $?)
run "$BIN" calculate --config "$TMP/warn.json"
check "calculate: warnings are listed with their field" $(status_is 0 && out_has "^Warnings" && out_has "model.nmu_layers: unknown key"; echo $?)
for f in "$EX"/*.json; do
  run "$BIN" calculate --config "$f"
  check "calculate: the earlier tool's example $(basename "$f") loads" $(status_is 0 && out_has "FIT"; echo $?)
done

# calculate: JSON output is calc_json's, byte for byte
for f in "$TMP/fits.json" "$TMP/pp.json" "$TMP/bad.json" "$TMP/malformed.json" "$EX/gpt3_175b_megatron.json"; do
  "$RUNNER" --calc "$f" >"$TMP/expected"
  run "$BIN" calculate --config "$f" --format json
  cmp -s "$TMP/out" "$TMP/expected"
  check "calculate --format json prints calc_json's bytes for $(basename "$f")" $?
done
run "$BIN" calculate --config "$TMP/bad.json" --format json
check "calculate --format json: an invalid config exits 2 with the error object" $(status_is 2 && out_has '"error": {' && out_has '"field": "training.batch_size"'; echo $?)

# calculate: errors
run "$BIN" calculate --config "$TMP/bad.json"
check "calculate: an invalid config exits 2 naming the field" $(status_is 2 && err_has "training.batch_size: .*got -4"; echo $?)
run "$BIN" calculate --config "$TMP/malformed.json"
check "calculate: malformed JSON exits 2 with the position" $(status_is 2 && err_has "malformed JSON at line 1"; echo $?)
run "$BIN" calculate --config "$TMP/missing.json"
check "calculate: a missing file exits 1" $(status_is 1 && err_has "cannot read .*missing.json"; echo $?)
run "$BIN" calculate
check "calculate: no file exits 2" $(status_is 2 && err_has "needs --config"; echo $?)

# quick
run "$BIN" quick 7 --gpus 8 --engine deepspeed
check "quick 7 --gpus 8 --engine deepspeed: 7e9 parameters, a verdict" $(status_is 0 && out_has "7,000,000,000" && out_has "^Engine      deepspeed" && out_has "FIT"; echo $?)
run "$BIN" quick 70 --gpus 64 --gpu-mem 80 --engine megatron
check "quick: the old engine name megatron is megatron_lm" $(status_is 0 && out_has "^Engine      megatron_lm" && out_has "80.00 GiB usable"; echo $?)
run "$BIN" quick 125M --gpus 1 --gpu H100 --engine ddp --dtype fp32
check "quick: a suffixed count, a GPU by name, ddp, a dtype" $(status_is 0 && out_has "125,000,000" && out_has "h100-80gb: 79.65 GiB" && out_has "fp32"; echo $?)
"$BIN" plan --config "$TMP/quick7.json" --top 1 --format json |
  grep -E '"(tensor|pipeline|data|context)_parallel_size"' | tr -d ' \t' >"$TMP/expected"
run "$BIN" quick 7 --gpus 8 --gpu-mem 40 --engine megatron --format json
grep -E '"(tensor|pipeline|data|context)_parallel_size"' "$TMP/out" | tr -d ' \t' >"$TMP/got"
test -s "$TMP/expected" && cmp -s "$TMP/got" "$TMP/expected"
check "quick --format json runs the layout the planner puts first" $?
run "$BIN" quick 70 --gpus 64 --engine megatron
check "quick 70 --gpus 64 --engine megatron: the planner's layout, which fits" $(status_is 0 && out_has "^Layout chosen by the planner: " && out_has "TP [248]" && ! out_has "DOES NOT FIT"; echo $?)
write plan70.json '{"model": {"preset": "llama-3.1-70b"}, "training": {"seq_len": 4096},
  "hardware": {"gpu": "H100", "num_gpus": 64}, "plan": {"frameworks": ["torchtitan"]}}'
run "$BIN" plan --config "$TMP/plan70.json" --top 3
check "plan: a table of layouts, fastest first, and the fewest GPUs" $(status_is 0 && out_has "^  *1  FSDP" && out_has "^  *3  " && ! out_has "^  *4  " && out_has "^Fewest GPUs"; echo $?)
run "$BIN" plan --config presets/examples/plan_llama3_70b.json --top 5
# Layout names differ in length ("(5 virtual)") and hold "×": every line of
# the table, header included, ends at the same column.
check "plan: the table's columns line up whatever the layout's name" $(status_is 0 && sed -n '/^    #  layout/,/^$/p' "$TMP/out" | sed 's/×/x/g; /^$/d' |
  awk 'NR == 1 { n = length($0) } length($0) != n { bad = 1 } END { exit bad || NR < 6 }'; echo $?)
# Frameworks differ in their defaults (precision, loss), so one summary can
# stand for several layouts: each row names its training code.
write plan70fsdp.json '{"model": {"preset": "llama-3.1-70b"}, "training": {"seq_len": 4096, "batch_size": 1},
  "engine": {"type": "fsdp"}, "hardware": {"gpu": "H100", "num_gpus": 8}}'
run "$BIN" plan --config "$TMP/plan70fsdp.json" --top 5
check "plan: each row names its framework, so no two rows read the same" $(status_is 0 && out_has "^    #  layout  *framework  " && out_has "^  *1  FSDP 8.*  torchtune  " &&
  sed -n '/^    #  layout/,/^$/p' "$TMP/out" | sed '1d; /^$/d' | cut -c7- | awk '{ n[$0]++ } n[$0] > 1 { bad = 1 } END { exit bad || NR < 5 }'; echo $?)
run "$BIN" plan --config "$TMP/plan70.json" --gpus 8-4
check "plan --gpus 8-4 exits 2" $(status_is 2 && err_has "MIN-MAX"; echo $?)
run "$BIN" plan --config "$TMP/plan70.json" --gpus 16 --format json
check "plan --format json: layouts with configs, min_gpus, searched" $(status_is 0 && out_has '"layouts":' && out_has '"min_gpus":' && out_has '"evaluated_per_s":'; echo $?)
run "$BIN" quick 7 --gpus 8 --engine horovod
check "quick: an unknown engine exits 2 naming engine.type" $(status_is 2 && err_has "engine.type: must be one of"; echo $?)
run "$BIN" quick 7 --gpus eight
check "quick: a non-numeric GPU count exits 2 naming hardware.num_gpus" $(status_is 2 && err_has "hardware.num_gpus"; echo $?)
run "$BIN" quick 7
check "quick: --gpus is required" $(status_is 2 && err_has "needs --gpus"; echo $?)
run "$BIN" quick 7 --gpus 8 --gpu H100 --gpu-mem 80
check "quick: --gpu and --gpu-mem exclude each other" $(status_is 2; echo $?)

# FP8 and the framework version in the table
write fp8.json '{"model": {"preset": "gpt2"}, "training": {"batch_size": 1, "seq_len": 1024, "fp8": "tensorwise", "fp8_all_gather": true},
  "engine": {"type": "fsdp", "framework": "torchtitan", "framework_version": "2024-12"}, "parallelism": {"data_parallel_size": 8}}'
run "$BIN" calculate --config "$TMP/fp8.json"
check "table: the FP8 recipe and the framework version used are shown" $(status_is 0 && out_has "FP8 linears (tensorwise scaling), weights gathered in fp8" && out_has "(torchtitan defaults as of 2024-12-01)"; echo $?)

# validate
run "$BIN" validate "$EX/llama2_7b_deepspeed.json"
check "validate: a valid config prints valid and exits 0" $(status_is 0 && out_has "^valid$"; echo $?)
run "$BIN" validate "$TMP/warn.json"
check "validate: warnings follow valid" $(status_is 0 && out_has "^valid$" && out_has "^warning: model.nmu_layers"; echo $?)
run "$BIN" validate "$TMP/bad.json"
check "validate: an invalid config exits 2 naming the field" $(status_is 2 && err_has "training.batch_size" && ! out_has "valid"; echo $?)
run "$BIN" validate "$TMP/missing.json"
check "validate: a missing file exits 1" $(status_is 1; echo $?)

# presets
run "$BIN" presets
check "presets lists GPUs and models" $(status_is 0 && out_has "^  h100-80gb  *79.65" && out_has "^    also: A100, " && out_has "\"A100\" is the 80 GB A100" && out_has "^  llama-3-8b  *8,030,261,248"; echo $?)
run "$BIN" presets --format json
check "presets --format json prints the embedded presets" $(status_is 0 && out_has '^{"gpus":'; echo $?)

# quick reads numbers as the config parser does: no nan, inf, hex or spaces
for v in nan inf 0x10 " 8" 8x; do
  run "$BIN" quick 7 --gpus "$v"
  check "quick: --gpus '$v' exits 2 naming hardware.num_gpus" $(status_is 2 && err_has "hardware.num_gpus: must be an integer"; echo $?)
done
run "$BIN" quick 7 --gpus 8 --gpu-mem inf
check "quick: --gpu-mem inf exits 2, not a default of 80 GiB" $(status_is 2 && err_has "hardware.gpu_memory_gb"; echo $?)
run "$BIN" quick nan --gpus 8
check "quick: a parameter count of nan exits 2" $(status_is 2 && err_has "model.num_parameters"; echo $?)

# Control characters of a config never reach the terminal raw
ESC=$(printf '\033')
printf '%s\n' '{"model": {"preset": "gpt2", "name": "\u001b[31mred\u009b2J"}, "x\u001b]0;t\u0007": 1,
  "hardware": {"num_gpus": 1}, "training": {"seq_len": 1024}}' >"$TMP/esc.json"
printf '%s\n' '{"model": {"preset": "gpt2\u001b[2J"}}' >"$TMP/esc-bad.json"
run "$BIN" calculate --config "$TMP/esc.json"
check "calculate: control characters in names and keys print escaped" $(status_is 0 && ! grep -q "$ESC" "$TMP/out" && ! grep -q "$(printf '\302\233')" "$TMP/out" && out_has 'x\\x1b]0;t\\x07: unknown key' && out_has '\\x1b\[31mred\\u009b2J'; echo $?)
run "$BIN" validate "$TMP/esc.json"
check "validate: control characters in warnings print escaped" $(status_is 0 && ! grep -q "$ESC" "$TMP/out" && out_has '^warning: x\\x1b'; echo $?)
run "$BIN" calculate --config "$TMP/esc-bad.json"
check "calculate: control characters in an error print escaped" $(status_is 2 && ! grep -q "$ESC" "$TMP/err" && err_has 'model.preset'; echo $?)
# Bytes that are not UTF-8: the table prints U+FFFD where calc_json's JSON has it.
printf '{"model": {"preset": "gpt2", "name": "a\377b\303\251"}, "hardware": {"num_gpus": 1}}\n' >"$TMP/utf8.json"
run "$BIN" calculate --config "$TMP/utf8.json"
check "calculate: a byte that is not UTF-8 prints as U+FFFD, as in the JSON" $(status_is 0 && ! grep -q "$(printf '\377')" "$TMP/out" && out_has "$(printf 'a\357\277\275b\303\251: ')" && "$BIN" calculate --config "$TMP/utf8.json" --format json | grep -q '"name": "a\\ufffdb'; echo $?)

# A NUL byte: the core would stop reading at it
printf '{"model": {"preset": "gpt2"}}\0{"training": {"batch_size": 64}}' >"$TMP/nul.json"
run "$BIN" calculate --config "$TMP/nul.json"
check "calculate: a file with a NUL byte exits 2" $(status_is 2 && err_has "NUL byte at offset 29"; echo $?)
run "$BIN" validate "$TMP/nul.json"
check "validate: a file with a NUL byte exits 2" $(status_is 2 && err_has "NUL byte" && ! out_has valid; echo $?)

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
