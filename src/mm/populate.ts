/**
 * Prefaulting a range: mm/gup.c `populate_vma_page_range` as used by MAP_POPULATE
 * (`__mm_populate` with ignore_errors).
 *
 * Faithful in effect: private writable mappings are faulted for write (breaking COW),
 * everything else for read; pages already mapped with enough permission are skipped,
 * huge leaves as a whole; VM_IO/VM_PFNMAP VMAs are skipped; errors are ignored.
 * The kernel does this through __get_user_pages without a page array; the model walks
 * the page tables directly since src/mm sits below the GUP layer. Arguments: [start,
 * end) must be page aligned and inside the VMA (the kernel's VM_BUG_ONs); anything else
 * is an ArgumentError.
 */
import { PAGE_SIZE } from './constants.js';
import { handleMmFault } from './fault.js';
import { checkRangeInVma } from './address-arg-check.js';
import type { Mm } from './mm.js';
import { _PAGE_RW, PMD_PAGES, PMD_LEVEL, PTE_LEVEL, PUD_PAGES, findLeaf, leafLevel, leafSlot } from './page-table.js';
import type { Vma } from './vma.js';
import { VM_IO, VM_PFNMAP, VM_SHARED, VM_WRITE } from './vm-flags.js';

/** Faults in [start, end) of `vma` as MAP_POPULATE does. */
export function populateVmaPageRange(mm: Mm, vma: Vma, start: number, end: number): void {
  checkRangeInVma('populateVmaPageRange', vma, start, end);
  if ((vma.flags & (VM_IO | VM_PFNMAP)) !== 0) return;
  const write = (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  const pt = mm.pt;
  let vpn = start / PAGE_SIZE;
  const vpnEnd = end / PAGE_SIZE;
  while (vpn < vpnEnd) {
    let leaf = findLeaf(pt, vpn);
    let tries = 0;
    while ((leaf < 0 || (write && (pt.level(leafLevel(leaf)).bits[leafSlot(leaf)]! & _PAGE_RW) === 0)) && tries < 3) {
      if (handleMmFault(mm, vpn * PAGE_SIZE, { write }) !== 0) break;
      leaf = findLeaf(pt, vpn);
      tries++;
    }
    if (leaf < 0) {
      vpn++;
      continue;
    }
    const level = leafLevel(leaf);
    const size = level === PTE_LEVEL ? 1 : level === PMD_LEVEL ? PMD_PAGES : PUD_PAGES;
    vpn += size - (vpn % size);
  }
}
