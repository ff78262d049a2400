/**
 * Int32Array page arrays take a native path for long runs of one folio
 * (src/mm/pfn-sequence.ts): GUP writes a leaf's entries with one copy and
 * gup_folio_next compares a run with one memcmp. The plain loops over a number[] are the
 * oracle: same entries written, same folio and run length from every index, the same
 * KernelBug for a NULL inside a run (mm/gup.c gup_folio_next passes it to page_folio).
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import {
  FOLL_WRITE,
  KernelBug,
  NULL_PFN,
  PAGE_SIZE,
  allocFolio,
  exitMmap,
  folioPut,
  gupFolioNext,
  pinUserPagesFast,
  unpinUserPages,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';

/** Entries made of runs through a few large folios, with the edits that break a run. */
const entries = fc
  .record({
    orders: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
    runs: fc.array(fc.record({ folio: fc.nat(3), from: fc.nat(511), len: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 5 }),
    edits: fc.array(fc.record({ at: fc.nat(2000), kind: fc.constantFrom('repeat', 'other', 'skip') }), { maxLength: 4 }),
  })
  .map(({ orders, runs, edits }) => ({ orders, runs, edits }));

it('a leaf is written with one copy: the entries equal the plain loop into a number[]', () => {
  const { m, mm } = world({ memoryBytes: 16 * MIB });
  mapAt(mm, BASE, 4 * MIB, { order: 9, populate: true });
  const n = (4 * MIB) / PAGE_SIZE - 100;
  const typed = new Int32Array(n);
  const plain: number[] = new Array<number>(n).fill(0);
  expect(pinUserPagesFast(mm, BASE + 100 * PAGE_SIZE, n, FOLL_WRITE, typed)).toBe(n);
  expect(pinUserPagesFast(mm, BASE + 100 * PAGE_SIZE, n, FOLL_WRITE, plain)).toBe(n);
  expect(Array.from(typed)).toEqual(plain);
  // First THP from PFN 512 (PMD-aligned next-fit), the range starts at its page 100.
  expect(typed[0]).toBe(612);
  expect(typed[411]).toBe(1023);
  expect(typed[412]).toBe(1024);
  unpinUserPages(m, typed, n);
  unpinUserPages(m, plain, n);
  exitMmap(mm);
});

test.prop([entries])('gup_folio_next over an Int32Array = over a number[], from every index', ({ orders, runs, edits }) => {
  const m = newMachine();
  const folios = orders.map((o) => allocFolio(m, o));
  const list: number[] = [];
  for (const r of runs) {
    const f = folios[r.folio % folios.length]!;
    const size = 1 << m.order[f]!;
    for (let k = 0; k < r.len; k++) list.push(f + ((r.from + k) % size));
  }
  for (const e of edits) {
    const at = e.at % list.length;
    if (e.kind === 'repeat') list.splice(at, 0, list[at]!);
    else if (e.kind === 'other') list[at] = folios[(folios.indexOf(list[at]! & ~511) + 1) % folios.length] ?? list[at]!;
    else list.splice(at, 1);
  }
  const typed = Int32Array.from(list);
  const a = new Int32Array(1);
  const b = new Int32Array(1);
  for (let i = 0; i < list.length; i++) {
    // Where a run of consecutive entries starts, and a sample of places inside runs.
    if (i > 0 && list[i] === list[i - 1]! + 1 && i % 37 !== 0) continue;
    for (const npages of [list.length, Math.min(list.length, i + 40)]) {
      expect(gupFolioNext(m, typed, npages, i, a)).toBe(gupFolioNext(m, list, npages, i, b));
      expect(a[0]).toBe(b[0]);
    }
  }
  for (const f of folios) folioPut(m, f);
});

it('a NULL inside a long run is still passed to page_folio: KernelBug either way', () => {
  const m = newMachine();
  const f = allocFolio(m, 9);
  const list = Array.from({ length: 512 }, (_, k) => f + k);
  list[300] = NULL_PFN;
  const out = new Int32Array(1);
  expect(() => gupFolioNext(m, list, 512, 0, out)).toThrow(KernelBug);
  expect(() => gupFolioNext(m, Int32Array.from(list), 512, 0, out)).toThrow(KernelBug);
  folioPut(m, f);
});
