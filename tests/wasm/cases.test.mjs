// Every tests/cases/*.json through the WASM module, checked as tests/run_cases.c
// checks them natively: the expectations, the resolved config run again, and
// the parameter count of every model preset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, check, checkValue, load, readCases, roundtripPaths, same } from './helpers.mjs';

const cases = readCases();
const gm = await load();
const calc = (config) => JSON.parse(gm.calcRaw(config));

test('the case directory holds cases', () => assert.ok(cases.length > 0));

for (const c of cases) {
  const result = c.bad ? null : calc(c.input);
  const fails = check(c, result);
  test(`${c.id} (${c.file})`, () => assert.deepEqual(fails, []));
  const estimated = at(result, 'parameters.estimated') === true;
  if (fails.length === 0 && c.expect && c.roundtrip !== false && !estimated) {
    test(`${c.id} (resolved config run again)`, () => {
      const again = calc(JSON.stringify(result.resolved));
      assert.equal(again.error, undefined, `the resolved config is rejected: ${JSON.stringify(again.error)}`);
      for (const path of roundtripPaths) {
        const a = at(result, path), b = at(again, path);
        assert.ok(a !== undefined && b !== undefined && same(a, b), `${path} differs`);
      }
    });
  }
}

for (const [name, entry] of Object.entries(gm.presets().models ?? {})) {
  test(`preset ${name}`, () => {
    const got = at(calc({ model: { preset: name } }), 'parameters.total');
    assert.equal(checkValue('parameters.total', entry.parameters, got), null);
  });
}
