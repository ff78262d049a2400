/**
 * Bad-argument tables: a call that must be refused, and proof that the refusal changed
 * nothing. The memmap (refcount, pincount, mapcount, entire mapcount, flags, content),
 * vmstat and any extra state the row names are compared before and after.
 */
import { expect } from 'vitest';
import { ArgumentError, vmstat, type Machine } from '../../src/index.js';

/** What a bad call must do: return this value, or throw an ArgumentError whose message matches. */
export type Refusal = { returns: number } | { throws: RegExp };

/** One row of a bad-argument table. */
export interface BadCall {
  /** The call as a reader would write it, e.g. 'tryGrabFolio(m, NaN, 1, FOLL_PIN)'. */
  readonly call: string;
  /** The machine the call runs on. */
  readonly m: Machine;
  readonly run: () => unknown;
  readonly expect: Refusal;
  /** Extra state that must not change (page tables, a bvec array, an iterator). */
  readonly state?: () => unknown;
}

type Memmap = Record<'refcount' | 'pincount' | 'mapcount' | 'entireMapcount' | 'flags' | 'content' | 'order', ArrayBufferView>;

function memmap(m: Machine): Memmap {
  return {
    refcount: m.refcount.slice(),
    pincount: m.pincount.slice(),
    mapcount: m.mapcount.slice(),
    entireMapcount: m.entireMapcount.slice(),
    flags: m.flags.slice(),
    content: m.content.slice(),
    order: m.order.slice(),
  };
}

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** The memmap arrays that changed, with the first PFN that differs (a byte compare: toEqual is slow here). */
function memmapChanges(m: Machine, before: Memmap): string[] {
  const now = memmap(m);
  const out: string[] = [];
  for (const k of Object.keys(before) as (keyof Memmap)[]) {
    if (bytes(before[k]).equals(bytes(now[k]))) continue;
    const a = before[k] as unknown as ArrayLike<number>;
    const b = now[k] as unknown as ArrayLike<number>;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    out.push(`${k}[${i}]: ${a[i]} -> ${b[i]}`);
  }
  return out;
}

/** Runs `row`, checks the refusal, and checks that nothing changed. */
export function expectRefused(row: BadCall): void {
  const before = memmap(row.m);
  const statBefore = vmstat(row.m);
  const extraBefore = row.state?.();
  if ('returns' in row.expect) {
    expect(row.run()).toBe(row.expect.returns);
  } else {
    let thrown: unknown = undefined;
    try {
      row.run();
    } catch (e) {
      thrown = e;
    }
    expect(thrown, `${row.call} did not throw an ArgumentError`).toBeInstanceOf(ArgumentError);
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(row.expect.throws);
  }
  expect(memmapChanges(row.m, before), `${row.call} changed the memmap`).toEqual([]);
  expect(vmstat(row.m)).toEqual(statBefore);
  if (row.state !== undefined) expect(row.state()).toEqual(extraBefore);
}

/** The error `run` throws; a call that returns fails the test. */
export function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}
