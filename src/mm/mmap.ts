/**
 * mmap(2): mm/mmap.c `do_mmap`, `get_unmapped_area` (top-down), `calc_vm_*_bits`, with
 * the backings the model offers: private anonymous memory, shmem (MAP_SHARED |
 * MAP_ANONYMOUS, or a memfd), an ext4-like file (dirty tracked), hugetlbfs (2 MiB and
 * 1 GiB, MAP_HUGETLB or a hugetlbfs file), fsdax, and a VM_IO | VM_PFNMAP device
 * populated with special PTEs as remap_pfn_range does.
 *
 * Faithful: -EINVAL for a zero length, a missing sharing type, an unaligned MAP_FIXED
 * address or offset; -ENOMEM when the range does not fit below TASK_SIZE; -EEXIST for
 * MAP_FIXED_NOREPLACE over a mapping; MAP_FIXED replaces what was there; hugetlb
 * lengths round up to the huge page size; VM flags as the kernel sets them (VM_MAY*,
 * VM_SHARED|VM_MAYSHARE, VM_HUGETLB, VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP).
 * Simplified: files are always opened read-write, no VMA merging, no overcommit
 * accounting, and a mapping of 2 MiB or more whose folio policy is PMD-sized is placed
 * on a 2 MiB boundary (thp_get_unmapped_area). The per-mapping policy (folio order,
 * zone, placement) is the model's, standing for sysfs THP settings and the allocator.
 */
import { HPAGE_PMD_NR, PAGE_SIZE, PMD_ORDER, PMD_SIZE, PUD_ORDER, TASK_SIZE_MAX } from './constants.js';
import { EEXIST, EINVAL, ENOMEM } from './errno.js';
import type { Placement } from './alloc.js';
import type { MmFile } from './file.js';
import { createFile, fileGet, fileRelease } from './file.js';
import type { ZoneName } from './machine.js';
import { MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_HUGE_1GB, MAP_HUGE_MASK, MAP_HUGE_SHIFT, MAP_HUGETLB, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, calcVmProtBits } from './mman.js';
import type { Mm } from './mm.js';
import { MMAP_BASE, MMAP_MIN_ADDR } from './mm.js';
import { munmap } from './munmap.js';
import { _PAGE_ACCESSED, _PAGE_PRESENT, _PAGE_RW, _PAGE_SPECIAL, pteSlot } from './page-table.js';
import { populateVmaPageRange } from './populate.js';
import type { Vma } from './vma.js';
import { insertVma } from './vma.js';
import {
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_HUGETLB,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
} from './vm-flags.js';

/** What backs a mapping made without an explicit `file`. */
export type Backing = 'anon' | 'shmem' | 'ext4' | 'hugetlb-2m' | 'hugetlb-1g' | 'fsdax' | 'device';

export interface MmapOptions {
  /** Hint, or the exact address with MAP_FIXED / MAP_FIXED_NOREPLACE. */
  readonly addr?: number;
  readonly length: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_* flags: MAP_SHARED or MAP_PRIVATE, plus MAP_ANONYMOUS, MAP_FIXED, MAP_POPULATE, MAP_HUGETLB ... */
  readonly flags: number;
  /**
   * The backing when no `file` is given (a new file of the mapping's size is created
   * and goes away with the mapping). Default: 'anon' (shmem when MAP_SHARED),
   * 'hugetlb-2m'/'hugetlb-1g' with MAP_HUGETLB.
   */
  readonly backing?: Backing;
  /** Map this file (createFile) instead; `backing` is then ignored. */
  readonly file?: MmFile;
  /** Byte offset into the file (page aligned; huge page aligned on hugetlbfs). */
  readonly offset?: number;
  /**
   * Folio-order policy: 0 (base pages), an mTHP order 1..8 (PTE-mapped), or PMD_ORDER
   * (THP, PMD-mapped when aligned). For a new file it is the page-cache folio order.
   */
  readonly order?: number;
  /** Zone new folios come from (default 'normal'). */
  readonly zone?: ZoneName;
  /** Allocator placement of new folios (default 'adjacent'). */
  readonly placement?: Placement;
}

function implicitFileKind(b: Backing): 'shmem' | 'ext4' | 'hugetlbfs' | 'fsdax' | 'device' {
  if (b === 'hugetlb-2m' || b === 'hugetlb-1g') return 'hugetlbfs';
  return b === 'anon' ? 'shmem' : b;
}

/**
 * `mmap(addr, length, prot, flags, fd, offset)`. Returns the mapped address, or
 * -EINVAL, -ENOMEM or -EEXIST.
 */
