// Number formatting and parsing for the page: GiB (2^30) everywhere, counts as 8.03B.

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/** Bytes as "12.34 GiB"; below 0.1 GiB as "25 MiB" so small parts stay readable. */
export function fmtBytes(bytes, digits = 2) {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  if (bytes === 0) return '0 GiB';
  if (bytes !== 0 && Math.abs(bytes) < 0.1 * GiB) return `${trim((bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0))} MiB`;
  return `${(bytes / GiB).toFixed(digits)} GiB`;
}

/** A GiB figure from the result (already in GiB) as "12.34 GiB". */
export function fmtGiB(gb, digits = 2) {
  if (gb == null || !Number.isFinite(gb)) return '–';
  return `${gb.toFixed(digits)} GiB`;
}

function trim(s) {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 8030261248 -> "8.03B", 125000000 -> "125M", 4096 -> "4,096". */
export function fmtCount(n) {
  if (n == null || !Number.isFinite(Number(n))) return '–';
  n = Number(n);
  const a = Math.abs(n);
  // Three significant digits; what rounds to 1000 moves up a unit ("1T", not
  // "1.00e+3B"), and past the largest unit the digits stay plain ("1,000T").
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (let i = 0; i < units.length; i++) {
    const [scale, u] = units[i];
    if (a < (u === 'K' ? 1e4 : scale)) continue;
    const v = Number((n / scale).toPrecision(3));
    if (Math.abs(v) < 1000) return `${trim(v.toPrecision(3))}${u}`;
    if (i === 0) return `${fmtInt(Math.round(n / scale))}${u}`;
    return `${trim(Number((n / units[i - 1][0]).toPrecision(3)).toPrecision(3))}${units[i - 1][1]}`;
  }
  return fmtInt(n);
}

/** 128256 -> "128,256". */
// By hand: the first Intl.NumberFormat costs tens of milliseconds at page load.
export function fmtInt(n) {
  if (n == null || !Number.isFinite(Number(n))) return '–';
  const [int, frac] = String(Math.round(Math.abs(Number(n)) * 100) / 100).split('.');
  return `${Number(n) < 0 ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ? `.${frac}` : ''}`;
}

export function fmtPct(p, digits = 1) {
  if (p == null || !Number.isFinite(p)) return '–';
  return `${p.toFixed(digits)} %`;
}

const COUNT_UNITS = { '': 1, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** "7B", "7000M", "7e9", "1.5T", "125K" -> number; NaN when not a count. */
export function parseCount(s) {
  if (typeof s === 'number') return s;
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([KMBGT]?)\s*$/i.exec(String(s ?? ''));
  if (!m) return NaN;
  return parseFloat(m[1]) * COUNT_UNITS[m[2].toUpperCase()];
}

const MEM_UNITS = { gb: 1e9, gib: GiB, mb: 1e6, mib: MiB, tb: 1e12, tib: 2 ** 40 };

/** "80GB" -> 8e10 bytes, "80GiB" / "80" -> 80·2^30; NaN when not a size. */
export function parseMemory(s) {
  if (typeof s === 'number') return s * GiB;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([a-z]*)\s*$/i.exec(String(s ?? ''));
  if (!m) return NaN;
  const u = m[2].toLowerCase();
  if (!u) return parseFloat(m[1]) * GiB;
  return u in MEM_UNITS ? parseFloat(m[1]) * MEM_UNITS[u] : NaN;
}

/**
 * What a text input holds, as the config stores it: numbers stay numbers,
 * anything else ("7B", "80GB", or a typo) goes to the core as typed, so the
 * core is the one judge of what is valid and names the field when it is not.
 */
export function inputToValue(text, kind) {
  const t = String(text).trim();
  if (t === '') return undefined;
  if (kind === 'number' || kind === 'memory') {
    if (/^-?[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(t)) return Number(t);
    return t;
  }
  if (/^-?[0-9]+$/.test(t) && Number.isSafeInteger(Number(t))) return Number(t);
  return t;
}

/** "1 GPU", "8 GPUs", "1 micro-batch", "4 micro-batches". */
export function plural(n, one, many = `${one}${/(ch|sh|s|x)$/.test(one) ? 'es' : 's'}`) {
  return `${fmtInt(n)} ${Number(n) === 1 ? one : many}`;
}
