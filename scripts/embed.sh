#!/bin/sh
# Writes a C file holding the presets JSON: {"gpus": <gpus.json>, "models": <models.json>}.
# Uses only od and sed so the build needs no extra tool.
set -e
gpus=$1
models=$2
# Indentation is dropped (JSON strings never span lines) to keep the module small.
strip() { sed -e 's/^[[:space:]]*//'; }
echo '/* Generated from presets/ by scripts/embed.sh. Do not edit. */'
echo 'const char gm_presets_data[] = {'
{ printf '{"gpus":'; strip <"$gpus"; printf ',"models":'; strip <"$models"; printf '}'; } |
  od -An -v -tx1 | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
echo '0x00};'
