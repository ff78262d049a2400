/**
 * The slow path's less travelled branches, each worked from mm/gup.c (v6.16+):
 * check_vma_flags (FOLL_SPLIT_PMD on hugetlb, a read of a VMA without VM_READ),
 * follow_page_mask (a PUD entry not present, a PUD leaf, FOLL_SPLIT_PMD splitting a
 * THP), follow_page_pte (FOLL_DUMP on the zero page, follow_pfn_pte for a PFN without
 * struct page, FOLL_TOUCH dirtying a clean folio behind a writable clean PTE, a grab
 * try_grab_folio refuses), and GUP-fast declining while fork holds write_protect_seq.
 *
 * The model has no P2PDMA mapping; where a test needs a mapped P2PDMA folio, a mapped
 * anonymous folio is relabelled (m.mapping) for the call and restored after it.
 */
import { describe, expect, it } from 'vitest';
import {
  EEXIST,
  EFAULT,
  EOPNOTSUPP,
  EREMOTEIO,
  FOLL_DUMP,
  FOLL_FAST_ONLY,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_PIN,
  FOLL_SPLIT_PMD,
  FOLL_TOUCH,
  FOLL_WRITE,
  GupWalk,
  MAPPING_ANON,
  MAPPING_P2PDMA,
  PG_DIRTY,
  PROT_WRITE,
  PageArraySink,
  _PAGE_DIRTY,
  _PAGE_PSE,
  costDiff,
  costSnapshot,
  exitMmap,
  followPageMask,
  getUserPages,
  gupFastFallback,
  leafBitsAt,
  pageAt,
  pinUserPages,
  releasePages,
  unpinUserPages,
  userRead,
  userWrite,
  vmaLookup,
  vpnOf,
  type Mm,
  type Vma,
} from '../../src/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;

function vmaOf(mm: Mm, addr: number): Vma {
  const vma = vmaLookup(mm.vmas, addr);
  if (vma === null) throw new Error(`no VMA at ${addr.toString(16)}`);
  return vma;
}

describe('check_vma_flags', () => {
  it('FOLL_SPLIT_PMD on a hugetlb VMA: -EOPNOTSUPP, nothing taken', () => {
    const { mm } = world();
    mapAt(mm, BASE, 4 * MIB, { shared: true, backing: 'hugetlb-2m' });
    expect(getUserPages(mm, BASE, 1, FOLL_SPLIT_PMD, new Int32Array(1))).toBe(-EOPNOTSUPP);
    exitMmap(mm);
  });

  it('a read of a PROT_WRITE-only mapping (VM_WRITE without VM_READ): -EFAULT unless FOLL_FORCE', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * 4096, { prot: PROT_WRITE });
    const pages = new Int32Array(1);
    expect(getUserPages(mm, BASE, 1, 0, pages)).toBe(-EFAULT);
    // FOLL_FORCE and VM_MAYREAD (every private anonymous mapping has it): the read goes on,
    // faults, and finds the zero page (do_anonymous_page on a read fault).
    expect(getUserPages(mm, BASE, 1, FOLL_FORCE, pages)).toBe(1);
    expect(pages[0]).toBe(m.zeroPfn);
    releasePages(m, pages, 1);
    exitMmap(mm);
  });
});

describe('follow_page_mask', () => {
  it('a PGD entry present but no PUD entry (a mapping 1 GiB from a populated one): fault, then the page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * 4096, { populate: true });
    mapAt(mm, BASE + GIB, 16 * 4096);
    const pages = new Int32Array(1);
    const before = costSnapshot(m.cost);
    expect(getUserPages(mm, BASE + GIB, 1, FOLL_WRITE, pages)).toBe(1);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ faults: 1 });
    expect(pages[0]).toBe(pageAt(mm.pt, vpnOf(BASE + GIB)));
    releasePages(m, pages, 1);
    exitMmap(mm);
  });

  it('a PUD leaf (1 GiB hugetlb) in the slow path: one leaf, page_increm pages, two grabs', () => {
    const { m, mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, GIB, { shared: true, backing: 'hugetlb-1g' });
    const pages = new Int32Array(2);
    const head = 262144; // the one free order-18 slot (PFN 0 is the zero page)
    expect(pinUserPages(mm, BASE + 4096, 2, FOLL_WRITE, pages)).toBe(2);
    expect(Array.from(pages)).toEqual([head + 1, head + 2]);
    // hugetlb page cache (2^18 refs) + the PUD mapping + 2 pins; _pincount 2.
    expect([m.refcount[head], m.pincount[head]]).toEqual([262144 + 1 + 2, 2]);
    // Now present: no fault, one leaf visited, the two grabs of follow_huge_pud and
    // __get_user_pages (1, then page_increm - 1).
    const more = new Int32Array(2);
    const before = costSnapshot(m.cost);
    expect(pinUserPages(mm, BASE, 2, 0, more)).toBe(2);
    expect(Array.from(more)).toEqual([head, head + 1]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ hugeLeavesVisited: 1, faults: 0, refcountAtomics: 2, pincountAtomics: 2 });
    unpinUserPages(m, pages, 2);
    unpinUserPages(m, more, 2);
    exitMmap(mm);
  });

  it('FOLL_SPLIT_PMD on a PMD-mapped anonymous THP: split into 512 PTEs, then the page', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 2 * MIB)).toBe(0);
    const head = pageAt(mm.pt, vpnOf(BASE));
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_PSE).toBe(_PAGE_PSE);
    expect(m.refcount[head]).toBe(1);
    const pages = new Int32Array(1);
    expect(getUserPages(mm, BASE + 4096, 1, FOLL_SPLIT_PMD, pages)).toBe(1);
    expect(pages[0]).toBe(head + 1);
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_PSE).toBe(0);
    // __split_huge_pmd_locked: one reference per PTE mapping (HPAGE_PMD_NR - 1 added),
    // the entire mapcount gone; then GUP's FOLL_GET reference.
    expect(m.refcount[head]).toBe(512 + 1);
    expect(m.entireMapcount[head]).toBe(0);
    releasePages(m, pages, 1);
    exitMmap(mm);
  });
});

