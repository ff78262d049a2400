/**
 * What GUP refuses, by backing, worked from mm/gup.c check_vma_flags,
 * writable_file_mapping_allowed, gup_fast_folio_allowed and try_grab_folio_fast
 * (v6.16+), and from tools/testing/selftests/mm/gup_longterm.c's expectation
 * (should_work = !shared || !rw || fs is tmpfs or hugetlbfs; ext4 shared R/W -> EFAULT).
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  EOPNOTSUPP,
  FOLL_ANON,
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_WRITE,
  PROT_READ,
  costDiff,
  costSnapshot,
  getUserPages,
  getUserPagesFast,
  pinUserPages,
  pinUserPagesFast,
  putPage,
  unpinUserPages,
  userReadTags,
  userWrite,
  vmstat,
  type Backing,
  type Mm,
  type PageArrayOut,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

type Api = (mm: Mm, start: number, nr: number, flags: number, pages: PageArrayOut | null) => number;

describe('VM_IO | VM_PFNMAP (check_vma_flags: -EFAULT; special PTEs stop GUP-fast)', () => {
  it.each<[string, Api]>([
    ['pin_user_pages_fast', pinUserPagesFast],
    ['pin_user_pages', pinUserPages],
    ['get_user_pages_fast', getUserPagesFast],
    ['get_user_pages', getUserPages],
  ])('%s on a device mapping -> -EFAULT, while the CPU reads it fine', (_n, api) => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { shared: true, backing: 'device' });
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(api(mm, BASE, 4, 0, pages)).toBe(-EFAULT);
    if (api === pinUserPagesFast || api === getUserPagesFast)
      expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ ptesVisited: 1, fastPathFallbacks: 1, refcountAtomics: 0 });
    expect(userReadTags(mm, BASE, 16 * KIB)).toEqual(new Int32Array(4));
  });
});

describe('FOLL_LONGTERM refusals', () => {
  it('fsdax: -EOPNOTSUPP for a long-term pin (R/O or R/W); a short-term pin works', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { shared: true, backing: 'fsdax', populate: true });
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(-EOPNOTSUPP);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(-EOPNOTSUPP);
    expect(pinUserPages(mm, BASE, 4, FOLL_LONGTERM, pages)).toBe(-EOPNOTSUPP);
    // GUP-fast grabbed the first fsdax page, found it not long-term pinnable and dropped it.
    expect(vmstat(m).nrFollPinAcquired).toBe(0);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, pages)).toBe(4);
    unpinUserPages(m, pages, 4);
  });

  // gup_longterm.c: shared R/W on ext4 must fail with EFAULT; tmpfs (shmem) and hugetlbfs work;
  // R/O always works.
  it.each<[Backing, number, number, number]>([
    ['ext4', FOLL_LONGTERM | FOLL_WRITE, 4, -EFAULT],
    ['ext4', FOLL_LONGTERM, 4, 4],
    ['ext4', FOLL_WRITE, 4, 4],
    ['shmem', FOLL_LONGTERM | FOLL_WRITE, 4, 4],
    ['shmem', FOLL_LONGTERM, 4, 4],
    ['hugetlb-2m', FOLL_LONGTERM | FOLL_WRITE, 512, 512],
    ['hugetlb-2m', FOLL_LONGTERM, 512, 512],
  ])('MAP_SHARED %s, flags %i: %i pages -> %i', (backing, flags, nr, expected) => {
    const { m, mm } = world();
    mapAt(mm, BASE, nr * 4 * KIB, { shared: true, backing });
    expect(userWrite(mm, BASE, nr * 4 * KIB)).toBe(0);
    const pages = new Int32Array(nr);
    expect(pinUserPagesFast(mm, BASE, nr, flags, pages)).toBe(expected);
    if (expected > 0) unpinUserPages(m, pages, expected);
    expect(pinUserPages(mm, BASE, nr, flags, pages)).toBe(expected);
    if (expected > 0) unpinUserPages(m, pages, expected);
  });

  it('ext4 shared R/W long-term: GUP-fast grabs the writable page, gup_fast_folio_allowed refuses it, the slow path says -EFAULT', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * KIB, { shared: true, backing: 'ext4' });
    expect(userWrite(mm, BASE, 16 * KIB)).toBe(0); // write faults leave writable PTEs
    const pages = new Int32Array(4);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(-EFAULT);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ ptesVisited: 1, fastPathFallbacks: 1 });
    // Pinned and unpinned again at once: both counters moved by one.
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 1, nrFollPinReleased: 1 });
  });
});

describe('write permission and FOLL_FORCE (check_vma_flags, can_follow_write_common)', () => {
  it('a write pin of a read-only private mapping without FOLL_FORCE -> -EFAULT', () => {
    const { mm } = world();
    mapAt(mm, BASE, 16 * KIB, { prot: PROT_READ });
    const pages = new Int32Array(4);
    expect(pinUserPagesFast(mm, BASE, 4, FOLL_WRITE, pages)).toBe(-EFAULT);
    expect(getUserPages(mm, BASE, 4, FOLL_WRITE, pages)).toBe(-EFAULT);
  });

  it('FOLL_FORCE has no effect on shared mappings: -EFAULT', () => {
    const { mm } = world();
    mapAt(mm, BASE, 16 * KIB, { shared: true, prot: PROT_READ });
    const pages = new Int32Array(4);
    expect(getUserPages(mm, BASE, 4, FOLL_WRITE | FOLL_FORCE, pages)).toBe(-EFAULT);
    expect(pinUserPages(mm, BASE, 4, FOLL_WRITE | FOLL_FORCE, pages)).toBe(-EFAULT);
  });

  it('FOLL_FORCE write to a read-only private mapping breaks COW into a read-only exclusive anon page (ptrace poke)', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { prot: PROT_READ });
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([0])); // zero page
    const pages = new Int32Array(1);
    expect(getUserPages(mm, BASE, 1, FOLL_WRITE | FOLL_FORCE, pages)).toBe(1);
    // The write fault on the zero page copied it into PFN 1; the PTE stays read-only (!VM_WRITE).
    expect(pages[0]).toBe(1);
    expect(m.refcount[1]).toBe(2); // its PTE + our FOLL_GET reference
    m.content[1] = 77; // the kernel writes through the page (access_process_vm)
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([77]));
    expect(userWrite(mm, BASE, 4096)).toBe(-EFAULT); // the process itself still may not write
    putPage(m, 1);
  });

  it('FOLL_FORCE poke into a read-only private file mapping leaves the file page alone', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { prot: PROT_READ, backing: 'ext4' });
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([0]));
    // The page cache folio is PFN 1; the COW copy is PFN 2.
    const pages = new Int32Array(1);
    expect(pinUserPages(mm, BASE, 1, FOLL_WRITE | FOLL_FORCE, pages)).toBe(1);
    expect(pages[0]).toBe(2);
    m.content[2] = 5;
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([5]));
    expect(m.content[1]).toBe(0);
    unpinUserPages(m, pages, 1);
  });

  it('FOLL_ANON refuses a non-anonymous VMA (slow path only: the fast path rejects the flag)', () => {
    const { mm } = world();
    mapAt(mm, BASE, 16 * KIB, { shared: true, populate: true });
    const pages = new Int32Array(4);
    expect(pinUserPages(mm, BASE, 4, FOLL_ANON, pages)).toBe(-EFAULT);
  });

  it('hugetlb 2 MiB private: a write pin faults in one huge page and pins 512 pages with one leaf', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    const pages = new Int32Array(512);
    expect(pinUserPagesFast(mm, BASE, 512, FOLL_WRITE, pages)).toBe(512);
    expect(pages[0]).toBe(512);
    expect(pages[511]).toBe(1023);
    expect(m.pincount[512]).toBe(512);
    expect(m.refcount[512]).toBe(513);
    unpinUserPages(m, pages, 512);
    expect(m.refcount[512]).toBe(1);
  });
});

describe('a 1 GiB hugetlb page: one PUD leaf', () => {
  it('pin_user_pages_fast over 1 GiB + 8 KiB of the next mapping grabs the PUD leaf once', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 1024 * MIB, { shared: true, backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4096)).toBe(0);
    // The only free order-18 slot starts at PFN 262144 (PFN 0 is the zero page).
    const nr = 262144;
    const pages = new Int32Array(nr);
    const before = costSnapshot(m.cost);
    expect(pinUserPagesFast(mm, BASE + 4096, nr - 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(nr - 1);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ hugeLeavesVisited: 1, levelsDescended: 2, refcountAtomics: 1 });
    expect(pages[0]).toBe(262145);
    expect(pages[nr - 2]).toBe(524287);
    // page cache (262144 refs) + PUD mapping (1) + pins.
    expect(m.refcount[262144]).toBe(262144 + 1 + nr - 1);
    unpinUserPages(m, pages, nr - 1);
  });
});
