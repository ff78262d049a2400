/**
 * Bad arguments to the GUP layer (src/gup): the page-array entry points
 * (get_user_pages*, pin_user_pages*), the sink-based entries, the grab and put
 * primitives, the release APIs, the run helpers and the walk's stages. Each row is a
 * call the kernel answers with an errno (or 0, for pin_user_pages), or one no C caller
 * could make (an ArgumentError), and `expectRefused` shows the refusal changed
 * nothing: the memmap, vmstat, and here also the caller's page array and the page
 * tables; for an ArgumentError also the WARNs, MMF_HAS_PINNED and every cost counter
 * (no call was made). Kernel rules cited are mm/gup.c of linux-block-trial @
 * 463ecae523d9 (after v7.1): is_valid_gup_args, gup_fast_fallback, __get_user_pages,
 * the exported wrappers and their C prototypes; "C type" marks a value the prototype
 * cannot hold. A second block shows the last good value beside each boundary.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  EINVAL,
  EOVERFLOW,
  FOLL_GET,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  GupWalk,
  INT_MAX,
  PageArraySink,
  TASK_SIZE_MAX,
  allocFolio,
  canFollowWriteCommon,
  checkVmaFlags,
  costSnapshot,
  createMachine,
  createMm,
  folioAddPin,
  folioAddPins,
  folioPut,
  followPageMask,
  getUserPages,
  getUserPagesFast,
  getUserPagesFastOnly,
  getUserPagesInner,
  getUserPagesLocked,
  getUserPagesRemote,
  getUserPagesUnlocked,
  gupFast,
  gupFastFallback,
  gupFastFolioAllowed,
  gupFastRangeCheck,
  gupFolioNext,
  gupFolioRangeNext,
  gupLongtermLocked,
  gupLongtermLockedWalk,
  gupMustUnshare,
  gupPutFolio,
  isValidGupArgs,
  pinUserPages,
  pinUserPagesFast,
  pinUserPagesRemote,
  pinUserPagesUnlocked,
  putPage,
  releasePages,
  slowNrPages,
  tryGetFolio,
  tryGrabFolio,
  tryGrabFolioFast,
  unpinFolio,
  unpinFolios,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPageRangeDirtyLock,
  unpinUserPages,
  unpinUserPagesDirtyLock,
  vmaLookup,
  vpnOf,
  vpnOfStart,
  writableFileMappingAllowed,
  type Machine,
  type Mm,
  type PageTableLevel,
  type Vma,
} from '../../src/index.js';
import { imbalance, newMachine } from '../support/machines.js';
import { BASE, KIB, MIB, mapAt } from '../support/mm-layout.js';
import { expectRefused, type Refusal } from '../support/refused.js';

/** A: 64 KiB private anonymous, order 0, populated: PFNs 1..16, the first 4 pinned. */
const A = BASE;
/** An undefined FOLL_* bit: the enum ends at bit 12, the internal flags use 16..22. */
const FOLL_BIT13 = 1 << 13;
const INT_MIN = -INT_MAX - 1;

interface World {
  readonly m: Machine;
  readonly mm: Mm;
  /** pin_user_pages_fast(A, 4, FOLL_WRITE): PFNs 1..4, one pin each. */
  readonly pinned: Int32Array;
  /** An order-4 folio held by one reference, mapped nowhere. */
  readonly big: number;
  /** The caller's page array of the row: 4 entries, 0x5a5a each; a refusal writes none. */
  readonly pages: Int32Array;
  readonly vmaA: Vma;
}

/** 8 MiB: 2048 PFNs, a memmap small enough to compare for every row. */
function world(): World {
  const m = newMachine({ memoryBytes: 8 * MIB });
  const mm = createMm(m);
  mapAt(mm, A, 64 * KIB, { populate: true });
  const pinned = new Int32Array(4);
  expect(pinUserPagesFast(mm, A, 4, FOLL_WRITE, pinned)).toBe(4);
  expect(Array.from(pinned)).toEqual([1, 2, 3, 4]);
  const big = allocFolio(m, 4);
  expect(big).toBe(32); // next-fit after PFN 16, aligned to 16 pages
  const vmaA = vmaLookup(mm.vmas, A);
  if (vmaA === null) throw new Error('no VMA at A');
  return { m, mm, pinned, big, pages: new Int32Array(4).fill(0x5a5a), vmaA };
}

/** Releases what world() holds. */
function done(w: World): void {
  unpinUserPages(w.m, w.pinned, 4);
  folioPut(w.m, w.big);
}

function level(l: PageTableLevel): string {
  const n = l.nrTables * 512;
  return `${l.nrTables}:${String(l.val.subarray(0, n))}:${String(l.bits.subarray(0, n))}`;
}

