// The schema the page builds its form from (gm.schema()), against what the
// module's calc_json reads and prints: the same keys, names and spellings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { calcStdin, load } from './helpers.mjs';

const gm = await load();
const schema = gm.schema();
const base = { model: { num_layers: 2, hidden_size: 64, vocab_size: 1000 } };
const with_ = (section, key, value) => ({ ...base, [section]: { ...(base[section] ?? {}), [key]: value } });

test('the schema lists keys of every section, GPUs, models and thresholds', () => {
  const sections = new Set(schema.keys.map((k) => k.section));
  assert.deepEqual([...sections], ['model', 'training', 'parallelism', 'engine', 'hardware']);
  assert.ok(schema.gpus.length > 10 && schema.models.length > 10);
  assert.equal(schema.thresholds.safety_margin_default, 0.21);
  for (const k of schema.keys) {
    assert.ok(typeof k.label === 'string' && k.label.length > 0, `${k.section}.${k.key} has no label`);
    assert.equal(k.doc, null, 'the module leaves the docs out');
    if (k.kind === 'enum') assert.ok(k.values.length >= 2 && k.values.every((v) => v.label), `${k.key} values`);
  }
});

test('resolved prints exactly the schema keys marked in_resolved', () => {
  const { resolved } = gm.calc(base);
  for (const k of schema.keys)
    if (k.in_resolved && !['fp8_amax_history_len', 'num_labels'].includes(k.key))
      assert.ok(Object.hasOwn(resolved[k.section], k.key), `${k.section}.${k.key} not printed`);
  for (const [section, keys] of Object.entries(resolved))
    for (const key of Object.keys(keys))
      assert.ok(schema.keys.some((k) => k.section === section && k.key === key && k.in_resolved), `${section}.${key} is no schema key`);
});

test('every alias of a count is read as the key', () => {
  let n = 0;
  for (const k of schema.keys.filter((x) => x.aliases.length && (x.kind === 'int' || x.kind === 'int64'))) {
    const value = Math.max(k.min, 1) + 1; // 2: a layer count, width, expert count alike
    for (const alias of k.aliases) {
      const config = with_(k.section, alias, value);
      delete config[k.section][k.key]; // the key itself would win over its alias
      const r = gm.calc(config);
      assert.equal(r.resolved[k.section][k.key], value, `${k.section}.${alias}`);
      n++;
    }
  }
  assert.ok(n >= 8, `${n} aliases tried`);
});

test('every enum value and alias the schema lists is accepted', () => {
  for (const k of schema.keys.filter((x) => x.kind === 'enum' && x.in_resolved && x.section === 'model'))
    for (const v of k.values)
      for (const name of [v.name, ...v.aliases]) assert.equal(gm.calc(with_(k.section, k.key, name)).resolved[k.section][k.key], v.name, `${k.key}: ${name}`);
});

test('every GPU spelling the schema lists finds its GPU', () => {
  for (const g of schema.gpus)
    for (const name of [g.id, g.name, ...g.aliases]) {
      const r = gm.calc(with_('hardware', 'gpu', name));
      assert.equal(r.resolved.hardware.gpu, g.id, name);
      assert.ok(Math.abs(r.gpu_capacity_gb - g.memory_gb) < 1e-3, `${name}: capacity`);
    }
});

test('every model spelling the schema lists finds its preset', () => {
  for (const m of schema.models)
    for (const name of [m.id, m.name, ...m.aliases]) assert.equal(gm.calc({ model: { preset: name } }).resolved.model.name, m.id, name);
});

// The page asks gm.presetId which preset a typed name stands for: its answer
// is the preset calc_json reads for that name, or null where calc_json
// refuses it, for every spelling and near-miss, overlong and cut names too.
test('presetId names the preset calc reads, and no other', () => {
  const variants = (name) => [name, name.toUpperCase(), name.replace(/[-\s]/g, '_'), ` ${name.replace(/(.)/, '$1-')} `,
    `${name}x`, `x${name}`, name.slice(0, -1), `${name}.`, `${name}\u00a0`, `${name}${' '.repeat(60)}tail`,
    `${name}${' '.repeat(96 - name.length - 2)}\u00e9`, `${name}${'-'.repeat(40)}zz`, ''];
  const gpuOf = (name) => {
    const r = JSON.parse(gm.calcRaw(with_('hardware', 'gpu', name)));
    if (r.error) assert.equal(r.error.field, 'hardware.gpu', name);
    return r.error ? null : r.resolved.hardware.gpu;
  };
  const modelOf = (name) => {
    const r = JSON.parse(gm.calcRaw({ model: { preset: name } }));
    if (r.error) assert.equal(r.error.field, 'model.preset', name);
    return r.error ? null : r.resolved.model.name;
  };
  let found = 0, refused = 0;
  for (const [kind, list, of] of [['gpu', schema.gpus, gpuOf], ['model', schema.models, modelOf]])
    for (const p of list)
      for (const spelling of [p.id, p.name, ...p.aliases])
        for (const name of variants(spelling)) {
          const want = of(name);
          assert.equal(gm.presetId(kind, name), want, `${kind} ${JSON.stringify(name)}`);
          if (want) found++;
          else refused++;
        }
  assert.ok(found > 500 && refused > 500, `${found} found, ${refused} refused`);
});

test('a key is a number of bounds the core enforces', () => {
  for (const k of schema.keys.filter((x) => (x.kind === 'int' || x.kind === 'int64') && x.max < 1e7 && !x.aliases.length)) {
    const r = JSON.parse(gm.calcRaw(with_(k.section, k.key, k.max + 1)));
    assert.equal(r.error?.field, `${k.section}.${k.key}`, `${k.section}.${k.key} above ${k.max}`);
  }
});

test('the module gives the native schema, the docs aside', () => {
  const native = JSON.parse(execFileSync(calcStdin, ['-s'], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  assert.ok(native.keys.every((k) => typeof k.doc === 'string' && k.doc.length > 0), 'a native key without its doc');
  for (const k of native.keys) k.doc = null;
  assert.deepEqual(schema, native);
});
