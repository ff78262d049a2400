/**
 * installFolio's choice of level and rmap, each refusal on its own: every case below
 * breaks exactly one rule, so no later check can refuse it in that rule's place.
 * installFolio stands for a fault that got exactly this folio. A hugetlb VMA maps only
 * leaves of its own huge page size (mm/hugetlb.c `hugetlb_no_page`, `huge_pte_alloc`);
 * anonymous memory has no PUD leaves (mm/huge_memory.c: THPs are PMD-sized); a PUD leaf
 * needs a 1 GiB folio at a 1 GiB boundary; a slot that is not none is never overwritten
 * (-EEXIST, as `hugetlb_no_page` finds the entry populated); a folio in the page cache
 * is not fresh. A private mapping makes the folio anonymous and exclusive and gives the
 * VMA its anon_vma (`folio_add_new_anon_rmap`, `anon_vma_prepare`); a shared one adds
 * it to the file's page cache (`filemap_add_folio`; hugetlbfs's `hugetlb_add_to_page_cache`
 * also marks it dirty) and maps it as a file folio
 * (`folio_add_file_rmap_*`), v6.16+. Machine layouts: PFN 0 is the zero page, so the
 * first 1 GiB folio is PFN 262144 and the first 2 MiB one PFN 512.
 */
import { describe, expect, it } from 'vitest';
import {
  EEXIST,
  EINVAL,
  MAP_FIXED,
  MAP_SHARED,
  MAPPING_ANON,
  MAPPING_HUGETLB,
  MAPPING_SHMEM,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PROT_READ,
  PROT_WRITE,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  folioPut,
  installFolio,
  mmap,
  munmap,
  pageAt,
  userWrite,
  vmaLookup,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;
const RW = PROT_READ | PROT_WRITE;

describe('installFolio option words', () => {
  it('pmd and pud must be booleans, and not both true', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * MIB);
    const thp = allocFolio(m, 9);
    const bad = (o: object) => () => installFolio(mm, BASE, thp, { writable: false, ...o });
    expect(bad({ pmd: 1 })).toThrow('installFolio: opts.pmd must be a boolean or undefined, got 1');
    expect(bad({ pud: 1 })).toThrow('installFolio: opts.pud must be a boolean or undefined, got 1');
    expect(bad({ pmd: true, pud: true })).toThrow('installFolio: opts.pud must be false when opts.pmd is true (one leaf level), got true');
    expect([m.refcount[thp], m.entireMapcount[thp]]).toEqual([1, 0]);
    exitMmap(mm);
    folioPut(m, thp);
  });
});

describe('installFolio in a 2 MiB hugetlb VMA', () => {
  it('a 2 MiB folio as a PUD leaf or as PTEs is -EINVAL; as a PMD leaf it is a file folio of the hugetlbfs page cache', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * MIB, { shared: true, backing: 'hugetlb-2m' });
    const thp = allocFolio(m, 9);
    expect(thp).toBe(512);
    expect(installFolio(mm, BASE, thp, { pud: true, writable: true })).toBe(-EINVAL);
    expect(installFolio(mm, BASE, thp, { writable: true })).toBe(-EINVAL);
    expect([pageAt(mm.pt, vpnOf(BASE)), m.refcount[thp], m.mapcount[thp]]).toEqual([-1, 1, 0]);
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: true })).toBe(0);
    // 512 page-cache references, and the caller's became the PMD mapping's.
    expect([m.refcount[thp], m.entireMapcount[thp], m.mapping[thp]]).toEqual([513, 1, MAPPING_HUGETLB]);
    // hugetlb_add_to_page_cache marks the folio dirty as it caches it.
    expect(m.flags[thp]! & (PG_ANON_EXCLUSIVE | PG_DIRTY)).toBe(PG_DIRTY);
    expect(vmaLookup(mm.vmas, BASE)!.anonVma).toBe(false);
    exitMmap(mm);
  });
});

