/**
 * munmap(2): mm/vma.c `do_vmi_munmap` / `do_vmi_align_munmap`.
 *
 * Faithful: the start must be page aligned and the length non-zero (else -EINVAL),
 * the length is rounded up to pages, a range past TASK_SIZE is -EINVAL, unmapping
 * nothing succeeds, VMAs are split at the edges, and an edge inside a hugetlb VMA must
 * be aligned to its huge page size (hugetlb_split: -EINVAL). Unmapping drops the
 * mappings' references; pinned folios stay allocated until their pins are dropped.
 *
 * Arguments: do_vmi_munmap's test `offset_in_page(start) || start > TASK_SIZE ||
 * len > TASK_SIZE - start` (then `end == start`) refuses everything a C caller can
 * pass that is not a range of the user address space, negative values included (an
 * `unsigned long` start or `size_t` length above TASK_SIZE): -EINVAL. NaN, infinities
 * and fractions, which no C caller can pass, throw an ArgumentError.
 */
import { PAGE_SIZE, TASK_SIZE_MAX } from './constants.js';
import { EINVAL } from './errno.js';
import { fileRelease } from './file.js';
import { checkAddress } from './address-arg-check.js';
import type { Mm } from './mm.js';
import { isVmHugetlbPage, splitVma } from './vma.js';
import { zapVma } from './zap.js';

/** `munmap(addr, length)`. Returns 0 or -EINVAL. */
export function munmap(mm: Mm, addr: number, length: number): number {
  checkAddress('munmap', 'addr', addr);
  checkAddress('munmap', 'length', length);
  if (addr < 0 || addr % PAGE_SIZE !== 0 || addr > TASK_SIZE_MAX) return -EINVAL;
  if (length < 0 || length > TASK_SIZE_MAX - addr) return -EINVAL;
  const len = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
  const end = addr + len;
  if (end === addr) return -EINVAL;
  const vmas = mm.vmas;
  // hugetlb VMAs cannot be cut inside a huge page.
  for (const vma of vmas) {
    if (vma.end <= addr || vma.start >= end || !isVmHugetlbPage(vma)) continue;
    const huge = PAGE_SIZE * (1 << vma.hugeOrder);
    if ((addr > vma.start && addr % huge !== 0) || (end < vma.end && end % huge !== 0)) return -EINVAL;
  }
  let i = 0;
  while (i < vmas.length) {
    let vma = vmas[i]!;
    if (vma.end <= addr) {
      i++;
      continue;
    }
    if (vma.start >= end) break;
    if (vma.start < addr) {
      splitVma(vmas, vma, addr);
      i++;
      continue;
    }
    if (vma.end > end) splitVma(vmas, vma, end);
    vma = vmas[i]!;
    zapVma(mm, vma, vma.start, vma.end);
    vmas.splice(i, 1);
    if (vma.file !== null) fileRelease(vma.file);
  }
  return 0;
}
