/**
 * The model the model-based tests check the machine against: far simpler than the code.
 *
 * Per address space, three fixed "slots" (8 MiB apart from BASE, so a mapping of at most
 * 4 MiB is always followed by a hole) each holding at most one mapping, described by its
 * backing and a per-page "mapped" mask (munmap punches holes). What the process should
 * read is one content tag per page: per mapping for private memory (fork copies the
 * array), per file for shared memory (fork shares the array). The pins the model
 * believes are held are a count per PFN, taken from the bios each PinnedIo holds: one
 * pin per page each bvec spans (block/bio.c __bio_release_pages releases exactly that).
 *
 * The model keeps nothing of folios, page tables, COW or migration: the invariant check
 * (invariants.ts) reads those from the machine and compares them with these counts, and
 * the two predictions that hang on physical placement (which folio a long-term pin
 * would have to migrate, pin-command.ts; which folio a migration moves,
 * migrate-command.ts) look it up in the machine when the command runs.
 * Simplified on purpose: a slot holds one mapping (a MAP_FIXED mmap must replace all of
 * what is mapped there, see map-commands.ts), every mapping is PROT_READ|PROT_WRITE, and
 * a content tag stands for a whole page.
 */
import {
  PAGE_SIZE,
  type Machine,
  type Mm,
  type MmFile,
  type PinnedIo,
  type ZoneName,
} from '../../src/index.js';
import { BASE, MIB } from '../support/mm-layout.js';

export const P = PAGE_SIZE;
/** Pages in a 2 MiB huge page. */
export const HUGE_PAGES = 512;
/** Slots per address space and the distance between them. */
export const NR_SLOTS = 3;
export const SLOT_BYTES = 8 * MIB;
/** At most this many address spaces alive at once (a parent and two children). */
export const MAX_MMS = 3;
/** At most this many PinnedIos held at once. */
export const MAX_HELD = 6;
/** Tags the tests write start here, far from the machine's own nextContentTag. */
export const FIRST_TAG = 1_000_000;

/** The backings a slot can hold. */
export type Backing = 'anon' | 'shmem' | 'hugetlb-2m';

/** What a mapping is: its backing, sharing, folio-order policy and zone. */
export interface Kind {
  readonly backing: Backing;
  readonly shared: boolean;
  /** anon: the fault folio order (0, mTHP 2/4, PMD 9); shmem: the page-cache folio order. */
  readonly order: number;
  readonly zone: ZoneName;
}

/** A shared file as the model sees it: one content tag per page offset. */
export interface MFile {
  readonly id: number;
  readonly tags: Int32Array;
  /** The machine's file, whose page cache the invariant check counts references from. */
  readonly real: MmFile;
}

/** One mapping in one slot of one address space. */
export interface MSlot {
  readonly kind: Kind;
  readonly pages: number;
  /** 1 where the page is still mapped; munmap only ever clears. */
  readonly mapped: Uint8Array;
  /** Private memory: the tag each page should read (0 until written). */
  readonly view: Int32Array | null;
  /**
   * The mapped file (page i of the slot is file offset i): shmem, and hugetlbfs even
   * when private (whose pages are then anonymous and read from `view`).
   */
  readonly file: MFile | null;
}

/** An address space. */
export interface MMm {
  live: boolean;
  readonly slots: (MSlot | null)[];
  /**
   * Per slot: a non-hugetlb mapping was placed there, so PTE tables may be left under it
   * (page-table.ts never frees them; see MmapCmd.check and known-bugs.test.ts).
   */
  readonly pteTables: boolean[];
}

/** One page a held PinnedIo pinned, and where the model expects to find its data. */
export interface HeldPage {
  readonly pfn: number;
  /** The address space and virtual page it was pinned at. */
  readonly mm: number;
  readonly vpn: number;
  /** The mapping and page index whose tag the pinned page must hold. */
  readonly slot: MSlot;
  readonly index: number;
}

/** A PinnedIo the model knows is held. */
export interface Held {
  readonly label: string;
  /** The registered proposal that pinned it (its complete() releases it). */
  readonly proposal: string;
  readonly mm: number;
  readonly write: boolean;
  readonly longterm: boolean;
  /** Every page of every bvec, one entry per pin (the zero page included, which takes none). */
  readonly pages: readonly HeldPage[];
  /** Arrays the bios point into (io.owned.length), freed at completion. */
  readonly owned: number;
}

export interface Model {
  readonly mms: MMm[];
  readonly held: Held[];
  /** Pins the model believes are held, per PFN (never the zero page). */
  readonly pins: Map<number, number>;
  nextTag: number;
  nextFileId: number;
}

/** The system under test: the machine, and real handles parallel to the model's arrays. */
export interface Real {
  readonly m: Machine;
  /** real.mms[i] is model.mms[i]'s Mm. */
  readonly mms: Mm[];
  /** real.ios[i] is model.held[i]'s PinnedIo. */
  readonly ios: PinnedIo[];
}

/** The user address of slot `s`. */
export function slotBase(s: number): number {
  return BASE + s * SLOT_BYTES;
}

