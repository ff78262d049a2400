/**
 * Page tables: x86-64 4-level paging (pgd -> pud -> pmd -> pte; the p4d level is
 * folded, as with CONFIG_X86_5LEVEL off), with PMD (2 MiB) and PUD (1 GiB) leaves.
 *
 * Models the entries GUP reads (arch/x86/include/asm/pgtable_types.h bits
 * `_PAGE_PRESENT`, `_PAGE_RW`, `_PAGE_DIRTY`, `_PAGE_ACCESSED`, `_PAGE_SPECIAL`,
 * `_PAGE_PSE`) and the index arithmetic of `pgd_index` / `pud_index` / `pmd_index` /
 * `pte_index`. Data layout: one pool per level, each a pair of typed arrays (value:
 * a PFN for a leaf or the index of the next-level table; bits) holding whole 512-entry
 * tables back to back; no object per entry. Simplified: table pages are never freed
 * before the mm goes away (the kernel's free_pgtables reclaims them at munmap; a huge
 * leaf placed over one that maps nothing detaches it, clearDeadTable), and
 * there are no swap, migration or PROT_NONE entries: an entry is present or none.
 *
 * A virtual page number (vpn = addr / PAGE_SIZE) reaches 2^35, beyond the 32-bit
 * bitwise operators, so the indices use division; within one table the walkers step
 * slots with plain increments.
 *
 * Arguments: an address is a non-negative safe integer; a vpn is an integer below 2^36,
 * the 512^4 pages four levels of 512-entry tables index (the kernel's pgd_index would
 * mask a larger one onto a lower slot; the model refuses it rather than alias it);
 * `alloc` is a boolean; a leaf is a `findLeaf` result >= 0. Anything else throws an
 * ArgumentError (arg-check.ts) before any table is allocated. Each check is a few
 * comparisons, once per call.
 */
import { INT_MAX, PAGE_SIZE } from './constants.js';
import { badArgument, checkBool, checkCount, checkUnsignedLong } from './arg-check.js';

/** `PTRS_PER_PTE` = `PTRS_PER_PMD` = `PTRS_PER_PUD` = `PTRS_PER_PGD` = 512. */
export const PTRS_PER_TABLE = 512;
/** Pages covered by one PMD entry. */
export const PMD_PAGES = 512;
/** Pages covered by one PUD entry. */
export const PUD_PAGES = 512 * 512;
/** Pages covered by one PGD entry. */
export const PGD_PAGES = 512 * 512 * 512;
/** Virtual pages the four levels index: 2^36 (a 48-bit address space). */
const NR_VPNS = PGD_PAGES * PTRS_PER_TABLE;

function checkVpn(fn: string, vpn: number): void {
  if (!(vpn >= 0 && vpn < NR_VPNS && Math.floor(vpn) === vpn))
    badArgument(fn, 'vpn', vpn, `a virtual page number in 0..${NR_VPNS - 1}`);
}

/** `_PAGE_PRESENT`. */
export const _PAGE_PRESENT = 0x01;
/** `_PAGE_RW`: writable. */
export const _PAGE_RW = 0x02;
/** `_PAGE_DIRTY`. */
export const _PAGE_DIRTY = 0x04;
/** `_PAGE_ACCESSED` (young). */
export const _PAGE_ACCESSED = 0x08;
/** `_PAGE_SPECIAL`: no struct page behind it for GUP (zero page, PFN maps). */
export const _PAGE_SPECIAL = 0x10;
/** `_PAGE_PSE`: a leaf at PMD or PUD level. */
export const _PAGE_PSE = 0x20;

/** Level numbers, bottom up. */
export const PTE_LEVEL = 0;
export const PMD_LEVEL = 1;
export const PUD_LEVEL = 2;
export const PGD_LEVEL = 3;

/** One level's pool of tables. */
export class PageTableLevel {
  /** PFN (leaf) or next-level table index (non-leaf), per slot. */
  val: Int32Array;
  /** _PAGE_* bits per slot; 0 is pte_none. */
  bits: Uint8Array;
  /** Tables allocated so far; table t owns slots [t*512, t*512+512). */
  nrTables = 0;

  constructor(initialTables: number) {
    // Slot numbers are ints (findLeaf packs slot * 4 + level), so a pool stays below INT_MAX slots.
    checkCount('PageTableLevel', 'initialTables', initialTables, Math.floor(INT_MAX / (4 * PTRS_PER_TABLE)));
    this.val = new Int32Array(initialTables * PTRS_PER_TABLE);
    this.bits = new Uint8Array(initialTables * PTRS_PER_TABLE);
  }

  /** Allocates a zeroed table (pte_alloc / pmd_alloc / pud_alloc) and returns its index. */
  allocTable(): number {
    const t = this.nrTables;
    if ((t + 1) * PTRS_PER_TABLE > this.val.length) {
      const cap = Math.max(4, this.nrTables * 2) * PTRS_PER_TABLE;
      const val = new Int32Array(cap);
      val.set(this.val);
      const bits = new Uint8Array(cap);
      bits.set(this.bits);
      this.val = val;
      this.bits = bits;
    }
    this.nrTables = t + 1;
    return t;
  }
}

