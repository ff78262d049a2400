/**
 * Files and their page cache: the `address_space` of an inode on an ext4-like
 * (writeback, dirty-tracked) file system, shmem/memfd, hugetlbfs, fsdax, or a device
 * whose driver maps its own frames with remap_pfn_range.
 *
 * Models what GUP depends on: `filemap_get_folio` / `filemap_add_folio` (the page cache
 * holds one reference per page of each folio, as since v5.17), the folio order a file
 * uses for new page-cache folios (large folios on ext4, shmem huge=, hugetlb sizes),
 * and truncation when the last user goes away. Simplified: a file has a fixed size
 * (pages beyond it are a SIGBUS), no readahead, no writeback; pages start zeroed.
 * A device's frames are order-0 folios held by the driver (one reference each) with no
 * mapping; they are mapped by special PTEs and never refcounted by the mappings.
 *
 * Arguments: sizes, orders and page offsets C could hold keep their errnos (-EINVAL
 * for a bad size or order or cache slot, -EFAULT for a page offset beyond the file,
 * which a negative one is as an unsigned `pgoff_t`); NaN, a fraction, an unknown file
 * kind or zone, a non-boolean `create`, or a folio that is not a head PFN in the memmap
 * throws an ArgumentError (arg-check.ts) before anything changes.
 */
import { HPAGE_PMD_NR, HPAGE_PUD_NR, PAGE_SIZE, PMD_ORDER, PUD_ORDER, divRoundUp } from './constants.js';
import { EFAULT, EINVAL, ENOMEM } from './errno.js';
import type { Machine, ZoneName } from './machine.js';
import { allocFolio } from './alloc.js';
import { folioGet, folioPutRefs, folioRefAdd, folioSetHugetlb } from './folio.js';
import { MAPPING_FILE, MAPPING_FSDAX, MAPPING_HUGETLB, MAPPING_NONE, MAPPING_SHMEM } from './page-flags.js';
import { currentAllocZone } from './memalloc-pin.js';
import { ZONE_NAMES } from './machine.js';
import { badArgument, checkBool, checkFolio, checkOneOf } from './arg-check.js';

/** What a file lives on. 'ext4' stands for any file system that writes back (dirty tracking). */
export type FileKind = 'ext4' | 'shmem' | 'hugetlbfs' | 'fsdax' | 'device';

/** Every file kind. */
export const FILE_KINDS: readonly FileKind[] = ['ext4', 'shmem', 'hugetlbfs', 'fsdax', 'device'];

/** An inode with its page cache. */
export interface MmFile {
  readonly m: Machine;
  readonly id: number;
  readonly kind: FileKind;
  /** Size in base pages (a multiple of the huge page size on hugetlbfs). */
  readonly nrPages: number;
  /** Per page offset: the head PFN of the cached folio holding it, or -1. */
  readonly cache: Int32Array;
  /** Order of new page-cache folios (hugetlbfs: the huge page order). */
  readonly order: number;
  /** Zone new page-cache folios come from. */
  readonly zone: ZoneName;
  /** The MAPPING_* kind of its folios. */
  readonly mappingKind: number;
  /** Open descriptors plus VMAs mapping it; the cache is truncated at zero. */
  users: number;
}

export interface CreateFileOptions {
  /** Page-cache folio order (default 0; hugetlbfs: PMD_ORDER or PUD_ORDER, default PMD_ORDER). */
  readonly order?: number;
  /** Zone for the file's folios (default 'normal'). */
  readonly zone?: ZoneName;
}

const filesByMachine = new WeakMap<Machine, Set<MmFile>>();
let nextFileId = 1;

const MAPPING_OF: Readonly<Record<FileKind, number>> = {
  ext4: MAPPING_FILE,
  shmem: MAPPING_SHMEM,
  hugetlbfs: MAPPING_HUGETLB,
  fsdax: MAPPING_FSDAX,
  device: MAPPING_NONE,
};

/** The files of a machine that still have a page cache (for migration's cache update). */
export function machineFiles(m: Machine): ReadonlySet<MmFile> {
  return filesByMachine.get(m) ?? new Set();
}

/**
 * Creates a file of `bytes` (rounded up to its page or huge page size), opened once
 * (users = 1; drop it with fileRelease). A device file allocates its frames now.
 * Returns the file, or -EINVAL (a size <= 0, an order outside 0..PMD_ORDER, a
 * hugetlbfs order other than PMD_ORDER or PUD_ORDER) or -ENOMEM (device frames).
 * Throws an ArgumentError for an unknown kind or zone and a NaN or fractional size or order.
 */
