/**
 * Property: for random address-space layouts and random GUP calls, the page-array
 * result equals a naive page-by-page oracle, and releasing what was returned puts
 * every refcount, pincount and the vmstat pin counters back where they were.
 *
 * The oracle walks the range one address at a time: no VMA stops the call, so do the
 * VMA rules of mm/gup.c check_vma_flags (VM_IO|VM_PFNMAP, a write without VM_WRITE
 * unless FOLL_FORCE on a COW mapping, a long-term write pin of a dirty-tracked shared
 * file); an error with nothing taken is the call's result (-EFAULT for all of these).
 * Every page taken must be the page the page tables map at its address after the call
 * (a page-table lookup per address). Accounting is checked with a second, identical
 * call once the first has settled faults, COW, unsharing and migration: its pins must
 * add exactly one reference per page (GUP_PIN_COUNTING_BIAS per order-0 page, and one
 * _pincount per page of a large folio, nothing for the zero page) and its release must
 * restore the memmap exactly.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  EFAULT,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  NULL_PFN,
  PROT_READ,
  PROT_WRITE,
  VM_IO,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
  exitMmap,
  getUserPages,
  getUserPagesFast,
  pageAt,
  pageFolio,
  pinUserPages,
  pinUserPagesFast,
  putPage,
  unpinUserPages,
  userReadTags,
  userWrite,
  vmaLookup,
  vpnOf,
  isCowMapping,
  type Backing,
  type Mm,
  type PageArrayOut,
} from '../../src/index.js';
import { BASE, MIB, forked, mapAt, world } from '../support/mm-layout.js';

type Api = (mm: Mm, start: number, nr: number, flags: number, pages: PageArrayOut | null) => number;
const APIS: readonly { readonly name: string; readonly fn: Api; readonly pin: boolean }[] = [
  { name: 'pin_user_pages_fast', fn: pinUserPagesFast, pin: true },
  { name: 'pin_user_pages', fn: pinUserPages, pin: true },
  { name: 'get_user_pages_fast', fn: getUserPagesFast, pin: false },
  { name: 'get_user_pages', fn: getUserPages, pin: false },
];

interface Segment {
  readonly backing: Backing;
  readonly shared: boolean;
  readonly order: number;
  readonly writable: boolean;
  readonly cma: boolean;
  readonly pages: number;
  readonly gap: number;
}

const segment: fc.Arbitrary<Segment> = fc.oneof(
  fc.record({
    backing: fc.constantFrom<Backing>('anon', 'shmem', 'ext4'),
    shared: fc.boolean(),
    order: fc.constantFrom(0, 0, 2, 4, 9),
    writable: fc.boolean(),
    cma: fc.boolean(),
    pages: fc.integer({ min: 1, max: 1100 }),
    gap: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    backing: fc.constant<Backing>('hugetlb-2m'),
    shared: fc.boolean(),
    order: fc.constant(0),
    writable: fc.constant(true),
    cma: fc.boolean(),
    pages: fc.constantFrom(512, 1024),
    gap: fc.constantFrom(0, 512),
  }),
  fc.record({
    backing: fc.constant<Backing>('device'),
    shared: fc.constant(true),
    order: fc.constant(0),
    writable: fc.boolean(),
    cma: fc.constant(false),
    pages: fc.integer({ min: 1, max: 8 }),
    gap: fc.integer({ min: 0, max: 1 }),
  }),
);

const scenario = fc.record({
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  touches: fc.array(fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 600 }), write: fc.boolean() }), { maxLength: 4 }),
  forkMode: fc.constantFrom('none', 'keep-child', 'child-exited'),
  api: fc.integer({ min: 0, max: APIS.length - 1 }),
  write: fc.boolean(),
  longterm: fc.boolean(),
  force: fc.boolean(),
  start: fc.nat(),
  nr: fc.integer({ min: 1, max: 1200 }),
});

/** Lays the segments out from BASE (2 MiB aligned starts for hugetlb); returns the span in pages. */
function layOut(mm: Mm, segments: readonly Segment[]): number {
  let vpn = 0;
  for (const s of segments) {
    vpn += s.gap;
    const huge = s.backing === 'hugetlb-2m';
    if (huge || s.order === 9) vpn = Math.ceil(vpn / 512) * 512;
    mapAt(mm, BASE + vpn * 4096, s.pages * 4096, {
      backing: s.backing,
      shared: s.shared,
      order: s.order,
      prot: s.writable ? PROT_READ | PROT_WRITE : PROT_READ,
      zone: s.cma ? 'cma' : 'normal',
    });
    vpn += s.pages;
  }
  return vpn;
}

