/**
 * Direct IO through the block layer (block/fops.c __blkdev_direct_IO in T), run in both
 * positions of the dio_w_* switch (seeds/000: CONFIG_BLK_USE_PIN_USER_PAGES_FOR_DIO):
 * 'pin' = pin_user_pages_fast + unpin at completion, 'get' = get_user_pages_fast +
 * put_page. The table is seeds/001's (Hubbard, "bio: convert get_user_pages_fast() -->
 * pin_user_pages_fast()"): ITER_IOVEC (and UBUF) pin; ITER_KVEC and ITER_BVEC "already
 * elevated page refcount, leave alone"; ITER_DISCARD fails (-EFAULT). In 'get' mode the
 * user-backed rows take plain references instead: folio_maybe_dma_pinned is false and
 * nr_foll_pin_acquired does not move, which is what the vmstat counters are for.
 *
 * Layout: order-0 user folios at 64, 66, 68, 70 mapped at BASE; an order-2 kernel
 * folio at 128 (refcount 1, its allocation) for KVEC and BVEC.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_CLONED,
  BIO_PAGE_PINNED,
  EFAULT,
  EINVAL,
  ITER_DEST,
  bioFlagged,
  costDiff,
  costSnapshot,
  directIoComplete,
  directIoSubmit,
  folioMaybeDmaPinned,
  folioTestDirty,
  iovIterBvec,
  iovIterDiscard,
  iovIterInit,
  iovIterKvec,
  iovIterUbuf,
  pageAddress,
  unpinUserPage,
  vmstat,
  type AlignDownVariant,
  type IovIter,
  type UserPageHold,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';
import { userBuffer } from './user-buffer.js';

type Row = [string, () => IovIter];
const rows: Row[] = [
  ['UBUF', () => iovIterUbuf(ITER_DEST, BASE, 16384)],
  ['IOVEC', () => iovIterInit(ITER_DEST, [{ base: BASE, len: 8192 }, { base: BASE + 0x2000, len: 8192 }], 16384)],
  ['KVEC', () => iovIterKvec(ITER_DEST, [{ base: pageAddress(128), len: 16384 }], 16384)],
  ['BVEC', () => iovIterBvec(ITER_DEST, [{ page: 128, len: 16384, offset: 0 }], 16384)],
  ['DISCARD', () => iovIterDiscard(ITER_DEST, 16384)],
];

/** In flight: [ret, bios, vcnt, PINNED, CLONED, pins acquired, refcount 64, maybe_dma_pinned 64, refcount 128]. */
const inFlight: Record<UserPageHold, Record<string, unknown[]>> = {
  pin: {
    UBUF: [16384, 1, 4, true, false, 4, 1 + 1024, true, 1],
    IOVEC: [16384, 1, 4, true, false, 4, 1 + 1024, true, 1],
    KVEC: [16384, 1, 1, false, false, 0, 1, false, 1],
    BVEC: [16384, 1, 0, false, true, 0, 1, false, 1],
    DISCARD: [-EFAULT, 0, null, null, null, 0, 1, false, 1],
  },
  get: {
    UBUF: [16384, 1, 4, true, false, 0, 2, false, 1],
    IOVEC: [16384, 1, 4, true, false, 0, 2, false, 1],
    KVEC: [16384, 1, 1, false, false, 0, 1, false, 1],
    BVEC: [16384, 1, 0, false, true, 0, 1, false, 1],
    DISCARD: [-EFAULT, 0, null, null, null, 0, 1, false, 1],
  },
};

describe.each<[UserPageHold]>([['pin'], ['get']])("the seeds' Direct IO table, '%s' mode", (hold) => {
  it.each(rows)('%s', (name, make) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, [64, 66, 68, 70].map((pfn) => ({ order: 0, pfn })));
    folioAt(m, 2, 128);
    const dio = directIoSubmit(mm, make(), { hold });
    const bio = dio.bios[0];
    expect([
      dio.ret,
      dio.bios.length,
      bio?.vcnt ?? null,
      bio === undefined ? null : bioFlagged(bio, BIO_PAGE_PINNED),
      bio === undefined ? null : bioFlagged(bio, BIO_CLONED),
      vmstat(m).nrFollPinAcquired,
      m.refcount[64],
      folioMaybeDmaPinned(m, 64),
      m.refcount[128],
    ]).toEqual(inFlight[hold][name]);
    expect(directIoComplete(m, dio)).toBe(dio.ret);
    // Everything back; a read into user memory left the user folios dirty.
    expect([m.refcount[64], m.refcount[70], m.refcount[128], vmstat(m).nrFollPinReleased]).toEqual([1, 1, 1, vmstat(m).nrFollPinAcquired]);
    expect(folioTestDirty(m, 64)).toBe(name === 'UBUF' || name === 'IOVEC');
  });
});

