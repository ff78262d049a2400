/**
 * Direct IO reads into user memory and the DIO_SHOULD_DIRTY path, worked by hand from
 * block/fops.c (T): `__blkdev_direct_IO` sets `should_dirty` only for a read from a
 * user-backed iterator, calls bio_set_pages_dirty on each filled bio before submitting
 * it, and `blkdev_bio_end_io` completes such a bio through bio_check_pages_dirty
 * (block/bio.c: release with mark_dirty false when every folio is still dirty, else the
 * deferred bio_dirty_fn releases with mark_dirty true). The checks in blkdev_direct_IO
 * and rw_verify_area return before any bio exists: nothing to dirty.
 *
 * Layout: order-0 user folio at 64 mapped at BASE.
 */
import { describe, expect, it } from 'vitest';
import {
  EINVAL,
  ITER_DEST,
  PG_DIRTY,
  directIoComplete,
  directIoSubmit,
  folioTestDirty,
  iovIterUbuf,
  vmstat,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

describe('refused or empty reads return before a bio: should_dirty false', () => {
  const cases = [
    { name: 'pos -512 (rw_verify_area)', count: 4096, opts: { pos: -512 }, ret: -EINVAL },
    { name: 'count 0', count: 0, opts: {}, ret: 0 },
    { name: 'pos 100, not a multiple of the 512-byte block', count: 4096, opts: { pos: 100 }, ret: -EINVAL },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { m, mm } = world();
      userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
      const dio = directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, c.count), c.opts);
      expect(dio).toEqual({ ret: c.ret, bios: [], shouldDirty: false, hold: 'pin' });
      expect([directIoComplete(m, dio), folioTestDirty(m, 64), vmstat(m).nrFollPinAcquired]).toEqual([c.ret, false, 0]);
    });
  }
});

describe('a read into user memory', () => {
  it('dirties the folio at submission (bio_set_pages_dirty), before the device completes', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    expect(folioTestDirty(m, 64)).toBe(false);
    const dio = directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 4096), { pos: 4096 });
    expect([dio.ret, dio.shouldDirty, dio.bios.length, folioTestDirty(m, 64), m.refcount[64]]).toEqual([4096, true, 1, true, 1 + 1024]);
    expect(directIoComplete(m, dio)).toBe(4096);
    expect([folioTestDirty(m, 64), m.refcount[64]]).toEqual([true, 1]);
  });

  it('a folio cleaned while the read is in flight is dirtied again at completion (bio_dirty_fn)', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const dio = directIoSubmit(mm, iovIterUbuf(ITER_DEST, BASE, 4096));
    // Writeback cleans the folio during the read.
    m.flags[64] = m.flags[64]! & ~PG_DIRTY;
    expect(folioTestDirty(m, 64)).toBe(false);
    expect(directIoComplete(m, dio)).toBe(4096);
    expect([folioTestDirty(m, 64), m.refcount[64], vmstat(m).nrFollPinReleased]).toEqual([true, 1, 1]);
  });
});
