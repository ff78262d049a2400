/**
 * Bad arguments to the address-space layer (src/mm: mmap, munmap, the fault handlers,
 * zap, split, populate, installFolio, user access, migration). Each row is a call the
 * kernel refuses with an errno, or one no C caller could make (an ArgumentError), and
 * `expectRefused` shows the refusal changed nothing: the memmap, vmstat, and here also
 * the mm's VMAs, its page tables, the page cache of every file and the fault counter.
 * Kernel rules cited are v6.16+ (mm/mmap.c, mm/util.c, mm/vma.c, mm/memory.c,
 * include/linux/mman.h, arch/x86/kernel/sys_x86_64.c, arch/x86/mm/fault.c). A second
 * block shows the last good value beside each boundary, worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  EEXIST,
  EFAULT,
  EINVAL,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  PROT_READ,
  PROT_WRITE,
  TASK_SIZE_MAX,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  allocFolio,
  createFile,
  createHugePmd,
  createMm,
  doWpPage,
  fileRelease,
  folioPut,
  handleMmFault,
  hugetlbFault,
  installFolio,
  machineFiles,
  maybeMkwrite,
  migrateFolioLongterm,
  mmap,
  munmap,
  pageAt,
  pmdMappable,
  pmdSlot,
  populateVmaPageRange,
  pteSlot,
  splitHugePmd,
  userRead,
  userReadTags,
  userWrite,
  vmaLookup,
  vpnOf,
  wpCanReuseAnonFolio,
  wpHugePmd,
  wpPageCopy,
  zapVma,
  type Machine,
  type Mm,
  type MmFile,
  type PageTableLevel,
  type Vma,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { BASE, MIB, mapAt } from '../support/mm-layout.js';
import { expectRefused, type Refusal } from '../support/refused.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
/** A: 4 MiB private anonymous, THP policy; its first 2 MiB are one writable PMD leaf. */
const A = BASE;
/** B: 64 KiB private anonymous, order 0; page 0 written (own page), page 1 read (zero page). */
const B = BASE + 8 * MIB;
/** C: 64 KiB shared ext4-like file, untouched. */
const C = BASE + 16 * MIB;
/** D: 2 MiB private hugetlb (2 MiB pages), untouched. */
const D = BASE + 32 * MIB;
/** E: the last page of the user address space, written. */
const E = TASK_SIZE_MAX - 4096;

interface World {
  readonly m: Machine;
  readonly mm: Mm;
  readonly thp: number;
  readonly fresh: number;
  readonly file: MmFile;
  vma(addr: number): Vma;
}

/** 8 MiB: room for the THP and the hugetlb page, and a memmap small enough to compare fast. */
function world(): World {
  const m = newMachine({ memoryBytes: 8 * MIB });
  const mm = createMm(m);
  mapAt(mm, A, 4 * MIB, { order: 9 });
  mapAt(mm, B, 64 * 1024);
  mapAt(mm, C, 64 * 1024, { shared: true, backing: 'ext4' });
  mapAt(mm, D, 2 * MIB, { backing: 'hugetlb-2m' });
  mapAt(mm, E, 4096);
  expect(handleMmFault(mm, A, { write: true })).toBe(0);
  expect(userWrite(mm, B, 4096, 7)).toBe(0);
  expect(handleMmFault(mm, B + 4096)).toBe(0);
  expect(userWrite(mm, E, 4096, 9)).toBe(0);
  const thp = pageAt(mm.pt, vpnOf(A));
  const fresh = allocFolio(m, 0);
  const file = createFile(m, 'ext4', 64 * 1024);
  if (typeof file === 'number') throw new Error(`createFile: ${file}`);
  const vma = (addr: number): Vma => {
    const v = vmaLookup(mm.vmas, addr);
    if (v === null) throw new Error(`no VMA at ${addr.toString(16)}`);
    return v;
  };
  return { m, mm, thp, fresh, file, vma };
}

