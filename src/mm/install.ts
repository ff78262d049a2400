/**
 * Mapping a given folio at a given address: what a fault would do had the allocator
 * returned exactly this folio (mm/memory.c `set_pte_range`, mm/huge_memory.c
 * `__do_huge_pmd_anonymous_page`, hugetlb's `hugetlb_no_page`, mm/filemap.c
 * `filemap_add_folio`), so a test or scenario can say which memory backs which address.
 *
 * Faithful accounting: in a private mapping the folio becomes anonymous and
 * exclusive (`folio_add_new_anon_rmap`); in a shared one it joins the file's page cache
 * at the matching offset (+nr references; hugetlbfs also marks it dirty, as
 * `hugetlb_add_to_page_cache` does) and is file-mapped; each PTE mapping holds one
 * reference and each PMD/PUD mapping one, the caller's allocation reference becoming
 * the first of them (the fault path's folio_ref_add(folio, nr - 1)). In a hugetlb VMA
 * the folio becomes a hugetlb folio (`__folio_set_hugetlb`, as if the hugetlb pool had
 * handed it out), anonymous or page cache alike. The folio must be freshly allocated
 * (no mapping yet).
 *
 * Arguments: `folio` must be a folio's head PFN inside the memmap, `addr` an integer,
 * `opts.writable` a boolean and `opts.pmd` / `opts.pud` booleans, not both true;
 * anything else is an ArgumentError. An address with no VMA (negative ones included)
 * is -EFAULT, as the fault it stands for would be.
 */
import { PAGE_SIZE, PMD_ORDER, PUD_ORDER } from './constants.js';
import { EEXIST, EFAULT, EINVAL } from './errno.js';
import { filemapAddFolio } from './file.js';
import { badArgument, checkBool, checkFolio } from './arg-check.js';
import { checkAddress, checkOptionalBool } from './address-arg-check.js';
import { folioMarkDirty, folioRefAdd, folioSetHugetlb } from './folio.js';
import type { Mm } from './mm.js';
import { MAPPING_NONE, PG_ALLOCATED, PG_HEAD } from './page-flags.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  clearDeadTable,
  PMD_LEVEL,
  pmdSlot,
  pteSlot,
  PUD_LEVEL,
  pudSlot,
  vpnOf,
} from './page-table.js';
import { folioAddFileRmapPtes, folioAddNewAnonRmapEntire, folioAddNewAnonRmapPtes, folioAddRmapEntire } from './rmap.js';
import { isVmHugetlbPage, vmaLookup, vmaPgoff } from './vma.js';
import { VM_PFNMAP, VM_SHARED, VM_WRITE } from './vm-flags.js';

export interface InstallOptions {
  /** Map with one PMD leaf (the folio must be PMD-order and the address 2 MiB aligned). */
  readonly pmd?: boolean;
  /** Map with one PUD leaf (PUD-order folio, 1 GiB aligned; hugetlb 1 GiB mappings). */
  readonly pud?: boolean;
  /** Writable (and dirty) entries; needs VM_WRITE. */
  readonly writable: boolean;
}

/**
 * Maps `folio` at `addr` inside an existing mapping. Returns 0, -EFAULT (no VMA),
 * -EINVAL (folio not fresh, bad alignment or size, outside the VMA, writable without
 * VM_WRITE, a device mapping, a hugetlb mapping of another size) or -EEXIST (something
 * is mapped or cached there already).
 */
