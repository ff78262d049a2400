/**
 * Use after release, as the pin checker sees it in the folio iterators of
 * include/linux/bio.h (`bio_first_folio`) and the per-bvec iterator: iterating a bio
 * whose pages bio_release_pages() released, or a bvec whose pages' pins were dropped
 * and not taken again. Not kernel code: in the kernel this reads pages the caller no
 * longer owns, which may be freed and reused.
 */
import { PAGE_SIZE } from '../mm/constants.js';
import { pageFolio } from '../mm/folio.js';
import { pfnValid } from '../mm/machine.js';
import { HOLD_PIN, type PinChecker } from '../mm/pin-checker.js';
import { describePage } from '../mm/pin-release-plan.js';
import { siteText } from '../mm/pin-site.js';
import type { Bio } from './bio.js';

function describeBio(bio: Bio): string {
  return `the bio (${bio.vcnt} bvec(s), ${bio.size} bytes)`;
}

/** bio_first_folio on a released bio is a use after release. */
export function checkBioUse(c: PinChecker, bio: Bio, api: string): void {
  const released = c.releasedBios.get(bio);
  if (released === undefined) return;
  const page = bio.vcnt > 0 && bio.vecs !== null ? bio.vecs.page[0]! : -1;
  c.fail('bio-use-after-release', api, page, page >= 0 && pfnValid(c.m, page) ? pageFolio(c.m, page) : -1, [
    `${describeBio(bio)} is iterated after its pages were released by ${siteText(released)}`,
  ]);
}

/**
 * A bvec's first folio step: a page it spans that is free, or whose pin was released
 * and not taken again, is a use after release.
 */
export function checkBvecUse(c: PinChecker, page: number, len: number, offset: number, api: string): void {
  const first = page + Math.floor(offset / PAGE_SIZE);
  const inPage = offset % PAGE_SIZE;
  const nr = len === 0 ? 1 : Math.floor((inPage + len - 1) / PAGE_SIZE) + 1;
  const m = c.m;
  for (let p = first; p < first + nr; p++) {
    if (!pfnValid(m, p)) continue;
    if (!c.live(pageFolio(m, p)))
      c.fail('bvec-use-after-release', api, p, pageFolio(m, p), [
        `the bvec (page ${page}, len ${len}, offset ${offset}) spans page ${p}, which is free (use after free)`,
      ]);
    if (c.releaseSite[p] === 0 || c.pagePins[p] !== 0 || c.pageGets[p] !== 0) continue;
    const f = pageFolio(m, p);
    if (c.fuzzy[f] !== 0 || c.folioPins[f] !== c.annPins[f] || c.folioGets[f] !== c.annGets[f]) continue;
    c.fail('bvec-use-after-release', api, p, f, [
      `the bvec (page ${page}, len ${len}, offset ${offset}) spans ${describePage(c, p, f)}, whose ` +
        `${c.releaseKind[p] === HOLD_PIN ? 'pin' : 'reference'} was released by ${c.siteText(c.releaseSite[p]!)}`,
    ]);
  }
}