/** Frees what world() holds outside the mm. */
function done(w: World): void {
  folioPut(w.m, w.fresh);
  fileRelease(w.file);
}

/** One level's live tables, as text (comparing strings is much faster than typed arrays). */
function level(l: PageTableLevel): string {
  const n = l.nrTables * 512;
  return `${l.nrTables}:${String(l.val.subarray(0, n))}:${String(l.bits.subarray(0, n))}`;
}

/** The mm's VMAs and page tables, every file's page cache and users, and the fault counter. */
function mmState(w: World): unknown {
  const { mm, m } = w;
  return {
    vmas: mm.vmas.map((v) => ({ ...v, file: v.file === null ? null : v.file.id })),
    pgd: level(mm.pt.pgd),
    pud: level(mm.pt.pud),
    pmd: level(mm.pt.pmd),
    pte: level(mm.pt.pte),
    files: [...machineFiles(m)].map((f) => `${f.id}:${f.users}:${String(f.cache)}`),
    faults: m.cost.faults,
  };
}

interface Row {
  /** The call and the rule it stands for (kernel function, or "C type"). */
  readonly call: string;
  readonly run: (w: World) => unknown;
  readonly expect: Refusal;
}

const thrown = (fn: string, arg: string): { throws: RegExp } => ({ throws: new RegExp(`^${fn}: ${arg.replace('.', '\\.')} must be `) });

