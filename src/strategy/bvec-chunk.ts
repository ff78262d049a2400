/**
 * The chunk of a chunked bvec list: the rlist layout of Jason Gunthorpe's 2023 branch
 * (github.com/jgunthorpe/linux lib/rlist.c @58d7e0578a09: `struct rlist_chunk` is a
 * `next` pointer followed by entries, 512 bytes from a kmem_cache) holding
 * `struct bio_vec` entries instead of rlist's 8/16/24-byte encodings.
 *
 * Not a kernel structure (rlist never merged). Simplified: the chunk comes from kmalloc
 * (the 512-byte class for the default size) rather than a dedicated kmem_cache, which
 * costs the same bytes; the end of a partly used chunk is found from the list's total
 * count rather than rlist's END_PAD marker entry. Counts that are not non-negative
 * integers (entries and chunk numbers up to INT_MAX) are an ArgumentError.
 */
import { SIZEOF_BIO_VEC, SIZEOF_POINTER } from '../mm/constants.js';
import { checkCount, checkUnsignedLong } from '../mm/arg-check.js';

/** Bytes before a chunk's entries: the `next` pointer. */
export const BVEC_CHUNK_HEADER = SIZEOF_POINTER;

/**
 * Bvecs per chunk by default: rlist's 512-byte chunk less its 8-byte header holds
 * (512 - 8) / 16 = 31 bio_vecs.
 */
export const BVEC_CHUNK_DEFAULT_ENTRIES = Math.floor((512 - BVEC_CHUNK_HEADER) / SIZEOF_BIO_VEC);

/** Bytes of a chunk holding `entries` bvecs: header plus entries. */
export function bvecChunkBytes(entries: number): number {
  checkCount('bvecChunkBytes', 'entries', entries);
  return BVEC_CHUNK_HEADER + entries * SIZEOF_BIO_VEC;
}

/** Bytes written in chunk `k` (0-based) when the list holds `nr` bvecs in chunks of `entries`. */
export function bvecChunkUsedBytes(k: number, nr: number, entries: number): number {
  checkCount('bvecChunkUsedBytes', 'k', k);
  checkUnsignedLong('bvecChunkUsedBytes', 'nr', nr);
  checkCount('bvecChunkUsedBytes', 'entries', entries);
  const inChunk = Math.min(Math.max(nr - k * entries, 0), entries);
  return BVEC_CHUNK_HEADER + inChunk * SIZEOF_BIO_VEC;
}
