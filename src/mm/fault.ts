/**
 * The page fault handler: mm/memory.c `handle_mm_fault` / `__handle_mm_fault` /
 * `handle_pte_fault`, `do_anonymous_page` (with `alloc_anon_folio`), `do_fault`
 * (`do_read_fault`, `do_cow_fault`, `do_shared_fault`, `finish_fault`), and
 * `sanitize_fault_flags`.
 *
 * Faithful: a read fault on private anonymous memory maps the shared zero page (a
 * special PTE, no reference); a write fault allocates a folio of the mapping's order
 * when the naturally aligned block lies inside the VMA and its PMD table with every PTE
 * none (else order 0), maps it writable (VM_WRITE) and dirty, and the allocation
 * reference plus nr-1 more become the PTE mappings' references (the
 * folio_ref_add(folio, nr_pages - 1) of do_anonymous_page and finish_fault runs, and
 * counts one refcount atomic, for every folio mapped, as the kernel executes it: an
 * order-0 folio and do_cow_fault's copy add 0); file faults map the
 * page-cache folio read-only unless the mapping is shared and writable without dirty
 * tracking (or the fault writes), a private write copies the page into an anonymous
 * one (do_cow_fault); FAULT_FLAG_UNSHARE never comes with FAULT_FLAG_WRITE (WARN and
 * SIGSEGV otherwise) and on a mapping that is not COW is dropped, leaving an ordinary
 * read fault (sanitize_fault_flags). Inside a long-term pin every allocation
 * avoids CMA and ZONE_MOVABLE (memalloc-pin.ts).
 *
 * Simplified: a file fault maps the whole folio when it fits the VMA and the PMD table
 * with all PTEs none, otherwise one page (finish_fault's rule for shmem since v6.11;
 * for other file systems fault-around does the like on read faults); no swap, no
 * userfaultfd, no NUMA hinting; VM_PFNMAP ranges are populated at mmap, so a fault
 * there is a SIGBUS. The result is vm_fault_to_errno's: 0, -EFAULT (SIGSEGV/SIGBUS)
 * or -ENOMEM (VM_FAULT_OOM).
 *
 * Arguments: an address with no VMA (negative ones included: above TASK_SIZE as an
 * `unsigned long`) is -EFAULT, the SIGSEGV of do_user_addr_fault's bad_area, and, as
 * there, handle_mm_fault is never reached, so neither `pgfault` nor the cost counter
 * moves. NaN or a fraction, and a `write` / `unshare` that is not a boolean, throw an
 * ArgumentError.
 */
import { PAGE_SIZE, PMD_ORDER } from './constants.js';
import { EFAULT, ENOMEM } from './errno.js';
import { allocFolio } from './alloc.js';
import { warnOn } from './bug.js';
import { filemapGetFolio } from './file.js';
import { folioMarkDirty, folioPutRefs, folioRefAdd } from './folio.js';
import { hugetlbFault } from './hugetlb-fault.js';
import { FAULT_FALLBACK, createHugePmd, pmdMappable, wpHugePmd } from './huge-pmd-fault.js';
import { currentAllocZone } from './memalloc-pin.js';
import type { Mm } from './mm.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  PTRS_PER_TABLE,
  pmdSlot,
  pteIndex,
  pteSlot,
  vpnOf,
} from './page-table.js';
import { folioAddFileRmapPtes, folioAddNewAnonRmapPtes } from './rmap.js';
import type { Vma } from './vma.js';
import { isVmHugetlbPage, vmaIsAnonymous, vmaLookup, vmaNeedsDirtyTracking, vmaPgoff } from './vma.js';
import { VM_PFNMAP, VM_SHARED, isCowMapping } from './vm-flags.js';
import { doWpPage, maybeMkwrite } from './wp-page.js';
import { KernelBug } from './bug.js';
import { checkAddress, checkOptionalBool } from './address-arg-check.js';

/** The fault's kind: FAULT_FLAG_WRITE and FAULT_FLAG_UNSHARE. */
export interface FaultFlags {
  readonly write?: boolean;
  readonly unshare?: boolean;
}

/**
 * `handle_mm_fault(vma, address, flags)` with the VMA looked up from `addr` (as
 * do_user_addr_fault does). With a VMA it counts one fault (cost `faults`, vmstat
 * `pgfault`, mm_account_fault), failed ones included. Returns 0, -EFAULT (no VMA, or
 * SIGSEGV/SIGBUS) or -ENOMEM.
 */