const rows: readonly Row[] = [
  // mmap: arch/x86 sys_mmap, mm/mmap.c ksys_mmap_pgoff, do_mmap, __get_unmapped_area.
  { call: 'mmap length NaN (C type: unsigned long)', run: (w) => mmap(w.mm, { length: NaN, prot: RW, flags: ANON }), expect: thrown('mmap', 'opts.length') },
  { call: 'mmap length 4096.5 (C type)', run: (w) => mmap(w.mm, { length: 4096.5, prot: RW, flags: ANON }), expect: thrown('mmap', 'opts.length') },
  { call: 'mmap length 0 (do_mmap: !len)', run: (w) => mmap(w.mm, { length: 0, prot: RW, flags: ANON }), expect: { returns: -EINVAL } },
  { call: 'mmap length -1 (do_mmap: PAGE_ALIGN wraps to 0)', run: (w) => mmap(w.mm, { length: -1, prot: RW, flags: ANON }), expect: { returns: -ENOMEM } },
  { call: 'mmap length -1 with MAP_HUGETLB (ksys_mmap_pgoff ALIGN wraps to 0, then !len)', run: (w) => mmap(w.mm, { length: -1, prot: RW, flags: ANON | MAP_HUGETLB }), expect: { returns: -EINVAL } },
  { call: 'mmap length TASK_SIZE_MAX + 4096 (x86 get_unmapped_area: len > TASK_SIZE)', run: (w) => mmap(w.mm, { length: TASK_SIZE_MAX + 4096, prot: RW, flags: ANON }), expect: { returns: -ENOMEM } },
  { call: 'mmap MAP_FIXED addr -4096 (__get_unmapped_area: addr > TASK_SIZE - len)', run: (w) => mmap(w.mm, { addr: -4096, length: 4096, prot: RW, flags: ANON | MAP_FIXED }), expect: { returns: -ENOMEM } },
  { call: 'mmap MAP_FIXED addr TASK_SIZE_MAX (addr > TASK_SIZE - len)', run: (w) => mmap(w.mm, { addr: TASK_SIZE_MAX, length: 4096, prot: RW, flags: ANON | MAP_FIXED }), expect: { returns: -ENOMEM } },
  { call: 'mmap MAP_FIXED addr B + 1 over B (offset_in_page(addr); B stays)', run: (w) => mmap(w.mm, { addr: B + 1, length: 4096, prot: RW, flags: ANON | MAP_FIXED }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_FIXED addr NaN (C type)', run: (w) => mmap(w.mm, { addr: NaN, length: 4096, prot: RW, flags: ANON | MAP_FIXED }), expect: thrown('mmap', 'opts.addr') },
  { call: 'mmap hint 1.5 (C type)', run: (w) => mmap(w.mm, { addr: 1.5, length: 4096, prot: RW, flags: ANON }), expect: thrown('mmap', 'opts.addr') },
  { call: 'mmap MAP_HUGETLB MAP_FIXED at a 4 KiB boundary (hugetlb get_unmapped_area)', run: (w) => mmap(w.mm, { addr: BASE + 64 * MIB + 4096, length: 2 * MIB, prot: RW, flags: ANON | MAP_HUGETLB | MAP_FIXED }), expect: { returns: -EINVAL } },
  { call: 'mmap offset 100 (sys_mmap: off & ~PAGE_MASK)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, offset: 100 }), expect: { returns: -EINVAL } },
  { call: 'mmap offset -4096 of a file (file_mmap_ok)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_SHARED, file: w.file, offset: -4096 }), expect: { returns: -EOVERFLOW } },
  { call: 'mmap offset 0.5 (C type)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, offset: 0.5 }), expect: thrown('mmap', 'opts.offset') },
  { call: 'mmap flags NaN (C type: int)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: NaN }), expect: thrown('mmap', 'opts.flags') },
  { call: 'mmap flags 2^32 (C type: int)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: 2 ** 32 }), expect: thrown('mmap', 'opts.flags') },
  { call: 'mmap flags -1 (ksys_mmap_pgoff: hstate_sizelog(63) is NULL)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: -1 }), expect: { returns: -EINVAL } },
  { call: 'mmap flags MAP_ANONYMOUS, no type (do_mmap: default case)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_ANONYMOUS }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_SHARED_VALIDATE | MAP_ANONYMOUS (anonymous switch has no such case)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_SHARED_VALIDATE | MAP_ANONYMOUS }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE of a file (not in LEGACY_MAP_MASK)', run: (w) => mmap(w.mm, { addr: BASE + 64 * MIB, length: 4096, prot: RW, flags: MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, file: w.file }), expect: { returns: -EOPNOTSUPP } },
  { call: 'mmap MAP_SHARED_VALIDATE | MAP_FIXED | 0x200 over C (-EOPNOTSUPP before the unmap; C stays)', run: (w) => mmap(w.mm, { addr: C, length: 4096, prot: RW, flags: MAP_SHARED_VALIDATE | MAP_FIXED | 0x200, file: w.file }), expect: { returns: -EOPNOTSUPP } },
  { call: 'mmap MAP_FIXED | MAP_FIXED_NOREPLACE over B (do_mmap: -EEXIST wins; B stays)', run: (w) => mmap(w.mm, { addr: B, length: 4096, prot: RW, flags: ANON | MAP_FIXED | MAP_FIXED_NOREPLACE }), expect: { returns: -EEXIST } },
  { call: 'mmap MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN (VM_GROWSDOWN on shared memory)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_SHARED | MAP_ANONYMOUS | 0x0100 }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_DROPPABLE | MAP_LOCKED (do_mmap: droppable memory cannot be locked)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: 0x08 | MAP_ANONYMOUS | 0x2000 }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_DROPPABLE (the model does not implement it)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: 0x08 | MAP_ANONYMOUS }), expect: thrown('mmap', 'opts.flags') },
  { call: 'mmap MAP_LOCKED (the model does not implement it)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON | 0x2000 }), expect: thrown('mmap', 'opts.flags') },
  { call: 'mmap undefined bit 0x200, MAP_PRIVATE (the model refuses what it does not know)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON | 0x200 }), expect: thrown('mmap', 'opts.flags') },
  { call: 'mmap MAP_HUGETLB | MAP_HUGE_64KB (hstate_sizelog(16) is NULL on x86-64)', run: (w) => mmap(w.mm, { length: 2 * MIB, prot: RW, flags: ANON | MAP_HUGETLB | (16 << MAP_HUGE_SHIFT) }), expect: { returns: -EINVAL } },
  { call: 'mmap MAP_HUGETLB of an ext4 file (ksys_mmap_pgoff)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_SHARED | MAP_HUGETLB, file: w.file }), expect: { returns: -EINVAL } },
  { call: 'mmap prot 0.5 (C type: int)', run: (w) => mmap(w.mm, { length: 4096, prot: 0.5, flags: ANON }), expect: thrown('mmap', 'opts.prot') },
  { call: 'mmap order 10 (model policy: 0..PMD_ORDER)', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, order: 10 }), expect: thrown('mmap', 'opts.order') },
  { call: 'mmap order -1', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, order: -1 }), expect: thrown('mmap', 'opts.order') },
  { call: 'mmap backing "xfs"', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: MAP_SHARED, backing: 'xfs' as never }), expect: thrown('mmap', 'opts.backing') },
  { call: 'mmap zone "dma"', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, zone: 'dma' as never }), expect: thrown('mmap', 'opts.zone') },
  { call: 'mmap placement "random"', run: (w) => mmap(w.mm, { length: 4096, prot: RW, flags: ANON, placement: 'random' as never }), expect: thrown('mmap', 'opts.placement') },

  // munmap: mm/vma.c do_vmi_munmap.
  { call: 'munmap addr NaN (C type)', run: (w) => munmap(w.mm, NaN, 4096), expect: thrown('munmap', 'addr') },
  { call: 'munmap length 1.5 (C type)', run: (w) => munmap(w.mm, B, 1.5), expect: thrown('munmap', 'length') },
  { call: 'munmap addr -4096 (start > TASK_SIZE)', run: (w) => munmap(w.mm, -4096, 4096), expect: { returns: -EINVAL } },
  { call: 'munmap length -1 over B (len > TASK_SIZE - start; B stays)', run: (w) => munmap(w.mm, B, -1), expect: { returns: -EINVAL } },
  { call: 'munmap E, 8192 (len > TASK_SIZE - start; E stays)', run: (w) => munmap(w.mm, E, 8192), expect: { returns: -EINVAL } },
  { call: 'munmap addr TASK_SIZE_MAX (len > TASK_SIZE - start)', run: (w) => munmap(w.mm, TASK_SIZE_MAX, 4096), expect: { returns: -EINVAL } },
  { call: 'munmap addr B + 1 (offset_in_page(start))', run: (w) => munmap(w.mm, B + 1, 4096), expect: { returns: -EINVAL } },
  { call: 'munmap length 0 (end == start)', run: (w) => munmap(w.mm, B, 0), expect: { returns: -EINVAL } },

  // handleMmFault: arch/x86/mm/fault.c do_user_addr_fault (bad_area: no handle_mm_fault, no PGFAULT).
  { call: 'handleMmFault addr NaN (C type)', run: (w) => handleMmFault(w.mm, NaN), expect: thrown('handleMmFault', 'addr') },
  { call: 'handleMmFault addr B + 0.5 (C type)', run: (w) => handleMmFault(w.mm, B + 0.5), expect: thrown('handleMmFault', 'addr') },
  { call: 'handleMmFault addr -4096 (no VMA: bad_area, pgfault not counted)', run: (w) => handleMmFault(w.mm, -4096, { write: true }), expect: { returns: -EFAULT } },
  { call: 'handleMmFault addr TASK_SIZE_MAX (no VMA)', run: (w) => handleMmFault(w.mm, TASK_SIZE_MAX, { write: true }), expect: { returns: -EFAULT } },
  { call: 'handleMmFault flags.write 1 (C type: FAULT_FLAG_WRITE is a bit, the option a boolean)', run: (w) => handleMmFault(w.mm, B + 2 * 4096, { write: 1 as never }), expect: thrown('handleMmFault', 'flags.write') },
  { call: 'handleMmFault flags.unshare "yes"', run: (w) => handleMmFault(w.mm, B + 4096, { unshare: 'yes' as never }), expect: thrown('handleMmFault', 'flags.unshare') },

  // Fault steps: the addresses, slots and bools handle_mm_fault guarantees them.
  { call: 'hugetlbFault vpn outside D', run: (w) => hugetlbFault(w.mm, w.vma(D), vpnOf(D + 2 * MIB), true, false), expect: thrown('hugetlbFault', 'vpn') },
  { call: 'hugetlbFault on B, not VM_HUGETLB', run: (w) => hugetlbFault(w.mm, w.vma(B), vpnOf(B), true, false), expect: thrown('hugetlbFault', 'vma') },
  { call: 'hugetlbFault write 1', run: (w) => hugetlbFault(w.mm, w.vma(D), vpnOf(D), 1 as never, false), expect: thrown('hugetlbFault', 'write') },
  { call: 'pmdMappable vpn NaN', run: (w) => pmdMappable(w.vma(A), NaN), expect: thrown('pmdMappable', 'vpn') },
  { call: 'createHugePmd on A + 2 MiB with the slot of A', run: (w) => createHugePmd(w.mm, w.vma(A), pmdSlot(w.mm.pt, vpnOf(A), false), vpnOf(A + 2 * MIB), true), expect: thrown('createHugePmd', 'ms') },
  { call: 'createHugePmd on B (order 0: not PMD-mappable)', run: (w) => createHugePmd(w.mm, w.vma(B), pmdSlot(w.mm.pt, vpnOf(B), false), vpnOf(B), true), expect: thrown('createHugePmd', 'vpn') },
  { call: 'wpHugePmd on the none PMD at A + 2 MiB', run: (w) => wpHugePmd(w.mm, w.vma(A), pmdSlot(w.mm.pt, vpnOf(A + 2 * MIB), false), vpnOf(A + 2 * MIB), false), expect: thrown('wpHugePmd', 'ms') },
  { call: 'maybeMkwrite bits 0x40 (no such _PAGE_ bit)', run: (w) => maybeMkwrite(w.vma(B), 0x40), expect: thrown('maybeMkwrite', 'bits') },
  { call: 'maybeMkwrite bits 1.5', run: (w) => maybeMkwrite(w.vma(B), 1.5), expect: thrown('maybeMkwrite', 'bits') },
  { call: 'wpCanReuseAnonFolio folio nrPages (C type: struct folio *)', run: (w) => wpCanReuseAnonFolio(w.mm, w.m.nrPages), expect: thrown('wpCanReuseAnonFolio', 'folio') },
  { call: 'wpCanReuseAnonFolio a THP tail page', run: (w) => wpCanReuseAnonFolio(w.mm, w.thp + 1), expect: thrown('wpCanReuseAnonFolio', 'folio') },
  { call: 'doWpPage on the none PTE of B page 2', run: (w) => doWpPage(w.mm, w.vma(B), pteSlot(w.mm.pt, vpnOf(B + 2 * 4096), false), false), expect: thrown('doWpPage', 'slot') },
  { call: 'doWpPage slot -1', run: (w) => doWpPage(w.mm, w.vma(B), -1, false), expect: thrown('doWpPage', 'slot') },
  { call: 'doWpPage unshare 0', run: (w) => doWpPage(w.mm, w.vma(B), pteSlot(w.mm.pt, vpnOf(B + 4096), false), 0 as never), expect: thrown('doWpPage', 'unshare') },
  { call: 'wpPageCopy slot NaN', run: (w) => wpPageCopy(w.mm, w.vma(B), NaN, false), expect: thrown('wpPageCopy', 'slot') },

  // Range walkers: populate_vma_page_range's VM_BUG_ONs; zap and split take what their callers guarantee.
  { call: 'zapVma start B + 1 (unaligned)', run: (w) => zapVma(w.mm, w.vma(B), B + 1, B + 4096), expect: thrown('zapVma', 'start') },
  { call: 'zapVma end past B', run: (w) => zapVma(w.mm, w.vma(B), B, B + 128 * 1024), expect: thrown('zapVma', 'end') },
  { call: 'zapVma end before start', run: (w) => zapVma(w.mm, w.vma(B), B + 8192, B + 4096), expect: thrown('zapVma', 'end') },
  { call: 'splitHugePmd vpn outside A', run: (w) => splitHugePmd(w.mm, w.vma(A), vpnOf(B)), expect: thrown('splitHugePmd', 'vpn') },
  { call: 'populateVmaPageRange end past B', run: (w) => populateVmaPageRange(w.mm, w.vma(B), B, B + 128 * 1024), expect: thrown('populateVmaPageRange', 'end') },

  // installFolio.
  { call: 'installFolio folio nrPages (C type: struct folio *)', run: (w) => installFolio(w.mm, B + 2 * 4096, w.m.nrPages, { writable: true }), expect: thrown('installFolio', 'folio') },
  { call: 'installFolio folio -1', run: (w) => installFolio(w.mm, B + 2 * 4096, -1, { writable: true }), expect: thrown('installFolio', 'folio') },
  { call: 'installFolio a THP tail page', run: (w) => installFolio(w.mm, B + 2 * 4096, w.thp + 1, { writable: true }), expect: thrown('installFolio', 'folio') },
  { call: 'installFolio addr NaN', run: (w) => installFolio(w.mm, NaN, w.fresh, { writable: true }), expect: thrown('installFolio', 'addr') },
  { call: 'installFolio addr -4096 (no VMA, as the fault would find)', run: (w) => installFolio(w.mm, -4096, w.fresh, { writable: true }), expect: { returns: -EFAULT } },
  { call: 'installFolio opts.writable 1', run: (w) => installFolio(w.mm, B + 2 * 4096, w.fresh, { writable: 1 as never }), expect: thrown('installFolio', 'opts.writable') },
  { call: 'installFolio opts.pmd and opts.pud', run: (w) => installFolio(w.mm, A + 2 * MIB, w.fresh, { pmd: true, pud: true, writable: false }), expect: thrown('installFolio', 'opts.pud') },

  // User access: copy_{to,from}_user's access_ok fails before anything is touched.
  { call: 'userWrite addr NaN (C type)', run: (w) => userWrite(w.mm, NaN, 4096), expect: thrown('userWrite', 'addr') },
  { call: 'userWrite E, 8192 (access_ok: past TASK_SIZE_MAX; E not written)', run: (w) => userWrite(w.mm, E, 8192, 5), expect: { returns: -EFAULT } },
  { call: 'userWrite length -1 (access_ok: size_t above TASK_SIZE)', run: (w) => userWrite(w.mm, B, -1, 5), expect: { returns: -EFAULT } },
  { call: 'userWrite tag 1.5 (the content tag is an int)', run: (w) => userWrite(w.mm, B, 4096, 1.5), expect: thrown('userWrite', 'tag') },
  { call: 'userRead out of 1 for 2 pages (C: buffer overflow)', run: (w) => userRead(w.mm, B, 8192, new Int32Array(1)), expect: thrown('userRead', 'out') },
  { call: 'userRead length Infinity', run: (w) => userRead(w.mm, B, Infinity), expect: thrown('userRead', 'length') },
  { call: 'userReadTags length -4096 (access_ok)', run: (w) => userReadTags(w.mm, B, -4096), expect: { returns: -EFAULT } },
  { call: 'userReadTags addr 0.5', run: (w) => userReadTags(w.mm, 0.5, 4096), expect: thrown('userReadTags', 'addr') },

  // migrateFolioLongterm.
  { call: 'migrateFolioLongterm folio nrPages (C type: struct folio *)', run: (w) => migrateFolioLongterm(w.m, w.m.nrPages), expect: thrown('migrateFolioLongterm', 'folio') },
  { call: 'migrateFolioLongterm a THP tail page', run: (w) => migrateFolioLongterm(w.m, w.thp + 1), expect: thrown('migrateFolioLongterm', 'folio') },
];

describe('address-space calls refused, nothing changed', () => {
  for (const row of rows) {
    it(row.call, () => {
      const w = world();
      expectRefused({ call: row.call, m: w.m, run: () => row.run(w), expect: row.expect, state: () => mmState(w) });
      done(w);
    });
  }
});

describe('the last good value beside each boundary', () => {
  it('mmap: MAP_FIXED at TASK_SIZE_MAX - 4096 (world E), order PMD_ORDER (world A); a negative anonymous offset is ignored', () => {
    const w = world();
    expect(w.vma(E).end).toBe(TASK_SIZE_MAX);
    expect(w.vma(A).order).toBe(9);
    // sys_mmap: -4096 is page aligned; do_mmap sets an anonymous pgoff from the address.
    const at = BASE + 64 * MIB;
    expect(mmap(w.mm, { addr: at, length: 4096, prot: RW, flags: ANON | MAP_FIXED, offset: -4096 })).toBe(at);
    expect(w.vma(at).pgoff).toBe(at / 4096);
    done(w);
  });

  it('mmap: MAP_SHARED drops bits outside LEGACY_MAP_MASK; prot bits beyond RWX are ignored', () => {
    const w = world();
    const at = BASE + 64 * MIB;
    expect(mmap(w.mm, { addr: at, length: 4096, prot: PROT_READ | 0x8, flags: MAP_SHARED | MAP_FIXED | 0x200, file: w.file })).toBe(at);
    expect(w.vma(at).flags & 0xff).toBe(VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | 0x8 /* VM_SHARED */ | 0x80 /* VM_MAYSHARE */);
    done(w);
  });

  it('munmap: the last page of user space (start + len == TASK_SIZE) unmaps E', () => {
    const w = world();
    expect(munmap(w.mm, E, 4096)).toBe(0);
    expect(vmaLookup(w.mm.vmas, E)).toBeNull();
    done(w);
  });

  it('handleMmFault: TASK_SIZE_MAX - 1 is inside E and counts one fault', () => {
    const w = world();
    const before = w.m.stat.pgfault;
    expect(handleMmFault(w.mm, TASK_SIZE_MAX - 1, { write: true })).toBe(0);
    expect(w.m.stat.pgfault).toBe(before + 1);
    done(w);
  });

  it('userReadTags: [TASK_SIZE_MAX - 4096, TASK_SIZE_MAX) reads E; length 0 reads nothing', () => {
    const w = world();
    expect(userReadTags(w.mm, E, 4096)).toEqual(new Int32Array([9]));
    expect(userReadTags(w.mm, E, 0)).toEqual(new Int32Array(0));
    expect(userWrite(w.mm, E, 0, 5)).toBe(0);
    done(w);
  });

  it('installFolio: the last PFN of the memmap is a folio like any other', () => {
    const w = world();
    const last = allocFolio(w.m, 0, { pfn: w.m.nrPages - 1 });
    expect(last).toBe(w.m.nrPages - 1);
    expect(installFolio(w.mm, B + 2 * 4096, last, { writable: true })).toBe(0);
    expect(pageAt(w.mm.pt, vpnOf(B + 2 * 4096))).toBe(last);
    done(w);
  });

  it('maybeMkwrite: every modelled _PAGE_ bit (0x3f) is accepted', () => {
    const w = world();
    const all = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_SPECIAL | _PAGE_PSE;
    expect(all).toBe(0x3f);
    expect(maybeMkwrite(w.vma(B), all & ~_PAGE_RW)).toBe(0x3f);
    done(w);
  });

  it('wpCanReuseAnonFolio / migrateFolioLongterm: a head PFN is accepted', () => {
    const w = world();
    // The THP has refcount 1 but is not order 0: never reused (wp-page.ts header).
    expect(wpCanReuseAnonFolio(w.mm, w.thp)).toBe(false);
    done(w);
  });
});
