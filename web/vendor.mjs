// The CDN modules of web/index.html's import map and their npm copies (for the build and the tests).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CDN = /^https:\/\/cdn\.jsdelivr\.net\/npm\/((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/;

/** The import map of an HTML page, parsed. */
export function readImportMap(html) {
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no import map in index.html');
  return JSON.parse(m[1]);
}

/** The node_modules file a CDN URL serves, or null when the URL is not a pinned npm file. */
export function cdnToLocal(url) {
  const m = CDN.exec(url);
  if (!m) return null;
  return { name: m[1], version: m[2], file: join(ROOT, 'node_modules', m[1], m[3]) };
}

export function sri(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/**
 * Check every CDN entry of the map against node_modules: same version as
 * package-lock.json installed, and an integrity hash of exactly that file.
 * Returns [{specifier, url, file}]; throws with the fix when anything differs.
 */
export function checkVendor(map) {
  const out = [];
  const problems = [];
  for (const [specifier, url] of Object.entries(map.imports || {})) {
    const loc = cdnToLocal(url);
    if (!loc) {
      problems.push(`${specifier}: ${url} is not a pinned cdn.jsdelivr.net/npm URL`);
      continue;
    }
    let installed;
    try {
      installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', loc.name, 'package.json'), 'utf8')).version;
    } catch {
      problems.push(`${loc.name} is not installed: run npm ci`);
      continue;
    }
    if (installed !== loc.version) problems.push(`${specifier}: the map pins ${loc.name}@${loc.version}, node_modules has ${installed}`);
    const want = sri(readFileSync(loc.file));
    const have = map.integrity?.[url];
    if (have !== want) problems.push(`${specifier}: integrity of ${url} should be "${want}" (is ${have ? `"${have}"` : 'missing'})`);
    out.push({ specifier, url, file: loc.file });
  }
  if (problems.length) throw new Error(`web/index.html import map:\n  ${problems.join('\n  ')}`);
  return out;
}
