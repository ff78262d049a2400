/**
 * Option (1), the callee allocates: pin_user_bvecs_alloc() sizes and allocates the
 * bvec array (or pin_user_bvec_list() a chunk list), the caller points bios at it
 * without copying and kvfree()s it at completion. The sizing variant is a setting
 * ('grow' by default). See README.md for the contract.
 */
import {
  BVEC_CHUNK_DEFAULT_ENTRIES,
  bioOpForGupFlags,
  bioSlices,
  calleeBvecs,
  calleeBvecsUsedBytes,
  completePinnedIo,
  failedIo,
  pinUserBvecsAlloc,
  pinnedIo,
  recordReturn,
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
  const sizing = settings.sizing ?? 'grow';
  const out = calleeBvecs();
  const n = pinUserBvecsAlloc(mm, req.start, req.length, req.gupFlags, out, sizing, settings.merge, settings.chunkSize ?? BVEC_CHUNK_DEFAULT_ENTRIES);
  recordReturn(rv, n);
  if (n <= 0) return failedIo(n, 1, rv);
  const bvecs = out.bvecs!;
  const opf = bioOpForGupFlags(req.gupFlags);
  const bios: Bio[] = [];
  if (out.chunkEntries === 0) {
    bioSlices(m, bvecs, 0, n, opf, bios);
  } else {
    // A bio's table is contiguous: one run of bios per chunk.
    for (let first = 0; first < n; first += out.chunkEntries) bioSlices(m, bvecs, first, Math.min(out.chunkEntries, n - first), opf, bios);
  }
  const owned = out.allocs.map((alloc, k) => ({ alloc, usedBytes: calleeBvecsUsedBytes(out, k) }));
  return pinnedIo(out.done, bios, 1, rv, owned);
}

/** Option (1): pin_user_bvecs_alloc(). */
export const proposal: PinStrategy = {
  name: 'callee-allocates',
  summary: 'option 1: pin_user_bvecs_alloc sizes and allocates the bvec array, the caller kvfree()s it',
  option: 1,
  settings: ['merge', 'sizing', 'chunkSize'],
  mergePolicies: ['folio', 'physical'],
  pin,
  complete: (mm, io, markDirty) => completePinnedIo(mm.m, io, markDirty),
};
