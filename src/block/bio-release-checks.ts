/**
 * The pin checker's view of the block layer: `bio_release_pages` / `__bio_release_pages`
 * (block/bio.c) and the folio iterators of include/linux/bio.h. Not kernel code; the
 * kernel finds these bugs as a refcount underflow, a use after free or never.
 *
 * A bio release is checked whole before the model drops a pin: every page of every
 * folio step must hold a pin (one per page the step spans, the invariant
 * __bio_release_pages relies on), and the bio must not have been released before.
 * The nested unpin_user_folio / unpin_user_page calls then use the releases checked
 * here (the checker's credits). After it, the bio is marked released
 * (bio-use-checks.ts reports any later iteration).
 */
import { NULL_PFN, PAGE_SIZE } from '../mm/constants.js';
import type { Machine } from '../mm/machine.js';
import { HOLD_PIN, type PinChecker } from '../mm/pin-checker.js';
import { ReleasePlan } from '../mm/pin-release-plan.js';
import { siteText } from '../mm/pin-site.js';
import type { Bio } from './bio.js';
import { FolioIter, bioFirstFolio, bioNextFolio } from './folio-iter.js';

function describeBio(bio: Bio): string {
  return `the bio (${bio.vcnt} bvec(s), ${bio.size} bytes)`;
}

/** At the top of __bio_release_pages: checks and records every pin the release drops. */
export function checkBioRelease(m: Machine, c: PinChecker, bio: Bio): void {
  const prev = c.releasedBios.get(bio);
  if (prev !== undefined)
    c.fail('bio-double-release', 'bio_release_pages', -1, -1, [`${describeBio(bio)} was already released by ${siteText(prev)}`]);
  c.credits.clear();
  const plan = new ReleasePlan(c, 'bio_release_pages', HOLD_PIN, 'over-release');
  const credit = new Map<number, number>();
  const fi = new FolioIter();
  for (bioFirstFolio(m, fi, bio, 0); fi.folio !== NULL_PFN; bioNextFolio(m, fi, bio)) {
    const first = Math.floor(fi.offset / PAGE_SIZE);
    const nr = Math.floor((fi.offset + fi.length - 1) / PAGE_SIZE) - first + 1;
    const bvs = bio.vecs!;
    const bv = `bvec ${fi.i} (page ${bvs.page[fi.i]}, len ${bvs.len[fi.i]}, offset ${bvs.offset[fi.i]})`;
    for (let k = 0; k < nr; k++) plan.page(fi.folio + first + k, `${bv}: `);
    if (nr > 0) credit.set(fi.folio, (credit.get(fi.folio) ?? 0) + nr);
  }
  plan.apply();
  for (const [f, n] of credit) c.credits.set(f, n);
}

/** At the end of __bio_release_pages: the bio no longer owns its pages. */
export function bioReleased(c: PinChecker, bio: Bio): void {
  c.credits.clear();
  const site = c.site(c.newSite('bio_release_pages', -1));
  if (site !== undefined) c.releasedBios.set(bio, site);
}
