/**
 * Strategies the harness tests drive (the real proposals live in proposals/ and are
 * built elsewhere): a correct one on today's kernel API, one that cuts every run into
 * pages (the same maximal runs, so equivalent, at a cost in bvecs), and two
 * deliberately wrong ones, one that describes the right bytes in the wrong order (a
 * disagreement, no leak) and one that forgets to release its last page (a leaked pin).
 *
 * `testPageArray` is the status-quo caller: pin_user_pages_fast() into a kvmalloc'ed
 * page array, then bio_add_page() page by page (merging physically contiguous pages,
 * as bio_add_page does, for the 'physical' policy) or one vector per run of pages
 * inside one folio (the 'folio' policy, as iov_iter_extract_bvecs groups them), then
 * kvfree() of the temporary array. Completion is bio_release_pages() on every bio.
 */
import {
  BIO_MAX_VECS,
  BIO_PAGE_PINNED,
  FOLL_WRITE,
  PAGE_SIZE,
  __bioAddPage,
  bioAddPage,
  bioAlloc,
  bioReleasePages,
  bioSetFlag,
  divRoundUp,
  kvfree,
  kvmallocArray,
  offsetInPage,
  pageFolio,
  pinUserPagesFast,
  type Bio,
  type Mm,
} from '../../../src/index.js';
import {
  recordReturn,
  type MergePolicy,
  type PinnedIo,
  type PinRequest,
  type PinStrategy,
  type ReturnRun,
  type StrategySettings,
} from '../../../src/strategy/pin-strategy.js';

/** Which mistake (or which costly choice) a strategy makes on purpose. */
type Flaw = 'none' | 'page-vectors' | 'swap-first-two' | 'leak-last-page';

function newBio(bios: Bio[], write: boolean): Bio {
  const bio = bioAlloc(BIO_MAX_VECS, write ? 1 : 0);
  bioSetFlag(bio, BIO_PAGE_PINNED);
  bios.push(bio);
  return bio;
}

/** Appends (page, len, off) under the policy; a new bio when the current one is full. */
function addRun(mm: Mm, bios: Bio[], page: number, len: number, off: number, policy: MergePolicy | 'page', write: boolean): void {
  const m = mm.m;
  let bio = bios[bios.length - 1] ?? newBio(bios, write);
  if (policy === 'physical') {
    if (bioAddPage(m, bio, page, len, off) === len) return;
    bio = newBio(bios, write);
    bioAddPage(m, bio, page, len, off);
    return;
  }
  if (bio.vcnt >= bio.maxVecs) bio = newBio(bios, write);
  __bioAddPage(m, bio, page, len, off);
}

function pinWith(flaw: Flaw, mm: Mm, req: PinRequest, settings: StrategySettings): PinnedIo {
  const m = mm.m;
  const returnValues: ReturnRun[] = [];
  const first = offsetInPage(req.start);
  const nrPages = divRoundUp(first + req.length, PAGE_SIZE);
  const alloc = kvmallocArray(m, nrPages, 8);
  if (typeof alloc === 'number') return { ret: alloc, bios: [], calls: 0, returnValues, owned: [] };
  const pages = new Int32Array(nrPages);
  const ret = pinUserPagesFast(mm, req.start, nrPages, req.gupFlags, pages);
  recordReturn(returnValues, ret);
  if (ret <= 0) {
    kvfree(m, alloc, 0);
    return { ret: ret === 0 ? 0 : ret, bios: [], calls: 1, returnValues, owned: [] };
  }
  const write = (req.gupFlags & FOLL_WRITE) !== 0;
  const policy: MergePolicy | 'page' = flaw === 'page-vectors' ? 'page' : settings.merge;
  const bios: Bio[] = [];
  const keep = flaw === 'leak-last-page' && ret > 1 ? ret - 1 : ret;
  let bytes = 0;
  let runPage = -1;
  let runLen = 0;
  let runOff = 0;
  for (let i = 0; i < keep; i++) {
    const off = i === 0 ? first : 0;
    const len = Math.min(PAGE_SIZE - off, req.length - bytes);
    const page = pages[i]!;
    bytes += len;
    if (policy !== 'folio') {
      addRun(mm, bios, page, len, off, policy, write);
      continue;
    }
    // Runs from a pin are whole pages apart from the first and the last, so a run
    // continues when this page follows its last page inside the same folio.
    const sameFolio =
      runPage >= 0 &&
      page === runPage + Math.floor((runOff + runLen) / PAGE_SIZE) &&
      pageFolio(m, page) === pageFolio(m, runPage);
    if (sameFolio) runLen += len;
    else {
      if (runPage >= 0) addRun(mm, bios, runPage, runLen, runOff, 'folio', write);
      runPage = page;
      runLen = len;
      runOff = off;
    }
  }
  if (runPage >= 0) addRun(mm, bios, runPage, runLen, runOff, 'folio', write);
  if (flaw === 'swap-first-two' && bios[0] !== undefined && bios[0].vcnt >= 2) swapFirstTwo(bios[0]);
  m.cost.biosBuilt += bios.length;
  kvfree(m, alloc, ret * 8);
  // The leaking flaw keeps its pin on the last page and reports the bytes as pinned.
  if (flaw === 'leak-last-page' && ret > 1) bytes += Math.min(PAGE_SIZE, req.length - bytes);
  return { ret: bytes, bios, calls: 1, returnValues, owned: [] };
}

/** Exchanges the bio's first two vectors: the same bytes and pins, in the wrong order. */
function swapFirstTwo(bio: Bio): void {
  const v = bio.vecs!;
  const [page, len, offset] = [v.page[0]!, v.len[0]!, v.offset[0]!];
  v.page[0] = v.page[1]!;
  v.len[0] = v.len[1]!;
  v.offset[0] = v.offset[1]!;
  v.page[1] = page;
  v.len[1] = len;
  v.offset[1] = offset;
}

function completeIo(mm: Mm, io: PinnedIo, markDirty: boolean): void {
  for (const bio of io.bios) bioReleasePages(mm.m, bio, markDirty);
  for (const o of io.owned) kvfree(mm.m, o.alloc, o.usedBytes);
}

function strategy(name: string, summary: string, flaw: Flaw): PinStrategy {
  return {
    name,
    summary,
    // Only the correct one is a control, so a tie between two rows never makes a wrong one the reference.
    option: flaw === 'none' ? 'control' : 2,
    settings: ['merge'],
    mergePolicies: ['folio', 'physical'],
    pin: (mm, req, settings) => pinWith(flaw, mm, req, settings),
    complete: completeIo,
  };
}

/** pin_user_pages_fast into a page array, then vectors per the merge policy. */
export const testPageArray = strategy('test-page-array', 'pin_user_pages_fast into a page array, regrouped into vectors', 'none');

/** Same pins and releases, but one vector per page whatever the policy: the same maximal runs, more bvecs. */
export const testPageVectors = strategy('test-page-vectors', 'one vector per page whatever the merge policy (cuts every run)', 'page-vectors');

/** Same pins and releases, the first bio's first two vectors exchanged: disagrees, leaks nothing. */
export const testSwapped = strategy('test-swapped', 'the first two vectors in the wrong order (wrong on purpose)', 'swap-first-two');

/** Leaves the last page out of its bios, so its pin is never released (wrong on purpose). */
export const testLeaky = strategy('test-leaky', 'forgets to put its last page in a bio, so that pin leaks (wrong on purpose)', 'leak-last-page');
