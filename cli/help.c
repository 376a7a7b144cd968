/* help.c - `gpu-mem-calc COMMAND --help`. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define SOURCES                                                                                    \
  "config sources (combined in order, later ones win key by key):\n"                               \
  "  -c, --config FILE     a config: ours (docs/config.md), a Hugging Face config.json,\n"         \
  "                        a DeepSpeed ds_config.json, an Axolotl, LLaMA-Factory or\n"             \
  "                        accelerate YAML, a torchtitan job TOML, or a text file holding\n"       \
  "                        Megatron-LM arguments; the kind is detected and reported.\n"            \
  "                        '-' reads stdin\n"                                                      \
  "  --model FILE|ID       the model: a config.json, or a preset or Hugging Face Hub id\n"         \
  "                        (llama-3-8b, meta-llama/Llama-3.1-8B)\n"                                \
  "  --deepspeed FILE      a DeepSpeed ds_config.json\n"                                           \
  "  --megatron-args ARGS  Megatron-LM arguments, inline (quote them)\n"                           \
  "  -s, --set KEY=VALUE   set one key after all files (training.seq_len=8192); the value\n"       \
  "                        is JSON when it reads as JSON, else a string. Repeatable\n"

static const struct {
  const char *command;
  const char *text;
} helps[] = {
    {"calculate",
     "usage: gpu-mem-calc calculate [--config] FILE [SOURCES...] [--format F]\n"
     "\n"
     "The GPU memory of one training configuration, per GPU, at its peak.\n"
     "\n" SOURCES "\n"
     "options:\n"
     "  -f, --format F        table (default), json (calc_json's output), csv, markdown\n"
     "  -v, --verbose         list every key an imported file mapped\n"
     "\n"
     "examples:\n"
     "  gpu-mem-calc calculate --config run.json --set training.batch_size=4\n"
     "  gpu-mem-calc calculate --model config.json --deepspeed ds_config.json \\\n"
     "      --set training.seq_len=8192 --set hardware.gpu=H100\n"
     "  gpu-mem-calc calculate --megatron-args \"--num-layers 32 --hidden-size 4096 ...\"\n"
     "\n"
     "Exit status: 0 with a result (also when it does not fit), 1 when a file cannot be\n"
     "read, 2 for an invalid config or usage.\n"},
    {"quick",
     "usage: gpu-mem-calc quick MODEL --gpus N [options]\n"
     "\n"
     "An estimate from a model and a few flags. MODEL is a parameter count in billions (7)\n"
     "or with a suffix (125M, 1.5T), or a preset or Hugging Face Hub id (llama-3-8b,\n"
     "meta-llama/Llama-3.1-8B): with an id the architecture, and the count, are exact.\n"
     "\n"
     "options:\n"
     "  --gpus N                 GPUs in the job (required)\n"
     "  --gpu NAME | --gpu-mem GB  the card (a preset) or its memory\n"
     "  --engine E               pytorch_ddp (ddp), deepspeed, megatron_lm (megatron),\n"
     "                           megatron_deepspeed, fsdp\n"
     "  --zero-stage Z           DeepSpeed ZeRO stage 0-3\n"
     "  --dtype D                bf16, fp16, fp32\n"
     "  --batch-size B, --seq-len S, --grad-accum G\n"
     "  --checkpointing C        none, selective, full\n"
     "  --tp N, --pp N           tensor- and pipeline-parallel sizes\n"
     "  --finetune M             full, lora, qlora (--lora-rank R)\n"
     "  --offload D              optimizer states to cpu or nvme (--offload-params D too)\n"
     "  -s, --set KEY=VALUE      any other key (repeatable)\n"
     "  -f, --format F           table, json, csv, markdown\n"},
    {"plan", "usage: gpu-mem-calc plan [--config] FILE [SOURCES...] [--gpus N|MIN-MAX] [--top N]\n"
             "                         [--format table|json]\n"
             "\n"
             "The layouts that fit the config's model and GPUs, fastest first (estimated), why\n"
             "the others do not, the fewest GPUs, and changes that make the config as given fit.\n"
             "The config's plan section (docs/config.md) says what may vary.\n"
             "\n" SOURCES "\n"
             "options:\n"
             "  --gpus N|MIN-MAX      GPU counts to try (plan.gpus)\n"
             "  --top N               layouts returned, 1 to 100 (plan.top; default 20)\n"
             "  -f, --format F        table (default) or json (plan_json's output)\n"},
    {"sweep",
     "usage: gpu-mem-calc sweep [--config] FILE [SOURCES...] --vary KEY=VALUES... [--format F]\n"
     "\n"
     "One row per value: the config with KEY set to each value in turn. With several\n"
     "--vary, every combination (at most 10000 rows).\n"
     "\n"
     "VALUES:\n"
     "  1..16        every whole number from 1 to 16\n"
     "  1..64:x2     1, 2, 4, ... 64 (multiply by 2)\n"
     "  0..12:+4     0, 4, 8, 12 (add 4)\n"
     "  a,b,c        a list (numbers, or strings such as full,selective)\n"
     "\n" SOURCES "\n"
     "options:\n"
     "  --vary KEY=VALUES     the key to vary (repeatable)\n"
     "  -f, --format F        table (default), csv, markdown, json (one calc_json result\n"
     "                        per row, as a JSON array)\n"
     "\n"
     "example:\n"
     "  gpu-mem-calc sweep --config run.json --vary training.batch_size=1..16 --format csv\n"
     "\n"
     "Exit status: 0 when every row computed, 2 when a row is invalid (its error is in\n"
     "the last column), 1 when a file cannot be read.\n"},
    {"validate", "usage: gpu-mem-calc validate [--config] FILE [SOURCES...] [--format text|json]\n"
                 "\n"
                 "Check a config: prints \"valid\" and any warnings, or the error (exit 2). With\n"
                 "--format json: {\"valid\": true, \"warnings\": [...]} or {\"valid\": false,\n"
                 "\"error\": {\"field\", \"message\"}}.\n"
                 "\n" SOURCES},
    {"import",
     "usage: gpu-mem-calc import FILE [--kind K] [--format json|config]\n"
     "\n"
     "Show how a launcher's file reads as our config: what kind it is, each key mapped,\n"
     "keys without a memory effect, and keys that could not be mapped.\n"
     "\n"
     "options:\n"
     "  --kind K       auto (default), config, hf_config, deepspeed, megatron, yaml,\n"
     "                 toml (torchtitan)\n"
     "  --format F     json (the whole report, default) or config (the mapped config only)\n"},
    {"presets", "usage: gpu-mem-calc presets [--format table|json|csv|markdown]\n"
                "\n"
                "The GPUs (hardware.gpu) and models (model.preset) that configs can name.\n"},
};

int cli_help(const char *command) {
  size_t i;
  for (i = 0; i < sizeof helps / sizeof helps[0]; i++)
    if (strcmp(helps[i].command, command) == 0) {
      fputs(helps[i].text, stdout);
      return 0;
    }
  return -1;
}

int cli_wants_help(int argc, char **argv) {
  int i;
  for (i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return 1;
    /* A value such as --megatron-args "--help" is not a request. */
    if (strcmp(argv[i], "--megatron-args") == 0 || strcmp(argv[i], "--set") == 0)
      i++;
  }
  return 0;
}
