/**
 * Splitting a PMD mapping: mm/huge_memory.c `__split_huge_pmd_locked` (freeze=false).
 *
 * Faithful for an anonymous THP: the PMD becomes a PTE table of 512 entries with the
 * PMD's permissions, every page gains a PTE mapcount, the entire mapcount drops by one,
 * the folio gains HPAGE_PMD_NR - 1 references (one per PTE mapping now), and
 * PageAnonExclusive moves from the head to every page (RMAP_EXCLUSIVE). For a
 * file/shmem THP the kernel just zaps the PMD and lets later faults map PTEs; so does
 * the model. hugetlb PMDs are never split. Arguments: `vpn` must lie in `vma` (the
 * kernel's callers pass an address of the VMA); anything else is an ArgumentError.
 */
import { HPAGE_PMD_NR } from './constants.js';
import { KernelBug } from './bug.js';
import { checkVpnInVma } from './address-arg-check.js';
import { folioPutRefs, folioRefAdd } from './folio.js';
import type { Mm } from './mm.js';
import { MAPPING_ANON } from './page-flags.js';
import { _PAGE_PRESENT, _PAGE_PSE, _PAGE_RW, PTRS_PER_TABLE, pmdSlot } from './page-table.js';
import { folioAddAnonRmapPtes, folioRemoveRmapEntire, pageAnonExclusive } from './rmap.js';
import type { Vma } from './vma.js';
import { isVmHugetlbPage } from './vma.js';

/** `split_huge_pmd(vma, pmd, address)` for the PMD covering `vpn`; no-op if it is not a leaf. */
export function splitHugePmd(mm: Mm, vma: Vma, vpn: number): void {
  checkVpnInVma('splitHugePmd', vma, vpn);
  const pt = mm.pt;
  const ms = pmdSlot(pt, vpn, false);
  if (ms < 0) return;
  const pmd = pt.pmd;
  const b = pmd.bits[ms]!;
  if ((b & (_PAGE_PRESENT | _PAGE_PSE)) !== (_PAGE_PRESENT | _PAGE_PSE)) return;
  if (isVmHugetlbPage(vma)) throw new KernelBug(`split_huge_pmd on a hugetlb VMA at vpn ${vpn}`);
  const m = mm.m;
  const folio = pmd.val[ms]!;
  if (m.mapping[folio] !== MAPPING_ANON) {
    pmd.bits[ms] = 0;
    folioRemoveRmapEntire(m, folio);
    folioPutRefs(m, folio, 1);
    return;
  }
  const exclusive = pageAnonExclusive(m, folio);
  const t = pt.pte.allocTable();
  const base = t * PTRS_PER_TABLE;
  const val = pt.pte.val;
  const bits = pt.pte.bits;
  const pteBits = b & ~_PAGE_PSE;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    val[base + i] = folio + i;
    bits[base + i] = pteBits;
  }
  folioRefAdd(m, folio, HPAGE_PMD_NR - 1);
  folioAddAnonRmapPtes(m, folio, HPAGE_PMD_NR, exclusive);
  folioRemoveRmapEntire(m, folio);
  pmd.val[ms] = t;
  pmd.bits[ms] = _PAGE_PRESENT | _PAGE_RW;
}
