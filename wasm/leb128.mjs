// leb128.mjs - the LEB128 numbers of the WebAssembly binary format, read and
// written, for the build's module rewriters (join_data.mjs, drop_exports.mjs).

/** A cursor over buf from byte `at`: byte(), u32() and s32() read and move on; `at` is where it stands. */
export function reader(buf, at) {
  const r = {
    at,
    byte: () => buf[r.at++],
    u32() {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        const b = buf[r.at++];
        v += (b & 0x7f) * 2 ** shift;
        if (!(b & 0x80)) return v;
      }
    },
    s32() {
      let v = 0;
      let shift = 0;
      let b;
      do {
        b = buf[r.at++];
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      return shift < 32 && b & 0x40 ? v | (-1 << shift) : v;
    },
  };
  return r;
}

/** n >= 0 as unsigned LEB128 bytes. */
export function u32Bytes(n) {
  const bytes = [];
  do {
    bytes.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 0x80);
  } while (n);
  return bytes;
}

/** n as signed LEB128 bytes. */
export function s32Bytes(n) {
  const bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...bytes, b];
    bytes.push(b | 0x80);
  }
}
