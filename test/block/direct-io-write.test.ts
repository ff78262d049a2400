/**
 * A Direct IO write, worked by hand from block/fops.c __blkdev_direct_IO (T): an
 * ITER_SOURCE iterator builds REQ_OP_WRITE bios, and should_dirty (`is_read &&
 * user_backed_iter(iter)`) is false, so completion releases without dirtying.
 * Layout (user-buffer.ts): order-0 user folios at 64 and 66 mapped at BASE.
 */
import { describe, expect, it } from 'vitest';
import { ITER_SOURCE, REQ_OP_WRITE, directIoComplete, directIoSubmit, folioTestDirty, iovIterUbuf, vmstat } from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

describe('Direct IO write', () => {
  it('one REQ_OP_WRITE bio of 8192 bytes, no dirtying at completion', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 2, [
      { order: 0, pfn: 64 },
      { order: 0, pfn: 66 },
    ]);
    const dio = directIoSubmit(mm, iovIterUbuf(ITER_SOURCE, BASE, 8192));
    expect([dio.ret, dio.bios.length, dio.bios[0]!.opf, dio.bios[0]!.size, dio.shouldDirty]).toEqual([8192, 1, REQ_OP_WRITE, 8192, false]);
    const dirtyBefore = [folioTestDirty(m, 64), folioTestDirty(m, 66)];
    expect(dirtyBefore).toEqual([false, false]);
    expect(directIoComplete(m, dio)).toBe(8192);
    expect([folioTestDirty(m, 64), folioTestDirty(m, 66)]).toEqual(dirtyBefore);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 2, nrFollPinReleased: 2 });
  });
});
