/**
 * PMD-level faults outside hugetlb: mm/huge_memory.c `do_huge_pmd_anonymous_page`,
 * `do_huge_pmd_wp_page`, mm/memory.c `create_huge_pmd`, `wp_huge_pmd` and the
 * `do_set_pmd` path of `finish_fault` for page-cache THPs.
 *
 * Faithful: an anonymous THP fault maps a new PMD-order folio writable (with VM_WRITE)
 * and dirty, its allocation reference becoming the PMD's; a write/unshare fault on a
 * read-only anonymous PMD reuses the folio when its head is PageAnonExclusive or its
 * refcount is 1 (an unshare leaves it read-only), and otherwise splits the PMD and lets
 * the PTE level copy one page; a shared file PMD is made writable (write notify), a
 * private one is split. Simplified: `transparent_hugepage/use_zero_page` is taken as 0
 * (a read fault allocates a THP instead of mapping the huge zero page), and page-cache
 * THPs are PMD-mapped only in shared mappings (private file mappings use PTEs). No PTE
 * table is deposited with an anonymous THP (`pgtable_trans_huge_deposit`): the model's
 * page tables are pools, not memory frames, so a split takes a new one from the pool.
 *
 * Arguments: these are handle_mm_fault's steps and take what it guarantees: `vpn` in
 * `vma` (and PMD-mappable for create_huge_pmd), `ms` the PMD slot covering it (none for
 * create_huge_pmd, a present leaf for wp_huge_pmd), boolean `write` / `unshare`.
 * Anything else is an ArgumentError.
 */
import { PMD_ORDER } from './constants.js';
import { badArgument, checkBool } from './arg-check.js';
import { checkPmdSlotOf, checkVpnInVma } from './address-arg-check.js';
import { allocFolio } from './alloc.js';
import { filemapGetFolio } from './file.js';
import { folioMarkDirty, folioPutRefs } from './folio.js';
import { currentAllocZone } from './memalloc-pin.js';
import type { Mm } from './mm.js';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PSE, PMD_PAGES } from './page-table.js';
import { folioAddNewAnonRmapEntire, folioAddRmapEntire, pageAnonExclusive, setPageAnonExclusive } from './rmap.js';
import { splitHugePmd } from './split-huge-pmd.js';
import type { Vma } from './vma.js';
import { vmaIsAnonymous, vmaNeedsDirtyTracking, vmaPgoff } from './vma.js';
import { VM_MAYSHARE, VM_NOHUGEPAGE, VM_SHARED } from './vm-flags.js';
import { maybeMkwrite } from './wp-page.js';

/** The fault fell back to the PTE level (VM_FAULT_FALLBACK). */
export const FAULT_FALLBACK = 1;

/**
 * `thp_vma_allowable_order(vma, PMD_ORDER)` + `thp_vma_suitable_order`: whether a PMD
 * leaf may map the 2 MiB block holding `vpn` in this VMA.
 */
export function pmdMappable(vma: Vma, vpn: number): boolean {
  if (!Number.isInteger(vpn)) badArgument('pmdMappable', 'vpn', vpn, 'an integer page number');
  if ((vma.flags & VM_NOHUGEPAGE) !== 0) return false;
  const first = vpn - (vpn % PMD_PAGES);
  const startVpn = vma.start / 4096;
  if (first < startVpn || first + PMD_PAGES > vma.end / 4096) return false;
  if (vmaIsAnonymous(vma)) return vma.order === PMD_ORDER;
  const file = vma.file!;
  if ((vma.flags & VM_SHARED) === 0 || file.order !== PMD_ORDER || file.kind === 'hugetlbfs' || file.kind === 'device')
    return false;
  return vmaPgoff(vma, first) % PMD_PAGES === 0;
}

/**
 * `create_huge_pmd(vmf)` on a none PMD slot `ms`: an anonymous THP or a page-cache
 * THP. Returns 0, -ENOMEM, or FAULT_FALLBACK (no PMD-order folio to be had).
 */
export function createHugePmd(mm: Mm, vma: Vma, ms: number, vpn: number, write: boolean): number {
  checkVpnInVma('createHugePmd', vma, vpn);
  if (!pmdMappable(vma, vpn)) badArgument('createHugePmd', 'vpn', vpn, 'a page whose 2 MiB block the VMA may map with a PMD');
  checkPmdSlotOf('createHugePmd', mm.pt, ms, vpn, false);
  checkBool('createHugePmd', 'write', write);
  const m = mm.m;
  const pmd = mm.pt.pmd;
  const first = vpn - (vpn % PMD_PAGES);
  if (vmaIsAnonymous(vma)) {
    const folio = allocFolio(m, PMD_ORDER, { zone: currentAllocZone(vma.zone), placement: vma.placement });
    if (folio < 0) return FAULT_FALLBACK;
    m.stat.thpFaultAlloc++;
    folioAddNewAnonRmapEntire(m, folio);
    vma.anonVma = true;
    pmd.val[ms] = folio;
    pmd.bits[ms] = maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_DIRTY);
    return 0;
  }
  const folio = filemapGetFolio(vma.file!, vmaPgoff(vma, first), true);
  if (folio < 0) return folio; // -EFAULT past the end of the file, or -ENOMEM
  if (m.order[folio] !== PMD_ORDER) {
    folioPutRefs(m, folio, 1);
    return FAULT_FALLBACK;
  }
  // The fault's reference becomes the PMD mapping's.
  folioAddRmapEntire(m, folio);
  let bits = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
  if (write || !vmaNeedsDirtyTracking(vma)) bits = maybeMkwrite(vma, bits);
  if (write) {
    bits |= _PAGE_DIRTY;
    folioMarkDirty(m, folio);
  }
  pmd.val[ms] = folio;
  pmd.bits[ms] = bits;
  return 0;
}

/**
 * `wp_huge_pmd(vmf)` on a present read-only PMD leaf at slot `ms`. Returns 0 or
 * FAULT_FALLBACK after splitting (the PTE level finishes the fault).
 */
export function wpHugePmd(mm: Mm, vma: Vma, ms: number, vpn: number, unshare: boolean): number {
  checkVpnInVma('wpHugePmd', vma, vpn);
  checkPmdSlotOf('wpHugePmd', mm.pt, ms, vpn, true);
  checkBool('wpHugePmd', 'unshare', unshare);
  const m = mm.m;
  const pmd = mm.pt.pmd;
  const folio = pmd.val[ms]!;
  if (vmaIsAnonymous(vma)) {
    // do_huge_pmd_wp_page
    if (!pageAnonExclusive(m, folio)) {
      if (m.refcount[folio] !== 1) {
        splitHugePmd(mm, vma, vpn);
        return FAULT_FALLBACK;
      }
      setPageAnonExclusive(m, folio);
    }
    if (unshare) return 0;
    pmd.bits[ms] = maybeMkwrite(vma, pmd.bits[ms]! | _PAGE_DIRTY | _PAGE_ACCESSED);
    return 0;
  }
  if ((vma.flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    folioMarkDirty(m, folio);
    pmd.bits[ms] = maybeMkwrite(vma, pmd.bits[ms]! | _PAGE_DIRTY | _PAGE_ACCESSED);
    return 0;
  }
  splitHugePmd(mm, vma, vpn);
  return FAULT_FALLBACK;
}

