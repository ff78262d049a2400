/**
 * Building bios from vectors (src/strategy/bio-builder.ts), worked by hand from
 * block/bio.c (T): bio_add_page merges a vector into the last bvec when it follows it
 * physically (bvec_try_merge_page, no folio test), tries the merge before the "bio full"
 * test, and refuses once bi_size would pass BIO_MAX_SIZE (UINT_MAX); __bio_add_page
 * never merges; a bio_alloc'd bio holds at most BIO_MAX_VECS. The slice builder must
 * cut bios exactly where the copy builder does, without copying.
 *
 * Memory (tableLayout): order-2 folios at 64 and 68, order-0 at 72, 80, 81.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_MAX_VECS,
  BioCopyBuilder,
  BvecArray,
  FOLL_WRITE,
  REQ_OP_READ,
  REQ_OP_WRITE,
  bioOpForGupFlags,
  bioSlices,
  bvecArrayFrom,
  bvecArrayToList,
  bvecSetPage,
  costDiff,
  costSnapshot,
  type Bio,
  type Machine,
} from '../../src/index.js';
import { tableLayout } from '../block/layout.js';
import { newMachine } from '../support/machines.js';

const P = 4096;

function machine(): Machine {
  const m = newMachine();
  tableLayout(m);
  return m;
}

const vecsOf = (bio: Bio) => bvecArrayToList(bio.vecs!, bio.vcnt).map((b) => [b.page, b.len, b.offset]);

describe('BioCopyBuilder', () => {
  const input = bvecArrayFrom([
    { page: 64, len: 2 * P, offset: 0 },
    { page: 66, len: 2 * P, offset: 0 }, // follows 64..65 physically
    { page: 68, len: P, offset: 0 }, // follows 66..67, another folio
    { page: 72, len: P, offset: 0 }, // 69 would be next: no merge
  ]);

  it("'physical': bio_add_page merges physically contiguous vectors whatever the folio", () => {
    const m = machine();
    const b = new BioCopyBuilder(m, 'physical', REQ_OP_READ);
    const before = costSnapshot(m.cost);
    b.addAll(input, 0, 4, 4);
    expect(b.bios.map(vecsOf)).toEqual([[[64, 5 * P, 0], [72, P, 0]]]);
    expect(b.bios[0]!.size).toBe(6 * P);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ bvecsWritten: 2, biosBuilt: 1 });
  });

  it("'folio': __bio_add_page copies each vector as it is", () => {
    const m = machine();
    const b = new BioCopyBuilder(m, 'folio', REQ_OP_READ);
    b.addAll(input, 0, 4, 4);
    expect(b.bios.map(vecsOf)).toEqual([[[64, 2 * P, 0], [66, 2 * P, 0], [68, P, 0], [72, P, 0]]]);
    expect(m.cost.bvecsWritten).toBe(4);
  });

  it('300 non-mergeable vectors: bios of 256 and 44; bio_alloc sized from what is left', () => {
    const m = machine();
    const b = new BioCopyBuilder(m, 'physical', REQ_OP_READ);
    for (let i = 0; i < 300; i++) b.add(i % 2 === 0 ? 80 : 72, 100, 0, 300 - i);
    expect(b.bios.map((x) => [x.vcnt, x.maxVecs])).toEqual([
      [BIO_MAX_VECS, BIO_MAX_VECS],
      [44, 64], // bio_alloc(44) rounds up to the 64-entry biovec slab
    ]);
  });

  it('a bio never passes BIO_MAX_SIZE: 0xffff0000 bytes then 0x20000 start a second bio', () => {
    const m = machine();
    const b = new BioCopyBuilder(m, 'physical', REQ_OP_READ);
    b.add(64, 0xffff0000, 0, 2);
    b.add(80, 0x20000, 0, 1);
    expect(b.bios.map((x) => x.size)).toEqual([0xffff0000, 0x20000]);
  });
});

describe('bioSlices: bios over the caller array, cut where bio_add_page would refuse', () => {
  it('300 vectors: 256 + 44, pointing into the array (no copy)', () => {
    const m = machine();
    const bvs = new BvecArray(300);
    for (let i = 0; i < 300; i++) bvecSetPage(bvs, i, i % 2 === 0 ? 80 : 72, 100, 0);
    const bios: Bio[] = [];
    const before = costSnapshot(m.cost);
    bioSlices(m, bvs, 0, 300, REQ_OP_WRITE, bios);
    expect(bios.map((x) => x.vcnt)).toEqual([256, 44]);
    expect(bios.map((x) => x.size)).toEqual([25600, 4400]);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject({ bvecsWritten: 0, biosBuilt: 2 });
    bvs.len[256] = 7; // the second bio's first bvec is entry 256 of the array
    expect(bios[1]!.vecs!.len[0]).toBe(7);
  });

  it('the BIO_MAX_SIZE cut, and a slice starting mid-array', () => {
    const m = machine();
    const bvs = bvecArrayFrom([
      { page: 72, len: 5, offset: 0 },
      { page: 64, len: 0xffff0000, offset: 0 },
      { page: 80, len: 0x20000, offset: 0 },
    ]);
    const bios: Bio[] = [];
    bioSlices(m, bvs, 1, 2, REQ_OP_READ, bios);
    expect(bios.map(vecsOf)).toEqual([[[64, 0xffff0000, 0]], [[80, 0x20000, 0]]]);
  });
});

describe('bioOpForGupFlags', () => {
  it('FOLL_WRITE is a read into memory (ITER_DEST), otherwise a write from it', () => {
    expect(bioOpForGupFlags(FOLL_WRITE)).toBe(REQ_OP_READ);
    expect(bioOpForGupFlags(0)).toBe(REQ_OP_WRITE);
  });
});
