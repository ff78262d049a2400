/**
 * Bad arguments to the machine layer of src/mm: geometry helpers, errno and flag
 * helpers, the machine and its zones, the page allocator, folio accessors and
 * references, kmalloc/kvmalloc, dirtying, page tables, the pin allocation scope, the
 * page cache, rmap accounting, VMA lookups and splits, VM_* and PROT_* words, and the
 * pin checker's leak reports.
 *
 * Each row is a call the kernel answers with an errno (the model returns the same), or
 * one no C caller could make ("C type": NaN or a fraction where C has an integer, a
 * number used as a struct page * or struct folio * that is outside the memmap or a
 * tail page, an unknown enum string), which throws an ArgumentError. `expectRefused`
 * shows the refusal changed nothing: the memmap and vmstat, and here also the cost
 * counters, the zones' allocator cursors, the page tables, the VMAs, every page cache
 * and the pin allocation scope; no row but the kvmalloc ones WARNs. Kernel rules cited
 * are v6.16+ (include/linux/mm.h, rmap.h, slab.h, mm/slub.c, mm/page_alloc.c,
 * mm/filemap.c, mm/vma.c). A second block shows the last good value beside each
 * boundary, worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  EBUSY,
  EINVAL,
  ENOMEM,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  MAX_FOLIO_ORDER,
  PageTableLevel,
  PageTables,
  TASK_SIZE_MAX,
  VM_ALL_DEFINED,
  VM_MAYWRITE,
  VM_SHARED,
  allocFolio,
  calcVmProtBits,
  clearPageAnonExclusive,
  costSnapshot,
  createFile,
  createMachine,
  createMm,
  currentAllocZone,
  divRoundUp,
  errnoName,
  filemapAddFolio,
  filemapGetFolio,
  filemapReplaceFolio,
  findLeaf,
  findVma,
  folioAddAnonRmapPtes,
  folioAddFileRmapPtes,
  folioAddNewAnonRmapEntire,
  folioAddNewAnonRmapPtes,
  folioAddRmapEntire,
  folioGet,
  folioHasPincount,
  folioIsLongtermPinnable,
  folioIsPciP2pdma,
  folioMapcount,
  folioMarkDirty,
  folioMarkDirtyLock,
  folioMaybeDmaPinned,
  folioNext,
  folioNrPages,
  folioOrder,
  folioPage,
  folioPageIdx,
  folioPincount,
  folioPut,
  folioPutRefs,
  folioRefAdd,
  folioRefCount,
  folioRemoveRmapEntire,
  folioRemoveRmapPtes,
  folioSize,
  folioTestAnon,
  folioTestDirty,
  folioTestHugetlb,
  folioSetHugetlb,
  folioTestLarge,
  follFlagsToString,
  freeFolio,
  injectAllocFailure,
  isCowMapping,
  isErrValue,
  isSharedWritable,
  isZeroFolio,
  kmalloc,
  kmallocSizeClass,
  kvfree,
  kvmalloc,
  kvmallocArray,
  leafBitsAt,
  leafLevel,
  leafSlot,
  machineFiles,
  memallocPinRestore,
  memallocPinSave,
  offsetInPage,
  pageAlignDown,
  pageAllocated,
  pageAnonExclusive,
  pageAt,
  pageFolio,
  pfnValid,
  pfnZone,
  pgdIndex,
  pinLeaks,
  pmdIndex,
  pmdSlot,
  pteIndex,
  pteSlot,
  pudIndex,
  pudSlot,
  setPageAnonExclusive,
  setPageDirtyLock,
  splitVma,
  vmFlagsToString,
  vmaLookup,
  vmaPgoff,
  vpnOf,
  zoneByName,
  type KAlloc,
  type Machine,
  type Mm,
  type MmFile,
  type Vma,
} from '../../src/index.js';
import { checkPinsAtExit, pageRanges } from '../../src/mm/pin-leak-report.js';
import { newMachine } from '../support/machines.js';
import { BASE, KIB, MIB, mapAt } from '../support/mm-layout.js';
import { expectRefused, type Refusal } from '../support/refused.js';

/** 16 MiB: 4096 page frames, PFNs 0..4095, all ZONE_NORMAL. */
const NR_PAGES = 4096;
/** 2^36: the virtual pages four levels of 512-entry tables index. */
const NR_VPNS = 2 ** 36;
/** The hugetlb mapping: 2 MiB at BASE + 32 MiB. */
const H = BASE + 32 * MIB;

interface World {
  readonly m: Machine;
  /** An order-9 folio (a THP): PFNs 512..1023. */
  readonly thp: number;
  /** A tail page of it. */
  readonly tail: number;
  /** An order-0 folio at PFN 1024. */
  readonly small: number;
  /** PFN 1028: an order-2 folio allocated and freed again (refcount 0, order 0). */
  readonly freed: number;
  /** A 16 KiB shmem file whose page 0 is cached in the order-0 folio at PFN 1032. */
  readonly file: MmFile;
  /** A kmalloc(100) allocation: 128 bytes given. */
  readonly a: KAlloc;
  /** Stand-alone page tables with the PTE path of BASE allocated. */
  readonly pt: PageTables;
  /** An mm with 64 KiB anonymous at BASE and 2 MiB hugetlb at H. */
  readonly mm: Mm;
  vma(addr: number): Vma;
}

function world(): World {
  const m = newMachine({ memoryBytes: 16 * MIB });
  // Next-fit from PFN 1: an order-9 folio is aligned up to 512, the next folio follows it.
  const thp = allocFolio(m, 9);
  expect(thp).toBe(512);
  const small = allocFolio(m, 0);
  expect(small).toBe(1024);
  const freed = allocFolio(m, 2);
  expect(freed).toBe(1028);
  folioPut(m, freed);
  const file = createFile(m, 'shmem', 16 * KIB);
  if (typeof file === 'number') throw new Error(`createFile: ${file}`);
  expect(filemapGetFolio(file, 0, true)).toBe(1032);
  folioPut(m, 1032); // the lookup's reference; the page cache keeps its own
  const a = kmalloc(m, 100);
  if (typeof a === 'number') throw new Error(`kmalloc: ${a}`);
  expect(a.given).toBe(128);
  const pt = new PageTables();
  pteSlot(pt, vpnOf(BASE), true);
  const mm = createMm(m);
  mapAt(mm, BASE, 64 * KIB);
  mapAt(mm, H, 2 * MIB, { backing: 'hugetlb-2m' });
  const vma = (addr: number): Vma => {
    const v = vmaLookup(mm.vmas, addr);
    if (v === null) throw new Error(`no VMA at ${addr.toString(16)}`);
    return v;
  };
  return { m, thp, tail: thp + 1, small, freed, file, a, pt, mm, vma };
}