/** The naive oracle: how many pages from `start` the call takes, or the error when none. */
function oracleCount(mm: Mm, start: number, nr: number, flags: number): number {
  const write = (flags & FOLL_WRITE) !== 0;
  for (let i = 0; i < nr; i++) {
    const vma = vmaLookup(mm.vmas, start + i * 4096);
    let refused = vma === null || (vma.flags & (VM_IO | VM_PFNMAP)) !== 0;
    if (!refused && write) {
      const dirtyTracked = vma!.file?.kind === 'ext4' && (vma!.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE);
      if ((flags & FOLL_LONGTERM) !== 0 && dirtyTracked) refused = true;
      if ((vma!.flags & VM_WRITE) === 0 && ((flags & FOLL_FORCE) === 0 || !isCowMapping(vma!.flags))) refused = true;
    }
    if (refused) return i === 0 ? -EFAULT : i;
  }
  return nr;
}

/** The first index where two arrays differ, or -1 (one cheap expect instead of thousands). */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function release(mm: Mm, pin: boolean, pages: Int32Array, n: number): void {
  if (pin) unpinUserPages(mm.m, pages, n);
  else for (let i = 0; i < n; i++) putPage(mm.m, pages[i]!);
}

test.prop([scenario])('page-array GUP = page-by-page oracle, and release restores the memmap', (sc) => {
  const { m, mm } = world({ cmaBytes: 16 * MIB });
  const span = layOut(mm, sc.segments);
  for (const t of sc.touches) {
    const at = BASE + (t.at % span) * 4096;
    // Touch only where the CPU may (a refused store is a SIGSEGV, not interesting here).
    const vma = vmaLookup(mm.vmas, at);
    if (vma === null) continue;
    const len = Math.min(t.len * 4096, vma.end - at);
    if (t.write && (vma.flags & VM_WRITE) !== 0) expect(userWrite(mm, at, len)).toBe(0);
    else expect(userReadTags(mm, at, len)).toBeInstanceOf(Int32Array);
  }
  let child: Mm | null = null;
  if (sc.forkMode !== 'none') {
    const c = forked(mm);
    child = c;
    if (sc.forkMode === 'child-exited') {
      exitMmap(c);
      child = null;
    }
  }
  const api = APIS[sc.api]!;
  const flags = (sc.write ? FOLL_WRITE : 0) | (sc.longterm && api.pin ? FOLL_LONGTERM : 0) | (sc.force ? FOLL_FORCE : 0);
  const start = BASE + (sc.start % (span + 4)) * 4096;
  const expected = oracleCount(mm, start, sc.nr, flags);

  const first = new Int32Array(sc.nr).fill(NULL_PFN);
  const n1 = api.fn(mm, start, sc.nr, flags, first);
  expect(n1).toBe(expected);
  const looked = Array.from({ length: sc.nr }, (_, i) => (i < n1 ? pageAt(mm.pt, vpnOf(start) + i) : NULL_PFN));
  expect(firstMismatch(first, looked)).toBe(-1);
  release(mm, api.pin, first, Math.max(n1, 0));

  // Settled: a second call takes the same pages without faulting, and its release is exact.
  const refBefore = m.refcount.slice();
  const pinBefore = m.pincount.slice();
  const stat0 = { acq: m.stat.nrFollPinAcquired, rel: m.stat.nrFollPinReleased };
  const faults0 = m.cost.faults;
  const second = new Int32Array(sc.nr).fill(NULL_PFN);
  const n2 = api.fn(mm, start, sc.nr, flags, second);
  expect(n2).toBe(n1);
  expect(m.cost.faults).toBe(faults0);
  expect(firstMismatch(second, first)).toBe(-1);
  const n = Math.max(n2, 0);
  // What the pins added, folio by folio, worked from the entries.
  const perFolio = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const f = pageFolio(m, second[i]!);
    perFolio.set(f, (perFolio.get(f) ?? 0) + 1);
  }
  let pinnedPages = 0;
  for (const [f, count] of perFolio) {
    if (api.pin && f === m.zeroPfn) {
      expect(m.refcount[f]).toBe(refBefore[f]);
      continue;
    }
    if (api.pin) pinnedPages += count;
    const large = m.order[f]! > 0;
    const refs = api.pin && !large ? count * GUP_PIN_COUNTING_BIAS : count;
    expect(m.refcount[f]! - refBefore[f]!).toBe(refs);
    expect(m.pincount[f]! - pinBefore[f]!).toBe(api.pin && large ? count : 0);
  }
  expect(m.stat.nrFollPinAcquired - stat0.acq - (m.stat.nrFollPinReleased - stat0.rel)).toBe(pinnedPages);
  release(mm, api.pin, second, n);
  expect(firstMismatch(m.refcount, refBefore)).toBe(-1);
  expect(firstMismatch(m.pincount, pinBefore)).toBe(-1);
  expect(m.stat.nrFollPinAcquired - stat0.acq).toBe(m.stat.nrFollPinReleased - stat0.rel);
  if (child !== null) exitMmap(child);
  exitMmap(mm);
});
