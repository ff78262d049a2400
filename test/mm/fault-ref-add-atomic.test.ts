/**
 * The refcount atomics of one fault, each counted by hand from the kernel's path. The
 * fault paths take the mappings' references with `folio_ref_add(folio, nr_pages - 1)`
 * whatever nr_pages is, so an order-0 folio costs one `atomic_add(0, &folio->_refcount)`:
 *
 * - mm/memory.c `do_anonymous_page`: `folio_ref_add(folio, nr_pages - 1);` right before
 *   `add_mm_counter(vma->vm_mm, MM_ANONPAGES, nr_pages)`; the zero-page read path jumps
 *   to `setpte:` past it and takes no folio at all;
 * - mm/memory.c `finish_fault`: `folio_ref_add(folio, nr_pages - 1);` right before
 *   `set_pte_range(vmf, folio, page, nr_pages, addr)`, reached by do_read_fault,
 *   do_shared_fault and do_cow_fault; for a COW `page = vmf->cow_page`, the order-0
 *   folio do_cow_fault took from `folio_prealloc`, so nr_pages is 1 there.
 *
 * How the model counts (src/mm/folio.ts, src/mm/alloc.ts): `folioRefAdd`, `folioGet`
 * and `folioPutRefs` are one atomic each, whatever their count; `allocFolio` sets the
 * new folio's refcount to 1 with a plain store (the kernel's set_page_refcounted is
 * set_page_count, an atomic_set, not a read-modify-write), so it counts none.
 * `filemap_add_folio` is one `folio_ref_add(folio, nr)`.
 *
 * Layout: BASE is 1 GiB aligned (PTE index 0); the allocator is next-fit from PFN 1,
 * PFN 0 being the zero page, so a test's first order-0 folio is PFN 1 and its first
 * order-4 folio PFN 16. Kernel source read: mainline mm/memory.c with finish_fault's
 * needs_fallback retry (v6.15 era); the later patches to finish_fault's shmem-only
 * condition (vma_is_shmem; mapping any file folio whole) leave both lines as they are.
 */
import { describe, expect, it } from 'vitest';
import { createFile, exitMmap, fileRelease, handleMmFault, pageAt, vpnOf, type MmFile } from '../../src/index.js';
import { BASE, KIB, mapAt, world } from '../support/mm-layout.js';

describe('refcount atomics of one fault', () => {
  it('an order-0 anonymous write fault: one, the folio_ref_add(folio, 0) of do_anonymous_page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    // alloc_anon_folio: refcount set to 1 (0); folio_ref_add(folio, 0) (1).
    expect(m.cost.refcountAtomics - before).toBe(1);
    expect([pageAt(mm.pt, vpnOf(BASE)), m.refcount[1]]).toEqual([1, 1]);
    exitMmap(mm);
  });

  it('an order-0 shmem read fault: two, filemap_add_folio and finish_fault', () => {
    const { m, mm } = world();
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    mapAt(mm, BASE, 4 * KIB, { shared: true, file });
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE)).toBe(0);
    // The page is not cached: the new folio's refcount is set to 1 (0), the page cache
    // takes its one with filemap_add_folio's folio_ref_add(folio, 1) (1), and the
    // allocation reference becomes the PTE's after finish_fault's folio_ref_add(folio, 0) (1).
    expect(m.cost.refcountAtomics - before).toBe(2);
    expect([pageAt(mm.pt, vpnOf(BASE)), m.refcount[1]]).toEqual([1, 2]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a COW fault on a private file page: three, with finish_fault adding 0 to the copy', () => {
    const { m, mm } = world();
    const file = createFile(m, 'ext4', 4 * KIB) as MmFile;
    mapAt(mm, BASE, 4 * KIB, { file });
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    // __do_fault on an uncached page: the cache folio (PFN 1) set to 1 (0) and
    // filemap_add_folio's folio_ref_add(folio, 1) (1); folio_prealloc's copy (PFN 2) set
    // to 1 (0); finish_fault's folio_ref_add(copy, 0) (1); put_page(vmf->page) (1).
    expect(m.cost.refcountAtomics - before).toBe(3);
    expect([pageAt(mm.pt, vpnOf(BASE)), m.refcount[1], m.refcount[2]]).toEqual([2, 1, 1]);
    exitMmap(mm);
    fileRelease(file);
  });

  it('a zero-page read fault: none, no folio and no folio_ref_add', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE)).toBe(0);
    expect(m.cost.refcountAtomics - before).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(m.zeroPfn);
    exitMmap(mm);
  });

  it('an order-4 anonymous write fault: still one, folio_ref_add(folio, 15)', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 64 * KIB, { order: 4 });
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE + 5 * 4 * KIB, { write: true })).toBe(0);
    // alloc_anon_folio: an order-4 folio set to 1 (0); folio_ref_add(folio, 15) (1).
    expect(m.cost.refcountAtomics - before).toBe(1);
    expect([pageAt(mm.pt, vpnOf(BASE)), pageAt(mm.pt, vpnOf(BASE) + 15), m.refcount[16]]).toEqual([16, 31, 16]);
    exitMmap(mm);
  });

  it('an order-4 shmem read fault mapping the whole folio: two, as for order 0', () => {
    const { m, mm } = world();
    const file = createFile(m, 'shmem', 64 * KIB, { order: 4 }) as MmFile;
    mapAt(mm, BASE, 64 * KIB, { shared: true, file });
    const before = m.cost.refcountAtomics;
    expect(handleMmFault(mm, BASE + 3 * 4 * KIB)).toBe(0);
    // The folio set to 1 (0); filemap_add_folio's folio_ref_add(folio, 16) (1);
    // finish_fault's folio_ref_add(folio, 15) for the 16 PTEs (1).
    expect(m.cost.refcountAtomics - before).toBe(2);
    expect([pageAt(mm.pt, vpnOf(BASE)), pageAt(mm.pt, vpnOf(BASE) + 15), m.refcount[16]]).toEqual([16, 31, 32]);
    exitMmap(mm);
    fileRelease(file);
  });
});