/** One pool of page tables as text (strings compare faster than typed arrays). */
function level(l: PageTableLevel): string {
  const n = l.nrTables * 512;
  return `${l.nrTables}:${String(l.val.subarray(0, n))}:${String(l.bits.subarray(0, n))}`;
}

/** Everything outside the memmap a refusal must leave alone. */
function state(w: World): unknown {
  return {
    cost: costSnapshot(w.m.cost),
    cursors: w.m.zones.map((z) => z.cursor),
    pt: [w.pt.pgd, w.pt.pud, w.pt.pmd, w.pt.pte].map(level),
    mmPt: [w.mm.pt.pgd, w.mm.pt.pud, w.mm.pt.pmd, w.mm.pt.pte].map(level),
    vmas: w.mm.vmas.map((v) => ({ ...v, file: v.file === null ? null : v.file.id })),
    files: [...machineFiles(w.m)].map((f) => `${f.id}:${f.users}:${String(f.cache)}`),
    pinScope: currentAllocZone('movable'),
  };
}

interface Row {
  /** The call and the rule it stands for (kernel function, or "C type"). */
  readonly call: string;
  readonly run: (w: World) => unknown;
  readonly expect: Refusal;
  /** The kernel's answer includes a WARN (kvmalloc's "crazy size"). */
  /** The WARN text the refusal records, if it warns. */
  readonly warns?: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const thrown = (fn: string, arg: string): { throws: RegExp } => ({ throws: new RegExp(`^${escape(fn)}: ${escape(arg)} must be `) });

const rows: readonly Row[] = [
  // constants.ts: PAGE_ALIGN_DOWN, offset_in_page, DIV_ROUND_UP on unsigned long.
  { call: 'pageAlignDown(NaN) (C type: unsigned long)', run: () => pageAlignDown(NaN), expect: thrown('pageAlignDown', 'addr') },
  { call: 'pageAlignDown(-1) (wraps above 2^53: no model address)', run: () => pageAlignDown(-1), expect: thrown('pageAlignDown', 'addr') },
  { call: 'offsetInPage(4096.5) (C type)', run: () => offsetInPage(4096.5), expect: thrown('offsetInPage', 'addr') },
  { call: 'divRoundUp(-1, 4096) (C type: unsigned)', run: () => divRoundUp(-1, 4096), expect: thrown('divRoundUp', 'n') },
  { call: 'divRoundUp(2^53, 1) (beyond exact integers)', run: () => divRoundUp(2 ** 53, 1), expect: thrown('divRoundUp', 'n') },
  { call: 'divRoundUp(10, 0) (C: division by zero)', run: () => divRoundUp(10, 0), expect: thrown('divRoundUp', 'd') },

  // errno.ts, foll-flags.ts: a long, an unsigned int gup_flags.
  { call: 'errnoName(NaN) (C type: long)', run: () => errnoName(NaN), expect: thrown('errnoName', 'err') },
  { call: 'isErrValue(-0.5) (C type: IS_ERR_VALUE of a long)', run: () => isErrValue(-0.5), expect: thrown('isErrValue', 'x') },
  { call: 'follFlagsToString(2^32) (C type: unsigned int)', run: () => follFlagsToString(2 ** 32), expect: thrown('follFlagsToString', 'flags') },
  { call: 'follFlagsToString(1.5) (C type)', run: () => follFlagsToString(1.5), expect: thrown('follFlagsToString', 'flags') },

  // machine.ts.
  { call: 'createMachine memoryBytes 4097 (not a page multiple)', run: () => createMachine({ memoryBytes: 4097 }), expect: thrown('createMachine', 'opts.memoryBytes') },
  { call: 'createMachine memoryBytes 2^43 (2^31 pages: PFNs are ints)', run: () => createMachine({ memoryBytes: 2 ** 43 }), expect: thrown('createMachine', 'opts.memoryBytes') },
  { call: 'createMachine cma + movable = all memory (no ZONE_NORMAL)', run: () => createMachine({ memoryBytes: 8 * MIB, cmaBytes: 4 * MIB, movableBytes: 4 * MIB }), expect: thrown('createMachine', 'opts.movableBytes + opts.cmaBytes') },
  { call: 'createMachine seed 2^32 (the generator takes 32 bits)', run: () => createMachine({ memoryBytes: 8 * MIB, seed: 2 ** 32 }), expect: thrown('createMachine', 'opts.seed') },
  { call: 'createMachine seed 0.5', run: () => createMachine({ memoryBytes: 8 * MIB, seed: 0.5 }), expect: thrown('createMachine', 'opts.seed') },
  { call: 'createMachine checked 1 (a boolean option)', run: () => createMachine({ memoryBytes: 8 * MIB, checked: 1 as never }), expect: thrown('createMachine', 'opts.checked') },
  { call: 'pfnZone pfn nrPages (C type: struct page * past the memmap)', run: (w) => pfnZone(w.m, NR_PAGES), expect: thrown('pfnZone', 'pfn') },
  { call: 'pfnZone pfn -1', run: (w) => pfnZone(w.m, -1), expect: thrown('pfnZone', 'pfn') },
  { call: 'pfnValid pfn NaN (C type: unsigned long)', run: (w) => pfnValid(w.m, NaN), expect: thrown('pfnValid', 'pfn') },
  { call: 'pfnValid pfn 1.5', run: (w) => pfnValid(w.m, 1.5), expect: thrown('pfnValid', 'pfn') },
  { call: 'zoneByName "dma" (no such zone)', run: (w) => zoneByName(w.m, 'dma' as never), expect: thrown('zoneByName', 'name') },

  // alloc.ts: orders C could pass keep -EINVAL (__alloc_pages: order > MAX_PAGE_ORDER is NULL).
  { call: 'allocFolio order NaN (C type: unsigned int)', run: (w) => allocFolio(w.m, NaN), expect: thrown('allocFolio', 'order') },
  { call: 'allocFolio order 2.5 (C type)', run: (w) => allocFolio(w.m, 2.5), expect: thrown('allocFolio', 'order') },
  { call: 'allocFolio order -1 (a huge unsigned order)', run: (w) => allocFolio(w.m, -1), expect: { returns: -EINVAL } },
  { call: 'allocFolio order MAX_FOLIO_ORDER + 1', run: (w) => allocFolio(w.m, MAX_FOLIO_ORDER + 1), expect: { returns: -EINVAL } },
  { call: 'allocFolio pfn 0.5 (C type)', run: (w) => allocFolio(w.m, 0, { pfn: 0.5 }), expect: thrown('allocFolio', 'opts.pfn') },
  { call: 'allocFolio pfn nrPages (beyond memory)', run: (w) => allocFolio(w.m, 0, { pfn: NR_PAGES }), expect: { returns: -EINVAL } },
  { call: 'allocFolio pfn -1', run: (w) => allocFolio(w.m, 0, { pfn: -1 }), expect: { returns: -EINVAL } },
  { call: 'allocFolio order 2 at pfn 1030 (misaligned)', run: (w) => allocFolio(w.m, 2, { pfn: 1030 }), expect: { returns: -EINVAL } },
  { call: 'allocFolio zone "dma"', run: (w) => allocFolio(w.m, 0, { zone: 'dma' as never }), expect: thrown('allocFolio', 'opts.zone') },
  { call: 'allocFolio placement "random"', run: (w) => allocFolio(w.m, 0, { placement: 'random' as never }), expect: thrown('allocFolio', 'opts.placement') },
  { call: 'freeFolio folio nrPages (C type)', run: (w) => freeFolio(w.m, NR_PAGES), expect: thrown('freeFolio', 'folio') },
  { call: 'freeFolio folio NaN', run: (w) => freeFolio(w.m, NaN), expect: thrown('freeFolio', 'folio') },

  // folio.ts: the hot accessors. C type: a struct page * inside the memmap, a struct folio * at a head.
  { call: 'pageFolio page nrPages (C type)', run: (w) => pageFolio(w.m, NR_PAGES), expect: thrown('pageFolio', 'page') },
  { call: 'pageFolio page NULL_PFN (C: a NULL dereference)', run: (w) => pageFolio(w.m, -1), expect: thrown('pageFolio', 'page') },
  { call: 'folioPage n 512 of an order-9 folio (past its last page)', run: (w) => folioPage(w.m, w.thp, 512), expect: thrown('folioPage', 'n') },
  { call: 'folioPage n -1', run: (w) => folioPage(w.m, w.thp, -1), expect: thrown('folioPage', 'n') },
  { call: 'folioPage on a tail page', run: (w) => folioPage(w.m, w.tail, 0), expect: thrown('folioPage', 'folio') },
  { call: 'folioPageIdx page one past the folio', run: (w) => folioPageIdx(w.m, w.thp, w.thp + 512), expect: thrown('folioPageIdx', 'page') },
  { call: 'folioPageIdx page one before the folio', run: (w) => folioPageIdx(w.m, w.thp, w.thp - 1), expect: thrown('folioPageIdx', 'page') },
  { call: 'folioOrder folio nrPages', run: (w) => folioOrder(w.m, NR_PAGES), expect: thrown('folioOrder', 'folio') },
  { call: 'folioOrder folio 2.5', run: (w) => folioOrder(w.m, 2.5), expect: thrown('folioOrder', 'folio') },
  { call: 'folioNrPages on a tail page (C type: page_folio first)', run: (w) => folioNrPages(w.m, w.tail), expect: thrown('folioNrPages', 'folio') },
  { call: 'folioSize folio -1', run: (w) => folioSize(w.m, -1), expect: thrown('folioSize', 'folio') },
  { call: 'folioNext on a tail page', run: (w) => folioNext(w.m, w.thp + 511), expect: thrown('folioNext', 'folio') },
  { call: 'folioRefCount on a tail page', run: (w) => folioRefCount(w.m, w.tail), expect: thrown('folioRefCount', 'folio') },
  { call: 'folioPincount folio NaN', run: (w) => folioPincount(w.m, NaN), expect: thrown('folioPincount', 'folio') },
  { call: 'folioHasPincount folio nrPages', run: (w) => folioHasPincount(w.m, NR_PAGES), expect: thrown('folioHasPincount', 'folio') },
  { call: 'folioTestLarge on a tail page', run: (w) => folioTestLarge(w.m, w.tail), expect: thrown('folioTestLarge', 'folio') },
  { call: 'folioMaybeDmaPinned on a tail page', run: (w) => folioMaybeDmaPinned(w.m, w.tail), expect: thrown('folioMaybeDmaPinned', 'folio') },
  { call: 'folioTestDirty folio 2^31 (past the memmap)', run: (w) => folioTestDirty(w.m, 2 ** 31), expect: thrown('folioTestDirty', 'folio') },
  { call: 'folioMarkDirty on a tail page (flags unchanged)', run: (w) => folioMarkDirty(w.m, w.tail), expect: thrown('folioMarkDirty', 'folio') },
  { call: 'folioTestAnon folio Infinity', run: (w) => folioTestAnon(w.m, Infinity), expect: thrown('folioTestAnon', 'folio') },
  { call: 'folioTestHugetlb on a tail page', run: (w) => folioTestHugetlb(w.m, w.tail), expect: thrown('folioTestHugetlb', 'folio') },
  { call: 'folioSetHugetlb on a tail page (flags unchanged)', run: (w) => folioSetHugetlb(w.m, w.tail), expect: thrown('folioSetHugetlb', 'folio') },
  { call: 'folioIsPciP2pdma folio -1', run: (w) => folioIsPciP2pdma(w.m, -1), expect: thrown('folioIsPciP2pdma', 'folio') },
  { call: 'isZeroFolio folio NULL_PFN', run: (w) => isZeroFolio(w.m, -1), expect: thrown('isZeroFolio', 'folio') },
  { call: 'pageAllocated pfn nrPages', run: (w) => pageAllocated(w.m, NR_PAGES), expect: thrown('pageAllocated', 'pfn') },
  { call: 'folioIsLongtermPinnable folio nrPages', run: (w) => folioIsLongtermPinnable(w.m, NR_PAGES), expect: thrown('folioIsLongtermPinnable', 'folio') },
  { call: 'folioRefAdd nr -1 (folio_ref_sub is the other call)', run: (w) => folioRefAdd(w.m, w.small, -1), expect: thrown('folioRefAdd', 'nr') },
  { call: 'folioRefAdd nr 1.5 (C type: int)', run: (w) => folioRefAdd(w.m, w.small, 1.5), expect: thrown('folioRefAdd', 'nr') },
  { call: 'folioRefAdd nr 2^31 (C type: int)', run: (w) => folioRefAdd(w.m, w.small, 2 ** 31), expect: thrown('folioRefAdd', 'nr') },
  { call: 'folioRefAdd on a tail page', run: (w) => folioRefAdd(w.m, w.tail, 1), expect: thrown('folioRefAdd', 'folio') },
  { call: 'folioGet on a tail page', run: (w) => folioGet(w.m, w.tail), expect: thrown('folioGet', 'folio') },
  { call: 'folioPutRefs refs -1 (C type: a negative put)', run: (w) => folioPutRefs(w.m, w.small, -1), expect: thrown('folioPutRefs', 'refs') },
  { call: 'folioPutRefs refs NaN', run: (w) => folioPutRefs(w.m, w.small, NaN), expect: thrown('folioPutRefs', 'refs') },
  { call: 'folioPutRefs on a tail page', run: (w) => folioPutRefs(w.m, w.tail, 1), expect: thrown('folioPutRefs', 'folio') },
  { call: 'folioPut folio nrPages', run: (w) => folioPut(w.m, NR_PAGES), expect: thrown('folioPut', 'folio') },

  // slab.ts: size_t arguments; kvmalloc keeps the kernel's answer for what a size_t holds.
  { call: 'kmallocSizeClass size -1', run: () => kmallocSizeClass(-1), expect: thrown('kmallocSizeClass', 'size') },
  { call: 'kmallocSizeClass size 0.5 (C type: size_t)', run: () => kmallocSizeClass(0.5), expect: thrown('kmallocSizeClass', 'size') },
  { call: 'kmalloc size -1 (SIZE_MAX: order > MAX_PAGE_ORDER, WARN, NULL)', run: (w) => kmalloc(w.m, -1), expect: { returns: -ENOMEM }, warns: 'kmalloc: order above MAX_PAGE_ORDER' },
  { call: 'kmalloc size 4 MiB + 1 (KMALLOC_MAX_SIZE + 1: order 11, WARN, NULL)', run: (w) => kmalloc(w.m, 4 * 1024 * 1024 + 1), expect: { returns: -ENOMEM }, warns: 'kmalloc: order above MAX_PAGE_ORDER' },
  { call: 'kmalloc size 2^64 (C type: past SIZE_MAX)', run: (w) => kmalloc(w.m, 2 ** 64), expect: thrown('kmalloc', 'size') },
  { call: 'kmalloc size NaN', run: (w) => kmalloc(w.m, NaN), expect: thrown('kmalloc', 'size') },
  { call: 'kvmalloc size NaN (C type)', run: (w) => kvmalloc(w.m, NaN), expect: thrown('kvmalloc', 'size') },
  { call: 'kvmalloc size 2^64 (C type: past SIZE_MAX)', run: (w) => kvmalloc(w.m, 2 ** 64), expect: thrown('kvmalloc', 'size') },
  { call: 'kvmalloc size -1 (SIZE_MAX > INT_MAX: __kvmalloc_node WARN, NULL)', run: (w) => kvmalloc(w.m, -1), expect: { returns: -ENOMEM }, warns: 'kvmalloc: size above INT_MAX' },
  { call: 'kvmalloc size INT_MAX + 1 (__kvmalloc_node: WARN, NULL)', run: (w) => kvmalloc(w.m, 2 ** 31), expect: { returns: -ENOMEM }, warns: 'kvmalloc: size above INT_MAX' },
  { call: 'kvmallocArray 2^61 x 16 (check_mul_overflow: NULL)', run: (w) => kvmallocArray(w.m, 2 ** 61, 16), expect: { returns: -ENOMEM } },
  { call: 'kvmallocArray -1 x 16 (SIZE_MAX x 16 overflows)', run: (w) => kvmallocArray(w.m, -1, 16), expect: { returns: -ENOMEM } },
  { call: 'kvmallocArray n 1.5 (C type)', run: (w) => kvmallocArray(w.m, 1.5, 16), expect: thrown('kvmallocArray', 'n') },
  { call: 'kvmallocArray size NaN (C type)', run: (w) => kvmallocArray(w.m, 16, NaN), expect: thrown('kvmallocArray', 'size') },
  { call: 'kvfree usedBytes 129 of 128 given (C: wrote past the buffer)', run: (w) => kvfree(w.m, w.a, 129), expect: thrown('kvfree', 'usedBytes') },
  { call: 'kvfree usedBytes -1', run: (w) => kvfree(w.m, w.a, -1), expect: thrown('kvfree', 'usedBytes') },
  { call: 'injectAllocFailure nth -1', run: (w) => injectAllocFailure(w.m, -1), expect: thrown('injectAllocFailure', 'nth') },
  { call: 'injectAllocFailure nth 1.5', run: (w) => injectAllocFailure(w.m, 1.5), expect: thrown('injectAllocFailure', 'nth') },

  // folio-mark-dirty-lock.ts.
  { call: 'folioMarkDirtyLock on a tail page (C type)', run: (w) => folioMarkDirtyLock(w.m, w.tail), expect: thrown('folioMarkDirtyLock', 'folio') },
  { call: 'setPageDirtyLock page nrPages (C type)', run: (w) => setPageDirtyLock(w.m, NR_PAGES), expect: thrown('setPageDirtyLock', 'page') },

  // page-table.ts: vpns the four levels index; pgd_index would alias a larger one.
  { call: 'vpnOf addr -4096 (wraps above 2^53)', run: () => vpnOf(-4096), expect: thrown('vpnOf', 'addr') },
  { call: 'vpnOf addr NaN', run: () => vpnOf(NaN), expect: thrown('vpnOf', 'addr') },
  { call: 'pgdIndex vpn 2^36 (past 48-bit addresses)', run: () => pgdIndex(NR_VPNS), expect: thrown('pgdIndex', 'vpn') },
  { call: 'pudIndex vpn -1', run: () => pudIndex(-1), expect: thrown('pudIndex', 'vpn') },
  { call: 'pmdIndex vpn 1.5', run: () => pmdIndex(1.5), expect: thrown('pmdIndex', 'vpn') },
  { call: 'pteIndex vpn NaN', run: () => pteIndex(NaN), expect: thrown('pteIndex', 'vpn') },
  { call: 'pudSlot vpn 2^36 with alloc (no table allocated)', run: (w) => pudSlot(w.pt, NR_VPNS, true), expect: thrown('pudSlot', 'vpn') },
  { call: 'pmdSlot alloc 1 (a boolean)', run: (w) => pmdSlot(w.pt, vpnOf(BASE + 2 * MIB), 1 as never), expect: thrown('pmdSlot', 'alloc') },
  { call: 'pteSlot vpn -1 with alloc', run: (w) => pteSlot(w.pt, -1, true), expect: thrown('pteSlot', 'vpn') },
  { call: 'findLeaf vpn 2^36', run: (w) => findLeaf(w.pt, NR_VPNS), expect: thrown('findLeaf', 'vpn') },
  { call: 'pageAt vpn NaN', run: (w) => pageAt(w.pt, NaN), expect: thrown('pageAt', 'vpn') },
  { call: 'leafBitsAt vpn -1', run: (w) => leafBitsAt(w.pt, -1), expect: thrown('leafBitsAt', 'vpn') },
  { call: 'leafLevel of findLeaf\'s -1 (nothing mapped)', run: () => leafLevel(-1), expect: thrown('leafLevel', 'leaf') },
  { call: 'leafSlot leaf 0.5', run: () => leafSlot(0.5), expect: thrown('leafSlot', 'leaf') },
  { call: 'PageTables.level 4 (no such level)', run: (w) => w.pt.level(4), expect: thrown('PageTables.level', 'l') },
  { call: 'PageTables.level -1', run: (w) => w.pt.level(-1), expect: thrown('PageTables.level', 'l') },
  { call: 'new PageTableLevel(-1)', run: () => new PageTableLevel(-1), expect: thrown('PageTableLevel', 'initialTables') },

  // memalloc-pin.ts: the token comes from an open memalloc_pin_save.
  { call: 'memallocPinRestore 1 with no scope open (re-enters a scope already left)', run: () => memallocPinRestore(1), expect: thrown('memallocPinRestore', 'token') },
  { call: 'memallocPinRestore NaN', run: () => memallocPinRestore(NaN), expect: thrown('memallocPinRestore', 'token') },
  { call: 'currentAllocZone "highmem"', run: () => currentAllocZone('highmem' as never), expect: thrown('currentAllocZone', 'zone') },

  // file.ts: the page cache (mm/filemap.c); pgoff_t offsets past the file are SIGBUS.
  { call: 'createFile kind "xfs"', run: (w) => createFile(w.m, 'xfs' as never, 4096), expect: thrown('createFile', 'kind') },
  { call: 'createFile bytes NaN (C type: loff_t)', run: (w) => createFile(w.m, 'shmem', NaN), expect: thrown('createFile', 'bytes') },
  { call: 'createFile bytes 0 (documented -EINVAL)', run: (w) => createFile(w.m, 'shmem', 0), expect: { returns: -EINVAL } },
  { call: 'createFile bytes -4096', run: (w) => createFile(w.m, 'shmem', -4096), expect: { returns: -EINVAL } },
  { call: 'createFile ext4 order PMD_ORDER + 1', run: (w) => createFile(w.m, 'ext4', 4096, { order: 10 }), expect: { returns: -EINVAL } },
  { call: 'createFile hugetlbfs order 10 (no 4 MiB hstate)', run: (w) => createFile(w.m, 'hugetlbfs', 2 * MIB, { order: 10 }), expect: { returns: -EINVAL } },
  { call: 'createFile order 1.5 (C type)', run: (w) => createFile(w.m, 'ext4', 4096, { order: 1.5 }), expect: thrown('createFile', 'opts.order') },
  { call: 'createFile zone "dma"', run: (w) => createFile(w.m, 'device', 4096, { zone: 'dma' as never }), expect: thrown('createFile', 'opts.zone') },
  { call: 'filemapGetFolio pgoff NaN (C type: pgoff_t)', run: (w) => filemapGetFolio(w.file, NaN, true), expect: thrown('filemapGetFolio', 'pgoff') },
  { call: 'filemapGetFolio pgoff -1 (a huge pgoff_t: past EOF, SIGBUS)', run: (w) => filemapGetFolio(w.file, -1, true), expect: { returns: -EFAULT } },
  { call: 'filemapGetFolio pgoff 4 of a 4-page file (SIGBUS)', run: (w) => filemapGetFolio(w.file, 4, true), expect: { returns: -EFAULT } },
  { call: 'filemapGetFolio create 1 (a boolean)', run: (w) => filemapGetFolio(w.file, 1, 1 as never), expect: thrown('filemapGetFolio', 'create') },
  { call: 'filemapAddFolio index -1 (out of range; no reference taken)', run: (w) => filemapAddFolio(w.file, w.small, -1), expect: { returns: -EINVAL } },
  { call: 'filemapAddFolio index 4 of a 4-page file', run: (w) => filemapAddFolio(w.file, w.small, 4), expect: { returns: -EINVAL } },
  { call: 'filemapAddFolio index 0.5 (C type)', run: (w) => filemapAddFolio(w.file, w.small, 0.5), expect: thrown('filemapAddFolio', 'index') },
  { call: 'filemapAddFolio a tail page (C type: struct folio *)', run: (w) => filemapAddFolio(w.file, w.tail, 1), expect: thrown('filemapAddFolio', 'folio') },
  { call: 'filemapReplaceFolio oldFolio a tail page', run: (w) => filemapReplaceFolio(w.m, w.tail, w.small), expect: thrown('filemapReplaceFolio', 'oldFolio') },
  { call: 'filemapReplaceFolio newFolio nrPages', run: (w) => filemapReplaceFolio(w.m, 1032, NR_PAGES), expect: thrown('filemapReplaceFolio', 'newFolio') },

  // rmap.ts: __folio_rmap_sanity_checks (nr_pages > 0, the pages inside the folio).
  { call: 'folioAddNewAnonRmapPtes nr 0 (VM_WARN_ON_ONCE(nr_pages <= 0))', run: (w) => folioAddNewAnonRmapPtes(w.m, w.small, w.small, 0), expect: thrown('folioAddNewAnonRmapPtes', 'nr') },
  { call: 'folioAddNewAnonRmapPtes nr 513 (page + nr - 1 past the folio)', run: (w) => folioAddNewAnonRmapPtes(w.m, w.thp, w.thp, 513), expect: thrown('folioAddNewAnonRmapPtes', 'nr') },
  { call: 'folioAddNewAnonRmapPtes page of another folio (page_folio(page) != folio)', run: (w) => folioAddNewAnonRmapPtes(w.m, w.thp, w.small, 1), expect: thrown('folioAddNewAnonRmapPtes', 'page') },
  { call: 'folioAddNewAnonRmapPtes folio a tail page', run: (w) => folioAddNewAnonRmapPtes(w.m, w.tail, w.tail, 1), expect: thrown('folioAddNewAnonRmapPtes', 'folio') },
  { call: 'folioAddNewAnonRmapEntire on a tail page', run: (w) => folioAddNewAnonRmapEntire(w.m, w.tail), expect: thrown('folioAddNewAnonRmapEntire', 'folio') },
  { call: 'folioAddAnonRmapPtes pages 1023..1024 cross the folio end', run: (w) => folioAddAnonRmapPtes(w.m, w.thp + 511, 2, true), expect: thrown('folioAddAnonRmapPtes', 'nr') },
  { call: 'folioAddAnonRmapPtes exclusive 1 (RMAP_EXCLUSIVE is a bit, the option a boolean)', run: (w) => folioAddAnonRmapPtes(w.m, w.thp, 1, 1 as never), expect: thrown('folioAddAnonRmapPtes', 'exclusive') },
  { call: 'folioAddFileRmapPtes page nrPages', run: (w) => folioAddFileRmapPtes(w.m, NR_PAGES, 1), expect: thrown('folioAddFileRmapPtes', 'page') },
  { call: 'folioAddRmapEntire folio NaN', run: (w) => folioAddRmapEntire(w.m, NaN), expect: thrown('folioAddRmapEntire', 'folio') },
  { call: 'folioRemoveRmapPtes nr -1', run: (w) => folioRemoveRmapPtes(w.m, w.small, -1), expect: thrown('folioRemoveRmapPtes', 'nr') },
  { call: 'folioRemoveRmapEntire on a tail page', run: (w) => folioRemoveRmapEntire(w.m, w.tail), expect: thrown('folioRemoveRmapEntire', 'folio') },
  { call: 'folioMapcount on a tail page', run: (w) => folioMapcount(w.m, w.tail), expect: thrown('folioMapcount', 'folio') },
  { call: 'pageAnonExclusive page nrPages', run: (w) => pageAnonExclusive(w.m, NR_PAGES), expect: thrown('pageAnonExclusive', 'page') },
  { call: 'setPageAnonExclusive page -1', run: (w) => setPageAnonExclusive(w.m, -1), expect: thrown('setPageAnonExclusive', 'page') },
  { call: 'clearPageAnonExclusive page 0.5', run: (w) => clearPageAnonExclusive(w.m, 0.5), expect: thrown('clearPageAnonExclusive', 'page') },

  // vma.ts: find_vma / vma_lookup take an unsigned long; __split_vma's callers split inside.
  { call: 'findVma addr NaN (C type)', run: (w) => findVma(w.mm.vmas, NaN), expect: thrown('findVma', 'addr') },
  { call: 'vmaLookup addr 1.5 (C type)', run: (w) => vmaLookup(w.mm.vmas, 1.5), expect: thrown('vmaLookup', 'addr') },
  { call: 'vmaLookup addr 2^64 (C type: past ULONG_MAX)', run: (w) => vmaLookup(w.mm.vmas, 2 ** 64), expect: thrown('vmaLookup', 'addr') },
  { call: 'vmaPgoff vpn NaN', run: (w) => vmaPgoff(w.vma(BASE), NaN), expect: thrown('vmaPgoff', 'vpn') },
  { call: 'splitVma at vma.start (VM_WARN_ON(vma->vm_start >= addr))', run: (w) => splitVma(w.mm.vmas, w.vma(BASE), BASE), expect: thrown('splitVma', 'addr') },
  { call: 'splitVma at vma.end (VM_WARN_ON(vma->vm_end <= addr))', run: (w) => splitVma(w.mm.vmas, w.vma(BASE), BASE + 64 * KIB), expect: thrown('splitVma', 'addr') },
  { call: 'splitVma at BASE + 100 (not page aligned)', run: (w) => splitVma(w.mm.vmas, w.vma(BASE), BASE + 100), expect: thrown('splitVma', 'addr') },
  { call: 'splitVma hugetlb at a 4 KiB boundary (hugetlb_vm_op_split)', run: (w) => splitVma(w.mm.vmas, w.vma(H), H + 4096), expect: thrown('splitVma', 'addr') },
  { call: 'splitVma of a VMA not in the array', run: (w) => splitVma([], w.vma(BASE), BASE + 4096), expect: thrown('splitVma', 'vma') },

  // vm-flags.ts, mman.ts: vm_flags_t words of defined bits; prot as mmap's int.
  { call: 'isCowMapping vmFlags -1 (every bit)', run: () => isCowMapping(-1), expect: thrown('isCowMapping', 'vmFlags') },
  { call: 'isCowMapping vmFlags 0x800 (a VM_ bit the model does not define)', run: () => isCowMapping(0x800), expect: thrown('isCowMapping', 'vmFlags') },
  { call: 'isSharedWritable vmFlags NaN', run: () => isSharedWritable(NaN), expect: thrown('isSharedWritable', 'vmFlags') },
  { call: 'vmFlagsToString vmFlags 1.5', run: () => vmFlagsToString(1.5), expect: thrown('vmFlagsToString', 'vmFlags') },
  { call: 'calcVmProtBits prot NaN (C type: int)', run: () => calcVmProtBits(NaN), expect: thrown('calcVmProtBits', 'prot') },
  { call: 'calcVmProtBits prot 2^32', run: () => calcVmProtBits(2 ** 32), expect: thrown('calcVmProtBits', 'prot') },

  // pin-leak-report.ts.
  { call: 'pinLeaks mmId -1', run: (w) => pinLeaks(w.m.checker!, -1), expect: thrown('pinLeaks', 'mmId') },
  { call: 'checkPinsAtExit mmId NaN', run: (w) => checkPinsAtExit(w.m.checker!, NaN), expect: thrown('checkPinsAtExit', 'mmId') },
  { call: 'pageRanges max -1', run: () => pageRanges([1, 2], -1), expect: thrown('pageRanges', 'max') },
];

describe('bad arguments to the mm core are refused and change nothing', () => {
  it.each(rows.map((r) => [r.call, r] as const))('%s', (_call, row) => {
    const w = world();
    const warnings = w.m.warnings.length;
    expectRefused({ call: row.call, m: w.m, run: () => row.run(w), expect: row.expect, state: () => state(w) });
    expect(w.m.warnings.length).toBe(warnings + (row.warns !== undefined ? 1 : 0));
    if (row.warns !== undefined) expect(w.m.warnings.at(-1)).toBe(row.warns);
  });

  it('has a row for every exported function of the layer that takes a number, flags or an enum', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });
});

