/**
 * The checker must never accuse a correct driver. The kernel's counts are per folio
 * (mm/gup.c gup_put_folio): any mix of page-named releases (unpin_user_page,
 * unpin_user_pages, unpin_user_page_range_dirty_lock) and folio-named ones (unpin_folio,
 * unpin_user_folio, unpin_folios) that gives back exactly what was taken is legal. Here a
 * driver pins pages of one order-2 folio through the walk (pages known) and through
 * try_grab_folio (pages unknown), and releases only what it holds: a page it pinned by
 * name, or any of its pins through a folio-level call. No PinMisuse may be raised, and
 * everything ends balanced.
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import {
  FOLL_PIN,
  FOLL_WRITE,
  PAGE_SIZE,
  exitMmap,
  pageFolio,
  pinUserPages,
  tryGrabFolio,
  unpinFolio,
  unpinFolios,
  unpinUserFolio,
  unpinUserPage,
  unpinUserPageRangeDirtyLock,
  unpinUserPages,
} from '../../src/index.js';
import { BASE, mapAt, world, type World } from '../support/mm-layout.js';
import { atLeastRuns } from '../support/runs.js';

/** One order-2 folio mapped at BASE, faulted in; returns its head PFN. */
function oneFolio(w: World): number {
  mapAt(w.mm, BASE, 4 * PAGE_SIZE, { order: 2, populate: true });
  const pages = [0];
  expect(pinUserPages(w.mm, BASE, 1, FOLL_WRITE, pages)).toBe(1);
  unpinUserPage(w.m, pages[0]!);
  return pageFolio(w.m, pages[0]!);
}

it('a folio-level release that guessed the wrong page does not turn a later correct release into a double release', () => {
  // Pages 1 and 2 pinned twice each. unpin_folio gives back one pin; the driver means
  // page 2's, the checker cannot know and takes page 1's. Page 1, released twice by
  // name afterwards, is then named once more than the checker's guess left it.
  const w = world();
  const f = oneFolio(w);
  const pages = [0, 0];
  expect(pinUserPages(w.mm, BASE + PAGE_SIZE, 2, FOLL_WRITE, pages)).toBe(2);
  expect(pinUserPages(w.mm, BASE + PAGE_SIZE, 2, FOLL_WRITE, pages)).toBe(2);
  expect(pages).toEqual([f + 1, f + 2]);
  expect(w.m.pincount[f]).toBe(4);
  unpinFolio(w.m, f);
  unpinUserPages(w.m, [f + 1], 1);
  unpinUserPages(w.m, [f + 1], 1);
  unpinUserPage(w.m, f + 2);
  expect(w.m.pincount[f]).toBe(0);
  exitMmap(w.mm);
});

/** [op, page, count, choice]: op 0 grab, 1 walk, 2 unpin_user_page, 3 range, 4 unpin_user_pages, 5 unpin_folio, 6 unpin_user_folio, 7 unpin_folios. */
const step = fc.tuple(fc.nat(7), fc.nat(3), fc.integer({ min: 1, max: 3 }), fc.nat(255));

test.prop([fc.array(step, { maxLength: 14 })], { numRuns: atLeastRuns(1000) })('releases of held pins, by page or by folio, in any mix: never a PinMisuse', (steps) => {
  const w = world();
  const f = oneFolio(w);
  // What the driver holds: pins it can name by page, and pins taken without pages.
  const named: number[] = [];
  let unnamed = 0;
  const holds = () => named.length + unnamed;
  const takePage = (p: number): boolean => {
    const i = named.indexOf(p);
    if (i >= 0) named.splice(i, 1);
    else if (unnamed > 0) unnamed--;
    else return false;
    return true;
  };
  const takeAny = (n: number, choice: number): void => {
    for (let k = 0; k < n; k++, choice >>= 1) {
      if (named.length > 0 && ((choice & 1) === 1 || unnamed === 0)) named.splice((choice + k) % named.length, 1);
      else unnamed--;
    }
  };
  for (const [op, page, n, choice] of steps) {
    if (op === 0) {
      expect(tryGrabFolio(w.m, f, n, FOLL_PIN)).toBe(0);
      unnamed += n;
    } else if (op === 1) {
      const first = Math.min(page, 4 - n);
      const got = [0, 0, 0];
      expect(pinUserPages(w.mm, BASE + first * PAGE_SIZE, n, FOLL_WRITE, got)).toBe(n);
      for (let i = 0; i < n; i++) named.push(got[i]! - f);
    } else if (op === 2 || op === 3) {
      if (!takePage(page)) continue;
      if (op === 2) unpinUserPage(w.m, f + page);
      else unpinUserPageRangeDirtyLock(w.m, f + page, 1, false);
    } else if (op === 4) {
      const list = Array.from({ length: n }, (_, i) => (page + i) & 3);
      const before = { named: [...named], unnamed };
      if (!list.every(takePage)) {
        named.splice(0, named.length, ...before.named);
        unnamed = before.unnamed;
        continue;
      }
      unpinUserPages(
        w.m,
        list.map((p) => f + p),
        n,
      );
    } else {
      const k = op === 5 ? 1 : n;
      if (k > holds()) continue;
      takeAny(k, choice);
      if (op === 5) unpinFolio(w.m, f);
      else if (op === 6) unpinUserFolio(w.m, f, k);
      else unpinFolios(w.m, Array<number>(k).fill(f), k);
    }
  }
  expect(w.m.pincount[f]).toBe(holds());
  if (holds() > 0) unpinUserFolio(w.m, f, holds());
  exitMmap(w.mm);
});