export function installFolio(mm: Mm, addr: number, folio: number, opts: InstallOptions): number {
  const m = mm.m;
  checkAddress('installFolio', 'addr', addr);
  checkFolio(m, 'installFolio', 'folio', folio);
  checkBool('installFolio', 'opts.writable', opts.writable);
  checkOptionalBool('installFolio', 'opts.pmd', opts.pmd);
  checkOptionalBool('installFolio', 'opts.pud', opts.pud);
  if (opts.pmd === true && opts.pud === true) badArgument('installFolio', 'opts.pud', true, 'false when opts.pmd is true (one leaf level)');
  const vma = vmaLookup(mm.vmas, addr);
  if (vma === null) return -EFAULT;
  if (folio === m.zeroPfn) return -EINVAL;
  if ((m.flags[folio]! & (PG_ALLOCATED | PG_HEAD)) !== (PG_ALLOCATED | PG_HEAD) || m.refcount[folio]! < 1) return -EINVAL;
  if (m.mapping[folio] !== MAPPING_NONE || m.entireMapcount[folio] !== 0) return -EINVAL;
  if ((vma.flags & VM_PFNMAP) !== 0) return -EINVAL;
  if (opts.writable && (vma.flags & VM_WRITE) === 0) return -EINVAL;
  const order = m.order[folio]!;
  const nr = 1 << order;
  const level = opts.pud === true ? 2 : opts.pmd === true ? 1 : 0;
  if (level === 2 && (order !== PUD_ORDER || addr % (PAGE_SIZE * nr) !== 0)) return -EINVAL;
  if (level === 1 && (order !== PMD_ORDER || addr % (PAGE_SIZE * nr) !== 0)) return -EINVAL;
  if (level === 0 && addr % PAGE_SIZE !== 0) return -EINVAL;
  if (isVmHugetlbPage(vma) ? level === 0 || order !== vma.hugeOrder : level === 2) return -EINVAL;
  if (addr + nr * PAGE_SIZE > vma.end) return -EINVAL;
  for (let p = folio; p < folio + nr; p++) if (m.mapcount[p] !== 0) return -EINVAL;

  const pt = mm.pt;
  const vpn = vpnOf(addr);
  let slot = -1;
  if (level === 2) {
    slot = pudSlot(pt, vpn, true);
    if (!clearDeadTable(pt, PUD_LEVEL, slot)) return -EEXIST;
  } else if (level === 1) {
    slot = pmdSlot(pt, vpn, true);
    if (slot < 0 || !clearDeadTable(pt, PMD_LEVEL, slot)) return -EEXIST;
  } else {
    for (let i = 0; i < nr; i++) {
      const s = pteSlot(pt, vpn + i, true);
      if (s < 0 || pt.pte.bits[s] !== 0) return -EEXIST;
    }
  }
  const shared = (vma.flags & VM_SHARED) !== 0;
  if (shared) {
    const file = vma.file!;
    if (filemapAddFolio(file, folio, vmaPgoff(vma, vpn)) !== 0) return -EEXIST;
    m.mapping[folio] = file.mappingKind;
    // hugetlb_add_to_page_cache keeps generic page-cache code off the folio by dirtying it.
    if (file.kind === 'hugetlbfs') folioMarkDirty(m, folio);
  }
  // A folio mapped into a hugetlb VMA stands for one the hugetlb pool handed out.
  if (isVmHugetlbPage(vma)) folioSetHugetlb(m, folio);
  const bits = _PAGE_PRESENT | _PAGE_ACCESSED | (opts.writable ? _PAGE_RW | _PAGE_DIRTY : 0);
  if (level > 0) {
    if (shared) folioAddRmapEntire(m, folio);
    else folioAddNewAnonRmapEntire(m, folio);
    const lv = level === 2 ? pt.pud : pt.pmd;
    lv.val[slot] = folio;
    lv.bits[slot] = bits | _PAGE_PSE;
  } else {
    folioRefAdd(m, folio, nr - 1);
    if (shared) folioAddFileRmapPtes(m, folio, nr);
    else folioAddNewAnonRmapPtes(m, folio, folio, nr);
    for (let i = 0; i < nr; i++) {
      const s = pteSlot(pt, vpn + i, false);
      pt.pte.val[s] = folio + i;
      pt.pte.bits[s] = bits;
    }
  }
  if (!shared) vma.anonVma = true;
  return 0;
}
