// The whole config in the URL hash: "#c=" + base64url(UTF-8 JSON).

const PREFIX = 'c=';

export function encodeConfig(config) {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeConfig(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '==='.slice((b64.length + 3) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const obj = JSON.parse(new TextDecoder().decode(bytes));
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not a config object');
  return obj;
}

/** The config a location hash carries, or null when it carries none (or a broken one). */
export function configFromHash(hash) {
  const h = String(hash || '').replace(/^#/, '');
  if (!h.startsWith(PREFIX)) return null;
  try {
    return decodeConfig(h.slice(PREFIX.length));
  } catch {
    return null;
  }
}

export function hashFor(config) {
  return `#${PREFIX}${encodeConfig(config)}`;
}

/** An absolute link that reopens the page with this config. */
export function shareUrl(config, base = location.href) {
  const u = new URL(base);
  u.hash = hashFor(config);
  return u.href;
}