/** The virtual page number of page `index` of slot `s`. */
export function slotVpn(s: number, index: number): number {
  return slotBase(s) / P + index;
}

/** Which slot and page index a virtual page number is, or null outside every slot. */
export function vpnSlot(vpn: number): { readonly slot: number; readonly index: number } | null {
  const off = vpn * P - BASE;
  if (off < 0 || off >= NR_SLOTS * SLOT_BYTES) return null;
  const slot = Math.floor(off / SLOT_BYTES);
  return { slot, index: (off - slot * SLOT_BYTES) / P };
}

/** Indices of the live address spaces, in order. */
export function liveMms(md: Readonly<Model>): number[] {
  const out: number[] = [];
  for (let i = 0; i < md.mms.length; i++) if (md.mms[i]!.live) out.push(i);
  return out;
}

/** The live address space an argument picks (arguments are raw numbers, resolved against the model). */
export function pickLive(md: Readonly<Model>, pick: number): number {
  const live = liveMms(md);
  return live[pick % live.length]!;
}

/**
 * The slot an argument picks in address space `mm`: three times in four one that still
 * maps something (so most commands act on memory), else any slot (so unmapped
 * addresses get their -EFAULT too).
 */
export function pickSlot(md: Readonly<Model>, mm: number, pick: number): number {
  const slots = md.mms[mm]!.slots;
  const used: number[] = [];
  for (let s = 0; s < NR_SLOTS; s++) if (slots[s] !== null && slots[s] !== undefined && anyMapped(slots[s]!)) used.push(s);
  if (used.length > 0 && pick % 4 !== 0) return used[Math.floor(pick / 4) % used.length]!;
  return pick % NR_SLOTS;
}

/** Pages a command addresses when the slot holds no mapping (all of them unmapped). */
export const EMPTY_SLOT_PAGES = 16;

/** The pages a command's page argument ranges over in `slot`. */
export function slotPages(slot: MSlot | null): number {
  return slot === null ? EMPTY_SLOT_PAGES : slot.pages;
}

/** Whether page `index` of `slot` is mapped (false past its end, or for no mapping). */
export function isMapped(slot: MSlot | null, index: number): boolean {
  return slot !== null && index >= 0 && index < slot.pages && slot.mapped[index] === 1;
}

/** The tag page `index` of `slot` should read. */
export function expectedTag(slot: MSlot, index: number): number {
  return slot.view !== null ? slot.view[index]! : slot.file!.tags[index]!;
}

/** Records that page `index` of `slot` now holds `tag` (a store, or a device write). */
export function setTag(slot: MSlot, index: number, tag: number): void {
  if (slot.view !== null) slot.view[index] = tag;
  else slot.file!.tags[index] = tag;
}

/** Whether any page of the slot is still mapped. */
export function anyMapped(slot: MSlot): boolean {
  return slot.mapped.includes(1);
}

/**
 * The files alive in the model: those some live address space still maps a page of
 * (each VMA piece holds the file open; the last one going truncates it, mm/file.ts).
 */
export function liveFiles(md: Readonly<Model>): Set<MFile> {
  const out = new Set<MFile>();
  for (const mm of md.mms) {
    if (!mm.live) continue;
    for (const s of mm.slots) if (s !== null && s.file !== null && anyMapped(s)) out.add(s.file);
  }
  return out;
}

/** Pins the model holds in total (vmstat's acquired - released must equal this). */
export function totalPins(md: Readonly<Model>): number {
  let n = 0;
  for (const c of md.pins.values()) n += c;
  return n;
}

/** A fresh mapping of `kind` over `pages` pages. */
export function newSlot(kind: Kind, pages: number, file: MFile | null): MSlot {
  return {
    kind,
    pages,
    mapped: new Uint8Array(pages).fill(1),
    view: kind.shared ? null : new Int32Array(pages),
    file,
  };
}

/** The child's copy of a mapping at fork: private tags copied, the shared file shared. */
export function forkSlot(s: MSlot): MSlot {
  return { kind: s.kind, pages: s.pages, mapped: s.mapped.slice(), view: s.view === null ? null : s.view.slice(), file: s.file };
}

/** The maximal runs of mapped pages of a slot (the VMAs it is made of): [start, end) indices. */
export function mappedRuns(slot: MSlot): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < slot.pages) {
    if (slot.mapped[i] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < slot.pages && slot.mapped[i] === 1) i++;
    out.push([start, i]);
  }
  return out;
}

/** A one-line description of a mapping, for messages. */
export function describeKind(k: Kind): string {
  return `${k.shared ? 'shared' : 'private'} ${k.backing} order ${k.order} ${k.zone}`;
}

/** An empty model with one live address space. */
export function initialModel(): Model {
  return {
    mms: [{ live: true, slots: new Array<MSlot | null>(NR_SLOTS).fill(null), pteTables: new Array<boolean>(NR_SLOTS).fill(false) }],
    held: [],
    pins: new Map(),
    nextTag: FIRST_TAG,
    nextFileId: 1,
  };
}