export function createFile(m: Machine, kind: FileKind, bytes: number, opts: CreateFileOptions = {}): MmFile | number {
  checkOneOf('createFile', 'kind', kind, FILE_KINDS);
  if (!Number.isSafeInteger(bytes)) badArgument('createFile', 'bytes', bytes, 'a safe integer');
  if (opts.order !== undefined && !Number.isSafeInteger(opts.order))
    badArgument('createFile', 'opts.order', opts.order, 'an integer');
  if (opts.zone !== undefined) checkOneOf('createFile', 'opts.zone', opts.zone, ZONE_NAMES);
  let order = opts.order ?? (kind === 'hugetlbfs' ? PMD_ORDER : 0);
  if (kind === 'hugetlbfs' && order !== PMD_ORDER && order !== PUD_ORDER) return -EINVAL;
  if (kind === 'device') order = 0;
  if (order < 0 || order > PMD_ORDER + (kind === 'hugetlbfs' ? PUD_ORDER - PMD_ORDER : 0)) return -EINVAL;
  if (bytes <= 0) return -EINVAL;
  const unit = kind === 'hugetlbfs' ? (order === PUD_ORDER ? HPAGE_PUD_NR : HPAGE_PMD_NR) : 1;
  const nrPages = divRoundUp(divRoundUp(bytes, PAGE_SIZE), unit) * unit;
  const file: MmFile = {
    m,
    id: nextFileId++,
    kind,
    nrPages,
    cache: new Int32Array(nrPages).fill(-1),
    order,
    zone: opts.zone ?? 'normal',
    mappingKind: MAPPING_OF[kind],
    users: 1,
  };
  if (kind === 'device') {
    for (let i = 0; i < nrPages; i++) {
      const pfn = allocFolio(m, 0, { zone: file.zone });
      if (pfn < 0) {
        truncateFile(file);
        return pfn;
      }
      file.cache[i] = pfn;
    }
  }
  let set = filesByMachine.get(m);
  if (set === undefined) filesByMachine.set(m, (set = new Set()));
  set.add(file);
  return file;
}

/** Takes one more user (an mmap of the file). */
export function fileGet(file: MmFile): void {
  file.users++;
}

/** Drops a user (close or munmap); the last one truncates the page cache. */
export function fileRelease(file: MmFile): void {
  if (--file.users === 0) truncateFile(file);
}

/** `truncate_inode_pages`: drops the cache's references; pinned folios live on until unpinned. */
function truncateFile(file: MmFile): void {
  const m = file.m;
  const cache = file.cache;
  for (let i = 0; i < cache.length; ) {
    const folio = cache[i]!;
    if (folio < 0) {
      i++;
      continue;
    }
    const nr = 1 << m.order[folio]!;
    for (let j = 0; j < nr && i + j < cache.length; j++) cache[i + j] = -1;
    // A device frame carries the driver's single reference; a cached folio one per page.
    folioPutRefs(m, folio, file.kind === 'device' ? 1 : nr);
    i += nr;
  }
  filesByMachine.get(m)?.delete(file);
}

/**
 * `filemap_get_folio` / `filemap_fault`'s lookup: the folio caching page `pgoff`, with a
 * reference for the caller. With `create`, a missing folio is allocated (order
 * `file.order` when its aligned block is inside the file and wholly uncached, else 0),
 * and added to the cache (`filemap_add_folio`: +nr references). Returns the head PFN,
 * -EFAULT past the end of the file (SIGBUS; a negative `pgoff` is past it as a
 * `pgoff_t`), -ENOMEM, or -1 when absent and !create.
 */
export function filemapGetFolio(file: MmFile, pgoff: number, create: boolean): number {
  if (!Number.isSafeInteger(pgoff)) badArgument('filemapGetFolio', 'pgoff', pgoff, 'an integer');
  checkBool('filemapGetFolio', 'create', create);
  if (pgoff < 0 || pgoff >= file.nrPages) return -EFAULT;
  const m = file.m;
  const cached = file.cache[pgoff]!;
  if (cached >= 0) {
    folioGet(m, cached);
    return cached;
  }
  if (!create) return -1;
  let order = file.order;
  let first = pgoff - (pgoff % (1 << order));
  if (!blockUncached(file, first, 1 << order)) {
    if (file.kind === 'hugetlbfs') return -ENOMEM;
    order = 0;
    first = pgoff;
  }
  const folio = allocFolio(m, order, { zone: currentAllocZone(file.zone) });
  if (folio < 0) return -ENOMEM;
  if (file.kind === 'hugetlbfs') folioSetHugetlb(m, folio);
  m.mapping[folio] = file.mappingKind;
  filemapAddFolio(file, folio, first);
  return folio;
}

function blockUncached(file: MmFile, first: number, nr: number): boolean {
  if (first + nr > file.nrPages) return false;
  for (let i = first; i < first + nr; i++) if (file.cache[i]! >= 0) return false;
  return true;
}

/**
 * `filemap_add_folio(mapping, folio, index)`: caches `folio` at pages
 * [index, index + nr), taking nr references. Returns 0, or -EINVAL if the slots are
 * taken, out of range (a negative `index` is, as a `pgoff_t`) or misaligned for the
 * folio's order.
 */
export function filemapAddFolio(file: MmFile, folio: number, index: number): number {
  const m = file.m;
  checkFolio(m, 'filemapAddFolio', 'folio', folio);
  if (!Number.isSafeInteger(index)) badArgument('filemapAddFolio', 'index', index, 'an integer');
  const nr = 1 << m.order[folio]!;
  if (index < 0 || index % nr !== 0 || !blockUncached(file, index, nr)) return -EINVAL;
  for (let i = 0; i < nr; i++) file.cache[index + i] = folio;
  folioRefAdd(m, folio, nr);
  return 0;
}

/** Replaces `oldFolio` by `newFolio` in whichever page cache holds it (folio migration). */
export function filemapReplaceFolio(m: Machine, oldFolio: number, newFolio: number): boolean {
  checkFolio(m, 'filemapReplaceFolio', 'oldFolio', oldFolio);
  checkFolio(m, 'filemapReplaceFolio', 'newFolio', newFolio);
  for (const file of machineFiles(m)) {
    const cache = file.cache;
    let found = false;
    for (let i = 0; i < cache.length; i++) {
      if (cache[i] === oldFolio) {
        cache[i] = newFolio;
        found = true;
      }
    }
    if (found) return true;
  }
  return false;
}
