// join_data.mjs - rewrites a module's data as one segment, its gaps zeros.
// wasm-opt splits the data wherever a run of zeros is longer than a
// segment's header, which saves raw bytes; but gzip packs the zeros into
// almost nothing, while each header's offset is incompressible: one segment
// is 1 KB (gzipped) smaller. The memory starts zeroed, so the module loads
// the same bytes either way.
// Usage: node wasm/join_data.mjs IN OUT
import { readFileSync, writeFileSync } from 'node:fs';
import { reader, s32Bytes, u32Bytes } from './leb128.mjs';

const [src, out] = process.argv.slice(2);
const buf = readFileSync(src);
const r = reader(buf, 8);
const fail = (why) => {
  throw new Error(`${src}: ${why}`);
};

if (buf.readUInt32LE(0) !== 0x6d736100) fail('not a WebAssembly module');
const sections = [];
while (r.at < buf.length) {
  const id = r.byte();
  const len = r.u32();
  sections.push({ id, bytes: buf.subarray(r.at, r.at + len) });
  r.at += len;
}

// The active segments of memory 0 at i32.const offsets: what wasm-ld and
// wasm-opt write for a module without threads.
const data = sections.find((s) => s.id === 11);
if (!data) fail('no data section');
r.at = data.bytes.byteOffset - buf.byteOffset;
const segments = [];
for (let n = r.u32(); n > 0; n--) {
  if (r.u32() !== 0 || r.byte() !== 0x41) fail('a segment that is not active at an i32.const offset');
  const offset = r.s32();
  if (r.byte() !== 0x0b) fail('a segment offset that is not a constant');
  const len = r.u32();
  segments.push({ offset, bytes: buf.subarray(r.at, r.at + len) });
  r.at += len;
}
segments.sort((a, b) => a.offset - b.offset);
const start = segments[0].offset;
const last = segments.at(-1);
const joined = Buffer.alloc(last.offset + last.bytes.length - start);
for (const s of segments) {
  if (joined.subarray(s.offset - start, s.offset - start + s.bytes.length).some((b) => b)) fail('overlapping segments');
  s.bytes.copy(joined, s.offset - start);
}
data.bytes = Buffer.concat([Buffer.from([1, 0, 0x41, ...s32Bytes(start), 0x0b, ...u32Bytes(joined.length)]), joined]);
const count = sections.find((s) => s.id === 12);
if (count) count.bytes = Buffer.from([1]);

const parts = [buf.subarray(0, 8)];
for (const s of sections) parts.push(Buffer.from([s.id, ...u32Bytes(s.bytes.length)]), s.bytes);
writeFileSync(out, Buffer.concat(parts));