export function mmap(mm: Mm, opts: MmapOptions): number {
  const flags = opts.flags;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  const shared = type !== MAP_PRIVATE;
  if (!Number.isSafeInteger(opts.length) || opts.length <= 0) return -EINVAL;
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % PAGE_SIZE !== 0) return -EINVAL;
  const order = opts.order ?? 0;
  if (!Number.isInteger(order) || order < 0 || order > PMD_ORDER) return -EINVAL;
  const zone = opts.zone ?? 'normal';
  const placement = opts.placement ?? 'adjacent';

  let backing: Backing = opts.backing ?? 'anon';
  if ((flags & MAP_HUGETLB) !== 0 && opts.file === undefined)
    backing = ((flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK) === MAP_HUGE_1GB >>> MAP_HUGE_SHIFT ? 'hugetlb-1g' : 'hugetlb-2m';
  const kind = opts.file?.kind ?? (backing === 'anon' && !shared ? null : implicitFileKind(backing));
  const hugeOrder = kind === 'hugetlbfs' ? (opts.file?.order ?? (backing === 'hugetlb-1g' ? PUD_ORDER : PMD_ORDER)) : 0;
  const unit = PAGE_SIZE * (1 << hugeOrder);
  const len = Math.ceil(opts.length / unit) * unit;
  if (len > TASK_SIZE_MAX) return -ENOMEM;
  if (offset % unit !== 0) return -EINVAL;

  let align = unit;
  if (hugeOrder === 0 && len >= PMD_SIZE && (order === PMD_ORDER || opts.file?.order === PMD_ORDER) && (offset / PAGE_SIZE) % HPAGE_PMD_NR === 0)
    align = PMD_SIZE;
  let addr: number;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
    addr = opts.addr ?? -1;
    if (!Number.isSafeInteger(addr) || addr < 0 || addr % unit !== 0) return -EINVAL;
    if (addr + len > TASK_SIZE_MAX || addr < MMAP_MIN_ADDR) return -ENOMEM;
    if (overlaps(mm.vmas, addr, addr + len)) {
      if ((flags & MAP_FIXED) === 0) return -EEXIST;
      // The unmap can fail (it cannot split a hugetlb VMA inside a huge page): then the
      // old mapping stays and mmap returns the error, as __mmap_setup does.
      const err = munmap(mm, addr, len);
      if (err < 0) return err;
    }
  } else {
    const hint = opts.addr;
    if (hint !== undefined && Number.isSafeInteger(hint) && hint % align === 0 && hint >= MMAP_MIN_ADDR &&
        hint + len <= TASK_SIZE_MAX && !overlaps(mm.vmas, hint, hint + len))
      addr = hint;
    else addr = getUnmappedArea(mm.vmas, len, align);
    if (addr < 0) return -ENOMEM;
  }

  let file: MmFile | null = null;
  if (opts.file !== undefined) {
    file = opts.file;
    fileGet(file);
  } else if (kind !== null) {
    const f = createFile(mm.m, kind, offset + len, { order: kind === 'hugetlbfs' ? hugeOrder : order, zone });
    if (typeof f === 'number') return f;
    file = f;
  }

  let vmFlags = calcVmProtBits(opts.prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
  if (kind === 'hugetlbfs') vmFlags |= VM_HUGETLB;
  if (kind === 'device') vmFlags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  const vma: Vma = {
    start: addr,
    end: addr + len,
    flags: vmFlags,
    file,
    pgoff: file === null ? addr / PAGE_SIZE : offset / PAGE_SIZE,
    order: file === null ? order : 0,
    zone,
    placement,
    hugeOrder,
    anonVma: false,
  };
  if (kind === 'device' && !remapPfnRange(mm, vma)) {
    if (file !== null) fileRelease(file);
    return -EINVAL;
  }
  insertVma(mm.vmas, vma);
  if ((flags & MAP_POPULATE) !== 0) populateVmaPageRange(mm, vma, vma.start, vma.end);
  return addr;
}

function overlaps(vmas: readonly Vma[], start: number, end: number): boolean {
  for (const v of vmas) if (v.start < end && v.end > start) return true;
  return false;
}

/** Top-down `get_unmapped_area` below MMAP_BASE: the highest aligned gap that fits. */
function getUnmappedArea(vmas: readonly Vma[], len: number, align: number): number {
  let hi = MMAP_BASE;
  for (let i = vmas.length - 1; i >= -1; i--) {
    const v = i >= 0 ? vmas[i]! : null;
    if (v !== null && v.start >= hi) continue;
    const lo = v === null ? MMAP_MIN_ADDR : v.end;
    const addr = Math.floor((hi - len) / align) * align;
    if (addr >= lo && addr >= MMAP_MIN_ADDR) return addr;
    if (v !== null) hi = v.start;
  }
  return -ENOMEM;
}

/** `remap_pfn_range`: map the device's frames with special PTEs now. False if the file is too small. */
function remapPfnRange(mm: Mm, vma: Vma): boolean {
  const file = vma.file!;
  const nr = (vma.end - vma.start) / PAGE_SIZE;
  if (vma.pgoff + nr > file.nrPages) return false;
  const pte = mm.pt.pte;
  const writable = (vma.flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED);
  const bits = _PAGE_PRESENT | _PAGE_SPECIAL | _PAGE_ACCESSED | (writable ? _PAGE_RW : 0);
  const vpn0 = vma.start / PAGE_SIZE;
  for (let i = 0; i < nr; i++) {
    const slot = pteSlot(mm.pt, vpn0 + i, true);
    pte.val[slot] = file.cache[vma.pgoff + i]!;
    pte.bits[slot] = bits;
  }
  return true;
}