/** What a refused call must leave alone beyond the memmap: the page array and the page tables. */
function callerState(w: World): unknown {
  const pt = w.mm.pt;
  return { pages: Array.from(w.pages), pinned: Array.from(w.pinned), pt: [pt.pgd, pt.pud, pt.pmd, pt.pte].map(level) };
}

/** For an ArgumentError, nothing at all: no WARN, no MMF_HAS_PINNED, no cost counted. */
function everything(w: World): unknown {
  return { caller: callerState(w), warnings: w.m.warnings.length, hasPinned: w.mm.hasPinned, cost: costSnapshot(w.m.cost) };
}

interface Row {
  /** The call and the rule it stands for (kernel function, or "C type"). */
  readonly call: string;
  readonly run: (w: World) => unknown;
  readonly expect: Refusal;
}

const thrown = (fn: string, arg: string): { throws: RegExp } => ({
  throws: new RegExp(`^${fn.replace(/\./g, '\\.')}: ${arg.replace(/\./g, '\\.')} must be `),
});

const walkOf = (w: World, flags = FOLL_PIN): GupWalk => new GupWalk(w.mm, flags, new PageArraySink(w.m, w.pages), true);

const rows: readonly Row[] = [
  // The page-array entry points: start is an unsigned long, gup_flags an unsigned int.
  { call: 'pinUserPagesFast start NaN (C type: unsigned long)', run: (w) => pinUserPagesFast(w.mm, NaN, 1, 0, w.pages), expect: thrown('pinUserPagesFast', 'start') },
  { call: 'pinUserPagesFast start A + 0.5 (C type)', run: (w) => pinUserPagesFast(w.mm, A + 0.5, 1, 0, w.pages), expect: thrown('pinUserPagesFast', 'start') },
  { call: 'pinUserPagesFast start 2^64 (C type: above ULONG_MAX)', run: (w) => pinUserPagesFast(w.mm, 2 ** 64, 1, 0, w.pages), expect: thrown('pinUserPagesFast', 'start') },
  { call: 'pinUserPagesFast start -2^63 - 4096 (C type: below LONG_MIN)', run: (w) => pinUserPagesFast(w.mm, -(2 ** 63) - 4096, 1, 0, w.pages), expect: thrown('pinUserPagesFast', 'start') },
  { call: 'pinUserPagesFast start -8192, 1 page (gup_fast_fallback: end 2^64 - 4096 > TASK_SIZE_MAX)', run: (w) => pinUserPagesFast(w.mm, -8192, 1, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'pinUserPagesFast start -4096, 1 page (gup_fast_fallback: check_add_overflow)', run: (w) => pinUserPagesFast(w.mm, -4096, 1, 0, w.pages), expect: { returns: -EOVERFLOW } },
  { call: 'pinUserPagesFast start -1, 1 page (start & PAGE_MASK = 2^64 - 4096, then the add wraps)', run: (w) => pinUserPagesFast(w.mm, -1, 1, 0, w.pages), expect: { returns: -EOVERFLOW } },
  { call: 'getUserPagesFast start -(2^63), 1 page (end above TASK_SIZE_MAX)', run: (w) => getUserPagesFast(w.mm, -(2 ** 63), 1, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'pinUserPages start -4096 (__get_user_pages: gup_vma_lookup finds no VMA)', run: (w) => pinUserPages(w.mm, -4096, 1, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'getUserPages start -4096 (__get_user_pages: no VMA)', run: (w) => getUserPages(w.mm, -4096, 1, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'getUserPagesUnlocked start NaN (C type)', run: (w) => getUserPagesUnlocked(w.mm, NaN, 1, 0, w.pages), expect: thrown('getUserPagesUnlocked', 'start') },

  // nr_pages: int for the _fast variants, unsigned long for the others.
  { call: 'pinUserPagesFast nrPages -1 (int sign-extended: start + len wraps, -EOVERFLOW)', run: (w) => pinUserPagesFast(w.mm, A, -1, 0, w.pages), expect: { returns: -EOVERFLOW } },
  { call: 'pinUserPagesFast nrPages INT_MIN (sign-extended: ends above TASK_SIZE_MAX)', run: (w) => pinUserPagesFast(w.mm, A, INT_MIN, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'pinUserPagesFast nrPages INT_MAX + 1 (C type: int)', run: (w) => pinUserPagesFast(w.mm, A, INT_MAX + 1, 0, w.pages), expect: thrown('pinUserPagesFast', 'nrPages') },
  { call: 'getUserPagesFast nrPages INT_MIN - 1 (C type: int)', run: (w) => getUserPagesFast(w.mm, A, INT_MIN - 1, 0, w.pages), expect: thrown('getUserPagesFast', 'nrPages') },
  { call: 'getUserPagesFastOnly nrPages 2.5 (C type)', run: (w) => getUserPagesFastOnly(w.mm, A, 2.5, 0, w.pages), expect: thrown('getUserPagesFastOnly', 'nrPages') },
  { call: 'pinUserPagesFast nrPages NaN (C type)', run: (w) => pinUserPagesFast(w.mm, A, NaN, 0, w.pages), expect: thrown('pinUserPagesFast', 'nrPages') },
  { call: 'pinUserPagesRemote nrPages 1.5 (C type: unsigned long)', run: (w) => pinUserPagesRemote(w.mm, A, 1.5, 0, w.pages), expect: thrown('pinUserPagesRemote', 'nrPages') },
  { call: 'getUserPagesRemote nrPages 2^64 (C type: above ULONG_MAX)', run: (w) => getUserPagesRemote(w.mm, A, 2 ** 64, 0, w.pages), expect: thrown('getUserPagesRemote', 'nrPages') },

  // The page array: shorter than the count is a buffer overflow in C, unless the kernel refuses first.
  { call: 'pinUserPagesFast 5 pages into 4 (C: pages[] overflow)', run: (w) => pinUserPagesFast(w.mm, A, 5, FOLL_WRITE, w.pages), expect: thrown('pinUserPagesFast', 'pages.length') },
  { call: 'getUserPagesFast 5 pages into 4 (C: pages[] overflow)', run: (w) => getUserPagesFast(w.mm, A, 5, 0, w.pages), expect: thrown('getUserPagesFast', 'pages.length') },
  { call: 'pinUserPages 5 pages into 4 (C: pages[] overflow)', run: (w) => pinUserPages(w.mm, A, 5, 0, w.pages), expect: thrown('pinUserPages', 'pages.length') },
  { call: 'pinUserPagesUnlocked nrPages -1 into 4 (unsigned long 2^64 - 1: overflow)', run: (w) => pinUserPagesUnlocked(w.mm, A, -1, 0, w.pages), expect: thrown('pinUserPagesUnlocked', 'pages.length') },
  { call: 'getUserPages 5 pages into 4 (C: pages[] overflow)', run: (w) => getUserPages(w.mm, A, 5, 0, w.pages), expect: thrown('getUserPages', 'pages.length') },
  { call: 'pinUserPagesFast 5 into 4 at TASK_SIZE_MAX - 4096 (range check: -EFAULT, nothing written)', run: (w) => pinUserPagesFast(w.mm, TASK_SIZE_MAX - 4096, 5, 0, w.pages), expect: { returns: -EFAULT } },
  { call: 'pinUserPagesFast 5 into 4 with FOLL_GET (is_valid_gup_args first: -EINVAL)', run: (w) => pinUserPagesFast(w.mm, A, 5, FOLL_GET, w.pages), expect: { returns: -EINVAL } },
  { call: 'pinUserPages 5 into 4 with FOLL_GET (is_valid_gup_args first: 0)', run: (w) => pinUserPages(w.mm, A, 5, FOLL_GET, w.pages), expect: { returns: 0 } },

  // gup_flags: an undefined bit is refused like an internal one (model only); no unsigned int is an ArgumentError.
  { call: 'pinUserPagesFast FOLL bit 13 (undefined: is_valid_gup_args WARN, -EINVAL)', run: (w) => pinUserPagesFast(w.mm, A, 1, FOLL_BIT13, w.pages), expect: { returns: -EINVAL } },
  { call: 'getUserPagesFastOnly FOLL bit 31 (undefined: -EINVAL)', run: (w) => getUserPagesFastOnly(w.mm, A, 1, 2 ** 31, w.pages), expect: { returns: -EINVAL } },
  { call: 'getUserPages FOLL bit 14 (undefined: -EINVAL)', run: (w) => getUserPages(w.mm, A, 1, 1 << 14, w.pages), expect: { returns: -EINVAL } },
  { call: 'getUserPagesRemote FOLL bit 23 (undefined: -EINVAL)', run: (w) => getUserPagesRemote(w.mm, A, 1, 1 << 23, w.pages), expect: { returns: -EINVAL } },
  { call: 'getUserPagesUnlocked FOLL bit 15 (undefined: -EINVAL)', run: (w) => getUserPagesUnlocked(w.mm, A, 1, 1 << 15, w.pages), expect: { returns: -EINVAL } },
  { call: 'pinUserPages FOLL bit 13 (undefined: pin_user_pages answers 0)', run: (w) => pinUserPages(w.mm, A, 1, FOLL_BIT13, w.pages), expect: { returns: 0 } },
  { call: 'pinUserPagesRemote FOLL bit 30 (undefined: 0)', run: (w) => pinUserPagesRemote(w.mm, A, 1, 1 << 30, w.pages), expect: { returns: 0 } },
  { call: 'pinUserPagesUnlocked FOLL bit 31 (undefined: 0)', run: (w) => pinUserPagesUnlocked(w.mm, A, 1, 2 ** 31, w.pages), expect: { returns: 0 } },
  { call: 'pinUserPagesFast gupFlags -1 (C type: unsigned int)', run: (w) => pinUserPagesFast(w.mm, A, 1, -1, w.pages), expect: thrown('pinUserPagesFast', 'gupFlags') },
  { call: 'pinUserPages gupFlags 2^32 (C type: unsigned int)', run: (w) => pinUserPages(w.mm, A, 1, 2 ** 32, w.pages), expect: thrown('pinUserPages', 'gupFlags') },
  { call: 'getUserPages gupFlags 0.5 (C type)', run: (w) => getUserPages(w.mm, A, 1, 0.5, w.pages), expect: thrown('getUserPages', 'gupFlags') },

  // The sink-based entries under the page-array APIs.
  { call: 'gupFastFallback start NaN (C type)', run: (w) => gupFastFallback(w.mm, NaN, 1, FOLL_PIN, new PageArraySink(w.m, w.pages)), expect: thrown('gupFastFallback', 'start') },
  { call: 'gupFastFallback nrPages 1.5 (C type)', run: (w) => gupFastFallback(w.mm, A, 1.5, FOLL_PIN, new PageArraySink(w.m, w.pages)), expect: thrown('gupFastFallback', 'nrPages') },
  { call: 'gupFastFallback FOLL bit 13 (outside the fast path mask: WARN, -EINVAL)', run: (w) => gupFastFallback(w.mm, A, 1, FOLL_PIN | FOLL_BIT13, new PageArraySink(w.m, w.pages)), expect: { returns: -EINVAL } },
  { call: 'gupFastFallback nrPages -(2^52 - 1) (len wraps to 4096: model refuses the wrapped walk)', run: (w) => gupFastFallback(w.mm, A, -(2 ** 52 - 1), FOLL_PIN, new PageArraySink(w.m, w.pages)), expect: thrown('gupFastFallback', 'nrPages') },
  { call: 'gupLongtermLocked start 0.5 (C type)', run: (w) => gupLongtermLocked(w.mm, 0.5, 1, FOLL_PIN, new PageArraySink(w.m, w.pages)), expect: thrown('gupLongtermLocked', 'start') },
  { call: 'gupLongtermLocked FOLL bit 13 (no is_valid_gup_args below the API)', run: (w) => gupLongtermLocked(w.mm, A, 1, FOLL_PIN | FOLL_BIT13, new PageArraySink(w.m, w.pages)), expect: thrown('gupLongtermLocked', 'gupFlags') },

  // The grab and put primitives: a struct folio */page * inside the memmap, int refs, a FOLL_* word.
  { call: 'tryGrabFolio folio nrPages (C type: struct folio *)', run: (w) => tryGrabFolio(w.m, w.m.nrPages, 1, FOLL_PIN), expect: thrown('tryGrabFolio', 'folio') },
  { call: 'tryGrabFolio folio -1 (NULL)', run: (w) => tryGrabFolio(w.m, -1, 1, FOLL_PIN), expect: thrown('tryGrabFolio', 'folio') },
  { call: 'tryGrabFolio a tail page (C type: not a struct folio)', run: (w) => tryGrabFolio(w.m, w.big + 1, 1, FOLL_PIN), expect: thrown('tryGrabFolio', 'folio') },
  { call: 'tryGrabFolio refs 0 (no mm/gup.c caller grabs nothing)', run: (w) => tryGrabFolio(w.m, w.big, 0, FOLL_PIN), expect: thrown('tryGrabFolio', 'refs') },
  { call: 'tryGrabFolio refs -1 (int refs: would drop a reference)', run: (w) => tryGrabFolio(w.m, w.big, -1, FOLL_GET), expect: thrown('tryGrabFolio', 'refs') },
  { call: 'tryGrabFolio refs INT_MAX + 1 (C type: int)', run: (w) => tryGrabFolio(w.m, w.big, INT_MAX + 1, FOLL_PIN), expect: thrown('tryGrabFolio', 'refs') },
  { call: 'tryGrabFolio refs 1.5 (C type)', run: (w) => tryGrabFolio(w.m, w.big, 1.5, FOLL_PIN), expect: thrown('tryGrabFolio', 'refs') },
  { call: 'tryGrabFolio FOLL bit 13 (undefined)', run: (w) => tryGrabFolio(w.m, w.big, 1, FOLL_PIN | FOLL_BIT13), expect: thrown('tryGrabFolio', 'gupFlags') },
  { call: 'tryGrabFolio gupFlags NaN (C type)', run: (w) => tryGrabFolio(w.m, w.big, 1, NaN), expect: thrown('tryGrabFolio', 'gupFlags') },
  { call: 'tryGrabFolioFast page nrPages (C type: struct page *)', run: (w) => tryGrabFolioFast(w.m, w.m.nrPages, 1, FOLL_PIN), expect: thrown('tryGrabFolioFast', 'page') },
  { call: 'tryGrabFolioFast refs 0', run: (w) => tryGrabFolioFast(w.m, w.big + 1, 0, FOLL_PIN), expect: thrown('tryGrabFolioFast', 'refs') },
  { call: 'tryGrabFolioFast gupFlags 2^32 (C type)', run: (w) => tryGrabFolioFast(w.m, w.big + 1, 1, 2 ** 32), expect: thrown('tryGrabFolioFast', 'gupFlags') },
  { call: 'tryGetFolio page 2.5 (C type)', run: (w) => tryGetFolio(w.m, 2.5, 1), expect: thrown('tryGetFolio', 'page') },
  { call: 'tryGetFolio refs NaN (C type)', run: (w) => tryGetFolio(w.m, w.big, NaN), expect: thrown('tryGetFolio', 'refs') },
  { call: 'folioAddPin a tail page (C type: struct folio *)', run: (w) => folioAddPin(w.m, w.big + 3), expect: thrown('folioAddPin', 'folio') },
  { call: 'folioAddPins pins 0 (as try_grab_folio refs)', run: (w) => folioAddPins(w.m, w.pinned[0]!, 0), expect: thrown('folioAddPins', 'pins') },
  { call: 'folioAddPins pins 2^31 (unsigned int passed on as int refs: negative)', run: (w) => folioAddPins(w.m, w.pinned[0]!, 2 ** 31), expect: thrown('folioAddPins', 'pins') },
  { call: 'folioAddPins folio nrPages', run: (w) => folioAddPins(w.m, w.m.nrPages, 1), expect: thrown('folioAddPins', 'folio') },
  { call: 'gupPutFolio refs -1 (int refs: would add a reference)', run: (w) => gupPutFolio(w.m, w.pinned[0]!, -1, FOLL_PIN), expect: thrown('gupPutFolio', 'refs') },
  { call: 'gupPutFolio folio nrPages (C type)', run: (w) => gupPutFolio(w.m, w.m.nrPages, 1, FOLL_PIN), expect: thrown('gupPutFolio', 'folio') },
  { call: 'gupPutFolio a tail page (C type)', run: (w) => gupPutFolio(w.m, w.big + 1, 1, FOLL_GET), expect: thrown('gupPutFolio', 'folio') },
  { call: 'gupPutFolio gupFlags FOLL_PIN | bit 13', run: (w) => gupPutFolio(w.m, w.pinned[0]!, 1, FOLL_PIN | FOLL_BIT13), expect: thrown('gupPutFolio', 'gupFlags') },

  // The release APIs: nothing released when the count or a page is bad.
  { call: 'unpinUserPages npages 5 of 4 (C: reads past pages[])', run: (w) => unpinUserPages(w.m, w.pinned, 5), expect: thrown('unpinUserPages', 'pages.length') },
  { call: 'unpinUserPages npages -4096 (not IS_ERR_VALUE: wraps, reads past pages[])', run: (w) => unpinUserPages(w.m, w.pinned, -4096), expect: thrown('unpinUserPages', 'npages') },
  { call: 'unpinUserPages npages 1.5 (C type)', run: (w) => unpinUserPages(w.m, w.pinned, 1.5), expect: thrown('unpinUserPages', 'npages') },
  { call: 'unpinUserPages npages NaN (C type)', run: (w) => unpinUserPages(w.m, w.pinned, NaN), expect: thrown('unpinUserPages', 'npages') },
  { call: 'unpinUserPagesDirtyLock -EFAULT with make_dirty (no IS_ERR_VALUE guard there: overrun)', run: (w) => unpinUserPagesDirtyLock(w.m, w.pinned, -EFAULT, true), expect: thrown('unpinUserPagesDirtyLock', 'npages') },
  { call: 'unpinUserPagesDirtyLock npages 5 of 4, no make_dirty', run: (w) => unpinUserPagesDirtyLock(w.m, w.pinned, 5, false), expect: thrown('unpinUserPagesDirtyLock', 'pages.length') },
  { call: 'unpinUserPagesDirtyLock makeDirty 1 (C type: bool; a number hides a swapped argument)', run: (w) => unpinUserPagesDirtyLock(w.m, w.pinned, 4, 1 as never), expect: thrown('unpinUserPagesDirtyLock', 'makeDirty') },
  { call: 'unpinUserPageRangeDirtyLock page nrPages (C type)', run: (w) => unpinUserPageRangeDirtyLock(w.m, w.m.nrPages, 1, false), expect: thrown('unpinUserPageRangeDirtyLock', 'page') },
  { call: 'unpinUserPageRangeDirtyLock npages past the memmap', run: (w) => unpinUserPageRangeDirtyLock(w.m, w.m.nrPages - 1, 2, false), expect: thrown('unpinUserPageRangeDirtyLock', 'npages') },
  { call: 'unpinUserPageRangeDirtyLock npages -1 (unsigned long: past the memmap)', run: (w) => unpinUserPageRangeDirtyLock(w.m, w.pinned[0]!, -1, false), expect: thrown('unpinUserPageRangeDirtyLock', 'npages') },
  { call: 'unpinUserPageRangeDirtyLock makeDirty "yes"', run: (w) => unpinUserPageRangeDirtyLock(w.m, w.pinned[0]!, 1, 'yes' as never), expect: thrown('unpinUserPageRangeDirtyLock', 'makeDirty') },
  { call: 'unpinFolios nfolios 5 of 4 (C: reads past folios[])', run: (w) => unpinFolios(w.m, w.pinned, 5), expect: thrown('unpinFolios', 'folios.length') },
  { call: 'unpinFolios nfolios -5000 (not IS_ERR_VALUE)', run: (w) => unpinFolios(w.m, w.pinned, -5000), expect: thrown('unpinFolios', 'nfolios') },
  { call: 'unpinUserFolio npages -1 (passed on as int refs)', run: (w) => unpinUserFolio(w.m, w.pinned[0]!, -1), expect: thrown('unpinUserFolio', 'npages') },
  { call: 'unpinUserFolio npages INT_MAX + 1 (truncated to int refs in C)', run: (w) => unpinUserFolio(w.m, w.pinned[0]!, INT_MAX + 1), expect: thrown('unpinUserFolio', 'npages') },
  { call: 'unpinUserFolio folio NaN (C type)', run: (w) => unpinUserFolio(w.m, NaN, 1), expect: thrown('unpinUserFolio', 'folio') },
  { call: 'unpinFolio folio nrPages (C type)', run: (w) => unpinFolio(w.m, w.m.nrPages), expect: thrown('unpinFolio', 'folio') },
  { call: 'unpinUserPage page -1 (NULL)', run: (w) => unpinUserPage(w.m, -1), expect: thrown('unpinUserPage', 'page') },
  { call: 'putPage page 1.5 (C type)', run: (w) => putPage(w.m, 1.5), expect: thrown('putPage', 'page') },
  { call: 'releasePages nr 5 of 4 (C: reads past pages[])', run: (w) => releasePages(w.m, w.pages, 5), expect: thrown('releasePages', 'pages.length') },
  { call: 'releasePages nr -1 (the kernel loop would silently release nothing)', run: (w) => releasePages(w.m, w.pages, -1), expect: thrown('releasePages', 'nr') },

  // The run helpers of the release loops.
  { call: 'gupFolioNext i == npages (reads past the run)', run: (w) => gupFolioNext(w.m, w.pinned, 4, 4, new Int32Array(1)), expect: thrown('gupFolioNext', 'i') },
  { call: 'gupFolioNext npages 5 of 4', run: (w) => gupFolioNext(w.m, w.pinned, 5, 0, new Int32Array(1)), expect: thrown('gupFolioNext', 'npages') },
  { call: 'gupFolioNext out of length 0 (C: *ntails writes nowhere)', run: (w) => gupFolioNext(w.m, w.pinned, 4, 0, new Int32Array(0)), expect: thrown('gupFolioNext', 'out.length') },
  { call: 'gupFolioRangeNext start -1', run: (w) => gupFolioRangeNext(w.m, -1, 1, 0, new Int32Array(1)), expect: thrown('gupFolioRangeNext', 'start') },
  { call: 'gupFolioRangeNext npages past the memmap', run: (w) => gupFolioRangeNext(w.m, w.m.nrPages - 1, 2, 0, new Int32Array(1)), expect: thrown('gupFolioRangeNext', 'npages') },

  // The walk's stages and helpers.
  { call: 'isValidGupArgs hasPages 1 (C: a pointer, here a boolean)', run: (w) => isValidGupArgs(w.m, 1 as never, null, 0, FOLL_PIN), expect: thrown('isValidGupArgs', 'hasPages') },
  { call: 'isValidGupArgs locked 1.5 (C type: int)', run: (w) => isValidGupArgs(w.m, true, 1.5, 0, FOLL_PIN), expect: thrown('isValidGupArgs', 'locked') },
  { call: 'isValidGupArgs toSet bit 13', run: (w) => isValidGupArgs(w.m, true, null, 0, FOLL_BIT13), expect: thrown('isValidGupArgs', 'toSet') },
  { call: 'checkVmaFlags FOLL bit 13', run: (w) => checkVmaFlags(w.vmaA, FOLL_BIT13), expect: thrown('checkVmaFlags', 'gupFlags') },
  { call: 'writableFileMappingAllowed gupFlags NaN', run: (w) => writableFileMappingAllowed(w.vmaA, NaN), expect: thrown('writableFileMappingAllowed', 'gupFlags') },
  { call: 'gupMustUnshare page nrPages', run: (w) => gupMustUnshare(w.m, null, FOLL_PIN, w.m.nrPages), expect: thrown('gupMustUnshare', 'page') },
  { call: 'canFollowWriteCommon page -2 (-1 is "no struct page")', run: (w) => canFollowWriteCommon(w.m, -2, w.vmaA, FOLL_WRITE), expect: thrown('canFollowWriteCommon', 'page') },
  { call: 'gupFastFolioAllowed a tail page', run: (w) => gupFastFolioAllowed(w.m, w.big + 1, FOLL_PIN), expect: thrown('gupFastFolioAllowed', 'folio') },
  { call: 'vpnOfStart NaN', run: () => vpnOfStart(NaN), expect: thrown('vpnOfStart', 'start') },
  { call: 'slowNrPages 1.5', run: () => slowNrPages(1.5), expect: thrown('slowNrPages', 'nrPages') },
  { call: 'gupFastRangeCheck start 2^64', run: () => gupFastRangeCheck(2 ** 64, 1), expect: thrown('gupFastRangeCheck', 'start') },
  { call: 'GupWalk flags bit 13', run: (w) => walkOf(w, FOLL_PIN | FOLL_BIT13), expect: thrown('GupWalk', 'gupFlags') },
  { call: 'getUserPagesLocked vpn -1', run: (w) => getUserPagesLocked(walkOf(w), -1, 1), expect: thrown('getUserPagesLocked', 'vpn') },
  { call: 'getUserPagesInner nrPages 1.5', run: (w) => getUserPagesInner(walkOf(w), vpnOf(A), 1.5), expect: thrown('getUserPagesInner', 'nrPages') },
  { call: 'gupLongtermLockedWalk keep -1', run: (w) => gupLongtermLockedWalk(walkOf(w), vpnOf(A), 1, -1), expect: thrown('gupLongtermLockedWalk', 'keep') },
  { call: 'followPageMask nrLeft 0', run: (w) => followPageMask(walkOf(w), w.vmaA, vpnOf(A), 0), expect: thrown('followPageMask', 'nrLeft') },
  { call: 'gupFast vpnEnd before vpn', run: (w) => gupFast(walkOf(w), vpnOf(A) + 1, vpnOf(A)), expect: thrown('gupFast', 'vpnEnd') },
  { call: 'PageArraySink.rollback keep 1 of 0 written', run: (w) => new PageArraySink(w.m, w.pages).rollback(FOLL_PIN, 1), expect: thrown('PageArraySink.rollback', 'keep') },
];

describe('GUP calls refused, nothing changed', () => {
  for (const row of rows) {
    it(row.call, () => {
      const w = world();
      const state = 'throws' in row.expect ? () => everything(w) : () => callerState(w);
      expectRefused({ call: row.call, m: w.m, run: () => row.run(w), expect: row.expect, state });
      done(w);
    });
  }
});

describe('the last good value beside each boundary', () => {
  it('an undefined FOLL_* bit is one WARN and a refusal, as an internal flag is (model only)', () => {
    const w = world();
    expect(pinUserPagesFast(w.mm, A, 1, FOLL_BIT13, w.pages)).toBe(-EINVAL);
    expect(pinUserPages(w.mm, A, 1, FOLL_BIT13, w.pages)).toBe(0);
    expect(w.m.warnings).toEqual([
      'is_valid_gup_args: a FOLL_* bit the kernel does not define (refused by the model only)',
      'is_valid_gup_args: a FOLL_* bit the kernel does not define (refused by the model only)',
    ]);
    // Bit 12, FOLL_HONOR_NUMA_FAULT, is the highest public flag: accepted.
    expect(pinUserPagesFast(w.mm, A + 4 * 4096, 1, 1 << 12, w.pages)).toBe(1);
    expect(w.pages[0]).toBe(5);
    unpinUserPages(w.m, w.pages, 1);
    done(w);
  });

  it('start: 2^64 - 2048 (the largest double below 2^64) and -2^63 are unsigned longs the range check refuses', () => {
    const w = world();
    // 2^64 - 2048 & PAGE_MASK = 2^64 - 4096; with 0 pages end = start > TASK_SIZE_MAX.
    expect(pinUserPagesFast(w.mm, 2 ** 64 - 2048, 0, 0, w.pages)).toBe(-EFAULT);
    expect(pinUserPagesFast(w.mm, -(2 ** 63), 0, 0, w.pages)).toBe(-EFAULT);
    done(w);
  });

  it('nrPages: INT_MAX is an int (the array is what is too short); pages.length pages fit', () => {
    const w = world();
    // (2^31 - 1) pages from A end below TASK_SIZE_MAX: the range check passes, the array does not.
    expect(() => pinUserPagesFast(w.mm, A, INT_MAX, 0, w.pages)).toThrow(/^pinUserPagesFast: pages\.length must be at least 2147483647/);
    expect(pinUserPagesFast(w.mm, A + 4 * 4096, 4, 0, w.pages)).toBe(4);
    expect(Array.from(w.pages)).toEqual([5, 6, 7, 8]);
    unpinUserPages(w.m, w.pages, 4);
    expect(pinUserPages(w.mm, A + 4 * 4096, 4, 0, w.pages)).toBe(4);
    unpinUserPagesDirtyLock(w.m, w.pages, 4, true);
    done(w);
  });

  it('getUserPages without pages: nr_pages -1 is 2^64 - 1, the walk faults in up to the end of A', () => {
    const w = world();
    // __get_user_pages: 16 pages of A, then no VMA: return i (16), not the -EFAULT.
    expect(getUserPages(w.mm, A, -1, 0, null)).toBe(16);
    expect(w.m.refcount[1]).toBe(GUP_PIN_COUNTING_BIAS + 1); // its pin and its PTE: no FOLL_GET taken
    expect(w.m.refcount[16]).toBe(1);
    done(w);
  });

  it('refs: 1 is the smallest grab, 0 the smallest put; a head PFN at the end of the memmap is a folio', () => {
    const w = world();
    expect(tryGrabFolio(w.m, w.big, 1, FOLL_GET)).toBe(0);
    expect(w.m.refcount[w.big]).toBe(2);
    gupPutFolio(w.m, w.big, 1, FOLL_GET);
    gupPutFolio(w.m, w.big, 0, FOLL_GET);
    unpinUserFolio(w.m, w.pinned[0]!, 0);
    expect([w.m.refcount[w.big], w.m.refcount[1]]).toEqual([1, GUP_PIN_COUNTING_BIAS + 1]);
    const last = allocFolio(w.m, 0, { pfn: w.m.nrPages - 1 });
    expect(last).toBe(2047);
    expect(tryGrabFolio(w.m, last, 1, FOLL_PIN)).toBe(0);
    unpinUserPageRangeDirtyLock(w.m, last, 1, false);
    expect(tryGetFolio(w.m, last, 1)).toBe(last);
    folioPut(w.m, last);
    expect(tryGrabFolio(w.m, last, 1, FOLL_GET)).toBe(0);
    putPage(w.m, last);
    expect(w.m.refcount[last]).toBe(1);
    folioPut(w.m, last);
    done(w);
  });

  it('counts: npages == pages.length and i == npages - 1 are accepted; 0 releases nothing', () => {
    const w = world();
    const out = new Int32Array(1);
    expect(gupFolioNext(w.m, w.pinned, 4, 3, out)).toBe(4);
    expect(out[0]).toBe(1);
    expect(gupFolioRangeNext(w.m, w.big, 16, 15, out)).toBe(w.big);
    expect(out[0]).toBe(1);
    releasePages(w.m, w.pinned, 0);
    unpinFolios(w.m, w.pinned, 0);
    unpinUserPageRangeDirtyLock(w.m, w.m.nrPages - 1, 0, true);
    expect(Array.from({ length: 4 }, (_, i) => w.m.refcount[i + 1])).toEqual(Array(4).fill(GUP_PIN_COUNTING_BIAS + 1));
    done(w);
  });

  it('a tail page passed as a folio to the release APIs, on a machine without the pin checker', () => {
    // newMachine's pin checker names a tail page first (PinMisuse 'not-a-folio',
    // test/misuse/14); without it, the argument check refuses it before gup_put_folio.
    const m = createMachine({ memoryBytes: 8 * MIB });
    const big = allocFolio(m, 4);
    expect(tryGrabFolio(m, big, 2, FOLL_PIN)).toBe(0);
    const pages = new Int32Array(4);
    const w = { m, mm: createMm(m), pinned: pages, big, pages, vmaA: null as never };
    expectRefused({ call: 'unpinUserFolio tail', m, run: () => unpinUserFolio(m, big + 1, 1), expect: thrown('unpinUserFolio', 'folio'), state: () => callerState(w) });
    expectRefused({ call: 'unpinFolio tail', m, run: () => unpinFolio(m, big + 1), expect: thrown('unpinFolio', 'folio'), state: () => callerState(w) });
    unpinFolio(m, big);
    unpinUserFolio(m, big, 1);
    folioPut(m, big);
    expect(imbalance(m)).toEqual([]);
  });
});
