/**
 * Whether two snapshots describe the same machine (memmap, vmstat, zone cursors, the
 * allocator's generator, page tables, VMAs, files): the runner's proof that building a
 * scenario again gives the machine the first build gave. Not a kernel concept.
 */
import { MEMMAP_FIELDS, allZero, type LevelCopy, type WorldSnapshot } from './machine-snapshot.js';

function viewBytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function levelsEqual(a: LevelCopy, b: LevelCopy): boolean {
  return a.nrTables === b.nrTables && viewBytes(a.val).equals(viewBytes(b.val)) && viewBytes(a.bits).equals(viewBytes(b.bits));
}

/** null when equal, else what differs first. */
export function snapshotsEqual(a: WorldSnapshot, b: WorldSnapshot): string | null {
  for (const f of MEMMAP_FIELDS) {
    const x = a.memmap[f];
    const y = b.memmap[f];
    const same = x === null || y === null ? (x === null ? y === null || allZero(y) : allZero(x)) : viewBytes(x).equals(viewBytes(y));
    if (!same) return `memmap ${f}`;
  }
  if (JSON.stringify(a.stat) !== JSON.stringify(b.stat)) return 'vmstat';
  if (a.zoneCursors.join() !== b.zoneCursors.join()) return 'zone cursors';
  if (a.rngState !== b.rngState) return 'allocator generator';
  if (a.nrFiles !== b.nrFiles || a.mms.length !== b.mms.length) return 'files or address spaces';
  for (let i = 0; i < a.mms.length; i++) {
    const x = a.mms[i]!;
    const y = b.mms[i]!;
    if (x.vmas !== y.vmas || x.hasPinned !== y.hasPinned || x.writeProtectSeq !== y.writeProtectSeq) return `address space ${i}`;
    for (let l = 0; l < x.levels.length; l++) if (!levelsEqual(x.levels[l]!, y.levels[l]!)) return `page tables of address space ${i}`;
  }
  return null;
}
