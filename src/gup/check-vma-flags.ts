/**
 * Whether GUP may touch a VMA: mm/gup.c `check_vma_flags` and
 * `writable_file_mapping_allowed`.
 *
 * Faithful (v6.16+): VM_IO / VM_PFNMAP -> -EFAULT; FOLL_ANON on a non-anonymous VMA ->
 * -EFAULT; FOLL_LONGTERM on fsdax -> -EOPNOTSUPP; FOLL_SPLIT_PMD on hugetlb ->
 * -EOPNOTSUPP; a FOLL_PIN | FOLL_LONGTERM write to a file mapping that needs dirty
 * tracking -> -EFAULT; a write to a !VM_WRITE VMA needs FOLL_FORCE and a COW mapping;
 * a read of a !VM_READ VMA needs FOLL_FORCE and VM_MAYREAD. Not modelled: secretmem,
 * shadow stacks, protection keys (arch_vma_access_permitted is always true).
 *
 * Arguments: `gupFlags` must be an unsigned 32-bit FOLL_* word without undefined bits
 * (ArgumentError); the VMA is TypeScript's to guarantee.
 */
import { EFAULT, EOPNOTSUPP } from '../mm/errno.js';
import { FOLL_ANON, FOLL_FORCE, FOLL_LONGTERM, FOLL_PIN, FOLL_SPLIT_PMD, FOLL_WRITE } from '../mm/foll-flags.js';
import type { Vma } from '../mm/vma.js';
import { checkFollWord } from './gup-arg-types.js';
import { isVmHugetlbPage, vmaIsAnonymous, vmaIsFsdax, vmaNeedsDirtyTracking } from '../mm/vma.js';
import { VM_IO, VM_MAYREAD, VM_PFNMAP, VM_READ, VM_WRITE, isCowMapping } from '../mm/vm-flags.js';

/** `writable_file_mapping_allowed(vma, gup_flags)`. */
export function writableFileMappingAllowed(vma: Vma, gupFlags: number): boolean {
  checkFollWord('writableFileMappingAllowed', gupFlags);
  if ((gupFlags & (FOLL_PIN | FOLL_LONGTERM)) !== (FOLL_PIN | FOLL_LONGTERM)) return true;
  return !vmaNeedsDirtyTracking(vma);
}

/** `check_vma_flags(vma, gup_flags)`: 0 or -errno. */
export function checkVmaFlags(vma: Vma, gupFlags: number): number {
  checkFollWord('checkVmaFlags', gupFlags);
  const vmFlags = vma.flags;
  const write = (gupFlags & FOLL_WRITE) !== 0;
  const anon = vmaIsAnonymous(vma);
  if ((vmFlags & (VM_IO | VM_PFNMAP)) !== 0) return -EFAULT;
  if ((gupFlags & FOLL_ANON) !== 0 && !anon) return -EFAULT;
  if ((gupFlags & FOLL_LONGTERM) !== 0 && vmaIsFsdax(vma)) return -EOPNOTSUPP;
  if ((gupFlags & FOLL_SPLIT_PMD) !== 0 && isVmHugetlbPage(vma)) return -EOPNOTSUPP;
  if (write) {
    if (!anon && !writableFileMappingAllowed(vma, gupFlags)) return -EFAULT;
    if ((vmFlags & VM_WRITE) === 0) {
      if ((gupFlags & FOLL_FORCE) === 0) return -EFAULT;
      // Anon pages in shared mappings are surprising: FOLL_FORCE only breaks COW.
      if (!isCowMapping(vmFlags)) return -EFAULT;
    }
  } else if ((vmFlags & VM_READ) === 0) {
    if ((gupFlags & FOLL_FORCE) === 0) return -EFAULT;
    if ((vmFlags & VM_MAYREAD) === 0) return -EFAULT;
  }
  return 0;
}
