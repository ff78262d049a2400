/**
 * iov_iter_extract_bvecs on kernel iterators (KVEC, BVEC), worked by hand from
 * lib/iov_iter.c (T @828bcbca): the alignment check looks at the current segment only
 * for UBUF, IOVEC and KVEC (`iter_iov_addr(iter) | iter_iov_len(iter)`), at
 * iov_iter_alignment for the other types; and a page not used after a pgmap change is
 * unpinned only `if (iov_iter_extract_will_pin(iter))`, which a KVEC or BVEC iterator is
 * not (iov_iter_extract_bvec_pages took no reference).
 *
 * Layout: order-0 kernel folios at 72, 80 and 84 (84 marked P2PDMA for the pgmap case).
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_SOURCE,
  MAPPING_P2PDMA,
  bvecArrayAlloc,
  bvecArrayToList,
  iovIterBvec,
  iovIterExtractBvecs,
  iovIterKvec,
  pageAddress,
  type IovIter,
} from '../../src/index.js';
import { world } from '../support/mm-layout.js';
import { folioAt } from './layout.js';

const state = (i: IovIter) => [i.seg, i.nrSegs, i.iovOffset, i.count];

describe('KVEC: only the current segment is checked against mem_align_mask', () => {
  it('kvec 0 aligned, kvec 1 at 0x100 into page 80: kvec 0 is extracted, no -EINVAL', () => {
    const { m, mm } = world();
    folioAt(m, 0, 72);
    folioAt(m, 0, 80);
    const it = iovIterKvec(ITER_SOURCE, [{ base: pageAddress(72), len: 4096 }, { base: pageAddress(80) + 0x100, len: 512 }], 4608);
    const bv = bvecArrayAlloc(4);
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 0, 4, 0, 511);
    // iov_iter_extract_kvec_pages stops at the end of kvec 0: one bvec (72, 4096, 0).
    expect([r, bvecArrayToList(bv, r.nrVecs).map((b) => [b.page, b.len, b.offset]), state(it)]).toEqual([{ ret: 4096, nrVecs: 1 }, [[72, 4096, 0]], [1, 1, 0, 512]]);
  });
});

describe('BVEC: a pgmap change before the first new bvec', () => {
  it('bv[0] over ordinary page 72, the iterator on P2PDMA page 84: 0 bytes added, nothing unpinned', () => {
    const { m, mm } = world();
    folioAt(m, 0, 72);
    folioAt(m, 0, 84);
    const saved = m.mapping[84]!;
    m.mapping[84] = MAPPING_P2PDMA;
    const bv = bvecArrayAlloc(4);
    bv.page[0] = 72;
    bv.len[0] = 4096;
    const it = iovIterBvec(ITER_SOURCE, [{ page: 84, len: 4096, offset: 0 }], 4096);
    const refs = [m.refcount[72], m.refcount[84]];
    const r = iovIterExtractBvecs(mm, it, bv, 1 << 20, 1, 4, 0, 0);
    // zone_device_pages_have_same_pgmap(72, 84) is false: the loop adds nothing, the
    // 4096 bytes are reverted, and a BVEC iterator does not pin: no unpin_user_page.
    expect([r, state(it), [m.refcount[72], m.refcount[84]], m.warnings]).toEqual([{ ret: 0, nrVecs: 1 }, [0, 1, 0, 4096], refs, []]);
    m.mapping[84] = saved;
  });
});
