// The page's Content-Security-Policy, as a <meta> (GitHub Pages sets no
// headers): inline scripts and styles only by their sha256, no eval (only
// WebAssembly compilation, 'wasm-unsafe-eval'), Preact only from its pinned
// CDN paths (SRI still checks the bytes), nothing else from the network but
// the Hub lookup's huggingface.co.
// The offline file must carry its modules as data: URLs behind its import map.
import { createHash } from 'node:crypto';
import { readImportMap } from './vendor.mjs';

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The sha256 sources of every inline <script> that runs (not data blocks) and <style>. */
function inlineHashes(html) {
  const scripts = [];
  const styles = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const type = /\btype=["']?([^"'\s>]+)/.exec(m[1])?.[1] ?? '';
    if (/\bsrc=/.test(m[1])) continue;
    if (type === '' || type === 'module' || type === 'importmap' || type === 'text/javascript') scripts.push(sha256(m[2]));
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) styles.push(sha256(m[1]));
  return { scripts, styles };
}

/** The policy for html: offline (one file, file://) or served (build/web). */
export function policy(html, { offline }) {
  const { scripts, styles } = inlineHashes(html);
  // Path-prefix sources: the CDN's package folders of the import map only.
  // (Same-origin imports, as `make serve` rewrites them, are 'self'.)
  const cdn = offline ? [] : [...new Set(Object.values(readImportMap(html).imports)
    .filter((u) => /^https:\/\/[^/]+\/npm\/[^/]+\//.test(u))
    .map((u) => u.replace(/^(https:\/\/[^/]+\/npm\/[^/]+\/).*$/, '$1')))];
  const directives = [
    "default-src 'none'",
    `script-src ${[offline ? 'data:' : "'self'", ...cdn, ...scripts, "'wasm-unsafe-eval'"].join(' ')}`,
    `style-src ${offline ? styles.join(' ') || "'none'" : ["'self'", ...styles].join(' ')}`,
    "img-src 'self' data:",
    // The Hub lookup reads a model's config.json from huggingface.co (small
    // files there are served by huggingface.co itself, without a redirect).
    `connect-src ${offline ? '' : "'self' "}https://huggingface.co`,
    // A worker runs the page's own code: from its file, or a blob: of it offline.
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ];
  return directives.join('; ');
}

/** html with the policy as the first thing after <meta charset> (replacing
 * any it had: a server that rewrites the page must hash it afresh). */
export function withCsp(html, { offline }) {
  html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n?/, '');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy(html, { offline })}">`;
  const at = html.indexOf('>', html.indexOf('<meta charset')) + 1;
  if (at <= 0) throw new Error('index.html lacks <meta charset>');
  return `${html.slice(0, at)}\n${meta}${html.slice(at)}`;
}
