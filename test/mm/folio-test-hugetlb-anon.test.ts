/**
 * folio_test_hugetlb is a page type, not a mapping kind: every folio the hugetlb pool
 * hands out answers true, the anonymous ones a private mapping gets included (they
 * answer folio_test_anon too), and the type goes when the folio goes back to the
 * allocator. Kernel: include/linux/page-flags.h (`PGTY_hugetlb` in the head page's
 * `page_type`, `FOLIO_TYPE_OPS(hugetlb, hugetlb)`: folio_test_hugetlb never reads
 * folio->mapping); mm/hugetlb.c `init_new_hugetlb_folio` (`__folio_set_hugetlb`, for
 * every folio the pool gets), `hugetlb_no_page` / `hugetlb_wp` (`alloc_hugetlb_folio`,
 * then `hugetlb_add_new_anon_rmap`: anon and hugetlb at once), `copy_hugetlb_page_range`
 * (the copy for a DMA-pinned page comes from `alloc_hugetlb_folio`),
 * `alloc_hugetlb_folio_nodemask` (migration's target for a hugetlb source),
 * `__update_and_free_hugetlb_folio` (`__folio_clear_hugetlb` before the pages go back
 * to the buddy allocator), v6.16+. PFNs worked by hand: next-fit from PFN 1 in
 * ZONE_NORMAL, naturally aligned, so the first 2 MiB folio is PFN 512 and the next
 * 1024; on a 2 GiB machine the first 1 GiB folio is 262144 (PFN 0 is the zero page);
 * on a 64 MiB machine with 8 MiB of ZONE_MOVABLE that zone starts at PFN 14336.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  filemapGetFolio,
  folioPut,
  folioTestAnon,
  folioTestHugetlb,
  handleMmFault,
  installFolio,
  migrateFolioLongterm,
  mmap,
  pageAt,
  pinUserPagesFast,
  unpinUserPages,
  userWrite,
  vpnOf,
  type Machine,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;
const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

/** [folio_test_hugetlb, folio_test_anon] of `folio`. */
function kinds(m: Machine, folio: number): [boolean, boolean] {
  return [folioTestHugetlb(m, folio), folioTestAnon(m, folio)];
}

describe('anonymous hugetlb folios are hugetlb folios', () => {
  it('a write fault in a private 2 MiB hugetlb mapping: PFN 512 is hugetlb and anon', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(kinds(m, 512)).toEqual([true, true]);
    exitMmap(mm);
  });

  it('a read fault there maps the same kind of folio, read-only', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(kinds(m, 512)).toEqual([true, true]);
    exitMmap(mm);
  });

  it('a write fault in a private 1 GiB hugetlb mapping on a 2 GiB machine: PFN 262144 is hugetlb and anon', () => {
    const { m, mm } = world({ memoryBytes: 2 * GIB });
    mapAt(mm, BASE, GIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(262144);
    expect(kinds(m, 262144)).toEqual([true, true]);
    exitMmap(mm);
  });

  it("hugetlb_wp's copy of a cached folio (PFN 1024) is hugetlb and anon; the page-cache folio (512) hugetlb only", () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 2 * MIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 2 * MIB, length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_FIXED, file })).toBe(BASE + 2 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // the page-cache folio, PFN 512
    expect(handleMmFault(mm, BASE + 2 * MIB, { write: false })).toBe(0); // 512 mapped read-only
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 7)).toBe(0); // hugetlb_wp copies it
    expect(pageAt(mm.pt, v + 512)).toBe(1024);
    expect(kinds(m, 1024)).toEqual([true, true]);
    expect(kinds(m, 512)).toEqual([true, false]);
    exitMmap(mm);
    fileRelease(file);
  });

  it("hugetlb_wp's copy after fork (an anonymous folio mapped twice, PFN 1024) is hugetlb and anon", () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 512
    const child = forked(mm);
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0); // mapcount 2: the parent copies
    expect([pageAt(mm.pt, v), pageAt(child.pt, v)]).toEqual([1024, 512]);
    expect(kinds(m, 1024)).toEqual([true, true]);
    expect(kinds(m, 512)).toEqual([true, true]);
    exitMmap(child);
    exitMmap(mm);
  });

  it("fork's copy of a DMA-pinned hugetlb page (PFN 1024) is hugetlb and anon", () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 512
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
    const child = forked(mm);
    expect([pageAt(mm.pt, v), pageAt(child.pt, v)]).toEqual([512, 1024]);
    expect(kinds(m, 1024)).toEqual([true, true]);
    unpinUserPages(m, pages, 1);
    exitMmap(child);
    exitMmap(mm);
  });

  it('a hugetlb folio migrated out of ZONE_MOVABLE (14336 to 512): the destination is hugetlb and anon', () => {
    const { m, mm } = world({ movableBytes: 8 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m', zone: 'movable' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(14336);
    expect(migrateFolioLongterm(m, 14336)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(kinds(m, 512)).toEqual([true, true]);
    // The source went back to the allocator: no longer a hugetlb folio.
    expect(kinds(m, 14336)).toEqual([false, false]);
    exitMmap(mm);
  });

  it('installFolio into hugetlb VMAs: private, hugetlb and anon; shared, hugetlb and page cache', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { backing: 'hugetlb-2m', shared: true });
    const priv = allocFolio(m, 9); // 512
    const shared = allocFolio(m, 9); // 1024
    expect(kinds(m, priv)).toEqual([false, false]); // not yet handed out as hugetlb
    expect(installFolio(mm, BASE, priv, { pmd: true, writable: true })).toBe(0);
    expect(installFolio(mm, BASE + 2 * MIB, shared, { pmd: true, writable: true })).toBe(0);
    expect(kinds(m, priv)).toEqual([true, true]);
    expect(kinds(m, shared)).toEqual([true, false]);
    exitMmap(mm);
  });
});

describe('what is not, or no longer, a hugetlb folio', () => {
  it('a PMD-order anonymous THP (PFN 512) is anon, not hugetlb', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect([pageAt(mm.pt, v), m.order[512]]).toEqual([512, 9]);
    expect(kinds(m, 512)).toEqual([false, true]);
    exitMmap(mm);
  });

  it('a freed anonymous hugetlb folio: its PFNs reused for an ordinary folio of either order answer false', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0); // PFN 512
    expect(kinds(m, 512)).toEqual([true, true]);
    exitMmap(mm); // the last reference: PFN 512 is free
    const big = allocFolio(m, 9, { pfn: 512 });
    expect(big).toBe(512);
    expect(kinds(m, big)).toEqual([false, false]);
    folioPut(m, big);
    const small = allocFolio(m, 0, { pfn: 512 });
    expect(small).toBe(512);
    expect(kinds(m, small)).toEqual([false, false]);
    folioPut(m, small);
  });

  it('a freed hugetlbfs page-cache folio (PFN 512): its PFNs reused for an order-0 folio answer false', () => {
    const { m } = world();
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    expect(filemapGetFolio(file, 0, true)).toBe(512); // the cache's 512 references and ours
    expect(kinds(m, 512)).toEqual([true, false]);
    folioPut(m, 512);
    fileRelease(file); // the cache drops its references: PFN 512 is free
    const small = allocFolio(m, 0, { pfn: 512 });
    expect(small).toBe(512);
    expect(kinds(m, small)).toEqual([false, false]);
    folioPut(m, small);
  });
});
