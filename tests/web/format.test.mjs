// The page's number formatting: counts read as people write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtCount } from '../../web/lib/format.js';

test('fmtCount: three significant digits, never an exponent', () => {
  const cases = [
    [8030261248, '8.03B'], [125000000, '125M'], [4096, '4,096'], [12345, '12.3K'],
    [1e15, '1,000T'], [2.5e15, '2,500T'], [999.6e9, '1T'], [999.6e6, '1B'], [999.6e3, '1M'],
    [405e9, '405B'], [1.5e12, '1.5T'],
  ];
  for (const [n, want] of cases) assert.equal(fmtCount(n), want, `fmtCount(${n})`);
});
