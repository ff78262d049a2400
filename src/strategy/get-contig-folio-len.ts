/**
 * Regrouping a page array into folio runs: lib/iov_iter.c `get_contig_folio_len` (T,
 * after Christoph Hellwig's January 2026 move out of block/bio.c; the same test since
 * ed9832bc08db, v6.12).
 *
 * Faithful: from pages[i] with `offset` into it and `left` bytes still wanted, the run
 * is the first page's min(PAGE_SIZE - offset, left) bytes, then each following page
 * while it is in the same folio **and** is the next page of it (`pages[j] ==
 * pages[j - 1] + 1`: "We might COW a single page in the middle of a large folio"), up to
 * the folio's end or `left`, each adding min(PAGE_SIZE, bytes left). Returns the run's
 * bytes (`unsigned int`) and writes the pages it spans to `numPages[0]`.
 */
import { PAGE_SIZE, divRoundUp } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { pageFolio } from '../mm/folio.js';
import type { PageArray } from '../gup/unpin.js';

/**
 * `get_contig_folio_len(&pages[i], &num_pages, left, offset)`: bytes of the folio run
 * starting at pages[i]; its page count goes to numPages[0] (no allocation per call).
 */
export function getContigFolioLen(m: Machine, pages: PageArray, i: number, numPages: Int32Array, left: number, offset: number): number {
  const first = pages[i]!;
  const folio = pageFolio(m, first);
  let contigSz = Math.min(PAGE_SIZE - offset, left);
  const folioOffset = PAGE_SIZE * (first - folio) + offset;
  const folioSize = PAGE_SIZE * (1 << m.order[folio]!);
  const len = Math.min(folioSize - folioOffset, left);
  left -= contigSz;
  const maxPages = divRoundUp(offset + len, PAGE_SIZE);
  let j = 1;
  for (; j < maxPages; j++) {
    const next = Math.min(PAGE_SIZE, left);
    const page = pages[i + j]!;
    if (pageFolio(m, page) !== folio || page !== pages[i + j - 1]! + 1) break;
    contigSz += next;
    left -= next;
  }
  numPages[0] = j;
  return contigSz;
}
