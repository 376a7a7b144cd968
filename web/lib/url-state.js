// The whole config in the URL hash: "#c=" + base64url(UTF-8 JSON), then
// "&pin=" + the same for each config pinned for comparison.

const PREFIX = 'c=';
const PIN = 'pin=';
const parts = (hash) => String(hash || '').replace(/^#/, '').split('&');

export function encodeConfig(config) {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The JSON text a hash payload carries, as the link's author wrote it. */
export function decodeText(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '==='.slice((b64.length + 3) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export function decodeConfig(text) {
  const obj = JSON.parse(decodeText(text));
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not a config object');
  return obj;
}

/** The JSON text a location hash carries, or null when it carries none (or undecodable bytes). */
export function textFromHash(hash) {
  const h = parts(hash)[0];
  if (!h.startsWith(PREFIX)) return null;
  try {
    return decodeText(h.slice(PREFIX.length));
  } catch {
    return null;
  }
}

/** The config a location hash carries, or null when it carries none (or a broken one). */
export function configFromHash(hash) {
  const h = parts(hash)[0];
  if (!h.startsWith(PREFIX)) return null;
  try {
    return decodeConfig(h.slice(PREFIX.length));
  } catch {
    return null;
  }
}

/**
 * Why a JSON text means different things to different readers, or null: a key
 * that appears twice in one object (JavaScript keeps the last, C readers the
 * first) or a key holding a NUL (C strings end there). Assumes valid JSON.
 */
export function ambiguousKey(text) {
  const stack = []; // a Set of keys per open object, null per open array
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{') stack.push(new Set());
    else if (ch === '[') stack.push(null);
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      const keys = stack[stack.length - 1];
      if (text[k] === ':' && keys) {
        const key = JSON.parse(token);
        if (key.includes('\u0000')) return `the key ${JSON.stringify(key)} holds a NUL character`;
        if (keys.has(key)) return `the key ${JSON.stringify(key)} appears twice in one object`;
        keys.add(key);
      }
      i = j;
    }
    i++;
  }
  return null;
}

/** Configs side by side at most: three pinned and the one being edited, lettered. */
export const MAX_COMPARED = 4;
export const LETTERS = ['A', 'B', 'C', 'D'];

/** The configs pinned for comparison in a hash (those that decode). */
export function pinnedFromHash(hash) {
  const out = [];
  for (const p of parts(hash).slice(1)) {
    if (!p.startsWith(PIN)) continue;
    try {
      out.push(decodeConfig(p.slice(PIN.length)));
    } catch {
      // a broken pin is left out; the edited config still opens
    }
  }
  return out;
}

export function hashFor(config, pinned = []) {
  return `#${PREFIX}${encodeConfig(config)}${pinned.map((p) => `&${PIN}${encodeConfig(p)}`).join('')}`;
}

/** An absolute link that reopens the page with this config (and the pinned ones). */
export function shareUrl(config, base = location.href, pinned = []) {
  const u = new URL(base);
  u.hash = hashFor(config, pinned);
  return u.href;
}
