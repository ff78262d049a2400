/**
 * canFollowWriteCommon: whether a FOLL_WRITE lookup may go through a read-only entry,
 * worked from mm/gup.c can_follow_write_common (v6.16+), called by can_follow_write_pte,
 * _pmd and _pud when the entry is not writable:
 *
 *   if (!(flags & FOLL_FORCE)) return false;
 *   if (vma->vm_flags & (VM_MAYSHARE | VM_SHARED)) return false;
 *   if (!(vma->vm_flags & VM_MAYWRITE)) return false;
 *   if (vma->vm_flags & VM_WRITE) return false;
 *   return page && PageAnon(page) && PageAnonExclusive(page);
 *
 * A table over the four VM_* bits it reads, FOLL_FORCE set or not, and the pages it
 * can be asked about: none (-1, vm_normal_page() found no struct page), an exclusive
 * anonymous page, an anonymous page shared with a child by fork (copy_present_pte ->
 * folio_try_dup_anon_rmap_pte clears PageAnonExclusive), a page-cache page of a private
 * file mapping, and the zero page. The function reads only vma->vm_flags, so each row
 * puts its flags on a copy of a real VMA (as fork copies one); a few combinations (VM_WRITE
 * without VM_MAYWRITE, VM_SHARED without VM_MAYSHARE) no mmap makes, but the function
 * still answers them bit by bit.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_FORCE,
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  MAPPING_ANON,
  MAPPING_FILE,
  PG_ANON_EXCLUSIVE,
  PROT_READ,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  canFollowWriteCommon,
  exitMmap,
  pageAt,
  userReadTags,
  vmaLookup,
  vpnOf,
  type Machine,
  type Mm,
  type Vma,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

/** A: 16 KiB private anonymous, read-write, populated before the fork: PFNs 1..4. */
const A = BASE;
/** F: 4 KiB private ext4 mapping, PROT_READ, read once: its page-cache page, PFN 5. */
const F = BASE + MIB;
/** B: 4 KiB private anonymous, populated after the fork: PFN 6. */
const B = BASE + 2 * MIB;
/** S: 4 KiB shared anonymous (shmem), PROT_READ. */
const S = BASE + 3 * MIB;

type PageKind = 'none' | 'anon exclusive' | 'anon shared by fork' | 'file' | 'zero page';

interface Fixture {
  readonly m: Machine;
  readonly mm: Mm;
  readonly child: Mm;
  readonly pages: Readonly<Record<PageKind, number>>;
  /** A VMA to copy flags onto (B's). */
  readonly vma: Vma;
  readonly real: Readonly<Record<'A' | 'F' | 'S', Vma>>;
}

