// The build's template compiler (web/templates.mjs): the h() calls it writes
// make the same elements as htm's html tag at run time, for every kind of
// template part the page uses, and it reads around strings, comments and
// regular expressions that hold backticks or braces.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { h } from 'preact';
import { html } from 'htm/preact';
import { ROOT } from '../../web/vendor.mjs';
import { H, compileTemplates } from '../../web/templates.mjs';

/** A vnode as plain data: type (a component by name), props, children. */
function plain(v) {
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object' || !('type' in v)) return v;
  const { children, ...props } = v.props;
  return { type: typeof v.type === 'function' ? `<${v.type.name}>` : v.type, key: v.key ?? null, props, children: plain(children) };
}

/** Runs a module body (its one export `out`) with html, or with the compiled calls. */
function run(src, compiled) {
  const body = src.replace(/^import .*$/gm, '').replace(/^export const out =/m, 'return');
  return compiled ? new Function(H, body)(h) : new Function('html', body)(html);
}

// Written with backticks as they stand in a module (the lines are plain strings).
const MODULE = [
  "import { html } from 'htm/preact';",
  '// A backtick in a comment: ` and a brace {',
  '/* html`<b>not a template</b>` */',
  'function Item({ label }) { return label; }',
  'const re = /[`{}]+\\/x/g;',
  'const half = 10 / 2 / 1;',
  'export const out = ((a, b, list, on) => [',
  '  html`<div class="card ${a}" id=${b} hidden data-x="1 ${a} 2 ${b}">',
  '      text with ${a}  and  more',
  "    <span ...${{ title: 't', class: 'c' }} class=\"after\">x</span>",
  '  </div>`,',
  '  html`<a href="#" ...${on}>${list.map((x) => html`<${Item} key=${x} label=${`L${x}`} />`)}</a>`,',
  '  html`<p>one</p><p>two ${\'}\' + "}" + re.source}</p>`,',
  '  html`<${Item} label="static"><//>`,',
  '  html`<input value=${half} disabled=${false} /><!-- a comment --><i>\\u00b7 &amp;</i>`,',
  "])('A', 7, [1, 2], { onClick: null, rel: 'r' });",
].join('\n');

test('compiled templates make the elements htm makes', () => {
  const out = compileTemplates(MODULE, 'sample.js');
  assert.ok(!/html`/.test(out.replace(/\/\*[\s\S]*?\*\//g, '')), 'no html` left outside comments');
  assert.match(out, new RegExp(`^import \\{ h as ${H} \\} from 'preact';$`, 'm'));
  assert.ok(out.includes('/* html`<b>not a template</b>` */'), 'a comment stays as it was');
  const want = plain(run(MODULE, false));
  const got = plain(run(out, true));
  assert.equal(want.length, 5);
  assert.deepEqual(got, want);
  // Spot checks on what htm makes, so that a change in either shows.
  assert.equal(want[0].props['data-x'], '1 A 2 7');
  assert.equal(want[0].props.hidden, true);
  assert.equal(want[1].children[1].props.label, 'L2');
  assert.equal(want[2].length, 2, 'two roots: an array');
});

test('every page module compiles, and a module without templates is left as it is', () => {
  const web = join(ROOT, 'web');
  let templates = 0;
  for (const dir of ['.', 'lib', 'sections', 'result', 'plan']) {
    for (const f of readdirSync(join(web, dir)).filter((n) => n.endsWith('.js'))) {
      const src = readFileSync(join(web, dir, f), 'utf8');
      const out = compileTemplates(src, f);
      if (!/import \{ html \}/.test(src)) assert.equal(out, src, f);
      else templates += (out.match(new RegExp(`\\b${H}\\(`, 'g')) || []).length;
    }
  }
  assert.ok(templates > 100, `${templates} h() calls`);
});

test('a template it cannot read stops the build', () => {
  assert.throws(() => compileTemplates("import { html } from 'htm/preact';\nexport const out = html`<p>${'x'}</p>", 'bad.js'), /bad\.js:2: an unclosed/);
  assert.throws(() => compileTemplates('export const out = html`<p/>`;', 'noimport.js'), /without the one import/);
});
