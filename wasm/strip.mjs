// strip.mjs - the loader as shipped: wasm/gpumem.js without its comments,
// indentation and blank lines (a third of its gzipped bytes). Not a minifier:
// it drops only whole comment lines, /** */ lines and a trailing "// ..."
// that holds no quote, and it refuses a multi-line template literal, whose
// lines it could not tell from code. The shipped file runs the same code.
// Usage: node wasm/strip.mjs IN OUT
import { readFileSync, writeFileSync } from 'node:fs';

const [src, out] = process.argv.slice(2);
const text = readFileSync(src, 'utf8');
const lines = [`// gpumem.js - the gpu-mem-calc loader; the commented source is wasm/gpumem.js.`];
let inBlock = false;
for (const [i, raw] of text.split('\n').entries()) {
  const line = raw.trim();
  if ((line.match(/`/g) ?? []).length % 2) throw new Error(`${src}:${i + 1}: a multi-line template literal`);
  if (inBlock) {
    if (line.includes('*/') && !line.endsWith('*/')) throw new Error(`${src}:${i + 1}: code after a block comment`);
    inBlock = !line.endsWith('*/');
    continue;
  }
  if (line.startsWith('/*')) {
    const end = line.indexOf('*/');
    if (end >= 0 && end + 2 < line.length) throw new Error(`${src}:${i + 1}: code after a block comment`);
    inBlock = end < 0;
    continue;
  }
  const code = line.startsWith('//') ? '' : line.replace(/\s+\/\/ [^'"`]*$/, '');
  if (code) lines.push(code);
}
writeFileSync(out, `${lines.join('\n')}\n`);