describe('installFolio and 1 GiB leaves', () => {
  it('refused at an unaligned address, in a 1 GiB hugetlb VMA for a PMD, in anonymous memory; a taken PUD slot is -EEXIST', () => {
    const { m, mm } = world({ memoryBytes: 3072 * MIB });
    mapAt(mm, BASE, 2 * GIB, { backing: 'hugetlb-1g' }); // private
    mapAt(mm, BASE + 2 * GIB, GIB); // anonymous
    const f = allocFolio(m, 18);
    const f2 = allocFolio(m, 18);
    const thp = allocFolio(m, 9);
    expect([f, f2, thp]).toEqual([262144, 524288, 512]);
    expect(installFolio(mm, BASE + 2 * MIB, f, { pud: true, writable: true })).toBe(-EINVAL);
    expect(installFolio(mm, BASE + GIB, thp, { pmd: true, writable: true })).toBe(-EINVAL);
    expect(installFolio(mm, BASE + 2 * GIB, f, { pud: true, writable: true })).toBe(-EINVAL);
    expect([m.refcount[f], m.entireMapcount[f], m.refcount[thp], m.entireMapcount[thp]]).toEqual([1, 0, 1, 0]);
    expect(installFolio(mm, BASE, f, { pud: true, writable: true })).toBe(0);
    expect([m.refcount[f], m.entireMapcount[f], m.mapping[f]]).toEqual([1, 1, MAPPING_ANON]);
    expect(installFolio(mm, BASE, f2, { pud: true, writable: true })).toBe(-EEXIST);
    expect(pageAt(mm.pt, vpnOf(BASE) + 7)).toBe(f + 7);
    expect([m.refcount[f2], m.entireMapcount[f2], m.mapping[f2]]).toEqual([1, 0, 0]);
    exitMmap(mm);
    expect(m.refcount[f]).toBe(0);
    folioPut(m, f2);
    folioPut(m, thp);
  });
});

describe('installFolio with PTEs', () => {
  it('private: every page anonymous and exclusive, the VMA gets its anon_vma; a mapped page right after the folio is no obstacle', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 64 * KIB);
    expect(userWrite(mm, BASE + 16 * KIB, 4 * KIB, 1)).toBe(0); // PFN 1
    const f = allocFolio(m, 2);
    expect(f).toBe(4);
    expect(installFolio(mm, BASE, f, { writable: true })).toBe(0);
    expect([0, 1, 2, 3, 4].map((i) => pageAt(mm.pt, vpnOf(BASE) + i))).toEqual([4, 5, 6, 7, 1]);
    expect([m.refcount[f], m.mapping[f]]).toEqual([4, MAPPING_ANON]);
    expect([4, 5, 6, 7].map((p) => [m.mapcount[p], m.flags[p]! & PG_ANON_EXCLUSIVE])).toEqual(
      [4, 5, 6, 7].map(() => [1, PG_ANON_EXCLUSIVE]),
    );
    expect(vmaLookup(mm.vmas, BASE)!.anonVma).toBe(true);
    exitMmap(mm);
  });

  it('shared shmem: file folio pages, none exclusive, and no anon_vma', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 16 * KIB, { shared: true });
    const f = allocFolio(m, 2);
    expect(installFolio(mm, BASE, f, { writable: true })).toBe(0);
    expect([m.refcount[f], m.mapping[f]]).toEqual([8, MAPPING_SHMEM]);
    // shmem's filemap_add_folio leaves it clean: dirtying waits for a write.
    expect([0, 1, 2, 3].map((i) => [m.mapcount[f + i], m.flags[f + i]! & (PG_ANON_EXCLUSIVE | PG_DIRTY)])).toEqual(
      [0, 1, 2, 3].map(() => [1, 0]),
    );
    expect(vmaLookup(mm.vmas, BASE)!.anonVma).toBe(false);
    exitMmap(mm);
  });

  it('a folio left in the page cache after its mapping went is not fresh: -EINVAL', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE + MIB, length: 4 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE + MIB);
    expect(userWrite(mm, BASE + MIB, 4 * KIB, 1)).toBe(0);
    const cached = pageAt(mm.pt, vpnOf(BASE + MIB));
    expect(munmap(mm, BASE + MIB, 4 * KIB)).toBe(0);
    expect([m.refcount[cached], m.mapcount[cached], m.mapping[cached]]).toEqual([1, 0, MAPPING_SHMEM]);
    expect(installFolio(mm, BASE, cached, { writable: true })).toBe(-EINVAL);
    expect([pageAt(mm.pt, vpnOf(BASE)), m.refcount[cached], m.mapcount[cached]]).toEqual([-1, 1, 0]);
    exitMmap(mm);
    fileRelease(file);
  });
});
