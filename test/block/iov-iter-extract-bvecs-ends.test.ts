/**
 * The ends of iov_iter_extract_bvecs, worked by hand from lib/iov_iter.c (T @828bcbca):
 * `start = iter_iov_addr(iter)` is read before anything else (past the end of a used-up
 * IOVEC array: out-of-bounds in C, KernelBug); `if (size <= 0) return size ?: -EFAULT`
 * (nothing to extract is -EFAULT, an error is passed on: -ENOMEM when nr_vecs ==
 * max_vecs leaves want_pages_array no entry); and, with the dio_w_* FOLL_GET hold (the
 * model's addition), the pages not turned into bvecs are put_page'd rather than unpinned.
 * get_contig_folio_len with no room for *num_pages is refused.
 */
import { describe, expect, it } from 'vitest';
import {
  EFAULT,
  ENOMEM,
  ITER_DEST,
  ITER_SOURCE,
  KernelBug,
  PAGE_SIZE,
  bvecArrayAlloc,
  getContigFolioLen,
  iovIterAdvance,
  iovIterExtractBvecs,
  iovIterInit,
  iovIterUbuf,
  putPage,
  userWrite,
  vmstat,
} from '../../src/index.js';
import { refcountSnapshot } from '../support/machines.js';
import { BASE, mapAt, world } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';
import { folioAt } from './layout.js';
import { userBuffer } from './user-buffer.js';

describe('before extraction', () => {
  it('a used-up IOVEC iterator: iter_iov_addr reads past the iovec array (KernelBug)', () => {
    const { mm } = world();
    const it = iovIterInit(ITER_DEST, [{ base: BASE, len: 100 }], 100);
    iovIterAdvance(it, 100);
    expect([it.seg, it.count]).toEqual([1, 0]);
    expect(() => iovIterExtractBvecs(mm, it, bvecArrayAlloc(4), 4096, 0, 4, 0)).toThrow(/iter_iov_addr reads past the end/);
  });
});

describe('nothing extracted', () => {
  it('max_size 0: iov_iter_extract_pages returns 0, which becomes -EFAULT', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const it = iovIterUbuf(ITER_DEST, BASE, 4096);
    expect(iovIterExtractBvecs(mm, it, bvecArrayAlloc(4), 0, 0, 4, 0)).toEqual({ ret: -EFAULT, nrVecs: 0 });
    expect([it.count, vmstat(m).nrFollPinAcquired]).toEqual([4096, 0]);
  });

  it('nr_vecs == max_vecs: no entry left, want_pages_array WARNs, -ENOMEM is passed on', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const it = iovIterUbuf(ITER_DEST, BASE, 4096);
    expect(iovIterExtractBvecs(mm, it, bvecArrayAlloc(4), 4096, 4, 4, 0)).toEqual({ ret: -ENOMEM, nrVecs: 4 });
    expect([it.count, vmstat(m).nrFollPinAcquired, m.warnings]).toEqual([4096, 0, ['want_pages_array: count is 0 (caller should have prevented that)']]);
  });
});

describe("hold 'get': unused pages are put, not unpinned", () => {
  it('an anon page then an fsdax page: the fsdax page (other pgmap) is put back, its bytes reverted', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * PAGE_SIZE);
    mapAt(mm, BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE, { shared: true, backing: 'fsdax' });
    expect(userWrite(mm, BASE, 8 * PAGE_SIZE)).toBe(0);
    const before = refcountSnapshot(m);
    const it = iovIterUbuf(ITER_SOURCE, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE);
    const bv = bvecArrayAlloc(4);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 4, 0, 0, { hold: 'get' });
    expect([r.ret, r.nrVecs, bv.len[0], it.count, it.iovOffset]).toEqual([4096, 1, 4096, 4096, 4096]);
    // Only the anon page keeps its FOLL_GET reference; no pin was taken at all.
    const anon = bv.page[0]!;
    const changed = Array.from(m.refcount.keys()).filter((p) => m.refcount[p] !== before[p]);
    expect([changed, m.refcount[anon]! - before[anon]!]).toEqual([[anon], 1]);
    expect(vmstat(m)).toMatchObject({ nrFollPinAcquired: 0, nrFollPinReleased: 0 });
    putPage(m, anon);
  });
});

describe('get_contig_folio_len arguments', () => {
  it('a num_pages array with no entry is refused', () => {
    const { m } = world();
    folioAt(m, 2, 64);
    const out = new Int32Array(0);
    expectRefused({
      call: 'getContigFolioLen(m, [64], 0, 4096, 0, new Int32Array(0))',
      m,
      run: () => getContigFolioLen(m, [64], 0, 4096, 0, out),
      expect: { throws: /^getContigFolioLen: numPages\.length / },
    });
  });
});
