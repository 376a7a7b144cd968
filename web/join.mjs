// Joins the modules the first result runs into one module, so that the page
// fetches and links one file where it fetched one per module. No bundler: the
// page's modules keep to a small subset of the syntax (one-line named imports,
// `export function|async function|const|class NAME`, `export { NAME }`), and
// anything else stops the build.
//
// Each module but the entry becomes a function scope whose result is its
// exports, in the order the browser would evaluate them (depth first, imports
// in source order); the entry follows at the top level, and its exports are
// the joined module's. Its imports become reads of those results; Preact's
// and htm's modules stay imports. A joined module's exports are read once it
// has run: no module here assigns an export after that (`export let` stops
// the build). The joined module also exports each result, so that a module
// loaded later (import() of a panel) that imports a joined one gets this very
// instance through a stub at that module's path (stubFor).
import { posix } from 'node:path';

const IDENT = /^[A-Za-z_$][\w$]*$/;
const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2;?[ \t]*$/;
const DYNAMIC = /\bimport\(\s*(['"])(\.{1,2}\/[^'"]+)\1/g;

/** The scope variable of a joined module: "lib/config.js" -> "$lib_config_js". */
export const scopeName = (file) => `$${file.replace(/[^A-Za-z0-9]/g, '_')}`;

/** {name, as} pairs of "a, b as c". */
function names(list, where) {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/.exec(s);
    if (!m) throw new Error(`${where}: cannot read "${s}"`);
    return { name: m[1], as: m[2] || m[1] };
  });
}

/**
 * One module's parts: imports [{spec, names}], exports (names), and its body
 * with the import lines removed and the export keywords dropped.
 */
function parse(file, js) {
  const imports = [];
  const exports = [];
  const body = [];
  for (const line of js.split('\n')) {
    if (/^import\b/.test(line)) {
      const m = IMPORT.exec(line);
      if (!m) throw new Error(`${file}: an import the join cannot read: ${line}`);
      imports.push({ spec: m[3], names: names(m[1], file) });
      continue;
    }
    if (/^export\b/.test(line)) {
      let m = /^export\s+((?:async\s+)?function\s*\*?\s*|const\s+|class\s+)([A-Za-z_$][\w$]*)/.exec(line);
      if (m) {
        exports.push(m[2]);
        body.push(line.replace(/^export\s+/, ''));
        continue;
      }
      m = /^export\s*\{([^}]*)\}\s*;?\s*$/.exec(line);
      if (m) {
        for (const n of names(m[1], file)) {
          if (n.as !== n.name) throw new Error(`${file}: export { ${n.name} as ${n.as} } is not supported`);
          exports.push(n.name);
        }
        continue;
      }
      throw new Error(`${file}: an export the join cannot read: ${line}`);
    }
    body.push(line);
  }
  const text = body.join('\n');
  if (/\bimport\s*\.\s*meta\b/.test(text)) throw new Error(`${file}: import.meta would name the joined file`);
  // Outside comments, every import() names a page module by a relative path.
  const code = body.filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
  if ((code.match(/\bimport\s*\(/g) || []).length !== (code.match(DYNAMIC) || []).length)
    throw new Error(`${file}: import() of something other than a relative path`);
  return { imports, exports, text };
}

/**
 * The joined module of entry and every page module it imports statically.
 * read(file) gives a module's text; files are paths relative to the page
 * ("lib/config.js"); isPage(file) says whether a relative import names a
 * page module (else the build stops). Returns {js, joined: [{file,
 * exports}]}, joined in evaluation order, the entry last.
 */
export function join(entry, read, isPage) {
  const parsed = new Map();
  const order = [];
  const visiting = new Set();
  const visit = (file) => {
    if (parsed.has(file)) return;
    if (visiting.has(file)) throw new Error(`${file}: an import cycle; the join needs none`);
    visiting.add(file);
    const p = parse(file, read(file));
    for (const imp of p.imports) {
      if (!imp.spec.startsWith('.')) continue;
      imp.file = posix.normalize(posix.join(posix.dirname(file), imp.spec));
      if (!isPage(imp.file)) throw new Error(`${file} imports ${imp.spec}, which is not a page module`);
      visit(imp.file);
    }
    visiting.delete(file);
    parsed.set(file, p);
    order.push(file);
  };
  visit(entry);

  const vendor = [...new Set(order.flatMap((f) => parsed.get(f).imports.filter((i) => !i.file).map((i) => i.spec)))];
  const vendorName = (spec) => `$$${spec.replace(/[^A-Za-z0-9]/g, '_')}`;
  const all = [...order.map(scopeName), ...vendor.map(vendorName)];
  if (new Set(all).size !== all.length) throw new Error('two modules join under one name');
  const out = [`// ${order.length} modules joined (web/join.mjs): ${order.join(', ')}.`];
  for (const spec of vendor) out.push(`import * as ${vendorName(spec)} from '${spec}';`);
  const entryDir = posix.dirname(entry);
  for (const file of order) {
    const p = parsed.get(file);
    for (const n of all) if (new RegExp(`(^|[^\\w$])${n.replace(/\$/g, '\\$')}(?![\\w$])`).test(p.text)) throw new Error(`${file} uses the name ${n}`);
    const reads = p.imports.map((i) => {
      const from = i.file ? scopeName(i.file) : vendorName(i.spec);
      return `const { ${i.names.map((n) => (n.as === n.name ? n.name : `${n.name}: ${n.as}`)).join(', ')} } = ${from};`;
    });
    // import() resolves against the joined file: the path from the entry's folder.
    const text = p.text.replace(DYNAMIC, (_, q, spec) => {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (!isPage(target)) throw new Error(`${file} imports ${spec}, which is not a page module`);
      const rel = posix.relative(entryDir, target);
      return `import(${q}${rel.startsWith('.') ? rel : `./${rel}`}${q}`;
    });
    out.push('', `// ${file}`);
    if (file === entry) {
      out.push(...reads, text.replace(/\n+$/, ''));
    } else {
      for (const e of p.exports) if (!IDENT.test(e)) throw new Error(`${file}: export ${e}`);
      out.push(`const ${scopeName(file)} = (() => {`, ...reads, text.replace(/\n+$/, ''), `return { ${p.exports.join(', ')} };`, '})();');
    }
  }
  const entryExports = parsed.get(entry).exports;
  for (const f of order) if (entryExports.includes(scopeName(f))) throw new Error(`${entry} exports ${scopeName(f)}`);
  out.push('', `export { ${entryExports.join(', ')} };`, '');
  return { js: out.join('\n'), joined: order.filter((f) => f !== entry).map((file) => ({ file, exports: parsed.get(file).exports })) };
}

/** What the joined module adds to hand its modules to stubFor's: export them. */
export const exportJoined = (joined) => `export { ${joined.map((j) => scopeName(j.file)).join(', ')} };\n`;

/**
 * The module left at a joined module's path, for the modules loaded later:
 * it re-exports that module's exports from the joined module at entry.
 */
export function stubFor(file, exports, entry) {
  let rel = posix.relative(posix.dirname(file), entry);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `// ${file} is joined into ${entry} (web/join.mjs); modules loaded later read it here.\n` +
    `import { ${scopeName(file)} as m } from '${rel}';\n` +
    `export const { ${exports.join(', ')} } = m;\n`;
}

/**
 * The same when the joined module is a page's inline script, which no module
 * can import: it hands its modules over as window[name] (handJoined), which
 * the stubs read. They load only after it has run (import() of a panel).
 */
export const handJoined = (joined, name) =>
  `window.${name} = { ${joined.map((j) => `'${j.file}': ${scopeName(j.file)}`).join(', ')} };\n`;
export const stubFromPage = (file, exports, name) =>
  `// ${file} is joined into the page's main script (web/join.mjs); modules loaded later read it here.\n` +
  `export const { ${exports.join(', ')} } = window.${name}['${file}'];\n`;
