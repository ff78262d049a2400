/**
 * PCI P2PDMA user pages in bio_iov_iter_get_pages, worked by hand from block/bio.c
 * (T @10c5ed1d) and mm/gup.c try_grab_folio: only a queue that supports P2PDMA
 * (blk_queue_pci_p2pdma, the model's `queuePciP2pdma`) passes ITER_ALLOW_P2PDMA, which
 * becomes FOLL_PCI_P2PDMA; without it the P2PDMA page cannot be pinned (-EREMOTEIO,
 * the bio stays empty). With it the page is pinned and, the first bvec's page being
 * P2PDMA (is_pci_p2pdma_page(bio->bi_io_vec->bv_page)), the bio gets REQ_NOMERGE.
 * The model has no P2PDMA backing, so the test marks a mapped anon folio's mapping
 * MAPPING_P2PDMA, as the GUP tests do, and restores it before the end.
 */
import { describe, expect, it } from 'vitest';
import {
  BIO_PAGE_PINNED,
  EREMOTEIO,
  ITER_SOURCE,
  MAPPING_P2PDMA,
  REQ_NOMERGE,
  REQ_OP_WRITE,
  bioAlloc,
  bioFlagged,
  bioIovIterGetPages,
  bioReleasePages,
  iovIterUbuf,
  vmstat,
} from '../../src/index.js';
import { BASE, world } from '../support/mm-layout.js';
import { userBuffer } from './user-buffer.js';

describe('a P2PDMA user page', () => {
  it('is refused without queue support and pinned, with REQ_NOMERGE, with it', () => {
    const { m, mm } = world();
    userBuffer(mm, BASE, 1, [{ order: 0, pfn: 64 }]);
    const saved = m.mapping[64]!;
    m.mapping[64] = MAPPING_P2PDMA;

    const refused = bioAlloc(4, REQ_OP_WRITE);
    expect(bioIovIterGetPages(mm, refused, iovIterUbuf(ITER_SOURCE, BASE, 4096), 1 << 20, 511, 511, { queuePciP2pdma: false })).toBe(-EREMOTEIO);
    expect([refused.vcnt, refused.opf, vmstat(m).nrFollPinAcquired]).toEqual([0, REQ_OP_WRITE, 0]);

    const bio = bioAlloc(4, REQ_OP_WRITE);
    const it = iovIterUbuf(ITER_SOURCE, BASE, 4096);
    expect(bioIovIterGetPages(mm, bio, it, 1 << 20, 511, 511, { queuePciP2pdma: true })).toBe(0);
    expect([bio.vcnt, bio.size, bio.opf, bioFlagged(bio, BIO_PAGE_PINNED), it.count]).toEqual([1, 4096, REQ_OP_WRITE | REQ_NOMERGE, true, 0]);
    expect([m.refcount[64], vmstat(m).nrFollPinAcquired]).toEqual([1 + 1024, 1]);

    bioReleasePages(m, bio, false);
    m.mapping[64] = saved;
    expect([m.refcount[64], vmstat(m).nrFollPinReleased]).toEqual([1, 1]);
  });
});
