// drop_exports.mjs - removes the named exports from a module, so that the
// wasm-opt run after it drops the functions only they kept. emcc exports
// stackSave, stackRestore, stackAlloc and the function table whatever the
// export list says; the loader (wasm/gpumem.js) calls none of them.
// Usage: node wasm/drop_exports.mjs IN OUT NAME...
import { readFileSync, writeFileSync } from 'node:fs';
import { reader, u32Bytes } from './leb128.mjs';

const [src, out, ...names] = process.argv.slice(2);
const buf = readFileSync(src);
const r = reader(buf, 8);
const fail = (why) => {
  throw new Error(`${src}: ${why}`);
};

if (buf.readUInt32LE(0) !== 0x6d736100) fail('not a WebAssembly module');
const parts = [buf.subarray(0, 8)];
const dropped = new Set();
while (r.at < buf.length) {
  const at = r.at;
  const id = r.byte();
  const len = r.u32();
  const end = r.at + len;
  if (id !== 7) {
    parts.push(buf.subarray(at, end));
  } else {
    // Each export: its name, a kind byte and an index.
    const kept = [];
    for (let n = r.u32(); n > 0; n--) {
      const start = r.at;
      const nameLen = r.u32();
      const name = buf.subarray(r.at, r.at + nameLen).toString();
      r.at += nameLen + 1;
      r.u32();
      if (names.includes(name)) dropped.add(name);
      else kept.push(buf.subarray(start, r.at));
    }
    const body = Buffer.concat([Buffer.from(u32Bytes(kept.length)), ...kept]);
    parts.push(Buffer.from([7, ...u32Bytes(body.length)]), body);
  }
  r.at = end;
}
const missing = names.filter((n) => !dropped.has(n));
if (missing.length) fail(`no export ${missing.join(', ')}`);
writeFileSync(out, Buffer.concat(parts));
