// The build's module join (web/join.mjs): the joined module runs its modules
// in the order the browser would, once each, and a module loaded later that
// imports a joined one through its stub gets that very instance.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join as joinPath } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { exportJoined, join, stubFor } from '../../web/join.mjs';

const SOURCES = {
  'app.js': [
    "import { basename } from 'node:path';",
    "import { log, count } from './lib/state.js';",
    "import { twice as double } from './lib/util.js';",
    "log('app');",
    'export function start() { return [count(), double(21), basename(\'/a/b.js\')]; }',
    "export const later = () => import('./panels/late.js');",
  ].join('\n'),
  'lib/state.js': [
    '// Module state: one instance, whoever imports it.',
    'const seen = [];',
    'export function log(name) { seen.push(name); }',
    'export const count = () => seen.length;',
    'export const order = () => seen.join(",");',
  ].join('\n'),
  'lib/util.js': [
    "import { log } from './state.js';",
    "log('util');",
    'export function twice(n) { return 2 * n; }',
  ].join('\n'),
  'panels/late.js': [
    "import { log, order } from '../lib/state.js';",
    "log('late');",
    'export const seen = order();',
  ].join('\n'),
};

function build(sources) {
  const dir = mkdtempSync(joinPath(tmpdir(), 'gm-join-'));
  const pages = Object.keys(sources);
  const { js, joined } = join('app.js', (f) => sources[f], (f) => pages.includes(f));
  const files = { ...sources, 'app.js': js + exportJoined(joined) };
  for (const { file, exports } of joined) files[file] = stubFor(file, exports, 'app.js');
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(joinPath(dir, f)), { recursive: true });
    writeFileSync(joinPath(dir, f), text);
  }
  return { dir, joined };
}

test('the joined module runs its modules once, in import order, and later modules share them', async () => {
  const { dir, joined } = build(SOURCES);
  try {
    assert.deepEqual(joined.map((j) => j.file), ['lib/state.js', 'lib/util.js']);
    const app = await import(pathToFileURL(joinPath(dir, 'app.js')).href);
    assert.deepEqual(app.start(), [2, 42, 'b.js']);
    const late = await app.later();
    // The panel's import of lib/state.js reaches the joined instance: it sees
    // what util and app logged before it.
    assert.equal(late.seen, 'util,app,late');
    assert.equal(app.start()[0], 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the join refuses what it cannot keep as the browser would run it', () => {
  const refuse = (extra, pattern) => {
    const sources = { ...SOURCES, ...extra };
    const pages = Object.keys(sources);
    assert.throws(() => join('app.js', (f) => sources[f], (f) => pages.includes(f)), pattern);
  };
  refuse({ 'lib/util.js': 'export let n = 1;' }, /an export the join cannot read/);
  refuse({ 'lib/util.js': "import { log } from './state.js';\nexport default log;" }, /an export the join cannot read/);
  refuse({ 'lib/util.js': "import {\n  log } from './state.js';" }, /an import the join cannot read/);
  refuse({ 'lib/util.js': "import { start } from '../app.js';\nexport const twice = start;" }, /an import cycle/);
  refuse({ 'lib/util.js': 'export const twice = () => import.meta.url;' }, /import\.meta/);
  refuse({ 'lib/util.js': 'export const twice = (p) => import(p);' }, /import\(\) of something other than a relative path/);
  refuse({ 'lib/util.js': "import { x } from './missing.js';\nexport const twice = x;" }, /not a page module/);
  refuse({ 'lib/util.js': 'const $lib_state_js = 1;\nexport const twice = $lib_state_js;' }, /uses the name \$lib_state_js/);
});
