/**
 * What a run changed in a world: the memmap fields that differ from the snapshot taken
 * before it (as (field, PFN, value) entries), and a digest of the whole final state
 * (that delta, vmstat, every address space's page tables and VMAs, every file's page
 * cache). Two runs from identical snapshots end in the same state exactly when their
 * digests match; the deltas then say where two states differ.
 *
 * PG_referenced is left out: it is an LRU ageing hint that GUP-fast sets and the slow
 * path does not, so it says which path ran, not what state the pin left behind. The
 * vmstat pin counters enter as their difference (pins in flight): a call that restarts
 * on a page GUP-fast must hand to the slow path (a read-only pin that unshares) grabs
 * and drops that page once more, which raises both totals equally, as in the kernel.
 *
 * Not a kernel concept. Comparing arrays goes 16 Ki entries at a time through
 * Buffer.equals (memcmp), so a 100 GiB memmap that barely changed is cheap to diff.
 */
import { createHash, type Hash } from 'node:crypto';
import { machineFiles } from '../mm/file.js';
import type { Machine } from '../mm/machine.js';
import { PG_REFERENCED } from '../mm/page-flags.js';
import { formatAddress } from './units.js';
import { MEMMAP_FIELDS, snapshotValue, vmaKey, worldMms, type MemmapField, type WorldSnapshot } from './machine-snapshot.js';
import type { ScenarioWorld } from './scenario-build.js';

/** Memmap changes: entries (field index into MEMMAP_FIELDS, PFN, value after), by field then PFN. */
export interface StateDelta {
  /** Flattened triples. */
  readonly entries: Float64Array;
  /** sha256 of the final state (hex). */
  readonly digest: string;
}

const CHUNK = 16384;
const FLAGS_KEPT = ~PG_REFERENCED & 0xffff;

function bytesOf(a: ArrayBufferView, from: number, to: number, width: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset + from * width, (to - from) * width);
}

/**
 * The memmap entries that differ from the snapshot, as flattened triples; PG_referenced
 * is ignored (and cleared in the values) unless `allFlags`.
 */
export function memmapDelta(m: Machine, s: WorldSnapshot, allFlags = false): Float64Array {
  const kept = allFlags ? 0xffff : FLAGS_KEPT;
  const out: number[] = [];
  for (let fi = 0; fi < MEMMAP_FIELDS.length; fi++) {
    const field = MEMMAP_FIELDS[fi]!;
    const now = m[field];
    const copy = s.memmap[field];
    const width = now.BYTES_PER_ELEMENT;
    // A snapshot leaves out an all-zero array: compare with zeros of the same width.
    const was: ArrayLike<number> & ArrayBufferView = copy ?? new (now.constructor as new (n: number) => typeof now)(CHUNK);
    for (let from = 0; from < now.length; from += CHUNK) {
      const to = Math.min(from + CHUNK, now.length);
      if (copy === null) {
        if (bytesOf(now, from, to, width).equals(bytesOf(was, 0, to - from, width))) continue;
        for (let p = from; p < to; p++) if (now[p] !== 0) out.push(fi, p, field === 'flags' ? now[p]! & kept : now[p]!);
        continue;
      }
      if (bytesOf(now, from, to, width).equals(bytesOf(copy, from, to, width))) continue;
      if (field === 'flags') {
        for (let p = from; p < to; p++) if ((now[p]! & kept) !== (copy[p]! & kept)) out.push(fi, p, now[p]! & kept);
      } else for (let p = from; p < to; p++) if (now[p] !== copy[p]) out.push(fi, p, now[p]!);
    }
  }
  return Float64Array.from(out);
}

function hashView(h: Hash, a: ArrayBufferView, length: number, width: number): void {
  h.update(bytesOf(a, 0, length, width));
}

/** The delta of a world against its snapshot, with the digest of its final state. */
export function stateDelta(w: ScenarioWorld, s: WorldSnapshot): StateDelta {
  const m = w.m;
  const entries = memmapDelta(m, s);
  const h = createHash('sha256');
  h.update(Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength));
  const { nrFollPinAcquired, nrFollPinReleased, ...events } = m.stat;
  h.update(JSON.stringify({ ...events, pinsInFlight: nrFollPinAcquired - nrFollPinReleased }));
  for (const mm of worldMms(w)) {
    h.update(`mm ${vmaKey(mm)} ${mm.hasPinned ? 1 : 0} ${mm.writeProtectSeq}`);
    for (const l of [mm.pt.pte, mm.pt.pmd, mm.pt.pud, mm.pt.pgd]) {
      h.update(`level ${l.nrTables}`);
      hashView(h, l.val, l.nrTables * 512, 4);
      hashView(h, l.bits, l.nrTables * 512, 1);
    }
  }
  for (const f of machineFiles(m)) {
    h.update(`file ${f.kind} ${f.nrPages} ${f.users}`);
    hashView(h, f.cache, f.cache.length, 4);
  }
  return { entries, digest: h.digest('hex') };
}

/** How many entries a delta has. */
export function deltaSize(d: StateDelta): number {
  return d.entries.length / 3;
}

/** The field named by a delta entry. */
export function deltaField(d: StateDelta, i: number): MemmapField {
  return MEMMAP_FIELDS[d.entries[i * 3]!]!;
}

function entryText(field: MemmapField, pfn: number, value: number): string {
  return `${field}[${formatAddress(pfn)}] = ${value}`;
}

/** A snapshot's value as the delta compares it (flags without PG_referenced). */
function baseValue(s: WorldSnapshot, field: MemmapField, pfn: number): number {
  const v = snapshotValue(s, field, pfn);
  return field === 'flags' ? v & FLAGS_KEPT : v;
}

/**
 * The first place two final states differ, in words, comparing `d` with the reference
 * `ref` (both against snapshot `s`); null when their memmap deltas are equal.
 */
export function firstMemmapDifference(d: StateDelta, ref: StateDelta, s: WorldSnapshot): string | null {
  const a = d.entries;
  const b = ref.entries;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ka = i < a.length ? a[i]! * 2 ** 32 + a[i + 1]! : Infinity;
    const kb = j < b.length ? b[j]! * 2 ** 32 + b[j + 1]! : Infinity;
    if (ka === kb) {
      if (a[i + 2] !== b[j + 2]) {
        const field = MEMMAP_FIELDS[a[i]!]!;
        return `${entryText(field, a[i + 1]!, a[i + 2]!)} where the reference has ${b[j + 2]}`;
      }
      i += 3;
      j += 3;
    } else if (ka < kb) {
      const field = MEMMAP_FIELDS[a[i]!]!;
      return `${entryText(field, a[i + 1]!, a[i + 2]!)} where the reference left ${baseValue(s, field, a[i + 1]!)}`;
    } else {
      const field = MEMMAP_FIELDS[b[j]!]!;
      return `${field}[${formatAddress(b[j + 1]!)}] left at ${baseValue(s, field, b[j + 1]!)} where the reference has ${b[j + 2]}`;
    }
  }
  return null;
}