function fixture(): Fixture {
  const { m, mm } = world({ memoryBytes: 16 * MIB });
  mapAt(mm, A, 16 * KIB, { populate: true });
  mapAt(mm, F, 4 * KIB, { prot: PROT_READ, backing: 'ext4' });
  expect(userReadTags(mm, F, 4 * KIB)).toEqual(new Int32Array([0]));
  const child = forked(mm);
  mapAt(mm, B, 4 * KIB, { populate: true });
  mapAt(mm, S, 4 * KIB, { shared: true, prot: PROT_READ });
  // Next-fit from PFN 1: A's four pages, F's page-cache folio, then B's page.
  const shared = pageAt(mm.pt, vpnOf(A));
  const file = pageAt(mm.pt, vpnOf(F));
  const exclusive = pageAt(mm.pt, vpnOf(B));
  expect([shared, file, exclusive]).toEqual([1, 5, 6]);
  expect(pageAt(child.pt, vpnOf(A))).toBe(1);
  // The fork left A's page mapped twice and exclusive to neither mm; B's page is exclusive.
  expect(m.mapping[1]).toBe(MAPPING_ANON);
  expect(m.mapcount[1]).toBe(2);
  expect(m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(0);
  expect(m.mapping[6]).toBe(MAPPING_ANON);
  expect(m.flags[6]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
  expect(m.mapping[5]).toBe(MAPPING_FILE);
  expect(m.flags[5]! & PG_ANON_EXCLUSIVE).toBe(0);
  const vmaOf = (addr: number): Vma => {
    const v = vmaLookup(mm.vmas, addr);
    if (v === null) throw new Error(`no VMA at ${addr.toString(16)}`);
    return v;
  };
  return {
    m,
    mm,
    child,
    pages: { none: -1, 'anon exclusive': exclusive, 'anon shared by fork': shared, file, 'zero page': m.zeroPfn },
    vma: vmaOf(B),
    real: { A: vmaOf(A), F: vmaOf(F), S: vmaOf(S) },
  };
}

function done(f: Fixture): void {
  exitMmap(f.child);
  exitMmap(f.mm);
}

const KINDS: readonly PageKind[] = ['none', 'anon exclusive', 'anon shared by fork', 'file', 'zero page'];
const BITS = VM_SHARED | VM_MAYSHARE | VM_MAYWRITE | VM_WRITE;
const BASE_FLAGS = VM_READ | VM_MAYREAD | VM_MAYEXEC;

/**
 * Each combination of the four bits, with the kernel line that answers a FOLL_FORCE
 * write: only a private mapping that may be made writable but is not writable now
 * reaches the page test.
 */
const VMA_ROWS: readonly (readonly [label: string, bits: number, reachesPageTest: boolean])[] = [
  ['none of them (read-only private, no VM_MAYWRITE): "!(VM_MAYWRITE)"', 0, false],
  ['VM_WRITE: "!(VM_MAYWRITE)"', VM_WRITE, false],
  ['VM_MAYWRITE (a PROT_READ private mapping): the page decides', VM_MAYWRITE, true],
  ['VM_MAYWRITE | VM_WRITE (writable private: take the write fault): "VM_WRITE"', VM_MAYWRITE | VM_WRITE, false],
  ['VM_MAYSHARE (MAP_SHARED of a read-only file): "VM_MAYSHARE | VM_SHARED"', VM_MAYSHARE, false],
  ['VM_MAYSHARE | VM_WRITE: shared', VM_MAYSHARE | VM_WRITE, false],
  ['VM_MAYSHARE | VM_MAYWRITE: shared, though the later tests would pass', VM_MAYSHARE | VM_MAYWRITE, false],
  ['VM_MAYSHARE | VM_MAYWRITE | VM_WRITE: shared', VM_MAYSHARE | VM_MAYWRITE | VM_WRITE, false],
  ['VM_SHARED: shared', VM_SHARED, false],
  ['VM_SHARED | VM_WRITE: shared', VM_SHARED | VM_WRITE, false],
  ['VM_SHARED | VM_MAYWRITE: shared, though the later tests would pass', VM_SHARED | VM_MAYWRITE, false],
  ['VM_SHARED | VM_MAYWRITE | VM_WRITE: shared', VM_SHARED | VM_MAYWRITE | VM_WRITE, false],
  ['VM_SHARED | VM_MAYSHARE: shared', VM_SHARED | VM_MAYSHARE, false],
  ['VM_SHARED | VM_MAYSHARE | VM_WRITE: shared', VM_SHARED | VM_MAYSHARE | VM_WRITE, false],
  ['VM_SHARED | VM_MAYSHARE | VM_MAYWRITE (a PROT_READ MAP_SHARED mapping): shared', VM_SHARED | VM_MAYSHARE | VM_MAYWRITE, false],
  ['VM_SHARED | VM_MAYSHARE | VM_MAYWRITE | VM_WRITE (writable shared): shared', BITS, false],
];

/** "return page && PageAnon(page) && PageAnonExclusive(page);" */
const PAGE_TEST: Readonly<Record<PageKind, boolean>> = {
  none: false,
  'anon exclusive': true,
  'anon shared by fork': false,
  file: false,
  'zero page': false,
};

describe('can_follow_write_common over VM_SHARED, VM_MAYSHARE, VM_MAYWRITE, VM_WRITE, FOLL_FORCE and the page', () => {
  it('the table covers each combination of the four bits once', () => {
    expect(new Set(VMA_ROWS.map(([, bits]) => bits)).size).toBe(16);
  });

  for (const [label, bits, reachesPageTest] of VMA_ROWS) {
    it(label, () => {
      const f = fixture();
      const vma: Vma = { ...f.vma, flags: BASE_FLAGS | bits };
      const got: Record<string, boolean> = {};
      const want: Record<string, boolean> = {};
      for (const kind of KINDS) {
        const page = f.pages[kind];
        // Without FOLL_FORCE: "Maybe FOLL_FORCE is set to override it?" -- no, so false.
        got[`${kind}, FOLL_WRITE`] = canFollowWriteCommon(f.m, page, vma, FOLL_WRITE);
        got[`${kind}, FOLL_WRITE | FOLL_PIN`] = canFollowWriteCommon(f.m, page, vma, FOLL_WRITE | FOLL_PIN);
        want[`${kind}, FOLL_WRITE`] = false;
        want[`${kind}, FOLL_WRITE | FOLL_PIN`] = false;
        got[`${kind}, FOLL_WRITE | FOLL_FORCE`] = canFollowWriteCommon(f.m, page, vma, FOLL_WRITE | FOLL_FORCE);
        got[`${kind}, FOLL_WRITE | FOLL_FORCE | FOLL_GET`] = canFollowWriteCommon(f.m, page, vma, FOLL_WRITE | FOLL_FORCE | FOLL_GET);
        want[`${kind}, FOLL_WRITE | FOLL_FORCE`] = reachesPageTest && PAGE_TEST[kind];
        want[`${kind}, FOLL_WRITE | FOLL_FORCE | FOLL_GET`] = reachesPageTest && PAGE_TEST[kind];
      }
      expect(got).toEqual(want);
      done(f);
    });
  }

  it('the only true answer: FOLL_FORCE, a PROT_READ private VMA, an exclusive anon page', () => {
    const f = fixture();
    const vma: Vma = { ...f.vma, flags: BASE_FLAGS | VM_MAYWRITE };
    expect(canFollowWriteCommon(f.m, 6, vma, FOLL_WRITE | FOLL_FORCE)).toBe(true);
    // The same page once fork shares it would take a COW fault first: A's page 1.
    expect(canFollowWriteCommon(f.m, 1, vma, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    // FOLL_FORCE alone is the flag read; FOLL_WRITE is the caller's reason to ask.
    expect(canFollowWriteCommon(f.m, 6, vma, FOLL_FORCE)).toBe(true);
    expect(canFollowWriteCommon(f.m, 6, vma, FOLL_WRITE | FOLL_PIN)).toBe(false);
    done(f);
  });
});

describe('the flags mmap gives real VMAs, and their answers', () => {
  it('private read-write anon (VM_WRITE set: the write fault makes the entry writable) -> false', () => {
    const f = fixture();
    expect(f.real.A.flags & BITS).toBe(VM_MAYWRITE | VM_WRITE);
    expect(canFollowWriteCommon(f.m, 1, f.real.A, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    expect(canFollowWriteCommon(f.m, 6, f.real.A, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    done(f);
  });

  it('private PROT_READ file (VM_MAYWRITE, no VM_WRITE): the page-cache page -> false, an exclusive anon page (the COW copy) -> true', () => {
    const f = fixture();
    expect(f.real.F.flags & BITS).toBe(VM_MAYWRITE);
    expect(canFollowWriteCommon(f.m, 5, f.real.F, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    expect(canFollowWriteCommon(f.m, -1, f.real.F, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    expect(canFollowWriteCommon(f.m, 6, f.real.F, FOLL_WRITE | FOLL_FORCE)).toBe(true);
    done(f);
  });

  it('shared PROT_READ shmem (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE): FOLL_FORCE has no effect -> false', () => {
    const f = fixture();
    expect(f.real.S.flags & BITS).toBe(VM_SHARED | VM_MAYSHARE | VM_MAYWRITE);
    expect(canFollowWriteCommon(f.m, 6, f.real.S, FOLL_WRITE | FOLL_FORCE)).toBe(false);
    done(f);
  });
});
