/**
 * Where the proposals and the control part ways on purpose: 4 GiB of physically
 * adjacent 1 GiB hugetlb folios pinned in one request under the 'physical' policy.
 * A bvec's bv_len is an unsigned int, so the bvec proposals end a bvec at UINT_MAX:
 * 4 GiB - 4 KiB, then 4 KiB. The control merges with bio_add_page (block/bio.c, T),
 * which refuses once the *bio* would pass BIO_MAX_SIZE (UINT_MAX): 3 GiB in the first
 * bio, 1 GiB in the second. Same pins, same bytes, different vectors. Under 'folio'
 * every proposal gives four 1 GiB bvecs, three in the first bio.
 *
 * Machine: 5 GiB, so the four order-18 folios land at PFNs 262144 * (1..4), the
 * next-fit allocator's first aligned slots.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, type MergePolicy } from '../../src/index.js';
import { proposals } from '../../proposals/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { runsOf } from './observe.js';

const GIB = 1024 * MIB;
const G = 262144;

function pin4GiB(name: string, merge: MergePolicy): { runs: [number, number, number][]; bios: number[] } {
  const { mm } = world({ memoryBytes: 5 * GIB });
  mapAt(mm, BASE, 4 * GIB, { backing: 'hugetlb-1g', populate: true });
  const p = proposals.find((x) => x.name === name)!;
  const io = p.pin(mm, { start: BASE, length: 4 * GIB, gupFlags: FOLL_WRITE }, { merge });
  expect(io.ret).toBe(4 * GIB);
  const out = { runs: runsOf(io).map((r): [number, number, number] => [r.page, r.len, r.offset]), bios: io.bios.map((b) => b.vcnt) };
  p.complete(mm, io, true);
  return out;
}

describe('4 GiB of adjacent 1 GiB folios', () => {
  const bvecProposals = proposals.filter((p) => p.option !== 'control').map((p) => p.name);

  it.each(bvecProposals)("%s, 'physical': one bvec up to UINT_MAX, the last page alone", (name) => {
    expect(pin4GiB(name, 'physical')).toEqual({ runs: [[G, 4 * GIB - 4096, 0], [5 * G - 1, 4096, 0]], bios: [1, 1] });
  });

  it("page-array, 'physical': bio_add_page stops merging when the bio is full", () => {
    expect(pin4GiB('page-array', 'physical')).toEqual({ runs: [[G, 3 * GIB, 0], [4 * G, GIB, 0]], bios: [1, 1] });
  });

  it.each(proposals.map((p) => p.name))("%s, 'folio': four 1 GiB bvecs, the fourth in a second bio", (name) => {
    expect(pin4GiB(name, 'folio')).toEqual({
      runs: [[G, GIB, 0], [2 * G, GIB, 0], [3 * G, GIB, 0], [4 * G, GIB, 0]],
      bios: [3, 1],
    });
  });
});