/** An mm's page tables: four pools; the pgd is table 0 of its pool. */
export class PageTables {
  readonly pte = new PageTableLevel(8);
  readonly pmd = new PageTableLevel(2);
  readonly pud = new PageTableLevel(1);
  readonly pgd = new PageTableLevel(1);

  constructor() {
    this.pgd.allocTable();
  }

  /** The pool of a level (PTE_LEVEL..PGD_LEVEL). */
  level(l: number): PageTableLevel {
    if ((l >>> 0) !== l || l > PGD_LEVEL) badArgument('PageTables.level', 'l', l, `a level in ${PTE_LEVEL}..${PGD_LEVEL}`);
    return l === PTE_LEVEL ? this.pte : l === PMD_LEVEL ? this.pmd : l === PUD_LEVEL ? this.pud : this.pgd;
  }
}

/** The virtual page number of an address (addr >> PAGE_SHIFT). */
export function vpnOf(addr: number): number {
  checkUnsignedLong('vpnOf', 'addr', addr);
  return Math.floor(addr / PAGE_SIZE);
}

/** `pgd_index`. */
export function pgdIndex(vpn: number): number {
  checkVpn('pgdIndex', vpn);
  return Math.floor(vpn / PGD_PAGES);
}

/** `pud_index`. */
export function pudIndex(vpn: number): number {
  checkVpn('pudIndex', vpn);
  return Math.floor(vpn / PUD_PAGES) % PTRS_PER_TABLE;
}

/** `pmd_index`. */
export function pmdIndex(vpn: number): number {
  checkVpn('pmdIndex', vpn);
  return Math.floor(vpn / PMD_PAGES) % PTRS_PER_TABLE;
}

/** `pte_index`. */
export function pteIndex(vpn: number): number {
  checkVpn('pteIndex', vpn);
  return vpn % PTRS_PER_TABLE;
}

function checkSlotArgs(fn: string, vpn: number, alloc: boolean): void {
  checkVpn(fn, vpn);
  checkBool(fn, 'alloc', alloc);
}

/**
 * The slot of the PUD entry covering vpn, allocating the PUD table when `alloc`
 * (`pud_alloc`). -1 when the pgd entry is none and `alloc` is false.
 */
export function pudSlot(pt: PageTables, vpn: number, alloc: boolean): number {
  checkSlotArgs('pudSlot', vpn, alloc);
  return pudSlotOf(pt, vpn, alloc);
}

function pudSlotOf(pt: PageTables, vpn: number, alloc: boolean): number {
  const g = Math.floor(vpn / PGD_PAGES);
  const pgd = pt.pgd;
  if ((pgd.bits[g]! & _PAGE_PRESENT) === 0) {
    if (!alloc) return -1;
    pgd.val[g] = pt.pud.allocTable();
    pgd.bits[g] = _PAGE_PRESENT | _PAGE_RW;
  }
  return pgd.val[g]! * PTRS_PER_TABLE + (Math.floor(vpn / PUD_PAGES) % PTRS_PER_TABLE);
}

/**
 * The slot of the PMD entry covering vpn (`pmd_alloc` when `alloc`). -1 when a level
 * above is none (and !alloc) or the PUD entry is a leaf.
 */
export function pmdSlot(pt: PageTables, vpn: number, alloc: boolean): number {
  checkSlotArgs('pmdSlot', vpn, alloc);
  return pmdSlotOf(pt, vpn, alloc);
}

function pmdSlotOf(pt: PageTables, vpn: number, alloc: boolean): number {
  const s = pudSlotOf(pt, vpn, alloc);
  if (s < 0) return -1;
  const pud = pt.pud;
  const b = pud.bits[s]!;
  if ((b & _PAGE_PRESENT) === 0) {
    if (!alloc) return -1;
    pud.val[s] = pt.pmd.allocTable();
    pud.bits[s] = _PAGE_PRESENT | _PAGE_RW;
  } else if ((b & _PAGE_PSE) !== 0) return -1;
  return pud.val[s]! * PTRS_PER_TABLE + (Math.floor(vpn / PMD_PAGES) % PTRS_PER_TABLE);
}

/**
 * The slot of the PTE covering vpn (`pte_alloc` + `pte_offset_map` when `alloc`). -1
 * when a level above is none (and !alloc) or a PMD/PUD leaf maps vpn.
 */
export function pteSlot(pt: PageTables, vpn: number, alloc: boolean): number {
  checkSlotArgs('pteSlot', vpn, alloc);
  const s = pmdSlotOf(pt, vpn, alloc);
  if (s < 0) return -1;
  const pmd = pt.pmd;
  const b = pmd.bits[s]!;
  if ((b & _PAGE_PRESENT) === 0) {
    if (!alloc) return -1;
    pmd.val[s] = pt.pte.allocTable();
    pmd.bits[s] = _PAGE_PRESENT | _PAGE_RW;
  } else if ((b & _PAGE_PSE) !== 0) return -1;
  return pmd.val[s]! * PTRS_PER_TABLE + (vpn % PTRS_PER_TABLE);
}

