/**
 * mmap(2): mm/mmap.c `do_mmap`, `get_unmapped_area` (top-down), `calc_vm_*_bits`, with
 * the backings the model offers: private anonymous memory, shmem (MAP_SHARED |
 * MAP_ANONYMOUS, or a memfd), an ext4-like file (dirty tracked), hugetlbfs (2 MiB and
 * 1 GiB, MAP_HUGETLB or a hugetlbfs file), fsdax, and a VM_IO | VM_PFNMAP device
 * populated with special PTEs as remap_pfn_range does.
 *
 * Faithful: the checks come in the kernel's order (x86 sys_mmap, ksys_mmap_pgoff,
 * do_mmap, __get_unmapped_area): -EINVAL for an unaligned offset, a zero length, a
 * MAP_HUGETLB without a hugetlbfs file or known huge page size, a MAP_FIXED address
 * not page (hugetlb: huge page) aligned, a bad sharing type (mmap-flag-checks.ts);
 * -ENOMEM when the length wraps or the range does not fit below TASK_SIZE (a negative
 * length or MAP_FIXED address is one, as an `unsigned long`); -EEXIST for
 * MAP_FIXED_NOREPLACE over a mapping; -EOVERFLOW for a negative file offset
 * (file_mmap_ok); -EOPNOTSUPP for MAP_SHARED_VALIDATE with an unknown flag; MAP_FIXED
 * replaces what was there, once everything else has passed; an address hint is rounded
 * down to a page (round_hint_to_min: a nonzero hint below mmap_min_addr is raised to
 * it; hugetlb rounds it up to the huge page); hugetlb lengths round up
 * to the huge page size; the offset of anonymous memory is ignored; PROT_* bits beyond
 * READ/WRITE/EXEC are ignored (mmap does not validate prot; only mprotect does); VM
 * flags as the kernel sets them (VM_MAY*, VM_SHARED|VM_MAYSHARE, VM_HUGETLB,
 * VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP, VM_NORESERVE).
 * Without `file`, `backing` stands for the fd (or, when it is 'anon', or 'shmem' with
 * MAP_ANONYMOUS, for anonymous memory).
 * Arguments no C caller could pass throw an ArgumentError naming the option: a
 * length, address or offset that is NaN, infinite or fractional (an offset beyond
 * 2^53 too), prot or flags that are not 32-bit integers, an order outside 0..PMD_ORDER,
 * an unknown backing, zone or placement; so does a flag the model does not implement.
 * Not the kernel's: a MAP_FIXED address below mmap_min_addr is -ENOMEM (the kernel's
 * security_mmap_addr says -EPERM to an unprivileged caller).
 * Simplified: files are always opened read-write, no VMA merging, no overcommit
 * accounting, and a mapping of 2 MiB or more whose folio policy is PMD-sized is placed
 * on a 2 MiB boundary (thp_get_unmapped_area). The per-mapping policy (folio order,
 * zone, placement) is the model's, standing for sysfs THP settings and the allocator.
 */
import { HPAGE_PMD_NR, PAGE_SIZE, PMD_ORDER, PMD_SIZE, PUD_ORDER, TASK_SIZE_MAX } from './constants.js';
import { EEXIST, EINVAL, ENOMEM, EOVERFLOW } from './errno.js';
import type { Placement } from './alloc.js';
import { badArgument, checkInt, checkOneOf } from './arg-check.js';
import { checkAddress, checkIntWord } from './address-arg-check.js';
import { MAP_NORESERVE, mmapFlagsCheck, mmapHugetlbCheck } from './mmap-flag-checks.js';
import type { MmFile } from './file.js';
import { createFile, fileGet, fileRelease } from './file.js';
import type { ZoneName } from './machine.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_HUGE_1GB, MAP_HUGE_MASK, MAP_HUGE_SHIFT, MAP_HUGETLB, MAP_POPULATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, calcVmProtBits } from './mman.js';
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
  VM_NORESERVE,
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

const BACKINGS: readonly Backing[] = ['anon', 'shmem', 'ext4', 'hugetlb-2m', 'hugetlb-1g', 'fsdax', 'device'];
const ZONES: readonly ZoneName[] = ['normal', 'cma', 'movable'];
const PLACEMENTS: readonly Placement[] = ['adjacent', 'scattered'];

/**
 * `mmap(addr, length, prot, flags, fd, offset)`. Returns the mapped address, or
 * -EINVAL, -ENOMEM, -EEXIST, -EOVERFLOW or -EOPNOTSUPP; bad arguments no C caller could
 * pass, and flags the model does not implement, throw an ArgumentError (see header).
 */
