/**
 * Canonical runs: what the equivalence check compares instead of the raw vectors.
 * Adjacent vectors (in bio order, across bio boundaries) that continue each other
 * under the row's merge policy are coalesced, so that each canonical run is maximal:
 *
 * - 'folio': the next vector starts at the byte right after the previous one ends,
 *   and that byte lies in the same folio as the previous vector's last byte;
 * - 'physical': the next vector starts at the byte right after the previous one ends.
 *
 * Two rows that describe the same bytes in the same order with the same folio runs
 * then compare equal however they cut those runs: at an extraction boundary
 * (iov_iter_extract_bvecs never extends the bvec a previous call wrote), at a bio
 * boundary, or at UINT_MAX bytes (bv_len). What the cuts cost (bvecs, bios, atomics)
 * stays in the counters. A vector that crosses a folio under 'folio', or vectors out of
 * order, survive canonicalisation and still differ.
 *
 * Not a kernel concept. Folios are read from the machine as it is while the bios hold
 * their pins, so call this before the release.
 */
import { PAGE_SIZE } from '../mm/constants.js';
import { pageFolio } from '../mm/folio.js';
import type { Machine } from '../mm/machine.js';
import type { MergePolicy } from '../strategy/pin-strategy.js';

/**
 * `vectors` as (physical byte address, length) pairs (biosVectors), coalesced into
 * maximal runs under `merge`; the same pairs, fewer or as many.
 */
export function canonicalRuns(m: Machine, vectors: Float64Array, merge: MergePolicy): Float64Array {
  const n = vectors.length;
  if (n === 0) return new Float64Array(0);
  const out = new Float64Array(n);
  const folio = merge === 'folio';
  let k = 0;
  let start = vectors[0]!;
  let len = vectors[1]!;
  for (let i = 2; i < n; i += 2) {
    const at = vectors[i]!;
    const l = vectors[i + 1]!;
    const end = start + len;
    const continues =
      at === end && (!folio || pageFolio(m, Math.floor((end - 1) / PAGE_SIZE)) === pageFolio(m, Math.floor(at / PAGE_SIZE)));
    if (continues) {
      len += l;
      continue;
    }
    out[k++] = start;
    out[k++] = len;
    start = at;
    len = l;
  }
  out[k++] = start;
  out[k++] = len;
  return out.slice(0, k);
}
