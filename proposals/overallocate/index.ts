/**
 * Option (3), the caller overallocates: one bvec per page the range touches,
 * DIV_ROUND_UP(offset_in_page(start) + len, PAGE_SIZE), kvmalloc'd by the caller, one
 * call to pin_user_bvecs(), bios pointed at the array, kvfree() at completion. See
 * README.md for the contract.
 */
import {
  PAGE_SIZE,
  SIZEOF_BIO_VEC,
  BvecArray,
  bioOpForGupFlags,
  bioSlices,
  completePinnedIo,
  divRoundUp,
  failedIo,
  kvfree,
  kvmallocArray,
  pinUserBvecs,
  pinnedIo,
  recordReturn,
  userOffsetInPage,
  type Bio,
  type Mm,
  type PinRequest,
  type PinStrategy,
  type PinnedIo,
  type ReturnRun,
  type StrategySettings,
} from '../../src/index.js';

function pin(mm: Mm, req: PinRequest, settings: StrategySettings): PinnedIo {
  const m = mm.m;
  const rv: ReturnRun[] = [];
  const worst = divRoundUp(userOffsetInPage(req.start) + req.length, PAGE_SIZE);
  const a = kvmallocArray(m, worst, SIZEOF_BIO_VEC);
  if (typeof a === 'number') return failedIo(a, 0, rv);
  const bvecs = new BvecArray(worst);
  const out = { done: 0 };
  const n = pinUserBvecs(mm, req.start, req.length, req.gupFlags, bvecs, worst, out, settings.merge);
  recordReturn(rv, n);
  if (n <= 0) {
    kvfree(m, a, 0);
    return failedIo(n, 1, rv);
  }
  const bios: Bio[] = [];
  bioSlices(m, bvecs, 0, n, bioOpForGupFlags(req.gupFlags), bios);
  return pinnedIo(out.done, bios, 1, rv, [{ alloc: a, usedBytes: n * SIZEOF_BIO_VEC }]);
}

/** Option (3): overallocate for the worst case and call once. */
export const proposal: PinStrategy = {
  name: 'overallocate',
  summary: 'option 3: the caller kvmallocs one bvec per page touched and calls pin_user_bvecs once',
  option: 3,
  settings: ['merge'],
  mergePolicies: ['folio', 'physical'],
  pin,
  complete: (mm, io, markDirty) => completePinnedIo(mm.m, io, markDirty),
};
