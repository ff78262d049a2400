/**
 * Address spaces, worked by hand from mm/mmap.c (do_mmap, top-down get_unmapped_area),
 * mm/vma.c (munmap), mm/memory.c (do_anonymous_page, alloc_anon_folio, do_fault,
 * finish_fault, do_wp_page), mm/huge_memory.c (THP faults, __split_huge_pmd),
 * mm/hugetlb.c and kernel/fork.c (v6.16+). Expected PFNs follow the next-fit allocator
 * (ZONE_NORMAL from PFN 1, each allocation aligned to its order).
 */
import { describe, expect, it } from 'vitest';
import {
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_HUGETLB,
  MAP_PRIVATE,
  MAP_SHARED,
  MMAP_BASE,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PROT_READ,
  PROT_WRITE,
  TASK_SIZE_MAX,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_HUGETLB,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  allocFolio,
  createFile,
  exitMmap,
  fileRelease,
  handleMmFault,
  installFolio,
  leafBitsAt,
  machineMms,
  migrateFolioLongterm,
  mmap,
  munmap,
  pageAt,
  userReadTags,
  userWrite,
  vmaLookup,
  vmstat,
  vpnOf,
  type Mm,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const RW = PROT_READ | PROT_WRITE;
const v = vpnOf(BASE);

describe('mmap / munmap (do_mmap, do_vmi_munmap)', () => {
  it('returns -EINVAL, -ENOMEM and -EEXIST where the kernel does', () => {
    const { mm } = world();
    const anon = MAP_PRIVATE | MAP_ANONYMOUS;
    expect(mmap(mm, { length: 0, prot: RW, flags: anon })).toBe(-EINVAL);
    expect(mmap(mm, { length: 4096, prot: RW, flags: MAP_ANONYMOUS })).toBe(-EINVAL); // no sharing type
    expect(mmap(mm, { addr: BASE + 1, length: 4096, prot: RW, flags: anon | MAP_FIXED })).toBe(-EINVAL);
    expect(mmap(mm, { addr: TASK_SIZE_MAX, length: 4096, prot: RW, flags: anon | MAP_FIXED })).toBe(-ENOMEM);
    expect(mmap(mm, { addr: BASE, length: 8192, prot: RW, flags: anon | MAP_FIXED })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + 4096, length: 4096, prot: RW, flags: anon | MAP_FIXED_NOREPLACE })).toBe(-EEXIST);
    expect(munmap(mm, BASE + 1, 4096)).toBe(-EINVAL);
    expect(munmap(mm, BASE, 0)).toBe(-EINVAL);
    expect(munmap(mm, BASE + 64 * KIB, 4096)).toBe(0); // nothing mapped there: fine
  });

  it('places mappings top-down below MMAP_BASE, a THP-policy mapping of 2 MiB on a 2 MiB boundary', () => {
    const { mm } = world();
    const a = mmap(mm, { length: 16 * KIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    expect(a).toBe(MMAP_BASE - 16 * KIB); // 0x7effffffc000
    const b = mmap(mm, { length: 2 * MIB, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS, order: 9 });
    expect(b).toBe(0x7effffc00000);
  });

  it('sets the kernel\'s VM flags per backing', () => {
    const { mm } = world();
    mapAt(mm, BASE, 4096);
    mapAt(mm, BASE + MIB, 4096, { shared: true });
    mapAt(mm, BASE + 2 * MIB, 4096, { shared: true, backing: 'device' });
    mapAt(mm, BASE + 4 * MIB, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    const may = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    expect(vmaLookup(mm.vmas, BASE)!.flags).toBe(VM_READ | VM_WRITE | may);
    expect(vmaLookup(mm.vmas, BASE + MIB)!.flags).toBe(VM_READ | VM_WRITE | may | VM_SHARED | VM_MAYSHARE);
    expect(vmaLookup(mm.vmas, BASE + 2 * MIB)!.flags).toBe(
      VM_READ | VM_WRITE | may | VM_SHARED | VM_MAYSHARE | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
    );
    expect(vmaLookup(mm.vmas, BASE + 4 * MIB)!.flags).toBe(VM_READ | VM_WRITE | may | VM_SHARED | VM_MAYSHARE | VM_HUGETLB);
  });

  it('MAP_HUGETLB rounds the length up to the huge page size; cutting a huge page is -EINVAL', () => {
    const { mm } = world();
    const a = mmap(mm, { addr: BASE, length: 4096, prot: RW, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED });
    expect(a).toBe(BASE);
    expect(vmaLookup(mm.vmas, BASE)!.end).toBe(BASE + 2 * MIB);
    expect(munmap(mm, BASE, 4096)).toBe(-EINVAL);
    expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
    expect(mm.vmas).toHaveLength(0);
  });

  it('munmap in the middle splits the VMA and frees the pages it maps', () => {
    const { m, mm } = world();
    const free0 = vmstat(m).nrFreePages;
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    expect(vmstat(m).nrFreePages).toBe(free0 - 4);
    expect(munmap(mm, BASE + 4 * KIB, 8 * KIB)).toBe(0);
    expect(mm.vmas.map((x) => [x.start - BASE, x.end - BASE])).toEqual([
      [0, 4096],
      [12288, 16384],
    ]);
    expect(vmstat(m).nrFreePages).toBe(free0 - 2);
    expect([pageAt(mm.pt, v), pageAt(mm.pt, v + 1), pageAt(mm.pt, v + 3)]).toEqual([1, -1, 4]);
  });

  it('munmap of one page of a PMD-mapped THP splits the PMD: 511 PTE mappings, 511 references', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([1, 1]);
    expect(munmap(mm, BASE, 4096)).toBe(0);
    expect([m.refcount[512], m.entireMapcount[512], m.mapcount[512], m.mapcount[513]]).toEqual([511, 0, 0, 1]);
    // PageAnonExclusive moved from the head to every page still mapped.
    expect(m.flags[1023]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(leafBitsAt(mm.pt, v + 1) & (_PAGE_PSE | _PAGE_RW)).toBe(_PAGE_RW);
    exitMmap(mm);
    expect(m.refcount[512]).toBe(0);
  });
});

describe('faults (handle_mm_fault)', () => {
  it('private anon: a read maps the special zero page, a write replaces it by an exclusive page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4096);
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(0);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_SPECIAL | _PAGE_RW)).toBe(_PAGE_SPECIAL);
    expect(m.refcount[0]).toBe(1);
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(1);
    expect([m.refcount[1], m.mapcount[1]]).toEqual([1, 1]);
    expect(m.flags[1]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_RW | _PAGE_DIRTY)).toBe(_PAGE_RW | _PAGE_DIRTY);
    expect(vmstat(m)).toMatchObject({ pgfault: 2, cowCopies: 1 });
  });

  it('mTHP policy order 4: a write fault maps the whole aligned 64 KiB folio with 16 PTEs', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 128 * KIB, { order: 4 });
    expect(handleMmFault(mm, BASE + 21 * 4096, { write: true })).toBe(0);
    // Block [16, 32) of the VMA; the folio is order 4 at PFN 16 (next-fit, 16-aligned).
    expect(m.order[16]).toBe(4);
    expect([pageAt(mm.pt, v + 15), pageAt(mm.pt, v + 16), pageAt(mm.pt, v + 31), pageAt(mm.pt, v + 32)]).toEqual([-1, 16, 31, -1]);
    expect([m.refcount[16], m.mapcount[16], m.mapcount[31]]).toEqual([16, 1, 1]);
  });

  it('mTHP policy falls back to order 0 when the block sticks out of the VMA, THP when unaligned', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 32 * KIB, { order: 4 });
    mapAt(mm, BASE + 4 * MIB + 4096, 2 * MIB, { order: 9 });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect(m.order[pageAt(mm.pt, v)]).toBe(0);
    expect(handleMmFault(mm, BASE + 4 * MIB + 4096, { write: true })).toBe(0);
    expect(m.order[pageAt(mm.pt, vpnOf(BASE + 4 * MIB + 4096))]).toBe(0);
    expect(vmstat(m).thpFaultAlloc).toBe(0);
  });

  it('THP policy: even a read fault allocates a PMD-mapped THP (use_zero_page = 0)', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(handleMmFault(mm, BASE + 12345)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(leafBitsAt(mm.pt, v) & (_PAGE_PSE | _PAGE_RW)).toBe(_PAGE_PSE | _PAGE_RW);
    expect([m.refcount[512], m.entireMapcount[512], vmstat(m).thpFaultAlloc]).toEqual([1, 1, 1]);
  });

  it('shared files: shmem maps writable on a read fault, ext4 read-only until a write fault dirties it', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4096, { shared: true, backing: 'shmem' });
    mapAt(mm, BASE + MIB, 4096, { shared: true, backing: 'ext4' });
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(handleMmFault(mm, BASE + MIB)).toBe(0);
    // Page cache (1 ref per page) + one PTE mapping.
    expect([m.refcount[1], m.refcount[2]]).toEqual([2, 2]);
    expect(leafBitsAt(mm.pt, v) & _PAGE_RW).toBe(_PAGE_RW);
    expect(leafBitsAt(mm.pt, vpnOf(BASE + MIB)) & _PAGE_RW).toBe(0);
    expect(handleMmFault(mm, BASE + MIB, { write: true })).toBe(0);
    expect(leafBitsAt(mm.pt, vpnOf(BASE + MIB)) & _PAGE_RW).toBe(_PAGE_RW);
    expect(m.flags[2]! & PG_DIRTY).toBe(PG_DIRTY);
  });

  it('private file: a write fault copies the page-cache page into an anonymous one (do_cow_fault)', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4096, { backing: 'ext4' });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    // PFN 1 is the page-cache folio (cache ref only now), PFN 2 the private copy.
    expect(pageAt(mm.pt, v)).toBe(2);
    expect([m.refcount[1], m.refcount[2], m.mapcount[1]]).toEqual([1, 1, 0]);
  });

  it('hugetlb 2 MiB shared: one PMD leaf; page cache 512 refs + the mapping', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE + 77 * 4096, { write: true })).toBe(0);
    expect(pageAt(mm.pt, v + 77)).toBe(512 + 77);
    expect([m.refcount[512], m.entireMapcount[512]]).toEqual([513, 1]);
  });

  it('rejects what sanitize_fault_flags rejects, and addresses outside any VMA', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4096, { shared: true });
    expect(handleMmFault(mm, BASE, { unshare: true })).toBe(0); // not COW: an ordinary read fault
    expect(handleMmFault(mm, BASE, { unshare: true, write: true })).toBe(-EFAULT);
    expect(m.warnings).toHaveLength(1);
    expect(handleMmFault(mm, BASE + MIB)).toBe(-EFAULT);
  });
});

