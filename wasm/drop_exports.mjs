// drop_exports.mjs - removes the named exports from a module, so that the
// wasm-opt run after it drops the functions only they kept. emcc exports
// stackSave, stackRestore, stackAlloc and the function table whatever the
// export list says; the loader (wasm/gpumem.js) calls none of them.
// Usage: node wasm/drop_exports.mjs IN OUT NAME...
import { readFileSync, writeFileSync } from 'node:fs';

const [src, out, ...names] = process.argv.slice(2);
const buf = readFileSync(src);
let p = 8;
const u32 = () => {
  let r = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[p++];
    r += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return r;
  }
};
const u32Bytes = (n) => {
  const bytes = [];
  do {
    bytes.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 0x80);
  } while (n);
  return bytes;
};
const fail = (why) => {
  throw new Error(`${src}: ${why}`);
};

if (buf.readUInt32LE(0) !== 0x6d736100) fail('not a WebAssembly module');
const parts = [buf.subarray(0, 8)];
const dropped = new Set();
while (p < buf.length) {
  const at = p;
  const id = buf[p++];
  const len = u32();
  const end = p + len;
  if (id !== 7) {
    parts.push(buf.subarray(at, end));
  } else {
    // Each export: its name, a kind byte and an index.
    const kept = [];
    for (let n = u32(); n > 0; n--) {
      const start = p;
      const nameLen = u32();
      const name = buf.subarray(p, p + nameLen).toString();
      p += nameLen + 1;
      u32();
      if (names.includes(name)) dropped.add(name);
      else kept.push(buf.subarray(start, p));
    }
    const body = Buffer.concat([Buffer.from(u32Bytes(kept.length)), ...kept]);
    parts.push(Buffer.from([7, ...u32Bytes(body.length)]), body);
  }
  p = end;
}
const missing = names.filter((n) => !dropped.has(n));
if (missing.length) fail(`no export ${missing.join(', ')}`);
writeFileSync(out, Buffer.concat(parts));