export function mmap(mm: Mm, opts: MmapOptions): number {
  const flags = opts.flags;
  checkIntWord('mmap', 'opts.flags', flags);
  checkIntWord('mmap', 'opts.prot', opts.prot);
  checkAddress('mmap', 'opts.length', opts.length);
  if (opts.addr !== undefined) checkAddress('mmap', 'opts.addr', opts.addr);
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset)) badArgument('mmap', 'opts.offset', offset, 'a safe integer byte offset');
  const order = opts.order ?? 0;
  checkInt('mmap', 'opts.order', order, 0, PMD_ORDER);
  if (opts.backing !== undefined) checkOneOf('mmap', 'opts.backing', opts.backing, BACKINGS);
  if (opts.zone !== undefined) checkOneOf('mmap', 'opts.zone', opts.zone, ZONES);
  if (opts.placement !== undefined) checkOneOf('mmap', 'opts.placement', opts.placement, PLACEMENTS);
  const zone = opts.zone ?? 'normal';
  const placement = opts.placement ?? 'adjacent';

  // x86 sys_mmap: the byte offset must be page aligned.
  if (offset % PAGE_SIZE !== 0) return -EINVAL;
  const type = flags & MAP_TYPE;
  const shared = type === MAP_SHARED || type === MAP_SHARED_VALIDATE;
  let backing: Backing = opts.backing ?? 'anon';
  const anonFlag = (flags & MAP_ANONYMOUS) !== 0 || backing === 'anon';
  if ((flags & MAP_HUGETLB) !== 0) {
    const err = opts.file !== undefined ? mmapHugetlbCheck(flags, false, opts.file.kind) : mmapHugetlbCheck(flags, anonFlag, implicitFileKind(backing));
    if (err !== 0) return err;
    if (opts.file === undefined && anonFlag)
      backing = ((flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK) === MAP_HUGE_1GB >>> MAP_HUGE_SHIFT ? 'hugetlb-1g' : 'hugetlb-2m';
  }
  const kind = opts.file?.kind ?? (backing === 'anon' && !shared ? null : implicitFileKind(backing));
  // do_mmap's `file == NULL`: private anonymous memory, or shared anonymous (shmem_zero_setup comes later).
  const anonymous = opts.file === undefined && (kind === null || (kind === 'shmem' && anonFlag && (backing === 'anon' || backing === 'shmem')));
  const hugeOrder = kind === 'hugetlbfs' ? (opts.file?.order ?? (backing === 'hugetlb-1g' ? PUD_ORDER : PMD_ORDER)) : 0;
  const unit = PAGE_SIZE * (1 << hugeOrder);
  // ksys_mmap_pgoff aligns a hugetlb length (ALIGN may wrap to 0), do_mmap refuses 0 and
  // PAGE_ALIGN wrapping to 0 or past TASK_SIZE: a negative length is one of those.
  if (opts.length < 0) return hugeOrder > 0 && -opts.length < unit ? -EINVAL : -ENOMEM;
  if (opts.length === 0) return -EINVAL;
  const len = Math.ceil(opts.length / unit) * unit;
  if (len > TASK_SIZE_MAX) return -ENOMEM;
  // The kernel ignores the offset of anonymous memory (pgoff = 0, or addr >> PAGE_SHIFT).
  const off = anonymous ? 0 : offset;

  let align = unit;
  if (hugeOrder === 0 && len >= PMD_SIZE && (order === PMD_ORDER || opts.file?.order === PMD_ORDER) && (off / PAGE_SIZE) % HPAGE_PMD_NR === 0)
    align = PMD_SIZE;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let addr: number;
  if (fixed) {
    // __get_unmapped_area: hugetlb's get_unmapped_area refuses a misaligned address
    // first, then `addr > TASK_SIZE - len` (a negative address is above TASK_SIZE),
    // then offset_in_page(addr).
    addr = opts.addr ?? 0;
    if (unit > PAGE_SIZE && addr % unit !== 0) return -EINVAL;
    if (addr < 0 || addr > TASK_SIZE_MAX - len) return -ENOMEM;
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (addr < MMAP_MIN_ADDR) return -ENOMEM;
    if ((flags & MAP_FIXED_NOREPLACE) !== 0 && overlaps(mm.vmas, addr, addr + len)) return -EEXIST;
  } else {
    // do_mmap's round_hint_to_min: down to a page, and a nonzero hint below mmap_min_addr
    // up to it; hugetlb_get_unmapped_area then rounds a nonzero hint up to the huge page.
    // Hint 0 (or none) is no hint; a negative one is above TASK_SIZE, as an `unsigned long`.
    let hint = Math.floor((opts.addr ?? 0) / PAGE_SIZE) * PAGE_SIZE;
    if (hint > 0) hint = Math.ceil(Math.max(hint, MMAP_MIN_ADDR) / unit) * unit;
    if (hint % align === 0 && hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE_MAX - len &&
        !overlaps(mm.vmas, hint, hint + len))
      addr = hint;
    else addr = getUnmappedArea(mm.vmas, len, align);
    if (addr < 0) return -ENOMEM;
  }
  // file_mmap_ok: a negative offset is a pgoff past MAX_LFS_FILESIZE.
  if (!anonymous && off < 0) return -EOVERFLOW;
  const f = mmapFlagsCheck(flags, anonymous, kind === 'fsdax');
  if (f < 0) return f;
  // hugetlbfs_file_mmap: the offset must be huge page aligned.
  if (off % unit !== 0) return -EINVAL;

  // Only now does anything change: a MAP_FIXED mapping replaces what was there.
  if (fixed && overlaps(mm.vmas, addr, addr + len)) {
    // The unmap can fail (it cannot split a hugetlb VMA inside a huge page): then the
    // old mapping stays and mmap returns the error, as __mmap_setup does.
    const err = munmap(mm, addr, len);
    if (err < 0) return err;
  }

  let file: MmFile | null = null;
  if (opts.file !== undefined) {
    file = opts.file;
    fileGet(file);
  } else if (kind !== null) {
    const nf = createFile(mm.m, kind, off + len, { order: kind === 'hugetlbfs' ? hugeOrder : order, zone });
    if (typeof nf === 'number') return nf;
    file = nf;
  }

  let vmFlags = calcVmProtBits(opts.prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
  if (kind === 'hugetlbfs') vmFlags |= VM_HUGETLB;
  if (kind === 'device') vmFlags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  if ((f & MAP_NORESERVE) !== 0) vmFlags |= VM_NORESERVE;
  const vma: Vma = {
    start: addr,
    end: addr + len,
    flags: vmFlags,
    file,
    pgoff: file === null ? addr / PAGE_SIZE : off / PAGE_SIZE,
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

