/**
 * memalloc_pin_restore's token: an integer from 0 (outside every scope) to the current
 * depth. A negative token or a fraction is refused with an ArgumentError that names the
 * accepted range, and the scope is left as it was. The kernel's token is the
 * `unsigned int flags` memalloc_pin_save returned (include/linux/sched/mm.h,
 * v6.16: `memalloc_pin_save` / `memalloc_pin_restore`), which is never negative or
 * fractional; the range and the wording are the model's documented contract
 * (src/mm/memalloc-pin.ts header).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, currentAllocZone, memallocPinRestore, memallocPinSave } from '../../src/index.js';

function refusal(token: number): ArgumentError {
  let thrown: unknown = null;
  try {
    memallocPinRestore(token);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ArgumentError);
  return thrown as ArgumentError;
}

afterEach(() => {
  memallocPinRestore(0); // leave every scope whatever a failed test left open
});

describe('memallocPinRestore refuses a token no memallocPinSave returned', () => {
  it('-1 outside every scope: refused, naming the range 0..0', () => {
    const e = refusal(-1);
    expect([e.fn, e.arg]).toEqual(['memallocPinRestore', 'token']);
    expect(e.message).toBe('memallocPinRestore: token must be a memallocPinSave token of this scope or an outer one (0..0), got -1');
    expect(currentAllocZone('movable')).toBe('movable'); // still outside every scope
  });

  it('-1 and 0.5 inside one scope: refused, naming the range 0..1; the scope stays open', () => {
    const token = memallocPinSave();
    expect(token).toBe(0);
    expect(refusal(-1).message).toBe(
      'memallocPinRestore: token must be a memallocPinSave token of this scope or an outer one (0..1), got -1',
    );
    expect(refusal(0.5).message).toBe(
      'memallocPinRestore: token must be a memallocPinSave token of this scope or an outer one (0..1), got 0.5',
    );
    expect(currentAllocZone('movable')).toBe('normal'); // PF_MEMALLOC_PIN still set
    memallocPinRestore(token);
    expect(currentAllocZone('movable')).toBe('movable');
  });
});
