/**
 * The whole ArgumentError message of each argument check in the extraction half of the
 * block layer (bio-iov-iter.ts, iov-iter-extract-bvecs.ts, direct-io.ts): the model's
 * documented contract is "`fn`: `arg` must be `expected`, got `value`", checked before
 * anything changes (expectRefused). Beside each refusal, the edge value that must be
 * accepted: get_contig_folio_len (lib/iov_iter.c, T @828bcbca) on a whole order-2 folio,
 * and the device options a real block device has (bdev_dma_alignment a 2^k - 1 mask,
 * bdev_logical_block_size a power of two, block/fops.c blkdev_direct_IO in T).
 *
 * The fixture (block-fixture.ts): a 1024-page machine, order-2 folios at 64 and 68,
 * order-0 at 72, 80, 81, a user buffer at BASE backed by an order-2 folio at PFN 128.
 */
import { describe, expect, it } from 'vitest';
import {
  EINVAL,
  NULL_PFN,
  bioIovBvecAligned,
  bioIovIterAlignDown,
  bioIovIterGetPages,
  directIoComplete,
  directIoSubmit,
  getContigFolioLen,
  iovIterExtractBvecs,
  vmstat,
  type AlignDownVariant,
  type UserPageHold,
} from '../../src/index.js';
import { expectRefused } from '../support/refused.js';
import { fx, type Fx } from './block-fixture.js';

const as = <T,>(v: unknown): T => v as T;
const S = (...xs: unknown[]) => () => structuredClone(xs);
/** The message exactly. */
const exact = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const UINT = 'an unsigned int (an integer in 0..4294967295)';
const SIZE_T = 'a size_t (a non-negative safe integer)';
const HOLD = 'one of "pin", "get"';
const VARIANT = 'one of "trial", "fixed"';

interface Row {
  readonly call: string;
  readonly message: string;
  readonly on: (f: Fx) => { run: () => unknown; state?: () => unknown };
}

const rows: readonly Row[] = [
  // bio-iov-iter.ts
  { call: 'bioIovBvecAligned(bio, 511, 1)', message: 'bioIovBvecAligned: debugKernel must be a boolean, got 1', on: (f) => ({ run: () => bioIovBvecAligned(f.bio, 511, as(1)) }) },
  { call: 'bioIovIterAlignDown(m, bio, it, 0, -1)', message: `bioIovIterAlignDown: lenAlignMask must be ${UINT}, got -1`, on: (f) => ({ run: () => bioIovIterAlignDown(f.m, f.bio, f.ubuf, 0, -1), state: S(f.bio, f.ubuf) }) },
  { call: "bioIovIterAlignDown(m, bio, it, 0, 511, 'trial', 'borrow')", message: `bioIovIterAlignDown: hold must be ${HOLD}, got "borrow"`, on: (f) => ({ run: () => bioIovIterAlignDown(f.m, f.bio, f.ubuf, 0, 511, 'trial', as<UserPageHold>('borrow')), state: S(f.bio, f.ubuf) }) },
  { call: 'bioIovIterGetPages(mm, bio, it, 4096, -1, 511)', message: `bioIovIterGetPages: memAlignMask must be ${UINT}, got -1`, on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, -1, 511), state: S(f.bio, f.ubuf) }) },
  { call: 'bioIovIterGetPages(mm, bio, it, 4096, 511, 1.5)', message: `bioIovIterGetPages: lenAlignMask must be ${UINT}, got 1.5`, on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 1.5), state: S(f.bio, f.ubuf) }) },
  { call: "bioIovIterGetPages(mm, bio, it, 4096, 511, 511, { alignDown: 'fix' })", message: `bioIovIterGetPages: opts.alignDown must be ${VARIANT}, got "fix"`, on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 511, { alignDown: as<AlignDownVariant>('fix') }), state: S(f.bio, f.ubuf) }) },
  { call: 'bioIovIterGetPages(mm, bio, it, 4096, 511, 511, { debugKernel: 1 })', message: 'bioIovIterGetPages: opts.debugKernel must be a boolean, got 1', on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 511, { debugKernel: as(1) }), state: S(f.bio, f.ubuf) }) },
  { call: "bioIovIterGetPages(mm, bio, it, 4096, 511, 511, { queuePciP2pdma: 'yes' })", message: 'bioIovIterGetPages: opts.queuePciP2pdma must be a boolean, got "yes"', on: (f) => ({ run: () => bioIovIterGetPages(f.mm, f.bio, f.ubuf, 4096, 511, 511, { queuePciP2pdma: as('yes') }), state: S(f.bio, f.ubuf) }) },
  // iov-iter-extract-bvecs.ts
  { call: 'getContigFolioLen(m, [64], 1, 4096, 0, n)', message: 'getContigFolioLen: at must be an index in 0..0, got 1', on: (f) => { const n = new Int32Array(1); return { run: () => getContigFolioLen(f.m, [64], 1, 4096, 0, n), state: S(n) }; } },
  { call: 'getContigFolioLen(m, [NULL], 0, 4096, 0, n)', message: 'getContigFolioLen: pages[at] must be a PFN in 0..1023, got -1', on: (f) => { const n = new Int32Array(1); return { run: () => getContigFolioLen(f.m, [NULL_PFN], 0, 4096, 0, n), state: S(n) }; } },
  { call: 'getContigFolioLen(m, [64], 0, 4096, -1, n)', message: `getContigFolioLen: offset must be ${SIZE_T}, got -1`, on: (f) => { const n = new Int32Array(1); return { run: () => getContigFolioLen(f.m, [64], 0, 4096, -1, n), state: S(n) }; } },
  { call: 'getContigFolioLen(m, [64], 0, 4096, 0, Int32Array(0))', message: 'getContigFolioLen: numPages.length must be at least 1, got 0', on: (f) => ({ run: () => getContigFolioLen(f.m, [64], 0, 4096, 0, new Int32Array(0)) }) },
  { call: 'iovIterExtractBvecs(mm, it, bv4, -1, 0, 4, 0)', message: `iovIterExtractBvecs: maxSize must be ${SIZE_T}, got -1`, on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, -1, 0, 4, 0), state: S(f.ubuf, f.bvs) }) },
  { call: 'iovIterExtractBvecs(mm, it, bv4, 4096, 0, 65536, 0)', message: 'iovIterExtractBvecs: maxVecs must be an unsigned short (an integer in 0..65535), got 65536', on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 0, 65536, 0), state: S(f.ubuf, f.bvs) }) },
  { call: "iovIterExtractBvecs(mm, it, bv4, 4096, 0, 4, 0, 0, { hold: 'borrow' })", message: `iovIterExtractBvecs: opts.hold must be ${HOLD}, got "borrow"`, on: (f) => ({ run: () => iovIterExtractBvecs(f.mm, f.ubuf, f.bvs, 4096, 0, 4, 0, 0, { hold: as<UserPageHold>('borrow') }), state: S(f.ubuf, f.bvs) }) },
  // direct-io.ts
  { call: "directIoSubmit(mm, it, { hold: 'borrow' })", message: `directIoSubmit: opts.hold must be ${HOLD}, got "borrow"`, on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { hold: as<UserPageHold>('borrow') }), state: S(f.ubuf) }) },
  { call: "directIoSubmit(mm, it, { alignDown: 'fix' })", message: `directIoSubmit: opts.alignDown must be ${VARIANT}, got "fix"`, on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { alignDown: as<AlignDownVariant>('fix') }), state: S(f.ubuf) }) },
  { call: 'directIoSubmit(mm, it, { pos: 0.5 })', message: 'directIoSubmit: opts.pos must be a loff_t (a safe integer), got 0.5', on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { pos: 0.5 }), state: S(f.ubuf) }) },
  ...[0, -512, 1.5, 131072].map(
    (lbs): Row => ({ call: `directIoSubmit(mm, it, { logicalBlockSize: ${lbs} })`, message: `directIoSubmit: opts.logicalBlockSize must be a power of two up to BLK_MAX_BLOCK_SIZE (65536), got ${lbs}`, on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { logicalBlockSize: lbs }), state: S(f.ubuf) }) }),
  ),
  ...[-1, 1.5, 510].map(
    (dma): Row => ({ call: `directIoSubmit(mm, it, { dmaAlignment: ${dma} })`, message: `directIoSubmit: opts.dmaAlignment must be a 2^k - 1 mask in unsigned int, got ${dma}`, on: (f) => ({ run: () => directIoSubmit(f.mm, f.ubuf, { dmaAlignment: dma }), state: S(f.ubuf) }) }),
  ),
];

