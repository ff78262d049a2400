/**
 * gupMustUnshare (mm/internal.h gup_must_unshare) and canFollowWriteCommon (mm/gup.c
 * can_follow_write_common, v6.16+), refused at every bad value of each argument while
 * the other stays good. Both test their arguments in one line of integer comparisons
 * and only diagnose when it fails, so each term of that line is its own rule: a page
 * inside the memmap (canFollowWriteCommon also takes -1, vm_normal_page()'s NULL for
 * the zero page or a PFN map), and a FOLL_* word that an unsigned int holds with no
 * undefined bit. The kernel has no answer for these values (a struct page * and an
 * unsigned int rule them out): each is an ArgumentError naming the argument, and the
 * refusal changes nothing. The good calls are the kernel's: an exclusive anonymous page
 * needs no unsharing for a R/O pin, and FOLL_FORCE may write it through the read-only
 * PTE of a private mapping without VM_WRITE.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_ALL_DEFINED,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_PIN,
  FOLL_WRITE,
  MAPPING_ANON,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  VM_MAYWRITE,
  VM_SHARED,
  VM_WRITE,
  canFollowWriteCommon,
  costSnapshot,
  createMm,
  exitMmap,
  getUserPages,
  gupMustUnshare,
  pageAt,
  putPage,
  vmaLookup,
  vpnOf,
  type Machine,
  type Mm,
  type Vma,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { BASE, KIB, MIB, mapAt } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';

/** 8 MiB: 2048 PFNs. */
const NR_PAGES = 2048;
/** A: 16 KiB private anonymous, read-write, populated: PFNs 1..4, each PageAnonExclusive. */
const A = BASE;
/** R: 4 KiB private anonymous, PROT_READ, its page written once with FOLL_FORCE. */
const R = BASE + MIB;

interface World {
  readonly m: Machine;
  readonly mm: Mm;
  readonly vmaA: Vma;
  readonly vmaR: Vma;
  /** R's page: the COW copy of the zero page, exclusive, mapped read-only. */
  readonly poked: number;
}