export function handleMmFault(mm: Mm, addr: number, flags: FaultFlags = {}): number {
  checkAddress('handleMmFault', 'addr', addr);
  checkOptionalBool('handleMmFault', 'flags.write', flags.write);
  checkOptionalBool('handleMmFault', 'flags.unshare', flags.unshare);
  const m = mm.m;
  const write = flags.write === true;
  let unshare = flags.unshare === true;
  const vma = vmaLookup(mm.vmas, addr);
  if (vma === null) return -EFAULT;
  m.cost.faults++;
  m.stat.pgfault++;
  if (unshare) {
    if (warnOn(m, write, 'handle_mm_fault: FAULT_FLAG_UNSHARE with FAULT_FLAG_WRITE')) return -EFAULT;
    // sanitize_fault_flags: FAULT_FLAG_UNSHARE only applies to COW mappings.
    if (!isCowMapping(vma.flags)) unshare = false;
    else m.stat.unshareFaults++;
  }
  if ((vma.flags & VM_PFNMAP) !== 0) return -EFAULT;
  const vpn = vpnOf(addr);
  if (isVmHugetlbPage(vma)) return hugetlbFault(mm, vma, vpn, write, unshare);
  const ms = pmdSlot(mm.pt, vpn, true);
  if (ms < 0) throw new KernelBug(`fault at vpn ${vpn}: PUD leaf in a non-hugetlb VMA`);
  const pmd = mm.pt.pmd;
  const mb = pmd.bits[ms]!;
  if ((mb & _PAGE_PRESENT) === 0 && pmdMappable(vma, vpn)) {
    const ret = createHugePmd(mm, vma, ms, vpn, write);
    if (ret !== FAULT_FALLBACK) return ret;
  } else if ((mb & _PAGE_PSE) !== 0) {
    if ((write || unshare) && (mb & _PAGE_RW) === 0) {
      const ret = wpHugePmd(mm, vma, ms, vpn, unshare);
      if (ret !== FAULT_FALLBACK) return ret;
    } else {
      // huge_pmd_set_accessed
      if (write) pmd.bits[ms] = mb | _PAGE_DIRTY | _PAGE_ACCESSED;
      return 0;
    }
  }
  return handlePteFault(mm, vma, vpn, write, unshare);
}

/** `handle_pte_fault`: the PTE level. */
function handlePteFault(mm: Mm, vma: Vma, vpn: number, write: boolean, unshare: boolean): number {
  const slot = pteSlot(mm.pt, vpn, true);
  if (slot < 0) throw new KernelBug(`fault at vpn ${vpn}: no PTE table after the PMD level`);
  const pte = mm.pt.pte;
  const b = pte.bits[slot]!;
  if ((b & _PAGE_PRESENT) === 0) {
    if (vmaIsAnonymous(vma)) return doAnonymousPage(mm, vma, vpn, slot, write);
    return doFault(mm, vma, vpn, slot, write);
  }
  if ((write || unshare) && (b & _PAGE_RW) === 0) return doWpPage(mm, vma, slot, unshare);
  if (write) pte.bits[slot] = b | _PAGE_DIRTY | _PAGE_ACCESSED;
  return 0;
}

/**
 * `alloc_anon_folio`'s order choice: the VMA's mTHP order when its aligned block is
 * inside the VMA and the PTE table and every PTE of it is none; else 0. A PMD-order
 * policy that could not map a PMD falls back to order 0 (only the PMD size enabled).
 */
function anonFaultOrder(mm: Mm, vma: Vma, vpn: number, slot: number): number {
  const order = vma.order;
  if (order === 0 || order >= PMD_ORDER) return 0;
  const nr = 1 << order;
  const first = vpn - (vpn % nr);
  if (first < vma.start / PAGE_SIZE || first + nr > vma.end / PAGE_SIZE) return 0;
  const base = slot - pteIndex(vpn) + pteIndex(first);
  const bits = mm.pt.pte.bits;
  for (let i = 0; i < nr; i++) if (bits[base + i] !== 0) return 0;
  return order;
}

