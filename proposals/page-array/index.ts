/**
 * Control: today's kernel. pin_user_pages_fast() into a page array the caller sizes for
 * the worst case, then the vectors regrouped from it with get_contig_folio_len and
 * added to bios, as block direct I/O did from v6.12 (__bio_iov_iter_get_pages) until
 * iov_iter_extract_bvecs. The page array is temporary: freed once the bios are built.
 * See README.md for the contract.
 */
import {
  BioCopyBuilder,
  PAGE_SIZE,
  SIZEOF_POINTER,
  bioOpForGupFlags,
  completePinnedIo,
  divRoundUp,
  failedIo,
  getContigFolioLen,
  kvfree,
  kvmallocArray,
  pinUserPagesFast,
  pinnedIo,
  recordReturn,
  userOffsetInPage,
  type Mm,
  type PinRequest,
  type PinStrategy,
  type PinnedIo,
  type ReturnRun,
  type StrategySettings,
} from '../../src/index.js';

function pin(mm: Mm, req: PinRequest, settings: StrategySettings): PinnedIo {
  const m = mm.m;
  const { start, length, gupFlags } = req;
  const rv: ReturnRun[] = [];
  const offset = userOffsetInPage(start);
  const nrPages = divRoundUp(offset + length, PAGE_SIZE);
  const a = kvmallocArray(m, nrPages, SIZEOF_POINTER);
  if (typeof a === 'number') return failedIo(a, 0, rv);
  const pages = new Int32Array(nrPages);
  const n = pinUserPagesFast(mm, start, nrPages, gupFlags, pages);
  recordReturn(rv, n);
  if (n <= 0) {
    kvfree(m, a, 0);
    return failedIo(n, 1, rv);
  }
  const bytes = Math.min(n * PAGE_SIZE - offset, length);
  const builder = new BioCopyBuilder(m, settings.merge, bioOpForGupFlags(gupFlags));
  const numPages = new Int32Array(1);
  for (let i = 0, left = bytes, off = offset; left > 0; off = 0) {
    const len = getContigFolioLen(m, pages, i, left, off, numPages);
    builder.add(pages[i]!, len, off, n - i);
    i += numPages[0]!;
    left -= len;
  }
  kvfree(m, a, n * SIZEOF_POINTER);
  return pinnedIo(bytes, builder.bios, 1, rv, []);
}

/** The page-array control. */
export const proposal: PinStrategy = {
  name: 'page-array',
  summary: 'control: pin_user_pages_fast into a page array, regrouped by get_contig_folio_len',
  option: 'control',
  settings: ['merge'],
  mergePolicies: ['folio', 'physical'],
  pin,
  complete: (mm, io, markDirty) => completePinnedIo(mm.m, io, markDirty),
};
