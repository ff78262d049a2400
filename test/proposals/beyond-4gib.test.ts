/**
 * Where the proposals and the controls cut runs differently: 4 GiB of physically
 * adjacent 1 GiB hugetlb folios pinned in one request.
 *
 * Under 'physical', a bvec's bv_len is an unsigned int, so the bvec proposals end a
 * bvec at UINT_MAX: 4 GiB - 4 KiB, then 4 KiB. The page-array control merges with
 * bio_add_page (block/bio.c, T), which refuses once the *bio* would pass BIO_MAX_SIZE
 * (UINT_MAX): 3 GiB in the first bio, 1 GiB in the second. Same pins, same bytes,
 * different vectors, and the same maximal run: 4 GiB from the first folio.
 *
 * Under 'folio' every proposal gives four 1 GiB bvecs, three in the first bio, except
 * the extract-bvecs control: iov_iter_extract_bvecs (lib/iov_iter.c, T) takes at most
 * max_vecs - nr_vecs pages per call and never extends the previous call's bvec, so its
 * 256-vector bios (bio_iov_vecs_to_alloc, block/fops.c) hold 256 + 255 + ... + 1 =
 * 32896 pages in 256 calls, one bvec each. A call that crosses a folio boundary writes
 * two bvecs; with the crossing in call c the bio is full after call 255 and holds
 * 32896 - (256 - c) pages. S(k) = k(513 - k)/2 pages after k calls of a bio:
 *   bio 7 starts at page 7 x 32896 = 230272; the boundary at 262144 is 31872 in;
 *     S(211) = 31861 < 31872 < S(212) = 31906: call 212, 32852 pages;
 *   bio 15 starts at 230272 + 32852 + 7 x 32896 = 493396; 524288 is 30892 in;
 *     S(193) = 30880 < 30892 < S(194) = 30943: call 194, 32834 pages;
 *   bio 23 starts at 493396 + 32834 + 7 x 32896 = 756502; 786432 is 29930 in;
 *     S(179) = 29893 < 29930 < S(180) = 29970: call 180, 32820 pages;
 *   bios 24..30 are full, ending at 756502 + 32820 + 7 x 32896 = 1019594, so bio 31
 *     takes the last 1048576 - 1019594 = 28982 pages: S(168) = 28980, then 2 pages,
 *     169 calls and 169 bvecs.
 * That is 32 bios, 31 x 256 + 169 = 8105 bvecs in 31 x 256 - 3 + 169 = 8102 calls,
 * describing the same four 1 GiB runs.
 *
 * Machine: 5 GiB, so the four order-18 folios land at PFNs 262144 * (1..4), the
 * next-fit allocator's first aligned slots.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, type MergePolicy } from '../../src/index.js';
import { proposals } from '../../proposals/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { canonicalRuns, runsOf } from './observe.js';

const GIB = 1024 * MIB;
const G = 262144;
const P = 4096;

type Triple = [number, number, number];

interface Pinned {
  readonly vectors: Triple[];
  readonly runs: Triple[];
  readonly bios: number[];
  readonly biosBytes: number[];
  readonly calls: number;
}

function pin4GiB(name: string, merge: MergePolicy): Pinned {
  const { m, mm } = world({ memoryBytes: 5 * GIB });
  mapAt(mm, BASE, 4 * GIB, { backing: 'hugetlb-1g', populate: true });
  const p = proposals.find((x) => x.name === name)!;
  const io = p.pin(mm, { start: BASE, length: 4 * GIB, gupFlags: FOLL_WRITE }, { merge });
  expect(io.ret).toBe(4 * GIB);
  const triple = (r: { page: number; len: number; offset: number }): Triple => [r.page, r.len, r.offset];
  const vectors = runsOf(io);
  const out = {
    vectors: vectors.map(triple),
    runs: canonicalRuns(m, vectors, merge).map(triple),
    bios: io.bios.map((b) => b.vcnt),
    biosBytes: io.bios.map((b) => b.size),
    calls: io.calls,
  };
  p.complete(mm, io, true);
  return out;
}

const FOUR_FOLIOS: Triple[] = [[G, GIB, 0], [2 * G, GIB, 0], [3 * G, GIB, 0], [4 * G, GIB, 0]];

describe('4 GiB of adjacent 1 GiB folios', () => {
  const bvecProposals = proposals.filter((p) => p.option !== 'control').map((p) => p.name);

  it.each(bvecProposals)("%s, 'physical': one bvec up to UINT_MAX, the last page alone; one 4 GiB run", (name) => {
    const got = pin4GiB(name, 'physical');
    expect([got.vectors, got.bios]).toEqual([[[G, 4 * GIB - 4096, 0], [5 * G - 1, 4096, 0]], [1, 1]]);
    expect(got.runs).toEqual([[G, 4 * GIB, 0]]);
  });

  it("page-array, 'physical': bio_add_page stops merging when the bio is full", () => {
    const got = pin4GiB('page-array', 'physical');
    expect([got.vectors, got.bios]).toEqual([[[G, 3 * GIB, 0], [4 * G, GIB, 0]], [1, 1]]);
    // Cut elsewhere than the bvec proposals' vectors, the same maximal run.
    expect(got.runs).toEqual([[G, 4 * GIB, 0]]);
  });

  it.each(proposals.filter((p) => p.name !== 'extract-bvecs').map((p) => p.name))(
    "%s, 'folio': four 1 GiB bvecs, the fourth in a second bio",
    (name) => {
      const got = pin4GiB(name, 'folio');
      expect([got.vectors, got.runs, got.bios]).toEqual([FOUR_FOLIOS, FOUR_FOLIOS, [3, 1]]);
    },
  );

  it("extract-bvecs, 'folio': 8105 bvecs in 32 bios, the same four 1 GiB runs", () => {
    const got = pin4GiB('extract-bvecs', 'folio');
    expect(got.runs).toEqual(FOUR_FOLIOS);
    expect(got.bios).toEqual([...Array<number>(31).fill(256), 169]);
    expect(got.vectors).toHaveLength(8105);
    expect(got.calls).toBe(8102);
    // Bio 0: calls of 256, 255, ..., 1 pages from the first folio's head.
    const first: Triple[] = [];
    for (let k = 0, at = G; k < 256; at += 256 - k, k++) first.push([at, (256 - k) * P, 0]);
    expect(got.vectors.slice(0, 256)).toEqual(first);
    const pages = got.biosBytes.map((b) => b / P);
    expect([pages[0], pages[7], pages[15], pages[23], pages[24], pages[31]]).toEqual([32896, 32852, 32834, 32820, 32896, 28982]);
    // Bio 7's call 212 starts 31861 pages into the bio, at request page 230272 + 31861 =
    // 262133 (PFN G + 262133), and takes 257 - 212 = 45 pages: 11 up to the second
    // folio, 34 from its head. They are bvecs 211 and 212 of the bio.
    expect(got.vectors.slice(7 * 256 + 211, 7 * 256 + 213)).toEqual([
      [G + 262133, 11 * P, 0],
      [2 * G, 34 * P, 0],
    ]);
  });
});