describe('installFolio', () => {
  it('PMD-maps a given THP in a private mapping: anonymous, exclusive, the allocation reference becomes the PMD\'s', () => {
    const { m, mm } = world({ cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 4 * MIB, { order: 9 });
    const f = allocFolio(m, 9, { zone: 'cma' });
    expect(f).toBe(14336);
    expect(installFolio(mm, BASE + 2 * MIB, f, { pmd: true, writable: true })).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE + 2 * MIB) + 3)).toBe(14339);
    expect([m.refcount[f], m.entireMapcount[f]]).toEqual([1, 1]);
    expect(m.flags[f]! & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(installFolio(mm, BASE + 2 * MIB, allocFolio(m, 9), { pmd: true, writable: true })).toBe(-EEXIST);
    exitMmap(mm);
    expect(m.refcount[f]).toBe(0);
    expect(m.refcount[512]).toBe(1); // the refused folio is still the caller's
  });

  it('PTE-maps a 64 KiB folio into a shared shmem mapping: page cache +16, mappings +16 (one was the caller\'s)', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 128 * KIB, { shared: true });
    const f = allocFolio(m, 4);
    expect(installFolio(mm, BASE + 64 * KIB, f, { writable: true })).toBe(0);
    expect(m.refcount[f]).toBe(32);
    expect(userReadTags(mm, BASE + 64 * KIB, 4096)).toEqual(new Int32Array([0]));
    expect(pageAt(mm.pt, vpnOf(BASE + 64 * KIB) + 15)).toBe(f + 15);
  });

  it('refuses bad requests', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * MIB, { prot: PROT_READ });
    const thp = allocFolio(m, 9);
    expect(installFolio(mm, BASE + 8 * MIB, thp, { pmd: true, writable: false })).toBe(-EFAULT);
    expect(installFolio(mm, BASE + 4096, thp, { pmd: true, writable: false })).toBe(-EINVAL);
    expect(installFolio(mm, BASE, thp, { pmd: true, writable: true })).toBe(-EINVAL); // PROT_READ
    expect(installFolio(mm, BASE, allocFolio(m, 0), { pmd: true, writable: false })).toBe(-EINVAL);
    expect(installFolio(mm, BASE + 4 * MIB - 4096, allocFolio(m, 2), { writable: false })).toBe(-EINVAL); // sticks out
  });
});

