// seeds.mjs OUT_DIR - writes the fuzzer's seed corpus and dictionary: the
// config of every case in tests/cases and every example in presets/examples,
// and 300 generated extreme configs, one file each, and the keys and string values they use as a libFuzzer
// dictionary (OUT_DIR/../dict).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { extremeConfigs } from './extreme.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: seeds.mjs OUT_DIR');
mkdirSync(out, { recursive: true });
const words = new Set();
const collect = (v) => {
  if (typeof v === 'string' && v.length < 40) words.add(v);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (!Array.isArray(v)) words.add(k);
      collect(x);
    }
};
let n = 0;
for (const dir of ['tests/cases', 'presets/examples']) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const text = typeof c.config_text === 'string' ? c.config_text : JSON.stringify(c.config ?? c);
    writeFileSync(join(out, `seed-${file}`), text);
    collect(c.config ?? c);
    n++;
  }
}
// libFuzzer's dictionary syntax: printable ASCII, \\, \" and \xAB; each word
// quoted as it appears in JSON.
// Extreme configs reach the physics with sizes near every bound.
const presets = Object.keys(JSON.parse(readFileSync('presets/models.json', 'utf8')));
let i = 0;
for (const text of extremeConfigs(300, presets, 7)) writeFileSync(join(out, `extreme-${String(i++).padStart(3, '0')}.json`), text);
n += i;
const escape = (s) =>
  [...Buffer.from(JSON.stringify(s))]
    .map((b) => (b === 0x5c ? '\\\\' : b === 0x22 ? '\\"' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
writeFileSync(join(dirname(out), 'dict'), [...words].map((w) => `"${escape(w)}"`).join('\n') + '\n');
console.log(`fuzz seeds: ${n} configs, ${words.size} dictionary words -> ${out}`);