describe('argument messages of the extraction layer', () => {
  for (const row of rows) {
    it(row.call, () => {
      const f = fx();
      const { run, state } = row.on(f);
      expectRefused({ call: row.call, m: f.m, run, state, expect: { throws: exact(row.message) } });
    });
  }
});

describe('the accepted edges beside them', () => {
  it('getContigFolioLen on folio 64 from its first page: the whole 16 KiB, four pages', () => {
    const f = fx();
    const n = new Int32Array(1);
    // get_contig_folio_len: min(folio_size - 0, left 16384) over pages 64..67, consecutive in the folio.
    expect([getContigFolioLen(f.m, [64, 65, 66, 67], 0, 16384, 0, n), n[0]]).toEqual([16384, 4]);
    // At index 2, 100 bytes in: 4096 - 100 of page 66 and 4096 of page 67 (the folio's end).
    expect([getContigFolioLen(f.m, [64, 65, 66, 67], 2, 16384, 100, n), n[0]]).toEqual([8092, 2]);
  });

  for (const dmaAlignment of [0, 511, 4095]) {
    it(`directIoSubmit with dmaAlignment ${dmaAlignment} and 4 KiB blocks at pos 4096 reads the 16 KiB buffer`, () => {
      const f = fx();
      // One bio: UBUF over the order-2 folio at 128, one bvec (128, 16384, 0); 4 pins on the folio.
      const dio = directIoSubmit(f.mm, f.ubuf, { dmaAlignment, logicalBlockSize: 4096, pos: 4096 });
      expect([dio.ret, dio.bios.length, dio.bios[0]!.vcnt, dio.bios[0]!.size, f.m.pincount[128], f.ubuf.count]).toEqual([16384, 1, 1, 16384, 4, 0]);
      expect(directIoComplete(f.m, dio)).toBe(16384);
      expect([f.m.pincount[128], vmstat(f.m).nrFollPinReleased]).toEqual([0, 4]);
    });
  }

  it('directIoSubmit accepts BLK_MAX_BLOCK_SIZE itself (nothing to read at a 64 KiB block: -EINVAL from the size check)', () => {
    const f = fx();
    // 16384 % 65536 != 0: blkdev_direct_IO's alignment check, not an ArgumentError.
    expect(directIoSubmit(f.mm, f.ubuf, { logicalBlockSize: 65536 }).ret).toBe(-EINVAL);
  });
});