describe('what the switch costs at completion: one order-2 folio read in full', () => {
  it.each<[UserPageHold, object, object]>([
    // bio_release_pages: one folio step, unpin_user_folio(folio, 4): _pincount and _refcount.
    ['pin', { nrFollPinAcquired: 4, nrFollPinReleased: 4 }, { refcountAtomics: 1, pincountAtomics: 1, pagesReleased: 4 }],
    // v5.x bio_release_pages: four single-page segments, four put_page.
    ['get', { nrFollPinAcquired: 0, nrFollPinReleased: 0 }, { refcountAtomics: 4, pincountAtomics: 0, pagesReleased: 4 }],
  ])("'%s'", (hold, stat, cost) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, [{ order: 2, pfn: 64 }]);
    const dio = directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 16384), { hold });
    expect(m.refcount[64]).toBe(4 + 4); // four PTE mappings + four pins or references
    const before = costSnapshot(m.cost);
    directIoComplete(m, dio);
    expect(vmstat(m)).toMatchObject(stat);
    expect(costDiff(costSnapshot(m.cost), before)).toMatchObject(cost);
  });
});

describe('__blkdev_direct_IO around the bios', () => {
  it('an empty iterator is 0; a count that is not a block multiple is -EINVAL', () => {
    const { mm } = world();
    expect(directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 0)).ret).toBe(0);
    expect(directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 1000)).ret).toBe(-EINVAL);
    expect(directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 4096), { pos: 256 }).ret).toBe(-EINVAL);
  });

  it('300 pages take two bios: bio_iov_vecs_to_alloc gives 256, then 44 (a 64-vector slab)', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 300, Array.from({ length: 300 }, (_, k) => ({ order: 0, pfn: 1024 + 2 * k })));
    const dio = directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 300 * 4096));
    expect([dio.ret, dio.bios.map((b) => [b.vcnt, b.maxVecs, b.size]), m.cost.biosBuilt]).toEqual([
      300 * 4096,
      [
        [256, 256, 256 * 4096],
        [44, 64, 44 * 4096],
      ],
      2,
    ]);
    directIoComplete(m, dio);
  });

  // A read into [4 KiB at BASE (PFN 64)] [1 KiB from 0xe00 into an order-1 folio at 66]
  // [3 KiB unmapped], 4096-byte blocks. Bio 1: A and B, then the hole; 0x1400 is aligned
  // down by 0x400, dropping B. Bio 2 starts at B again, meets the hole, drops B again:
  // -EFAULT for the whole call. Each drop in T unpins one of B's two pages.
  it.each<[AlignDownVariant, number]>([
    ['trial', 2],
    ['fixed', 0],
  ])("a buffer with a hole: '%s' leaks %i pins of the order-1 folio", (alignDown, leak) => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, [{ order: 0, pfn: 64 }, { order: 0, pfn: 65 }, { order: 1, pfn: 66 }]);
    const it = iovIterInit(ITER_DEST, [
      { base: BASE, len: 0x1000 },
      { base: BASE + 0x2e00, len: 0x400 },
      { base: BASE + 0x100000, len: 0xc00 },
    ], 0x2000);
    const dio = directIoSubmit(mm, it, { logicalBlockSize: 4096, alignDown });
    expect([dio.ret, dio.bios.length, dio.bios[0]!.size, it.seg, it.count]).toEqual([-EFAULT, 1, 0x1000, 1, 0x1000]);
    directIoComplete(m, dio);
    expect([m.pincount[66], vmstat(m).nrFollPinAcquired, vmstat(m).nrFollPinReleased]).toEqual([leak, 5, 5 - leak]);
    for (let k = 0; k < leak; k++) unpinUserPage(m, 67); // clean up after the kernel bug
  });
});
