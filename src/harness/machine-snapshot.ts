/**
 * A snapshot of a built scenario (the memmap arrays, vmstat, cost counters, zone
 * cursors, every address space's page tables and VMAs) and putting a world back to it.
 *
 * Not a kernel concept: it is how the runner gives every proposal an identical
 * machine without rebuilding a 100 GiB one for each. Restoring is allowed only when
 * nothing structural changed since the snapshot (no folio allocated or freed, no page
 * table or VMA changed, no new address space or file): then the world differs from
 * its snapshot only in memmap fields, counters and MMF_HAS_PINNED, which are copied
 * back. Anything else (a fault, a COW or unshare copy, a migration) means the world
 * must be built again; `restorable` says which.
 */
import { COST_FIELDS, type CostSnapshot, costSnapshot } from '../mm/cost.js';
import type { Machine } from '../mm/machine.js';
import { machineMms, type Mm } from '../mm/mm.js';
import { machineFiles } from '../mm/file.js';
import type { PageTableLevel } from '../mm/page-table.js';
import { vmstatSnapshot, type VmStatSnapshot } from '../mm/vmstat.js';
import type { ScenarioWorld } from './scenario-build.js';

/** The memmap arrays a snapshot keeps, in a fixed order (MEMMAP_FIELDS). */
export const MEMMAP_FIELDS = ['refcount', 'pincount', 'order', 'flags', 'mapcount', 'entireMapcount', 'mapping', 'content'] as const;
export type MemmapField = (typeof MEMMAP_FIELDS)[number];
/** A copy of each memmap array, or null when the array was all zeros (most are, at 100 GiB). */
export type MemmapArrays = { readonly [F in MemmapField]: Machine[F] | null };

/** Bytes compared at a time when looking for non-zero data. */
const ZERO_CHUNK = 1 << 16;
const ZEROS = Buffer.alloc(ZERO_CHUNK);

/** Whether every byte of `a` is zero. */
export function allZero(a: ArrayBufferView): boolean {
  for (let off = 0; off < a.byteLength; off += ZERO_CHUNK) {
    const n = Math.min(ZERO_CHUNK, a.byteLength - off);
    if (!Buffer.from(a.buffer, a.byteOffset + off, n).equals(n === ZERO_CHUNK ? ZEROS : ZEROS.subarray(0, n))) return false;
  }
  return true;
}

/** A memmap field's value at `pfn` in a snapshot. */
export function snapshotValue(s: WorldSnapshot, field: MemmapField, pfn: number): number {
  return s.memmap[field]?.[pfn] ?? 0;
}

/** One page-table pool, copied up to its allocated tables. */
export interface LevelCopy {
  readonly nrTables: number;
  readonly val: Int32Array;
  readonly bits: Uint8Array;
}

/** One address space's page tables and VMAs. */
export interface MmSnapshot {
  readonly mm: Mm;
  readonly levels: readonly LevelCopy[];
  /** Each VMA's start, end, flags and pgoff, joined: VMAs are small and few. */
  readonly vmas: string;
  readonly hasPinned: boolean;
  readonly writeProtectSeq: number;
}

export interface WorldSnapshot {
  readonly memmap: MemmapArrays;
  readonly stat: VmStatSnapshot;
  readonly cost: CostSnapshot;
  readonly warnings: number;
  readonly zoneCursors: readonly number[];
  /** The allocator generator's state (scattered placement draws from it). */
  readonly rngState: string;
  readonly mms: readonly MmSnapshot[];
  readonly nrFiles: number;
}

function copyLevel(l: PageTableLevel): LevelCopy {
  const used = l.nrTables * 512;
  return { nrTables: l.nrTables, val: l.val.slice(0, used), bits: l.bits.slice(0, used) };
}

function levelsOf(mm: Mm): PageTableLevel[] {
  return [mm.pt.pte, mm.pt.pmd, mm.pt.pud, mm.pt.pgd];
}

/** The VMAs of an address space as one comparable string. */
export function vmaKey(mm: Mm): string {
  return mm.vmas.map((v) => `${v.start}-${v.end}:${v.flags}:${v.pgoff}:${v.anonVma ? 1 : 0}`).join(',');
}

/** The address spaces of a world in a fixed order: the pinning one, then the fork child. */
export function worldMms(w: ScenarioWorld): Mm[] {
  return w.child === null ? [w.mm] : [w.mm, w.child];
}

/** Copies everything `restore` needs. */
export function takeSnapshot(w: ScenarioWorld): WorldSnapshot {
  const m = w.m;
  const memmap = {} as { [F in MemmapField]: Machine[F] | null };
  for (const f of MEMMAP_FIELDS) (memmap as Record<MemmapField, unknown>)[f] = allZero(m[f]) ? null : m[f].slice();
  return {
    memmap,
    stat: vmstatSnapshot(m.stat),
    cost: costSnapshot(m.cost),
    warnings: m.warnings.length,
    zoneCursors: m.zones.map((z) => z.cursor),
    rngState: m.rng.getState().join(','),
    mms: worldMms(w).map((mm) => ({
      mm,
      levels: levelsOf(mm).map(copyLevel),
      vmas: vmaKey(mm),
      hasPinned: mm.hasPinned,
      writeProtectSeq: mm.writeProtectSeq,
    })),
    nrFiles: machineFiles(m).size,
  };
}

function levelEquals(l: PageTableLevel, c: LevelCopy): boolean {
  if (l.nrTables !== c.nrTables) return false;
  const used = c.nrTables * 512;
  return (
    Buffer.from(l.val.buffer, l.val.byteOffset, used * 4).equals(Buffer.from(c.val.buffer, c.val.byteOffset, used * 4)) &&
    Buffer.from(l.bits.buffer, l.bits.byteOffset, used).equals(Buffer.from(c.bits.buffer, c.bits.byteOffset, used))
  );
}

/** Whether the world's page tables, VMAs, address spaces and files are those of the snapshot. */
export function sameStructure(w: ScenarioWorld, s: WorldSnapshot): boolean {
  const m = w.m;
  if (m.stat.folioAllocs !== s.stat.folioAllocs || m.stat.folioFrees !== s.stat.folioFrees) return false;
  if (machineMms(m).size !== s.mms.length || machineFiles(m).size !== s.nrFiles) return false;
  for (let i = 0; i < m.zones.length; i++) if (m.zones[i]!.cursor !== s.zoneCursors[i]) return false;
  if (m.rng.getState().join(',') !== s.rngState) return false;
  for (const ms of s.mms) {
    if (!ms.mm.live || vmaKey(ms.mm) !== ms.vmas || ms.mm.writeProtectSeq !== ms.writeProtectSeq) return false;
    const levels = levelsOf(ms.mm);
    for (let l = 0; l < levels.length; l++) if (!levelEquals(levels[l]!, ms.levels[l]!)) return false;
  }
  return true;
}

/**
 * Puts the world back to the snapshot, if `sameStructure` holds; returns whether it
 * did. The arrays are copied into the existing buffers (no new memory is touched).
 */
export function restore(w: ScenarioWorld, s: WorldSnapshot): boolean {
  if (!sameStructure(w, s)) return false;
  const m = w.m;
  for (const f of MEMMAP_FIELDS) {
    const copy = s.memmap[f];
    if (copy === null) m[f].fill(0);
    else (m[f] as { set(a: ArrayLike<number>): void }).set(copy);
  }
  Object.assign(m.stat, s.stat);
  for (const f of COST_FIELDS) m.cost[f] = s.cost[f];
  m.warnings.length = s.warnings;
  for (const ms of s.mms) ms.mm.hasPinned = ms.hasPinned;
  return true;
}
