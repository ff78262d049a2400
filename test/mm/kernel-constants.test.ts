/**
 * The model's constants are the kernel's numbers, written out here by hand from the
 * headers (x86-64, current mainline): a changed value would silently shift every flag
 * test and errno comparison, and mutation testing leaves module-level constants to this
 * table (stryker.config.json ignoreStatic).
 */
import { expect, it } from 'vitest';
import * as k from '../../src/index.js';

it('FOLL_* (include/linux/mm_types.h enum, and the internal ones in mm/internal.h)', () => {
  expect([
    k.FOLL_WRITE, k.FOLL_GET, k.FOLL_DUMP, k.FOLL_FORCE, k.FOLL_NOWAIT, k.FOLL_NOFAULT, k.FOLL_HWPOISON,
    k.FOLL_ANON, k.FOLL_LONGTERM, k.FOLL_SPLIT_PMD, k.FOLL_PCI_P2PDMA, k.FOLL_INTERRUPTIBLE, k.FOLL_HONOR_NUMA_FAULT,
  ]).toEqual([0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000]);
  expect([k.FOLL_TOUCH, k.FOLL_TRIED, k.FOLL_REMOTE, k.FOLL_PIN, k.FOLL_FAST_ONLY, k.FOLL_UNLOCKABLE, k.FOLL_MADV_POPULATE]).toEqual([
    0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000,
  ]);
  // INTERNAL_GUP_FLAGS = FOLL_TOUCH | FOLL_TRIED | FOLL_REMOTE | FOLL_PIN | FOLL_FAST_ONLY | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE
  expect(k.INTERNAL_GUP_FLAGS).toBe(0x7f0000);
  expect(k.FOLL_ALL_DEFINED).toBe(0x7f1fff);
});

it('errnos (include/uapi/asm-generic/errno-base.h, errno.h)', () => {
  expect([k.EIO, k.EINTR, k.EAGAIN, k.ENOMEM, k.EFAULT, k.EBUSY, k.EEXIST, k.EINVAL, k.ENOSPC, k.EMLINK]).toEqual([
    5, 4, 11, 12, 14, 16, 17, 22, 28, 31,
  ]);
  expect([k.EOVERFLOW, k.EOPNOTSUPP, k.EREMOTEIO, k.EHWPOISON]).toEqual([75, 95, 121, 133]);
});

it('sizes (arch/x86/include/asm/page_types.h, pgtable_64_types.h; include/linux/mm.h)', () => {
  expect([k.PAGE_SHIFT, k.PAGE_SIZE, k.PMD_ORDER, k.PUD_ORDER, k.HPAGE_PMD_NR, k.HPAGE_PUD_NR]).toEqual([12, 4096, 9, 18, 512, 262144]);
  expect([k.PMD_SIZE, k.PUD_SIZE]).toEqual([2 * 1024 * 1024, 1024 * 1024 * 1024]);
  expect(k.GUP_PIN_COUNTING_BIAS).toBe(1024);
  expect(k.TASK_SIZE_MAX).toBe(0x7ffffffff000); // (1 << 47) - PAGE_SIZE
  expect([k.SIZEOF_BIO_VEC, k.SIZEOF_POINTER, k.INT_MAX]).toEqual([16, 8, 2147483647]);
});

it('mmap flags and protections (include/uapi/asm-generic/mman-common.h, linux/mman.h)', () => {
  expect([k.PROT_NONE, k.PROT_READ, k.PROT_WRITE, k.PROT_EXEC]).toEqual([0, 1, 2, 4]);
  expect([k.MAP_SHARED, k.MAP_PRIVATE, k.MAP_SHARED_VALIDATE, k.MAP_TYPE, k.MAP_FIXED, k.MAP_ANONYMOUS]).toEqual([1, 2, 3, 0xf, 0x10, 0x20]);
  expect([k.MAP_POPULATE, k.MAP_HUGETLB, k.MAP_FIXED_NOREPLACE, k.MAP_HUGE_SHIFT, k.MAP_HUGE_MASK]).toEqual([0x8000, 0x40000, 0x100000, 26, 0x3f]);
  expect([k.MAP_HUGE_2MB, k.MAP_HUGE_1GB]).toEqual([21 << 26, 30 << 26]);
});

it('VM_* flags (include/linux/mm.h)', () => {
  expect([k.VM_NONE, k.VM_READ, k.VM_WRITE, k.VM_EXEC, k.VM_SHARED, k.VM_MAYREAD, k.VM_MAYWRITE, k.VM_MAYEXEC, k.VM_MAYSHARE]).toEqual([
    0, 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80,
  ]);
  expect([k.VM_GROWSDOWN, k.VM_PFNMAP, k.VM_LOCKED, k.VM_IO]).toEqual([0x100, 0x400, 0x2000, 0x4000]);
});