describe('follow_page_pte', () => {
  it('FOLL_DUMP on the zero page: -EFAULT ("avoid special (like zero) pages in core dumps")', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * 4096);
    expect(userRead(mm, BASE, 4096)).toBe(0);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(m.zeroPfn);
    const pages = new Int32Array(1);
    expect(getUserPages(mm, BASE, 1, FOLL_DUMP, pages)).toBe(-EFAULT);
    // Without FOLL_DUMP the zero page itself is returned.
    expect(getUserPages(mm, BASE, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(m.zeroPfn);
    releasePages(m, pages, 1);
    exitMmap(mm);
  });

  it('follow_pfn_pte: a PFN-map PTE is -EEXIST; FOLL_TOUCH makes it young and, for a write, dirty', () => {
    // check_vma_flags refuses VM_IO | VM_PFNMAP before any follow, so the stage is called
    // directly, as __get_user_pages would for a VM_MIXEDMAP range.
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * 4096, { shared: true, backing: 'device' });
    const vma = vmaOf(mm, BASE);
    const vpn = vpnOf(BASE);
    const sink = new PageArraySink(m, new Int32Array(1));
    const clean = leafBitsAt(mm.pt, vpn);
    expect(clean & _PAGE_DIRTY).toBe(0);
    expect(followPageMask(new GupWalk(mm, FOLL_GET | FOLL_WRITE, sink, true), vma, vpn, 1)).toBe(-EEXIST);
    expect(leafBitsAt(mm.pt, vpn)).toBe(clean);
    expect(followPageMask(new GupWalk(mm, FOLL_GET | FOLL_TOUCH | FOLL_WRITE, sink, true), vma, vpn, 1)).toBe(-EEXIST);
    expect(leafBitsAt(mm.pt, vpn) & _PAGE_DIRTY).toBe(_PAGE_DIRTY);
    expect(sink.nr).toBe(0);
    exitMmap(mm);
  });

  it('a write through a writable, clean PTE of a clean shmem folio: FOLL_TOUCH marks the folio dirty', () => {
    // A read fault of a shared shmem mapping maps the page writable (shmem needs no write
    // notification) and clean; follow_page_pte then set_page_dirty()s it for FOLL_WRITE.
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * 4096, { shared: true, backing: 'shmem' });
    expect(userRead(mm, BASE, 4096)).toBe(0);
    const page = pageAt(mm.pt, vpnOf(BASE));
    expect(leafBitsAt(mm.pt, vpnOf(BASE)) & _PAGE_DIRTY).toBe(0);
    expect(m.flags[page]! & PG_DIRTY).toBe(0);
    const pages = new Int32Array(1);
    expect(getUserPages(mm, BASE, 1, 0, pages)).toBe(1);
    expect(m.flags[page]! & PG_DIRTY).toBe(0); // a read does not dirty
    expect(getUserPages(mm, BASE, 1, FOLL_WRITE, pages.subarray(0, 1))).toBe(1);
    expect(m.flags[page]! & PG_DIRTY).toBe(PG_DIRTY);
    releasePages(m, [page, page], 2);
    exitMmap(mm);
  });

  it('try_grab_folio refusing a P2PDMA page without FOLL_PCI_P2PDMA: -EREMOTEIO, for a PTE and for a PMD leaf', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * 4096);
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { order: 9 });
    expect(userWrite(mm, BASE, 4096)).toBe(0);
    expect(userWrite(mm, BASE + 2 * MIB, 2 * MIB)).toBe(0);
    const small = pageAt(mm.pt, vpnOf(BASE));
    const thp = pageAt(mm.pt, vpnOf(BASE + 2 * MIB));
    const pages = new Int32Array(1);
    for (const [addr, folio] of [
      [BASE, small],
      [BASE + 2 * MIB, thp],
    ] as const) {
      m.mapping[folio] = MAPPING_P2PDMA;
      const ref = m.refcount[folio];
      expect(pinUserPages(mm, addr, 1, 0, pages)).toBe(-EREMOTEIO);
      expect(m.refcount[folio]).toBe(ref);
      m.mapping[folio] = MAPPING_ANON;
    }
    exitMmap(mm);
  });
});

describe('GUP-fast and fork', () => {
  it('an odd write_protect_seq (fork copying the page tables) makes a FOLL_PIN fast walk take nothing', () => {
    // The model's fork runs to completion in one call; the count is set odd as fork
    // leaves it while it write-protects the parent's PTEs.
    const { m, mm } = world();
    mapAt(mm, BASE, 16 * 4096, { populate: true });
    const pages = new Int32Array(4);
    mm.writeProtectSeq = 1;
    expect(gupFastFallback(mm, BASE, 4, FOLL_PIN | FOLL_FAST_ONLY, new PageArraySink(m, pages))).toBe(0);
    // FOLL_GET does not look at the count.
    expect(gupFastFallback(mm, BASE, 4, FOLL_GET | FOLL_FAST_ONLY, new PageArraySink(m, pages))).toBe(4);
    releasePages(m, pages, 4);
    mm.writeProtectSeq = 2;
    expect(gupFastFallback(mm, BASE, 4, FOLL_PIN | FOLL_FAST_ONLY, new PageArraySink(m, pages))).toBe(4);
    unpinUserPages(m, pages, 4);
    exitMmap(mm);
  });
});