describe('the last good value beside each boundary is accepted', () => {
  it('PFNs: 0 and nrPages - 1 are in the memmap; pfnValid answers false outside it', () => {
    const w = world();
    expect(pfnZone(w.m, 0).name).toBe('normal');
    expect(pfnZone(w.m, NR_PAGES - 1).name).toBe('normal');
    expect(pfnValid(w.m, NR_PAGES - 1)).toBe(true);
    expect(pfnValid(w.m, NR_PAGES)).toBe(false);
    expect(pfnValid(w.m, -1)).toBe(false); // a huge unsigned long
    expect(pageFolio(w.m, NR_PAGES - 1)).toBe(NR_PAGES - 1); // a free page is its own order-0 head
    expect(pageFolio(w.m, 1023)).toBe(512);
    expect(pageAllocated(w.m, NR_PAGES - 1)).toBe(false);
    expect(isZeroFolio(w.m, 0)).toBe(true);
  });

  it('folio_page and folio_page_idx accept the folio\'s first and last page', () => {
    const w = world();
    expect(folioPage(w.m, w.thp, 0)).toBe(512);
    expect(folioPage(w.m, w.thp, 511)).toBe(1023);
    expect(folioPageIdx(w.m, w.thp, 512)).toBe(0);
    expect(folioPageIdx(w.m, w.thp, 1023)).toBe(511);
    expect(folioPage(w.m, w.small, 0)).toBe(1024);
    expect(folioNext(w.m, w.thp)).toBe(1024);
  });

  it('a freed folio is still read by the accessors; taking a reference on it is a KernelBug', () => {
    const w = world();
    expect(folioRefCount(w.m, w.freed)).toBe(0);
    expect(folioOrder(w.m, w.freed)).toBe(0); // freeing reset the order of every page
    expect(folioOrder(w.m, w.freed + 1)).toBe(0); // so its old tail pages are order-0 heads
    expect(folioMaybeDmaPinned(w.m, w.freed)).toBe(false);
    expect(() => folioGet(w.m, w.freed)).toThrow(/use after free/);
  });

  it('nr and refs of 0 are accepted (an int; one atomic each, no change)', () => {
    const w = world();
    const before = w.m.cost.refcountAtomics;
    folioRefAdd(w.m, w.small, 0);
    folioPutRefs(w.m, w.small, 0);
    expect(folioRefCount(w.m, w.small)).toBe(1);
    expect(w.m.cost.refcountAtomics).toBe(before + 2);
    folioRefAdd(w.m, w.thp, GUP_PIN_COUNTING_BIAS);
    expect(folioRefCount(w.m, w.thp)).toBe(1025);
    folioPutRefs(w.m, w.thp, GUP_PIN_COUNTING_BIAS);
    expect(folioRefCount(w.m, w.thp)).toBe(1);
  });

  it('allocFolio: order MAX_FOLIO_ORDER passes the order check; pfn 0 and nrPages - 1 pass the range check', () => {
    const w = world();
    expect(allocFolio(w.m, MAX_FOLIO_ORDER)).toBe(-ENOMEM); // 1 GiB does not fit in 16 MiB
    expect(allocFolio(w.m, 0, { pfn: 0 })).toBe(-EBUSY); // the zero page
    expect(allocFolio(w.m, 0, { pfn: NR_PAGES - 1 })).toBe(NR_PAGES - 1);
    folioPut(w.m, NR_PAGES - 1);
    expect(allocFolio(w.m, 0, { zone: 'normal', placement: 'scattered' })).toBeGreaterThan(0);
  });

  it('kvmalloc: INT_MAX is served by vmalloc, INT_MAX + 1 and -1 WARN once and fail', () => {
    const w = world();
    expect(kvmalloc(w.m, 2 ** 31 - 1)).toEqual({ asked: 2 ** 31 - 1, given: 2 ** 31, kind: 'vmalloc' });
    expect(kvmalloc(w.m, -1)).toBe(-ENOMEM);
    expect(kvmalloc(w.m, 2 ** 31)).toBe(-ENOMEM);
    expect(w.m.warnings).toEqual(['kvmalloc: size above INT_MAX']); // WARN_ON_ONCE
  });

  it('kvmallocArray: the overflow test is exact at SIZE_MAX', () => {
    const w = world();
    // (2^32 + 1)(2^32 - 1) = 2^64 - 1 = SIZE_MAX: no overflow, so kvmalloc's WARN and NULL.
    expect(kvmallocArray(w.m, 2 ** 32 + 1, 2 ** 32 - 1)).toBe(-ENOMEM);
    expect(w.m.warnings).toEqual(['kvmalloc: size above INT_MAX']);
    // 2^32 x 2^32 = 2^64 overflows: NULL before kvmalloc, no second WARN line either way.
    expect(kvmallocArray(w.m, 2 ** 32, 2 ** 32)).toBe(-ENOMEM);
    // SIZE_MAX x 0 = 0: no overflow, kvmalloc(0) is kmalloc's ZERO_SIZE_PTR.
    expect(kvmallocArray(w.m, -1, 0)).toEqual({ asked: 0, given: 0, kind: 'kmalloc' });
    expect(kvmallocArray(w.m, 2 ** 27 - 1, 16)).toEqual({ asked: 2 ** 31 - 16, given: 2 ** 31, kind: 'vmalloc' });
  });

  it('kvfree: usedBytes 0 and a.given are accepted', () => {
    const w = world();
    const before = w.m.cost.bytesUnused;
    kvfree(w.m, w.a, 128);
    expect(w.m.cost.bytesUnused).toBe(before);
    kvfree(w.m, w.a, 0);
    expect(w.m.cost.bytesUnused).toBe(before + 128);
  });

  it('a refused kmalloc does not use up an injected failure', () => {
    const w = world();
    injectAllocFailure(w.m, 1);
    expect(() => kmalloc(w.m, NaN)).toThrow(/^kmalloc: size must be /);
    // __alloc_pages_noprof refuses the order before should_fail_alloc_page is asked.
    expect(kmalloc(w.m, -1)).toBe(-ENOMEM);
    expect(kmalloc(w.m, 8)).toBe(-ENOMEM); // the injected failure is still the next one
    expect(kmalloc(w.m, 8)).toEqual({ asked: 8, given: 8, kind: 'kmalloc' });
    injectAllocFailure(w.m, 0);
  });

  it('geometry helpers at their edges', () => {
    expect(divRoundUp(0, 4096)).toBe(0);
    expect(divRoundUp(4097, 4096)).toBe(2);
    expect(divRoundUp(7, 1)).toBe(7);
    expect(offsetInPage(0)).toBe(0);
    expect(offsetInPage(TASK_SIZE_MAX + 4095)).toBe(4095);
    expect(pageAlignDown(TASK_SIZE_MAX + 4095)).toBe(TASK_SIZE_MAX);
    expect(errnoName(-EINVAL)).toBe('-EINVAL');
    expect(isErrValue(-4095)).toBe(true);
    expect(isErrValue(-4096)).toBe(false);
    // bit 31 makes a JavaScript int negative: still a 32-bit word, shown in hex.
    expect(follFlagsToString(FOLL_WRITE | FOLL_PIN | (1 << 31))).toBe('FOLL_WRITE|FOLL_PIN|0x80000000');
    expect(follFlagsToString(0xffffffff)).toContain('|0xff80e000');
  });

  it('vpns: 2^36 - 1 is the last one the tables index', () => {
    const w = world();
    expect(pgdIndex(NR_VPNS - 1)).toBe(511);
    expect(pudIndex(NR_VPNS - 1)).toBe(511);
    expect(pmdIndex(NR_VPNS - 1)).toBe(511);
    expect(pteIndex(NR_VPNS - 1)).toBe(511);
    expect(pgdIndex(0)).toBe(0);
    expect(findLeaf(w.pt, NR_VPNS - 1)).toBe(-1);
    expect(pageAt(w.pt, 0)).toBe(-1);
    expect(leafBitsAt(w.pt, NR_VPNS - 1)).toBe(0);
    expect(vpnOf(0)).toBe(0);
    expect(leafLevel(0)).toBe(0);
    expect(leafSlot(7)).toBe(1);
    expect(w.pt.level(0)).toBe(w.pt.pte);
    expect(w.pt.level(3)).toBe(w.pt.pgd);
    // pteSlot(BASE) was allocated by world(): table 0 of each level, slot pte_index(BASE) = 0.
    expect(pteSlot(w.pt, vpnOf(BASE), false)).toBe(0);
    expect(pmdSlot(w.pt, vpnOf(BASE), false)).toBe(0);
    expect(pudSlot(w.pt, vpnOf(BASE), false)).toBe(1); // pud_index(1 GiB) = 1
  });

  it('memalloc_pin_restore takes tokens from 0 to the current depth', () => {
    memallocPinRestore(0); // outside every scope: a no-op, as restoring flags without PF_MEMALLOC_PIN is
    const outer = memallocPinSave();
    const inner = memallocPinSave();
    expect([outer, inner]).toEqual([0, 1]);
    expect(currentAllocZone('movable')).toBe('normal');
    memallocPinRestore(2); // the current depth: a no-op
    memallocPinRestore(inner);
    expect(currentAllocZone('movable')).toBe('normal'); // still inside the outer scope
    expect(() => memallocPinRestore(2)).toThrow(/^memallocPinRestore: token must be /);
    memallocPinRestore(outer);
    expect(currentAllocZone('movable')).toBe('movable');
  });

  it('the page cache: the last page offset and a free slot are accepted', () => {
    const w = world();
    expect(filemapGetFolio(w.file, 3, false)).toBe(-1); // in range, not cached
    const f = allocFolio(w.m, 0);
    expect(filemapAddFolio(w.file, f, 3)).toBe(0);
    expect(folioRefCount(w.m, f)).toBe(2);
    expect(filemapGetFolio(w.file, 3, false)).toBe(f);
    folioPut(w.m, f); // the lookup's reference
    folioPut(w.m, f); // the allocation's; the cache keeps one
    expect(createFile(w.m, 'hugetlbfs', 1, { order: 9 })).toMatchObject({ nrPages: 512 });
  });

  it('find_vma and vma_lookup: a negative or wrapped address is above every VMA', () => {
    const w = world();
    expect(findVma(w.mm.vmas, -1)).toBeNull();
    expect(vmaLookup(w.mm.vmas, -1)).toBeNull();
    expect(vmaLookup(w.mm.vmas, 2 ** 64 - 4096)).toBeNull(); // -4096 as an unsigned long, exact as a double
    expect(findVma(w.mm.vmas, 2 ** 64 - 2048)).toBeNull(); // the last double below 2^64
    expect(findVma(w.mm.vmas, 0)).toBe(w.vma(BASE));
    expect(vmaPgoff(w.vma(BASE), vpnOf(BASE) + 3)).toBe(vpnOf(BASE) + 3);
  });

  it('splitVma at the first and last page boundary inside the VMA', () => {
    const w = world();
    const v = w.vma(BASE);
    const upper = splitVma(w.mm.vmas, v, BASE + 60 * KIB);
    expect([v.end, upper.start, upper.end]).toEqual([BASE + 60 * KIB, BASE + 60 * KIB, BASE + 64 * KIB]);
    const mid = splitVma(w.mm.vmas, v, BASE + 4 * KIB);
    expect([v.start, v.end, mid.start, mid.end]).toEqual([BASE, BASE + 4 * KIB, BASE + 4 * KIB, BASE + 60 * KIB]);
    expect(w.mm.vmas.map((x) => x.start)).toEqual([BASE, BASE + 4 * KIB, BASE + 60 * KIB, H]);
  });

  it('rmap: a run ending on the folio\'s last page is accepted', () => {
    const w = world();
    folioAddFileRmapPtes(w.m, w.thp + 511, 1);
    folioAddFileRmapPtes(w.m, w.thp, 512);
    expect(folioMapcount(w.m, w.thp)).toBe(513);
    folioRemoveRmapPtes(w.m, w.thp, 512);
    folioRemoveRmapPtes(w.m, w.thp + 511, 1);
    expect(folioMapcount(w.m, w.thp)).toBe(0);
  });

  it('VM_* words: every defined bit is accepted; an undefined one is shown in hex', () => {
    expect(isCowMapping(VM_MAYWRITE)).toBe(true);
    expect(isCowMapping(VM_ALL_DEFINED)).toBe(false); // VM_SHARED
    expect(isSharedWritable(VM_ALL_DEFINED)).toBe(true);
    expect(isCowMapping(VM_SHARED | VM_MAYWRITE)).toBe(false);
    expect(vmFlagsToString(0x800)).toBe('0x800');
    expect(vmFlagsToString(0)).toBe('VM_NONE');
    expect(calcVmProtBits(-1)).toBe(0x7); // mmap's int prot -1: every PROT_ bit, extras ignored
  });

  it('createMachine: both spellings of a 32-bit seed are accepted', () => {
    expect(createMachine({ memoryBytes: 8 * MIB, seed: -1 }).seed).toBe(-1);
    expect(createMachine({ memoryBytes: 8 * MIB, seed: 2 ** 32 - 1 }).seed).toBe(2 ** 32 - 1);
    expect(createMachine({ memoryBytes: 8 * MIB, checked: false }).checker).toBeNull();
  });

  it('pin leak reports: mm id 0 and max 0 are accepted', () => {
    const w = world();
    expect(pinLeaks(w.m.checker!, 0)).toEqual([]);
    expect(pageRanges([1, 2, 3], 0)).toBe('...');
    expect(pageRanges([1, 2, 3, 5], 8)).toBe('1-3, 5');
  });
});
