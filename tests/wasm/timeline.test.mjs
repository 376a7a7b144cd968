// The memory over one step (stages[].timeline) is the same physics as the peak:
// for every case and every pipeline stage its largest allocated and reserved
// figures are the stage's reported peaks, in phase order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load, readCases } from './helpers.mjs';

const gm = await load();
const results = readCases().filter((c) => !c.bad && c.expect).map((c) => [c.id, JSON.parse(gm.calcRaw(c.input))]);

test('cases with results exist, some with several stages', () => {
  assert.ok(results.length > 50);
  assert.ok(results.some(([, r]) => r.stages?.length > 1));
});

for (const [id, r] of results) {
  if (r.error) continue;
  test(`${id}: each stage's timeline peaks at its reported peak`, () => {
    for (const s of r.stages) {
      const t = s.timeline;
      assert.ok(Array.isArray(t) && t.length >= 4, `stage ${s.stage}: ${t?.length} points`);
      assert.equal(t[0].at, 'start');
      assert.equal(t.at(-1).at, 'optimizer step');
      assert.equal(Math.max(...t.map((p) => p.allocated)), s.bytes.peak_allocated, `stage ${s.stage} allocated`);
      assert.equal(Math.max(...t.map((p) => p.reserved)), s.bytes.peak_reserved, `stage ${s.stage} reserved`);
      for (const p of t) assert.ok(p.reserved >= p.allocated && p.allocated >= 0, `${p.at}: reserved ${p.reserved} < allocated ${p.allocated}`);
      if (s.has_output_head && s.bytes.logits > 0 && s.peak_phase === 'loss') assert.ok(t.some((p) => p.at === 'loss'));
    }
  });
}
