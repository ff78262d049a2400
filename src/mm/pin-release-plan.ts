/**
 * One release call checked against the pin checker's shadow (pin-checker.ts): every
 * hold it names is matched first, and only if all are there is anything recorded, so a
 * PinMisuse leaves both the model and the shadow as they were before the call.
 *
 * Not a kernel structure. Matching, per page-named hold (unpin_user_page, an entry of
 * unpin_user_pages, put_page, a page of a bio step): the page's own annotation, else a
 * hold on its folio that GUP took outside a walk (no page known), else any hold on the
 * folio (the kernel counts per folio: unpin_user_page(head) for a tail page's pin
 * balances), unless the page itself was pinned and already released: that is a double
 * release even while other pages of the folio hold pins. Folio-named holds
 * (unpin_user_folio, unpin_folio) match the folio's exact count.
 */
import { errnoName, isErrValue } from './errno.js';
import { pageFolio } from './folio.js';
import { pfnValid } from './machine.js';
import { HOLD_GET, HOLD_PIN, type PinChecker } from './pin-checker.js';

function bump(map: Map<number, number>, key: number, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** "page 7 (folio 4, order 2)", with a note for the zero page. */
export function describePage(c: PinChecker, page: number, folio: number): string {
  const zero = page === c.m.zeroPfn ? ', the zero page' : '';
  return `page ${page} (folio ${folio}, order ${c.m.order[folio]}${zero})`;
}

/** Uses up a release an outer call (a bio release) already checked; true if there was one. */
export function takeCredit(c: PinChecker, folio: number, n: number): boolean {
  const have = c.credits.get(folio);
  if (have === undefined || have < n) return false;
  if (have === n) c.credits.delete(folio);
  else c.credits.set(folio, have - n);
  return true;
}

/** Fails with rule errno-count when a -errno was passed as a count. */
export function checkErrnoCount(c: PinChecker, api: string, count: number): void {
  if (!isErrValue(count)) return;
  c.fail('errno-count', api, -1, -1, [
    `the count is ${count} (${errnoName(count)}), an error a GUP call returned: nothing is released and every pin it was meant to drop leaks`,
    `check the GUP call's result first: if (ret < 0) return ret; ... unpin exactly ret pages`,
  ]);
}

export class ReleasePlan {
  private readonly usedPage = new Map<number, number>();
  private readonly usedFolio = new Map<number, number>();
  private readonly usedUnann = new Map<number, number>();
  private readonly lowest = new Map<number, number>();
  private readonly named: number[] = [];
  /** Named pages that released their own hold or one taken without a page (not another page's). */
  private readonly own = new Set<number>();
  private readonly guessed: number[] = [];
  private readonly what: string;

  constructor(
    readonly c: PinChecker,
    /** The API's kernel name. */
    readonly api: string,
    /** HOLD_PIN or HOLD_GET. */
    readonly kind: number,
    /** The rule for a page that holds nothing: release-unheld, or over-release where the pages come from a bvec. */
    readonly unheld: 'release-unheld' | 'over-release' = 'release-unheld',
  ) {
    this.what = kind === HOLD_PIN ? 'pin' : 'FOLL_GET reference';
  }

  /** One hold named by `page`; `label` places it in the call ("entry 3: "). Throws PinMisuse. */
  page(page: number, label = ''): void {
    const c = this.c;
    if (!pfnValid(c.m, page)) return; // a wild pointer: the model's BUG reports it
    const f = pageFolio(c.m, page);
    if (!c.live(f)) return; // use after free: gup_put_folio's hook reports a pin, folio_put's BUG a reference
    const pin = this.kind === HOLD_PIN;
    const exact = pin ? c.folioPins : c.folioGets;
    if (exact[f]! - (this.usedFolio.get(f) ?? 0) <= 0) {
      if (!this.none(page, f, label)) return;
    }
    this.named.push(page);
    bump(this.usedFolio, f);
    const pageAnn = (pin ? c.pagePins : c.pageGets)[page]! - (this.usedPage.get(page) ?? 0);
    if (pageAnn > 0) {
      this.own.add(page);
      return bump(this.usedPage, page);
    }
    const unann = exact[f]! - (pin ? c.annPins : c.annGets)[f]! - (this.usedUnann.get(f) ?? 0);
    if (unann > 0) {
      this.own.add(page);
      return bump(this.usedUnann, f);
    }
    // A page whose own pin was released, named again: a double release. Not after a
    // folio-level release guessed which pages it meant (fuzzy: the page named again may
    // have been the one the guess passed over), nor when its last release took another
    // page's pin or dropped a FOLL_GET reference (it never had a pin to release twice).
    if (pin && c.releaseSite[page] !== 0 && c.releaseKind[page] === HOLD_PIN && c.releasedOwn[page] === 1 && c.fuzzy[f] === 0)
      this.releasedAgain(page, f, label);
    // Another page of the folio holds it: the kernel's counts are per folio, so this is
    // legal (unpin_user_page(head) for a tail's pin balances); the pages blur from here.
    bump(this.lowest, f);
  }

  /** `n` holds on `folio`, named by the folio only. Throws PinMisuse. */
  folio(folio: number, n: number, label = ''): void {
    const c = this.c;
    if (n <= 0 || !pfnValid(c.m, folio)) return;
    const f = pageFolio(c.m, folio);
    if (f !== folio)
      c.fail('not-a-folio', this.api, folio, f, [`${label}page ${folio} is a tail page of folio ${f} (order ${c.m.order[f]})`]);
    if (!c.live(f)) return; // a freed folio: gup_put_folio's count check reports the over-release
    const pin = this.kind === HOLD_PIN;
    const exact = pin ? c.folioPins : c.folioGets;
    const avail = exact[f]! - (this.usedFolio.get(f) ?? 0);
    if (avail === 0 && !this.none(f, f, label)) return;
    if (n > avail)
      c.fail('over-release', this.api, -1, f, [
        `${label}releases ${n} ${this.what}s of folio ${f} (order ${c.m.order[f]}), which holds ${avail}`,
        ...c.holdersOf(f),
      ]);
    bump(this.usedFolio, f, n);
    // With pages named on the folio, which holds a folio-named release meant is a guess.
    if ((pin ? c.annPins : c.annGets)[f]! > 0) this.guessed.push(f);
    const unann = exact[f]! - (pin ? c.annPins : c.annGets)[f]! - (this.usedUnann.get(f) ?? 0);
    const k = Math.min(n, unann);
    if (k > 0) bump(this.usedUnann, f, k);
    if (n > k) bump(this.lowest, f, n - k);
  }

  /**
   * Records the planned releases in the shadow. For FOLL_GET the exact counts drop here
   * (put_page does not go through gup_put_folio); pins drop in gup_put_folio's hook.
   */
  apply(): void {
    const c = this.c;
    if (this.usedFolio.size === 0) return;
    const site = c.newSite(this.api, -1);
    const kind = this.kind;
    const m = c.m;
    for (const [page, n] of this.usedPage) for (let i = 0; i < n; i++) c.unannotate(pageFolio(m, page), page, kind);
    for (const [f, n] of this.lowest) c.unannotateLowest(f, n, kind);
    for (const page of this.named) c.markReleased(page, kind, site, this.own.has(page));
    for (const f of this.guessed) c.fuzzy[f] = 1;
    if (kind === HOLD_GET) {
      for (const [f, n] of this.usedFolio) {
        c.folioGets[f] = c.folioGets[f]! - n;
        c.settleGets(f);
      }
    }
  }

  /**
   * `page` has no hold of this kind left on its folio. Throws the rule it breaks, or
   * returns false for put_page on a reference GUP never handed out (the mapping's,
   * the allocator's, a get_page() of the caller's own): not the checker's to judge.
   */
  private none(page: number, f: number, label: string): boolean {
    const c = this.c;
    const desc = `${label}${describePage(c, page, f)}`;
    const released = c.releaseSite[page]!;
    const releasedText = released !== 0 ? `its ${c.releaseKind[page] === HOLD_PIN ? 'pin' : 'reference'} was already released by ${c.siteText(released)}` : '';
    if (this.kind === HOLD_PIN) {
      if (c.folioGets[f]! > 0)
        c.fail('unpin-of-get', this.api, page, f, [`${desc} holds no pin, only ${c.folioGets[f]} FOLL_GET reference(s)`, ...c.holdersOf(f)]);
      if (released !== 0) c.fail('double-release', this.api, page, f, [`${desc} holds no pin: ${releasedText}`]);
      return c.fail(this.unheld, this.api, page, f, [`${desc} holds no pin`, ...this.unheldHint(page)]);
    }
    if (c.folioPins[f]! > 0)
      c.fail('put-page-on-pin', this.api, page, f, [`${desc} is held only by FOLL_PIN pins (${c.folioPins[f]})`, ...c.holdersOf(f)]);
    if (released !== 0) c.fail('double-release', this.api, page, f, [`${desc} holds no FOLL_GET reference: ${releasedText}`]);
    return false;
  }

  /** `page` was pinned, its own pin released, and it is named again while other pages of its folio hold pins. */
  private releasedAgain(page: number, f: number, label: string): never {
    const c = this.c;
    return c.fail('double-release', this.api, page, f, [
      `${label}${describePage(c, page, f)} holds no pin: it was already released by ${c.siteText(c.releaseSite[page]!)}`,
      `folio ${f} still holds ${c.folioPins[f]} pin(s), on other pages (the kernel would take one of theirs):`,
      ...c.holdersOf(f),
    ]);
  }

  private unheldHint(page: number): string[] {
    if (this.unheld === 'over-release') return ['a bvec releases one pin per page it spans: does it span more pages than were pinned?'];
    if (this.named.length > 0)
      return [`${this.named.length} earlier page(s) of this call were held: was the count larger than what the GUP call returned?`];
    if (page === this.c.m.zeroPfn) return ['PFN 0 is what a zero-filled page array holds where GUP wrote nothing'];
    return [];
  }
}
