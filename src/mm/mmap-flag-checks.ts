/**
 * How mmap(2) judges its flag word: mm/mmap.c `ksys_mmap_pgoff` (MAP_HUGETLB needs a
 * hugetlbfs file, or MAP_ANONYMOUS and a huge page size the machine has:
 * `hstate_sizelog`) and `do_mmap`'s switch on the sharing type (MAP_SHARED drops
 * everything outside include/linux/mman.h `LEGACY_MAP_MASK`, MAP_SHARED_VALIDATE
 * refuses it with -EOPNOTSUPP, anonymous memory knows no MAP_SHARED_VALIDATE, other
 * types are -EINVAL, VM_GROWSDOWN is refused where it makes no sense), v6.16+.
 *
 * Faithful for those errnos, with the x86-64 flag values. Beyond them the model refuses
 * (ArgumentError) a flag the kernel would honour and the model does not implement
 * (MAP_GROWSDOWN, MAP_LOCKED, MAP_NONBLOCK, MAP_STACK, MAP_32BIT, MAP_SYNC,
 * MAP_DROPPABLE) or a bit no flag defines that the kernel would ignore, rather than
 * map something other than what was asked. MAP_DENYWRITE, MAP_EXECUTABLE and
 * MAP_UNINITIALIZED are ignored, as by the kernel (with an MMU); MAP_NORESERVE only
 * sets VM_NORESERVE (the model has no overcommit accounting). Bits MAP_SHARED drops for
 * a file are ignored, as by the kernel.
 */
import { badArgument } from './arg-check.js';
import { EINVAL, EOPNOTSUPP } from './errno.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_HUGE_1GB,
  MAP_HUGE_2MB,
  MAP_HUGE_MASK,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
} from './mman.js';

// The x86-64 values of the MAP_* flags mman.ts does not offer.
const MAP_DROPPABLE = 0x08;
const MAP_32BIT = 0x40;
const MAP_GROWSDOWN = 0x0100;
const MAP_DENYWRITE = 0x0800;
const MAP_EXECUTABLE = 0x1000;
const MAP_LOCKED = 0x2000;
/** `MAP_NORESERVE`: exported for mmap's VM_NORESERVE. */
export const MAP_NORESERVE = 0x4000;
const MAP_NONBLOCK = 0x10000;
const MAP_STACK = 0x20000;
const MAP_SYNC = 0x80000;
const MAP_UNINITIALIZED = 0x4000000;

/** include/linux/mman.h `LEGACY_MAP_MASK`. */
const LEGACY_MAP_MASK =
  MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
  MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT |
  MAP_HUGE_2MB | MAP_HUGE_1GB;

/** The bits the model implements, or ignores as the kernel does (MAP_UNINITIALIZED lies in the huge page size field). */
const MODELLED_MAP_FLAGS =
  MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_POPULATE | MAP_HUGETLB | MAP_FIXED_NOREPLACE | MAP_NORESERVE |
  MAP_DENYWRITE | MAP_EXECUTABLE | (MAP_HUGE_MASK << MAP_HUGE_SHIFT);

/**
 * ksys_mmap_pgoff's MAP_HUGETLB checks. `fileKind` is the kind of the mapped file
 * (explicit, or the one the backing stands for), `anonymous` whether MAP_ANONYMOUS
 * applies (no explicit file). Returns 0 or -EINVAL.
 */
export function mmapHugetlbCheck(flags: number, anonymous: boolean, fileKind: string): number {
  if (!anonymous) return fileKind === 'hugetlbfs' ? 0 : -EINVAL;
  // hstate_sizelog: 0 is the default size (2 MiB); x86-64 has 2 MiB and 1 GiB pages.
  const log = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
  return log === 0 || log === 21 || log === 30 ? 0 : -EINVAL;
}

/**
 * do_mmap's switch on `flags & MAP_TYPE`, for anonymous memory (`file == NULL`) or a
 * file (`fsdax`: the file allows MAP_SYNC, FOP_MMAP_SYNC). Returns the flags the
 * mapping keeps (unsigned), or -EINVAL / -EOPNOTSUPP; throws an ArgumentError for a
 * flag the model does not implement.
 */
export function mmapFlagsCheck(flags: number, anonymous: boolean, fsdax: boolean): number {
  const type = flags & MAP_TYPE;
  let f = flags;
  if (!anonymous) {
    if (type === MAP_SHARED) f &= LEGACY_MAP_MASK;
    else if (type === MAP_SHARED_VALIDATE) {
      if ((f & ~(LEGACY_MAP_MASK | (fsdax ? MAP_SYNC : 0))) !== 0) return -EOPNOTSUPP;
    } else if (type !== MAP_PRIVATE) return -EINVAL;
    if ((f & MAP_GROWSDOWN) !== 0) return -EINVAL;
  } else if (type === MAP_SHARED) {
    if ((f & MAP_GROWSDOWN) !== 0) return -EINVAL;
  } else if (type === MAP_DROPPABLE) {
    if ((f & (MAP_LOCKED | MAP_HUGETLB | MAP_GROWSDOWN)) !== 0) return -EINVAL;
    badArgument('mmap', 'opts.flags', flags, 'a sharing type the model implements (not MAP_DROPPABLE)');
  } else if (type !== MAP_PRIVATE) return -EINVAL;
  if ((f & ~MODELLED_MAP_FLAGS) !== 0)
    badArgument('mmap', 'opts.flags', flags, `MAP_* flags the model implements (0x${(MODELLED_MAP_FLAGS >>> 0).toString(16)})`);
  return f >>> 0;
}
