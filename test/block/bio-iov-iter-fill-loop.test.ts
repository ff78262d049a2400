/**
 * The fill loop of bio_iov_iter_get_pages, worked by hand from block/bio.c (T @10c5ed1d)
 * and lib/iov_iter.c iov_iter_extract_bvecs (T @828bcbca):
 * - each call asks for `maxlen - bi_size` bytes, so the bio stops at maxlen;
 * - a call that returns 0 (the next page's zone-device pgmap differs from the last
 *   bvec's: iov_iter_extract_bvecs adds nothing, reverts and unpins) ends the loop with
 *   the partial bio (`if (ret <= 0) { ... break; }`), it is not retried;
 * - -EINVAL from a later call releases what the bio holds with
 *   bio_release_pages(bio, false): the folios are not dirtied.
 *
 * Layout: order-0 user folios at 64, 65, 66, 67 mapped back to back at BASE.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  EINVAL,
  ITER_SOURCE,
  MAPPING_P2PDMA,
  REQ_OP_WRITE,
  bioAlloc,
  bioFlagged,
  bioIovIterGetPages,
  bioReleasePages,
  bvecArrayToList,
  folioTestDirty,
  iovIterInit,
  iovIterUbuf,
  vmstat,
  type Bio,
  type IovIter,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

const PIN = 1024;
const list = (bio: Bio) => bvecArrayToList(bio.vecs!, bio.vcnt).map((b) => [b.page, b.len, b.offset]);
const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];
const fourPages = [64, 65, 66, 67].map((pfn) => ({ order: 0, pfn }));

describe('maxlen caps the second extraction', () => {
  it('two 4 KiB iovecs, maxlen 6144: 4096 from iovec 0, then only 2048 of iovec 1', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 4, fourPages);
    const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 4096 }, { base: BASE + 8192, len: 4096 }], 8192);
    const bio = bioAlloc(4, REQ_OP_WRITE);
    // Call 1: first_iovec_segment gives iovec 0, one bvec (64, 4096, 0). Call 2 asks for
    // 6144 - 4096 = 2048: (66, 2048, 0). Call 3 asks for 0 bytes: -EFAULT with two
    // bvecs in the bio, which ends the loop. 6144 & 511 = 0: nothing trimmed.
    expect(bioIovIterGetPages(mm, bio, it, 6144, 511, 511)).toBe(0);
    expect([list(bio), bio.size, state(it)]).toEqual([[[64, 4096, 0], [66, 2048, 0]], 6144, [1, 1, 2048, 2048]]);
    expect([m.refcount[64], m.refcount[65], m.refcount[66], vmstat(m).nrFollPinAcquired]).toEqual([1 + PIN, 1, 1 + PIN, 2]);
    bioReleasePages(m, bio, false);
    expect([m.refcount[64], m.refcount[66]]).toEqual([1, 1]);
  });
});

describe('a call that adds no bvec ends the loop', () => {
  it('UBUF over 64 and a P2PDMA page 65: the bio keeps (64, 4096, 0), the iterator stops at page 65', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 2, [{ order: 0, pfn: 64 }, { order: 0, pfn: 65 }]);
    const saved = m.mapping[65]!;
    m.mapping[65] = MAPPING_P2PDMA;
    const it = iovIterUbuf(ITER_SOURCE, BASE, 8192);
    const bio = bioAlloc(4, REQ_OP_WRITE);
    // Call 1 pins 64 and 65; bvec (64, 4096, 0); 65's pgmap differs from 64's: break,
    // revert 4096, unpin 65; returns 4096. Call 2 (nr_vecs 1) pins 65 and breaks at once:
    // revert, unpin, returns 0 with bi_vcnt 1: the loop ends. Page 64 is not P2PDMA: no
    // REQ_NOMERGE.
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511, { queuePciP2pdma: true })).toBe(0);
    expect([list(bio), bio.size, bio.opf, bioFlagged(bio, BIO_PAGE_PINNED), it.count, it.iovOffset]).toEqual([[[64, 4096, 0]], 4096, REQ_OP_WRITE, true, 4096, 4096]);
    expect([m.refcount[64], m.refcount[65], vmstat(m).nrFollPinAcquired, vmstat(m).nrFollPinReleased]).toEqual([1 + PIN, 1, 3, 2]);
    bioReleasePages(m, bio, false);
    m.mapping[65] = saved;
    expect([m.refcount[64], vmstat(m).nrFollPinReleased]).toEqual([1, 3]);
  });
});

describe('-EINVAL from a later extraction releases without dirtying', () => {
  for (const hold of ['pin', 'get'] as const) {
    it(`hold '${hold}': folio 64 released, still clean`, () => {
      const { m, mm } = world();
      userBuffer(mm, BASE, 4, fourPages);
      expect(folioTestDirty(m, 64)).toBe(false);
      // iovec 1 starts 0x100 into page 65: (start | len) & 511 != 0 on the second call.
      const it = iovIterInit(ITER_SOURCE, [{ base: BASE, len: 4096 }, { base: BASE + 0x1100, len: 512 }], 4608);
      const bio = bioAlloc(4, REQ_OP_WRITE);
      expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511, { hold })).toBe(-EINVAL);
      expect([bio.vcnt, bioFlagged(bio, BIO_PAGE_PINNED), state(it)]).toEqual([0, false, [1, 1, 0, 512]]);
      expect([m.refcount[64], folioTestDirty(m, 64)]).toEqual([1, false]);
    });
  }
});
