// The one-file build carries its WebAssembly modules as base64 of their
// gzipped bytes (web/build.mjs). This one function turns them back into bytes
// for all three readers: the file's bootstrap (the build inlines this text
// into a classic script, so: no imports, one export), the planner's worker
// and the launcher import.

/** The bytes of base64 text of gzipped bytes: a promise of an ArrayBuffer. */
export function inflateBase64(b64) {
  if (typeof DecompressionStream === 'undefined') {
    return Promise.reject(new Error('this browser cannot inflate the file\'s inline modules (no DecompressionStream); use the published page'));
  }
  let bytes;
  if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(b64);
  else {
    const bin = atob(b64);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  // Written to the stream directly: a Blob's stream() goes by way of the
  // browser process's blob store, which took longer than the inflating.
  const ds = new DecompressionStream('gzip');
  const w = ds.writable.getWriter();
  w.write(bytes).catch(() => {});
  w.close().catch(() => {});
  return new Response(ds.readable).arrayBuffer();
}
