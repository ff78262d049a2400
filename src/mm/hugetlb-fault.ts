/**
 * hugetlb faults: mm/hugetlb.c `hugetlb_fault`, `hugetlb_no_page`, `hugetlb_wp`.
 *
 * Faithful: a shared mapping maps the page-cache folio (allocating it on first touch,
 * dirty as hugetlb_add_to_page_cache leaves it) with a PMD (2 MiB) or PUD (1 GiB) leaf
 * `make_huge_pte` makes writable and dirty with VM_WRITE, on a read fault too, else
 * read-only and clean; a private mapping maps the file's cached folio read-only if
 * there is one, and otherwise a new exclusive anonymous hugetlb folio (read-only on a
 * read fault); `hugetlb_wp` makes a shared leaf writable, reuses an anonymous folio
 * mapped once (setting PageAnonExclusive on its head; an unshare leaves it read-only),
 * and otherwise copies the whole huge page. A write fault without VM_WRITE (FOLL_FORCE)
 * is refused with a WARN, as hugetlb does. Simplified: no reservations or pool limits
 * (a huge page comes from the allocator, failing with -ENOMEM, and is made a hugetlb
 * folio there, as `init_new_hugetlb_folio` makes every pool folio one): an anonymous
 * hugetlb folio answers both `folio_test_anon` and `folio_test_hugetlb`.
 *
 * Arguments: `vpn` must lie in `vma`, a hugetlb VMA, and `write` / `unshare` be
 * booleans (handle_mm_fault's caller guarantees); anything else is an ArgumentError.
 */
import { EFAULT, ENOMEM } from './errno.js';
import { badArgument, checkBool } from './arg-check.js';
import { checkVpnInVma } from './address-arg-check.js';
import { allocFolio } from './alloc.js';
import { KernelBug, warnOn } from './bug.js';
import { filemapGetFolio } from './file.js';
import { folioMarkDirty, folioPutRefs, folioSetHugetlb, folioTestAnon } from './folio.js';
import { currentAllocZone } from './memalloc-pin.js';
import type { Mm } from './mm.js';
import { PUD_ORDER } from './constants.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  clearDeadTable,
  type PageTableLevel,
  PMD_LEVEL,
  pmdSlot,
  PUD_LEVEL,
  pudSlot,
} from './page-table.js';
import {
  folioAddNewAnonRmapEntire,
  folioAddRmapEntire,
  folioMapcount,
  folioRemoveRmapEntire,
  setPageAnonExclusive,
} from './rmap.js';
import type { Vma } from './vma.js';
import { vmaPgoff } from './vma.js';
import { VM_MAYSHARE, VM_WRITE } from './vm-flags.js';

/** `hugetlb_fault(mm, vma, address, flags)`. Returns 0, -ENOMEM or -EFAULT. */
export function hugetlbFault(mm: Mm, vma: Vma, vpn: number, write: boolean, unshare: boolean): number {
  if (vma.hugeOrder === 0) badArgument('hugetlbFault', 'vma', vma.flags, 'a hugetlb VMA (VM_HUGETLB)');
  checkVpnInVma('hugetlbFault', vma, vpn);
  checkBool('hugetlbFault', 'write', write);
  checkBool('hugetlbFault', 'unshare', unshare);
  const order = vma.hugeOrder;
  const nr = 1 << order;
  const first = vpn - (vpn % nr);
  const pt = mm.pt;
  const level = order === PUD_ORDER ? pt.pud : pt.pmd;
  const slot = order === PUD_ORDER ? pudSlot(pt, first, true) : pmdSlot(pt, first, true);
  if (slot < 0) return -EFAULT;
  let b = level.bits[slot]!;
  if ((b & (_PAGE_PRESENT | _PAGE_PSE)) === _PAGE_PRESENT) {
    // A table left by an earlier, smaller mapping, which free_pgtables would have freed;
    // a table still mapping something under a hugetlb VMA cannot happen.
    if (!clearDeadTable(pt, order === PUD_ORDER ? PUD_LEVEL : PMD_LEVEL, slot))
      throw new KernelBug(`hugetlb_fault: a live page table under vpn ${first}`);
    b = 0;
  }
  if ((b & _PAGE_PRESENT) === 0) return hugetlbNoPage(mm, vma, level, slot, first, write);
  if ((write || unshare) && (b & _PAGE_RW) === 0) return hugetlbWp(mm, vma, level, slot, unshare);
  if (write) level.bits[slot] = b | _PAGE_DIRTY | _PAGE_ACCESSED;
  return 0;
}