describe('fork (copy_page_range)', () => {
  it('private pages are shared read-only and lose PageAnonExclusive; each side COWs on its own write', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(userWrite(mm, BASE, 8 * KIB, 1)).toBe(0);
    const c = forked(mm);
    expect(machineMms(m).size).toBe(2);
    expect([m.refcount[1], m.mapcount[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 0]);
    expect(leafBitsAt(mm.pt, v) & _PAGE_RW).toBe(0);
    expect(userWrite(c, BASE, 4096, 2)).toBe(0); // child copies: PFN 3
    expect(userReadTags(mm, BASE, 8 * KIB)).toEqual(new Int32Array([1, 1]));
    expect(userReadTags(c, BASE, 8 * KIB)).toEqual(new Int32Array([2, 1]));
    expect(pageAt(c.pt, v)).toBe(3);
    expect(userWrite(mm, BASE, 4096, 4)).toBe(0); // parent is alone on PFN 1 now: reused
    expect(pageAt(mm.pt, v)).toBe(1);
    expect(vmstat(m).cowCopies).toBe(1); // the child's copy (first touches went through do_anonymous_page)
    exitMmap(c);
    expect(machineMms(m).size).toBe(1);
  });

  it('shared mappings are not copied: the child faults the same page-cache page back in', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4096, { shared: true });
    expect(userWrite(mm, BASE, 4096, 9)).toBe(0);
    const c = forked(mm);
    expect(pageAt(c.pt, v)).toBe(-1);
    expect(userWrite(c, BASE, 4096, 10)).toBe(0);
    expect(pageAt(c.pt, v)).toBe(1);
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([10]));
    expect(m.refcount[1]).toBe(3);
    exitMmap(c);
  });

  it('a VMA with no anonymous pages is not copied, a PFN map is', () => {
    const { mm } = world();
    mapAt(mm, BASE, 4096);
    mapAt(mm, BASE + MIB, 4096, { shared: true, backing: 'device' });
    expect(userReadTags(mm, BASE, 4096)).toEqual(new Int32Array([0])); // zero page, no anon_vma
    const c = forked(mm);
    expect(pageAt(c.pt, v)).toBe(-1);
    expect(pageAt(c.pt, vpnOf(BASE + MIB))).toBe(pageAt(mm.pt, vpnOf(BASE + MIB)));
    exitMmap(c);
  });
});

