/**
 * When the model accepts -ENOMEM (or a short pin) without an injected failure: only when
 * memory really is short. The machines are sized so this is rare, but a sequence of
 * forks, huge pages and pins kept alive past munmap can fill a zone, and the model
 * cannot predict the allocator's placement. So an -ENOMEM is accepted only if, after
 * the call, the zone it could have allocated from has no free naturally aligned block
 * of the order it could have needed (mm/memory.c vm_fault_to_errno: VM_FAULT_OOM is
 * -ENOMEM; mm/gup.c returns what it pinned before the failure, or the error).
 */
import { ENOMEM, PG_ALLOCATED, zoneByName, type Machine, type ZoneName } from '../../src/index.js';
import { note } from './coverage.js';
import type { Kind } from './model.js';

/** Whether `zone` has a free, naturally aligned block of 2^order pages. */
export function hasFreeBlock(m: Machine, zone: ZoneName, order: number): boolean {
  const z = zoneByName(m, zone);
  const nr = 1 << order;
  const flags = m.flags;
  for (let b = Math.ceil(z.start / nr) * nr; b + nr <= z.end; b += nr) {
    let free = true;
    for (let p = b; p < b + nr; p++) {
      if ((flags[p]! & PG_ALLOCATED) !== 0) {
        free = false;
        break;
      }
    }
    if (free) return true;
  }
  return false;
}

/**
 * The largest folio an operation on a mapping of `kind` may have to allocate: a 2 MiB
 * hugetlb page (no fallback, mm/hugetlb.c); shmem's page-cache order (filemap's
 * allocation of an uncached block has no fallback in the model, mm/file.ts); for
 * anonymous memory order 0 (mTHP and THP faults fall back to it), except a long-term
 * pin migrating a large anonymous folio, which needs its order in ZONE_NORMAL.
 */
export function neededOrder(kind: Kind, migrating: boolean): number {
  if (kind.backing === 'hugetlb-2m') return 9;
  if (kind.backing === 'shmem') return kind.order;
  return migrating ? kind.order : 0;
}

/**
 * Whether an -ENOMEM from an operation on `kind` is genuine: the mapping's zone, or
 * ZONE_NORMAL for a long-term pin (memalloc_pin_save and migration targets), has no
 * free block of the order needed.
 */
export function memoryShort(m: Machine, kind: Kind | null, longterm: boolean): boolean {
  if (kind === null) return false;
  const migrating = longterm && kind.zone !== 'normal';
  const order = neededOrder(kind, migrating);
  const short = !hasFreeBlock(m, kind.zone, order) || (longterm && !hasFreeBlock(m, 'normal', order));
  if (short) note('-ENOMEM accepted: memory short');
  return short;
}

/** An -ENOMEM from an operation (not a long-term pin) on `kind` that the model accepts. */
export function enomemAccepted(m: Machine, kind: Kind | null, ret: number): boolean {
  return ret === -ENOMEM && memoryShort(m, kind, false);
}
