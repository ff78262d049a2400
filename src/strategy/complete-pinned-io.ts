/**
 * The completion every proposal shares: what a driver's bi_end_io does for bios built
 * from pinned user memory, then the release of the arrays the bios pointed into.
 *
 * Faithful to block/bio.c (T): bio_release_pages(bio, mark_dirty) per bio, which unpins
 * each folio step with unpin_user_folio (one pin per page the bvec spans), marking the
 * folio dirty first when asked (a read into user memory). Then kvfree() of each owned
 * array, booking the bytes never written as unused. Also the two shapes a canonical
 * caller's result takes: an error with nothing held, or bytes held in bios.
 * Arguments: `markDirty` a boolean, `err` 0 or a negative errno (-4095..0), byte and
 * call counts non-negative integers: ArgumentError otherwise.
 */
import type { Machine } from '../mm/machine.js';
import { kvfree, type KAlloc } from '../mm/slab.js';
import { bioReleasePages } from '../block/bio-release.js';
import type { Bio } from '../block/bio.js';
import type { PinnedIo, ReturnRun } from './pin-strategy.js';
import { checkBool, checkCount, checkInt, checkUnsignedLong } from '../mm/arg-check.js';

/** Releases every pin the bios hold (per folio, v6.12+), then frees the owned arrays. */
export function completePinnedIo(m: Machine, io: PinnedIo, markDirty: boolean): void {
  checkBool('completePinnedIo', 'markDirty', markDirty);
  const bios = io.bios;
  for (let i = 0; i < bios.length; i++) bioReleasePages(m, bios[i]!, markDirty, 'folio');
  const owned = io.owned;
  for (let i = 0; i < owned.length; i++) kvfree(m, owned[i]!.alloc, owned[i]!.usedBytes);
}

/** What a caller holds after its first call failed: nothing but the error. */
export function failedIo(err: number, calls: number, returnValues: ReturnRun[]): PinnedIo {
  checkInt('failedIo', 'err', err, -4095, 0);
  checkCount('failedIo', 'calls', calls);
  return { ret: err, bios: [], calls, returnValues, owned: [] };
}

/** A finished pin: `done` bytes in `bios`, with the arrays they point into. */
export function pinnedIo(
  done: number,
  bios: Bio[],
  calls: number,
  returnValues: ReturnRun[],
  owned: { readonly alloc: KAlloc; readonly usedBytes: number }[],
): PinnedIo {
  checkUnsignedLong('pinnedIo', 'done', done);
  checkCount('pinnedIo', 'calls', calls);
  return { ret: done, bios, calls, returnValues, owned };
}