describe('files outlive their mappings while open', () => {
  it('a file mapped twice shares its page cache; closing after munmap frees it', () => {
    const { m, mm } = world();
    const file = createFile(m, 'shmem', 8 * KIB) as MmFile;
    expect(mmap(mm, { addr: BASE, length: 8 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE);
    expect(mmap(mm, { addr: BASE + MIB, length: 8 * KIB, prot: RW, flags: MAP_SHARED | MAP_FIXED, file })).toBe(BASE + MIB);
    expect(userWrite(mm, BASE, 4096, 3)).toBe(0);
    expect(userReadTags(mm, BASE + MIB, 4096)).toEqual(new Int32Array([3]));
    expect(file.users).toBe(3);
    expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
    expect(m.refcount[1]).toBe(1); // the page cache alone
    fileRelease(file);
    expect(m.refcount[1]).toBe(0);
  });
});

describe('migrateFolioLongterm', () => {
  it('moves a page mapped by parent and child: both page tables, content and PageAnonExclusive state follow', () => {
    const { m, mm } = world({ cmaBytes: 8 * MIB });
    mapAt(mm, BASE, 4096, { zone: 'cma' });
    expect(userWrite(mm, BASE, 4096, 5)).toBe(0);
    const c = forked(mm);
    expect(migrateFolioLongterm(m, 14336)).toBe(0);
    expect([pageAt(mm.pt, v), pageAt(c.pt, v)]).toEqual([1, 1]);
    expect([m.refcount[1], m.mapcount[1], m.content[1], m.flags[1]! & PG_ANON_EXCLUSIVE]).toEqual([2, 2, 5, 0]);
    expect(vmstat(m).pgmigrateSuccess).toBe(1);
    exitMmap(c);
  });

  it('-ENOMEM when there is no room outside CMA', () => {
    const { m, mm } = world({ memoryBytes: 8 * MIB, cmaBytes: 4 * MIB });
    mapAt(mm, BASE, 4096, { zone: 'cma' });
    expect(userWrite(mm, BASE, 4096)).toBe(0);
    while (allocFolio(m, 0) >= 0);
    expect(migrateFolioLongterm(m, 1024)).toBe(-ENOMEM);
    expect(vmstat(m).pgmigrateFail).toBe(1);
  });
});

describe('the CPU view (userWrite / userRead)', () => {
  it('faults as needed and refuses what access_error refuses', () => {
    const { mm } = world();
    mapAt(mm, BASE, 8 * KIB, { prot: PROT_READ });
    expect(userReadTags(mm, BASE, 8 * KIB)).toEqual(new Int32Array([0, 0]));
    expect(userWrite(mm, BASE, 1)).toBe(-EFAULT);
    expect(userReadTags(mm, BASE + MIB, 4096)).toBe(-EFAULT);
    expect(pageAt(mm.pt, v) === 0 && (leafBitsAt(mm.pt, v) & _PAGE_PRESENT) !== 0).toBe(true);
  });
});