function world(): World {
  const m = newMachine({ memoryBytes: 8 * MIB });
  expect(m.nrPages).toBe(NR_PAGES);
  const mm = createMm(m);
  mapAt(mm, A, 16 * KIB, { populate: true });
  mapAt(mm, R, 4 * KIB, { prot: PROT_READ });
  // The ptrace poke: FOLL_FORCE write faults, wp_page_copy() replaces the zero page with
  // an exclusive anon page (next-fit after A's PFNs 1..4), the PTE stays read-only.
  const pages = new Int32Array(1);
  expect(getUserPages(mm, R, 1, FOLL_WRITE | FOLL_FORCE, pages)).toBe(1);
  expect(pages[0]).toBe(5);
  putPage(m, 5);
  const vmaA = vmaLookup(mm.vmas, A);
  const vmaR = vmaLookup(mm.vmas, R);
  if (vmaA === null || vmaR === null) throw new Error('fixture VMA missing');
  // mmap of a private mapping sets VM_MAYWRITE whatever the prot (mm/mmap.c do_mmap).
  expect(vmaR.flags & (VM_WRITE | VM_MAYWRITE | VM_SHARED)).toBe(VM_MAYWRITE);
  expect(pageAt(mm.pt, vpnOf(A))).toBe(1);
  expect(m.mapping[1]).toBe(MAPPING_ANON);
  expect(m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
  expect(m.flags[5]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
  return { m, mm, vmaA, vmaR, poked: 5 };
}

type Value = readonly [label: string, value: number];

/** Not a PFN (for either function): below NULL, past the memmap, fractions, NaN, past an int. */
const notPfn: readonly Value[] = [
  ['-2', -2],
  ['nrPages', NR_PAGES],
  ['nrPages + 1', NR_PAGES + 1],
  ['0.5 (a fraction inside the memmap)', 0.5],
  ['NaN', NaN],
  ['2^31', 2 ** 31],
  ['2^32 (0 in an int)', 2 ** 32],
];
/** Not a FOLL_* word: an undefined bit beside a defined one or alone, and values no unsigned int holds. */
const badFlags: readonly Value[] = [
  ['FOLL_PIN | bit 13', FOLL_PIN | (1 << 13)],
  ['bit 13 alone', 1 << 13],
  ['bit 31 alone', 2 ** 31],
  ['-1', -1],
  ['0.5', 0.5],
  ['2^32', 2 ** 32],
  ['NaN', NaN],
];

interface Row {
  readonly call: string;
  readonly fn: 'gupMustUnshare' | 'canFollowWriteCommon';
  readonly names: 'page' | 'gupFlags';
  readonly run: (w: World) => unknown;
}

const rows: Row[] = [];
// gupMustUnshare(vma, FOLL_PIN, page 1): a R/O pin of an exclusive anon page, the
// call that reads the page. -1 is no page here: follow_page_pte() asks only about a
// page vm_normal_page() found.
for (const [label, page] of [['-1', -1] as const, ...notPfn])
  rows.push({ call: `gupMustUnshare page ${label}`, fn: 'gupMustUnshare', names: 'page', run: (w) => gupMustUnshare(w.m, w.vmaA, FOLL_PIN, page) });
for (const [label, flags] of badFlags)
  rows.push({ call: `gupMustUnshare gupFlags ${label}`, fn: 'gupMustUnshare', names: 'gupFlags', run: (w) => gupMustUnshare(w.m, w.vmaA, flags, 1) });
// canFollowWriteCommon(poked, vmaR, FOLL_WRITE | FOLL_FORCE): the call that reaches
// the page test, answered true when the arguments are good.
for (const [label, page] of notPfn)
  rows.push({
    call: `canFollowWriteCommon page ${label}`,
    fn: 'canFollowWriteCommon',
    names: 'page',
    run: (w) => canFollowWriteCommon(w.m, page, w.vmaR, FOLL_WRITE | FOLL_FORCE),
  });
for (const [label, flags] of badFlags) {
  rows.push({ call: `canFollowWriteCommon gupFlags ${label}`, fn: 'canFollowWriteCommon', names: 'gupFlags', run: (w) => canFollowWriteCommon(w.m, w.poked, w.vmaR, flags) });
  // With page -1 (good) the flags are still what is wrong: -1 is not a PFN to diagnose.
  rows.push({ call: `canFollowWriteCommon page -1, gupFlags ${label}`, fn: 'canFollowWriteCommon', names: 'gupFlags', run: (w) => canFollowWriteCommon(w.m, -1, w.vmaR, flags) });
}

describe('every bad page and gupFlags of gupMustUnshare and canFollowWriteCommon', () => {
  for (const row of rows) {
    it(row.call, () => {
      const w = world();
      const state = (): unknown => ({ warnings: w.m.warnings.length, cost: costSnapshot(w.m.cost), vmaR: w.vmaR.flags });
      expectRefused({ call: row.call, m: w.m, run: () => row.run(w), expect: { throws: new RegExp(`^${row.fn}: ${row.names} must be `) }, state });
      exitMmap(w.mm);
    });
  }

  it('the messages name the function, the argument, what it must be and what it got', () => {
    const w = world();
    expect(() => gupMustUnshare(w.m, null, FOLL_PIN, NR_PAGES)).toThrow(`gupMustUnshare: page must be a PFN in 0..${NR_PAGES - 1}, got ${NR_PAGES}`);
    expect(() => canFollowWriteCommon(w.m, -2, w.vmaR, FOLL_FORCE)).toThrow(`canFollowWriteCommon: page must be a PFN in 0..${NR_PAGES - 1}, got -2`);
    expect(() => gupMustUnshare(w.m, null, 1 << 13, 1)).toThrow('gupMustUnshare: gupFlags must be a flag word within 0x7f1fff, got 8192');
    expect(() => canFollowWriteCommon(w.m, -1, w.vmaR, 0.5)).toThrow('canFollowWriteCommon: gupFlags must be a flag word within 0x7f1fff, got 0.5');
    exitMmap(w.mm);
  });
});

describe('the first and last good value of each term', () => {
  it('gupMustUnshare: PFN 0 (the zero page) and the last PFN are pages; not anonymous, so only a long-term R/O pin without a VMA unshares', () => {
    // gup_must_unshare: "if (!PageAnon(page)) { if (!(flags & FOLL_LONGTERM)) return
    // false; if (!vma) return true; return is_cow_mapping(vma->vm_flags); }"
    const w = world();
    const last = NR_PAGES - 1;
    expect(gupMustUnshare(w.m, null, FOLL_PIN, 0)).toBe(false);
    expect(gupMustUnshare(w.m, null, FOLL_PIN | FOLL_LONGTERM, 0)).toBe(true);
    expect(gupMustUnshare(w.m, w.vmaA, FOLL_PIN | FOLL_LONGTERM, 0)).toBe(true); // private, VM_MAYWRITE: a COW mapping
    expect(gupMustUnshare(w.m, null, FOLL_PIN, last)).toBe(false);
    expect(gupMustUnshare(w.m, null, FOLL_PIN | FOLL_LONGTERM, last)).toBe(true);
    exitMmap(w.mm);
  });

  it('gupMustUnshare: every defined FOLL_* bit is a flag word (FOLL_WRITE in it: no unsharing)', () => {
    // "if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN) return false;", then an anon
    // page unshares when it is not exclusive: page 1 is.
    const w = world();
    expect(gupMustUnshare(w.m, null, FOLL_ALL_DEFINED, 0)).toBe(false);
    expect(gupMustUnshare(w.m, w.vmaA, FOLL_ALL_DEFINED & ~FOLL_WRITE, 1)).toBe(false);
    expect(gupMustUnshare(w.m, null, FOLL_ALL_DEFINED & ~FOLL_WRITE, 0)).toBe(true); // FOLL_LONGTERM among them
    exitMmap(w.mm);
  });

  it('canFollowWriteCommon: -1, PFN 0 and the last PFN are pages, none an exclusive anon page; every defined bit is a flag word', () => {
    // can_follow_write_common: "return page && PageAnon(page) && PageAnonExclusive(page);"
    const w = world();
    const force = FOLL_WRITE | FOLL_FORCE;
    expect(canFollowWriteCommon(w.m, w.poked, w.vmaR, force)).toBe(true);
    expect(canFollowWriteCommon(w.m, -1, w.vmaR, force)).toBe(false);
    expect(canFollowWriteCommon(w.m, 0, w.vmaR, force)).toBe(false);
    expect(canFollowWriteCommon(w.m, NR_PAGES - 1, w.vmaR, force)).toBe(false);
    expect(canFollowWriteCommon(w.m, w.poked, w.vmaR, FOLL_ALL_DEFINED)).toBe(true); // FOLL_FORCE among them
    expect(canFollowWriteCommon(w.m, -1, w.vmaR, FOLL_ALL_DEFINED)).toBe(false);
    exitMmap(w.mm);
  });
});