function hugetlbNoPage(mm: Mm, vma: Vma, level: PageTableLevel, slot: number, first: number, write: boolean): number {
  const m = mm.m;
  const file = vma.file!;
  const pgoff = vmaPgoff(vma, first);
  if ((vma.flags & VM_MAYSHARE) !== 0) {
    const folio = filemapGetFolio(file, pgoff, true);
    if (folio < 0) return folio === -EFAULT ? -EFAULT : -ENOMEM;
    folioAddRmapEntire(m, folio);
    level.val[slot] = folio;
    // make_huge_pte(vma, folio, vma->vm_flags & VM_SHARED): young either way.
    const leaf = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
    level.bits[slot] = (vma.flags & VM_WRITE) !== 0 ? leaf | _PAGE_RW | _PAGE_DIRTY : leaf;
    // hugetlb_add_to_page_cache marks every folio it adds dirty, read fault or write
    // fault, so generic page-cache code never drops it (for a folio found cached, the
    // kernel did so when it was added).
    folioMarkDirty(m, folio);
    return 0;
  }
  const cached = filemapGetFolio(file, pgoff, false);
  if (cached === -EFAULT) return -EFAULT;
  if (cached >= 0) {
    folioAddRmapEntire(m, cached);
    level.val[slot] = cached;
    level.bits[slot] = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
    return write ? hugetlbWp(mm, vma, level, slot, false) : 0;
  }
  const folio = allocFolio(m, vma.hugeOrder, { zone: currentAllocZone(file.zone), placement: vma.placement });
  if (folio < 0) return -ENOMEM;
  folioSetHugetlb(m, folio);
  folioAddNewAnonRmapEntire(m, folio);
  vma.anonVma = true;
  level.val[slot] = folio;
  level.bits[slot] = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
  return write ? hugetlbWp(mm, vma, level, slot, false) : 0;
}

/** `hugetlb_wp(folio, vmf)` on a read-only huge leaf. Returns 0, -ENOMEM or -EFAULT. */
function hugetlbWp(mm: Mm, vma: Vma, level: PageTableLevel, slot: number, unshare: boolean): number {
  const m = mm.m;
  if (warnOn(m, !unshare && (vma.flags & VM_WRITE) === 0, 'hugetlb_wp: FOLL_FORCE-style write fault on a hugetlb mapping'))
    return -EFAULT;
  const b = level.bits[slot]!;
  if ((vma.flags & VM_MAYSHARE) !== 0) {
    if (!unshare) level.bits[slot] = b | _PAGE_RW | _PAGE_DIRTY; // an unshare leaves a shared leaf as it is
    return 0;
  }
  const old = level.val[slot]!;
  if (folioTestAnon(m, old) && folioMapcount(m, old) === 1) {
    setPageAnonExclusive(m, old);
    if (!unshare) level.bits[slot] = b | _PAGE_RW | _PAGE_DIRTY;
    return 0;
  }
  const copy = allocFolio(m, vma.hugeOrder, { zone: currentAllocZone(vma.file!.zone), placement: vma.placement });
  if (copy < 0) return -ENOMEM;
  folioSetHugetlb(m, copy);
  const nr = 1 << vma.hugeOrder;
  m.content.copyWithin(copy, old, old + nr);
  folioAddNewAnonRmapEntire(m, copy);
  vma.anonVma = true;
  level.val[slot] = copy;
  level.bits[slot] = unshare ? _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED : _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY;
  folioRemoveRmapEntire(m, old);
  folioPutRefs(m, old, 1);
  if (!unshare) m.stat.cowCopies++;
  return 0;
}