/**
 * Clears the PMD or PUD entry at `slot` of `level` when it points to a table that maps
 * nothing (every entry none, or under a PUD entry none or a PMD entry to such a table):
 * a table left by an earlier, smaller mapping, which the kernel's free_pgtables would
 * have freed at munmap (the model keeps table pages until exit). True when the entry
 * is none afterwards; false when it is a leaf or something below it is still mapped.
 */
export function clearDeadTable(pt: PageTables, level: number, slot: number): boolean {
  if (level !== PMD_LEVEL && level !== PUD_LEVEL) badArgument('clearDeadTable', 'level', level, 'PMD_LEVEL or PUD_LEVEL');
  const lv = pt.level(level);
  checkCount('clearDeadTable', 'slot', slot, lv.nrTables * PTRS_PER_TABLE - 1);
  const b = lv.bits[slot]!;
  if (b === 0) return true;
  if ((b & _PAGE_PSE) !== 0 || !tableMapsNothing(pt, level - 1, lv.val[slot]!)) return false;
  lv.bits[slot] = 0;
  lv.val[slot] = 0;
  return true;
}

function tableMapsNothing(pt: PageTables, level: number, table: number): boolean {
  const lv = level === PTE_LEVEL ? pt.pte : pt.pmd;
  const base = table * PTRS_PER_TABLE;
  for (let i = base; i < base + PTRS_PER_TABLE; i++) {
    const b = lv.bits[i]!;
    if (b === 0) continue;
    if (level === PTE_LEVEL || (b & _PAGE_PSE) !== 0 || !tableMapsNothing(pt, PTE_LEVEL, lv.val[i]!)) return false;
  }
  return true;
}

/**
 * The present leaf mapping vpn, encoded as `slot * 4 + level` (PTE_LEVEL, PMD_LEVEL or
 * PUD_LEVEL), or -1 when nothing maps it. Decode with `leafLevel` / `leafSlot`.
 */
export function findLeaf(pt: PageTables, vpn: number): number {
  checkVpn('findLeaf', vpn);
  return findLeafOf(pt, vpn);
}

function findLeafOf(pt: PageTables, vpn: number): number {
  const us = pudSlotOf(pt, vpn, false);
  if (us < 0) return -1;
  const ub = pt.pud.bits[us]!;
  if ((ub & _PAGE_PRESENT) === 0) return -1;
  if ((ub & _PAGE_PSE) !== 0) return us * 4 + PUD_LEVEL;
  const ms = pt.pud.val[us]! * PTRS_PER_TABLE + (Math.floor(vpn / PMD_PAGES) % PTRS_PER_TABLE);
  const mb = pt.pmd.bits[ms]!;
  if ((mb & _PAGE_PRESENT) === 0) return -1;
  if ((mb & _PAGE_PSE) !== 0) return ms * 4 + PMD_LEVEL;
  const ts = pt.pmd.val[ms]! * PTRS_PER_TABLE + (vpn % PTRS_PER_TABLE);
  if ((pt.pte.bits[ts]! & _PAGE_PRESENT) === 0) return -1;
  return ts * 4 + PTE_LEVEL;
}

function checkLeaf(fn: string, leaf: number): void {
  if (!(Number.isSafeInteger(leaf) && leaf >= 0))
    badArgument(fn, 'leaf', leaf, 'a findLeaf result >= 0 (a leaf was found)');
}

/** The level of a `findLeaf` result. */
export function leafLevel(leaf: number): number {
  checkLeaf('leafLevel', leaf);
  return leaf % 4;
}

/** The slot of a `findLeaf` result. */
export function leafSlot(leaf: number): number {
  checkLeaf('leafSlot', leaf);
  return Math.floor(leaf / 4);
}

/**
 * The page (PFN) that a present leaf maps at vpn: the PTE's PFN, or the leaf's head
 * PFN plus vpn's offset inside the PMD/PUD. -1 (NULL_PFN) when nothing is mapped.
 */
export function pageAt(pt: PageTables, vpn: number): number {
  checkVpn('pageAt', vpn);
  const leaf = findLeafOf(pt, vpn);
  if (leaf < 0) return -1;
  const level = leaf % 4;
  const slot = Math.floor(leaf / 4);
  if (level === PTE_LEVEL) return pt.pte.val[slot]!;
  if (level === PMD_LEVEL) return pt.pmd.val[slot]! + (vpn % PMD_PAGES);
  return pt.pud.val[slot]! + (vpn % PUD_PAGES);
}

/** The _PAGE_* bits of the leaf mapping vpn, or 0 when nothing is mapped. */
export function leafBitsAt(pt: PageTables, vpn: number): number {
  checkVpn('leafBitsAt', vpn);
  const leaf = findLeafOf(pt, vpn);
  if (leaf < 0) return 0;
  return pt.level(leaf % 4).bits[Math.floor(leaf / 4)]!;
}