/** `do_anonymous_page(vmf)`. */
function doAnonymousPage(mm: Mm, vma: Vma, vpn: number, slot: number, write: boolean): number {
  const m = mm.m;
  const pte = mm.pt.pte;
  if (!write) {
    // The zero page: pte_mkspecial, no reference, no mapcount.
    pte.val[slot] = m.zeroPfn;
    pte.bits[slot] = _PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED;
    return 0;
  }
  let order = anonFaultOrder(mm, vma, vpn, slot);
  let folio = allocFolio(m, order, { zone: currentAllocZone(vma.zone), placement: vma.placement });
  if (folio < 0 && order > 0) {
    order = 0;
    folio = allocFolio(m, 0, { zone: currentAllocZone(vma.zone), placement: vma.placement });
  }
  if (folio < 0) return -ENOMEM;
  const nr = 1 << order;
  const first = vpn - (vpn % nr);
  const base = slot - pteIndex(vpn) + pteIndex(first);
  folioRefAdd(m, folio, nr - 1);
  folioAddNewAnonRmapPtes(m, folio, folio, nr);
  vma.anonVma = true;
  const bits = maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY);
  for (let i = 0; i < nr; i++) {
    pte.val[base + i] = folio + i;
    pte.bits[base + i] = bits;
  }
  return 0;
}

/** `do_fault(vmf)`: read, COW or shared fault on a file-backed PTE that is none. */
function doFault(mm: Mm, vma: Vma, vpn: number, slot: number, write: boolean): number {
  const m = mm.m;
  const file = vma.file!;
  const pgoff = vmaPgoff(vma, vpn);
  const folio = filemapGetFolio(file, pgoff, true);
  if (folio < 0) return folio === -EFAULT ? -EFAULT : -ENOMEM;
  const pte = mm.pt.pte;
  const shared = (vma.flags & VM_SHARED) !== 0;
  const idx = pageIndexOf(m, folio, file.cache, pgoff);
  if (write && !shared) {
    // do_cow_fault: copy the file page into a new anonymous page.
    const copy = allocFolio(m, 0, { zone: currentAllocZone(vma.zone), placement: vma.placement });
    if (copy < 0) {
      folioPutRefs(m, folio, 1);
      return -ENOMEM;
    }
    m.content[copy] = m.content[folio + idx]!;
    folioPutRefs(m, folio, 1);
    // finish_fault with vmf->cow_page: folio_ref_add(folio, nr_pages - 1), nr_pages 1.
    folioRefAdd(m, copy, 0);
    folioAddNewAnonRmapPtes(m, copy, copy, 1);
    vma.anonVma = true;
    pte.val[slot] = copy;
    pte.bits[slot] = maybeMkwrite(vma, _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY);
    m.stat.cowCopies++;
    return 0;
  }
  // finish_fault: the whole folio when it fits, else the faulting page alone.
  const nrFolio = 1 << m.order[folio]!;
  let page = folio + idx;
  let from = slot;
  let nr = 1;
  if (nrFolio > 1) {
    const vmaOff = vpn - vma.start / PAGE_SIZE;
    const pteOff = pteIndex(vpn);
    const fits =
      vmaOff >= idx &&
      vmaOff + (nrFolio - idx) <= (vma.end - vma.start) / PAGE_SIZE &&
      pteOff >= idx &&
      pteOff + (nrFolio - idx) <= PTRS_PER_TABLE &&
      rangeNone(pte.bits, slot - idx, nrFolio);
    if (fits) {
      page = folio;
      from = slot - idx;
      nr = nrFolio;
    }
  }
  let bits = _PAGE_PRESENT | _PAGE_ACCESSED;
  if (shared && (write || !vmaNeedsDirtyTracking(vma))) bits = maybeMkwrite(vma, bits);
  if (write) {
    bits |= _PAGE_DIRTY;
    folioMarkDirty(m, folio);
  }
  folioRefAdd(m, folio, nr - 1);
  folioAddFileRmapPtes(m, page, nr);
  for (let i = 0; i < nr; i++) {
    pte.val[from + i] = page + i;
    pte.bits[from + i] = bits;
  }
  return 0;
}

/** Index of `pgoff`'s page inside the cached folio: pgoff minus the folio's first offset. */
function pageIndexOf(m: Mm['m'], folio: number, cache: Int32Array, pgoff: number): number {
  const nr = 1 << m.order[folio]!;
  // Cached folios sit at offsets aligned to their size.
  const idx = pgoff % nr;
  if (cache[pgoff - idx] !== folio) throw new KernelBug(`page cache: folio ${folio} is not at offset ${pgoff - idx}`);
  return idx;
}

function rangeNone(bits: Uint8Array, from: number, nr: number): boolean {
  for (let i = from; i < from + nr; i++) if (bits[i] !== 0) return false;
  return true;
}
