// Turns the page's html`...` templates into the h() calls htm would make, at
// build time: htm parses each template on its first call, which put every
// template of the page into the first result's time. htm's own parser reads
// the templates here (build and treeify, the form it gives for build tools),
// so the elements, props and text are the ones htm makes at run time.
//
// No JS parser: a scanner that knows strings, comments, regular expressions,
// template literals and ${} nesting, enough for the page's modules. A module
// whose templates it cannot read stops the build.
import { build, treeify } from '../node_modules/htm/src/build.mjs';

const HTML_IMPORT = /^import \{ html \} from 'htm\/preact';$/m;
/** The name the generated calls use for Preact's h. */
export const H = 'gmH';

// After these, a slash starts a regular expression; after anything else it divides.
const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

class Scanner {
  constructor(src, file) {
    this.src = src;
    this.file = file;
  }

  fail(i, msg) {
    const line = this.src.slice(0, i).split('\n').length;
    throw new Error(`${this.file}:${line}: ${msg}`);
  }

  /** Code from i to the `}` closing a ${ (or the end), templates turned; returns [text, index after]. */
  code(i, inExpr) {
    const s = this.src;
    let out = '';
    let depth = 0;
    let last = ''; // the last significant character
    let word = ''; // the last identifier, when it is the last token
    while (i < s.length) {
      const c = s[i];
      if (c === '\'' || c === '"') {
        const j = this.string(i);
        out += s.slice(i, j);
        i = j;
        last = c;
        word = '';
      } else if (c === '`') {
        const tagged = word === 'html' && out.endsWith('html') && !/[\w$.]/.test(out[out.length - 5] || '');
        const [text, j] = this.template(i, tagged);
        out = tagged ? out.slice(0, -4) + text : out + text;
        i = j;
        last = ')';
        word = '';
      } else if (c === '/' && s[i + 1] === '/') {
        const j = s.indexOf('\n', i);
        const end = j < 0 ? s.length : j;
        out += s.slice(i, end);
        i = end;
      } else if (c === '/' && s[i + 1] === '*') {
        const j = s.indexOf('*/', i + 2);
        if (j < 0) this.fail(i, 'an unclosed comment');
        out += s.slice(i, j + 2);
        i = j + 2;
      } else if (c === '/' && (last === '' || REGEX_AFTER.has(last) || REGEX_WORDS.has(word))) {
        const j = this.regex(i);
        out += s.slice(i, j);
        i = j;
        last = ')';
        word = '';
      } else if (/[\w$]/.test(c)) {
        let j = i;
        while (j < s.length && /[\w$]/.test(s[j])) j++;
        word = s.slice(i, j);
        if (word === 'html' && s[j] !== '`' && s[i - 1] !== '.') this.fail(i, 'html used other than as a template tag');
        out += word;
        last = 'a';
        i = j;
      } else {
        if (c === '{') depth++;
        if (c === '}') {
          if (depth === 0 && inExpr) return [out, i + 1];
          depth--;
        }
        out += c;
        if (!/\s/.test(c)) {
          last = c;
          word = '';
        }
        i++;
      }
    }
    if (inExpr) this.fail(i, 'an unclosed ${');
    return [out, i];
  }

  string(i) {
    const s = this.src;
    const q = s[i];
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === '\\') j++;
      else if (s[j] === q) return j + 1;
      else if (s[j] === '\n') break;
    }
    return this.fail(i, 'an unclosed string');
  }

  regex(i) {
    const s = this.src;
    let cls = false;
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === '\\') j++;
      else if (s[j] === '[') cls = true;
      else if (s[j] === ']') cls = false;
      else if (s[j] === '/' && !cls) {
        j++;
        while (/[a-z]/.test(s[j] || '')) j++;
        return j;
      } else if (s[j] === '\n') break;
    }
    return this.fail(i, 'an unclosed regular expression');
  }

  /** The template literal at i: [its text, or the h() calls when tagged, index after]. */
  template(i, tagged) {
    const s = this.src;
    const raws = [];
    const exprs = [];
    let raw = '';
    let j = i + 1;
    for (;;) {
      if (j >= s.length) this.fail(i, 'an unclosed template');
      const c = s[j];
      if (c === '\\') {
        raw += s.slice(j, j + 2);
        j += 2;
      } else if (c === '`') {
        raws.push(raw);
        j++;
        break;
      } else if (c === '$' && s[j + 1] === '{') {
        raws.push(raw);
        raw = '';
        const [text, k] = this.code(j + 2, true);
        exprs.push(text);
        j = k;
      } else {
        raw += c;
        j++;
      }
    }
    if (!tagged) return [`\`${raws.map((r, k) => (k ? `\${${exprs[k - 1]}}` : '') + r).join('')}\``, j];
    return [this.calls(raws, exprs, i), j];
  }

  /** htm's elements of a template as h() calls. */
  calls(raws, exprs, at) {
    // The cooked strings, as a tag receives them.
    const statics = raws.map((r) => {
      try {
        return new Function(`return \`${r}\`;`)();
      } catch (e) {
        return this.fail(at, `a template part JS cannot read: ${e.message}`);
      }
    });
    const fields = exprs.map((text) => ({ text }));
    const isField = (v) => typeof v === 'object' && v !== null && fields.includes(v);
    const value = (v) => {
      if (isField(v)) return `(${v.text})`;
      if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
      return this.fail(at, `an unexpected value in a template: ${String(v)}`);
    };
    const prop = (parts) => (parts.length === 1 ? value(parts[0]) : parts.map((p, k) => (k ? `(${value(p)} + "")` : value(p))).join(' + '));
    const props = (list) => {
      const objs = list.map((p) => (isField(p) ? value(p) : `{ ${Object.entries(p).map(([k, v]) => `${JSON.stringify(k)}: ${prop(v)}`).join(', ')} }`));
      if (!objs.length) return 'null';
      // htm assigns a spread into a fresh object; so does Object.assign({}, ...).
      return objs.length === 1 && !isField(list[0]) ? objs[0] : `Object.assign({}, ${objs.join(', ')})`;
    };
    const node = (n) => {
      if (typeof n === 'object' && n !== null && !isField(n)) {
        if (!('tag' in n)) return this.fail(at, 'an unexpected node in a template');
        return `${H}(${value(n.tag)}, ${props(n.props)}${n.children.map((c) => `, ${node(c)}`).join('')})`;
      }
      return value(n);
    };
    const tree = treeify(build(statics), fields);
    if (tree === undefined) return 'undefined';
    return Array.isArray(tree) ? `[${tree.map(node).join(', ')}]` : node(tree);
  }
}

/** A page module with its html`...` templates as h() calls; unchanged if it has none. */
export function compileTemplates(src, file) {
  if (!HTML_IMPORT.test(src)) {
    if (/\bhtml`/.test(src)) throw new Error(`${file}: html\` templates without the one import of html from 'htm/preact'`);
    return src;
  }
  if (new RegExp(`\\b${H}\\b`).test(src)) throw new Error(`${file}: the name ${H} is the build's`);
  return new Scanner(src.replace(HTML_IMPORT, `import { h as ${H} } from 'preact';`), file).code(0, false)[0];
}
