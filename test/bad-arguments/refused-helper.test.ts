// The bad-call helper must be able to fail: a "refusal" that moved a count, or returned
// the wrong value, or threw something other than an ArgumentError, is reported.
import { expect, it } from 'vitest';
import { ArgumentError, allocFolio, folioGet, folioPut } from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { expectRefused } from '../support/refused.js';

it('reports a call that changed the memmap while returning the expected errno', () => {
  const m = newMachine();
  const f = allocFolio(m, 0);
  const run = () => (folioGet(m, f), -22);
  expect(() => expectRefused({ call: 'folioGet then -EINVAL', m, run, expect: { returns: -22 } })).toThrow(
    `refcount[${f}]: 1 -> 2`,
  );
  folioPut(m, f);
  folioPut(m, f);
});

it('reports a wrong return value and a throw that is not an ArgumentError', () => {
  const m = newMachine();
  expect(() => expectRefused({ call: 'returns 0', m, run: () => 0, expect: { returns: -22 } })).toThrow();
  const run = () => {
    throw new RangeError('x');
  };
  expect(() => expectRefused({ call: 'RangeError', m, run, expect: { throws: /x/ } })).toThrow(/did not throw/);
  const ok = () => {
    throw new ArgumentError('f', 'a', 1.5, 'an integer');
  };
  expectRefused({ call: 'ArgumentError', m, run: ok, expect: { throws: /^f: a must be an integer, got 1\.5$/ } });
});
