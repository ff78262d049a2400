/**
 * get_contig_folio_len (lib/iov_iter.c, T; the test unchanged since ed9832bc08db,
 * v6.12): a run is the pages that are in the first page's folio **and** each the next
 * page of the one before ("We might COW a single page in the middle of a large
 * folio"), up to the folio's end or the bytes left; the first contributes
 * PAGE_SIZE - offset, the rest min(PAGE_SIZE, left). Worked by hand.
 *
 * Memory: an order-4 folio at PFN 16 (16..31) and order-0 folios at 32 and 33.
 */
import { describe, expect, it } from 'vitest';
import { getContigFolioLen } from '../../src/index.js';
import { folioAt } from '../block/layout.js';
import { newMachine } from '../support/machines.js';

const P = 4096;

describe('get_contig_folio_len', () => {
  const rows: readonly { what: string; pages: number[]; i: number; left: number; offset: number; len: number; num: number }[] = [
    { what: 'four pages of the folio, aligned', pages: [16, 17, 18, 19], i: 0, left: 4 * P, offset: 0, len: 4 * P, num: 4 },
    // 3996 + 3 * 4096 = 16284 over DIV_ROUND_UP(100 + 16284, 4096) = 4 pages.
    { what: 'offset 100 into the first page', pages: [16, 17, 18, 19], i: 0, left: 4 * P - 100, offset: 100, len: 4 * P - 100, num: 4 },
    { what: 'a COWed page (32) in the middle', pages: [16, 17, 18, 19, 20, 32, 22], i: 0, left: 7 * P, offset: 0, len: 5 * P, num: 5 },
    { what: 'the run after the COWed page', pages: [16, 17, 18, 19, 20, 32, 22, 23], i: 6, left: 2 * P, offset: 0, len: 2 * P, num: 2 },
    { what: 'same folio, not the next page', pages: [16, 18], i: 0, left: 2 * P, offset: 0, len: P, num: 1 },
    // From page 30 (index 14) only 2 pages are left in the folio: 32 is physically next but another folio.
    { what: 'stops at the folio end', pages: [30, 31, 32, 33], i: 0, left: 4 * P, offset: 0, len: 2 * P, num: 2 },
    { what: 'the last page trimmed to what is left', pages: [16, 17, 18], i: 0, left: 2 * P + 10, offset: 0, len: 2 * P + 10, num: 3 },
    { what: 'order-0 folios are one page each', pages: [32, 33], i: 0, left: 2 * P, offset: 0, len: P, num: 1 },
    { what: 'the zero page, twice', pages: [0, 0], i: 0, left: 2 * P, offset: 0, len: P, num: 1 },
  ];
  it.each(rows)('$what: $len bytes over $num pages', (r) => {
    const m = newMachine();
    folioAt(m, 4, 16);
    folioAt(m, 0, 32);
    folioAt(m, 0, 33);
    const num = new Int32Array(1);
    expect(getContigFolioLen(m, r.pages, r.i, r.left, r.offset, num)).toBe(r.len);
    expect(num[0]).toBe(r.num);
  });
});
