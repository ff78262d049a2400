/**
 * The pin checker's shadow accounting: who holds what on every page of a checked
 * machine. Not a kernel structure; the kernel's nearest tools are the vmstat pair
 * nr_foll_pin_acquired / nr_foll_pin_released and page_owner, neither of which says who
 * holds a given pin.
 *
 * Two layers of counts:
 * - exact, per folio (head PFN): every FOLL_PIN pin and FOLL_GET reference the model's
 *   grab primitives take (try_grab_folio, try_grab_folio_fast, folio_add_pin) minus
 *   every one gup_put_folio, put_page and release_pages drop. Pins of the zero page are
 *   counted although the kernel takes none, because the caller still owes the unpin.
 * - annotated, per page: the pages each GUP call handed to its caller (recorded by the
 *   GUP walk's sink wrapper, src/gup/checked-sink.ts), with the call that took them.
 *   Page-named releases (unpin_user_page, put_page, a bio's page ranges) take from the
 *   page they name; folio-named ones (unpin_user_folio, unpin_folio) cannot say which
 *   pages they mean, so they take the lowest annotated pages and mark the folio fuzzy,
 *   after which page-level checks on it fall back to folio-level until it is idle.
 * Invariant: annotated <= exact on every folio.
 *
 * Off by default (`m.checker === null`): every hook in the model is one null test.
 * Simplification: FOLL_GET references dropped with folio_put()/folio_put_refs() are not
 * seen (the model's own mappings use those) until the folio is freed; release GUP
 * references with put_page()/release_pages() or the report shows them as still held.
 */
import { FOLL_GET, FOLL_PIN } from './foll-flags.js';
import type { Machine } from './machine.js';
import { PG_ALLOCATED } from './page-flags.js';
import { PinMisuse, type PinRuleId } from './pin-misuse.js';
import { captureStack, callerText, siteText, type PinSite } from './pin-site.js';

/** What a hold is: a FOLL_PIN pin or a FOLL_GET reference. */
export const HOLD_PIN = 1;
export const HOLD_GET = 2;

const COMPACT_AT = 4096;

export class PinChecker {
  readonly nrPages: number;
  /** Exact pins per folio (head PFN). */
  readonly folioPins: Int32Array;
  /** Exact FOLL_GET references per folio (head PFN). */
  readonly folioGets: Int32Array;
  /** Pins per page as GUP handed them out. */
  readonly pagePins: Int32Array;
  /** FOLL_GET references per page as GUP handed them out. */
  readonly pageGets: Int32Array;
  /** Sum of pagePins over the folio's pages, at the head. */
  readonly annPins: Int32Array;
  /** Sum of pageGets over the folio's pages, at the head. */
  readonly annGets: Int32Array;
  /** Site of the last GUP call that gave the page a pin / a reference. */
  readonly pinSite: Int32Array;
  readonly getSite: Int32Array;
  /** Site of the last release on the page (0: none since it was last taken or freed). */
  readonly releaseSite: Int32Array;
  /** HOLD_PIN or HOLD_GET: what that release dropped. */
  readonly releaseKind: Uint8Array;
  /** 1 if that release dropped the page's own hold (or one taken without a page), 0 if another page's. */
  readonly releasedOwn: Uint8Array;
  /** Per folio: a folio-level release took annotations from pages it could not name. */
  readonly fuzzy: Uint8Array;
  /**
   * Per page: its holds came from GUP calls on more than one mm (HOLD_PIN / HOLD_GET
   * bits). The site kept is the latest, so which mm a remaining hold belongs to is
   * unknown: exit_mmap does not blame such a page on the mm being torn down.
   */
  readonly mixedMm: Uint8Array;
  /** Per page: the mm of the GUP call that last gave it a hold (-1: none). */
  private readonly holderMm: Int32Array;
  /** Releases an outer API (a bio release) already checked, per folio, for the nested calls. */
  readonly credits = new Map<number, number>();
  /** Bios whose pages were released, and where. */
  readonly releasedBios = new WeakMap<object, PinSite>();
  private readonly sites = new Map<number, PinSite>();
  private nextSite = 1;
  /**
   * Site count that triggers the next compaction: twice what the last one kept, so
   * that thousands of live sites (calls whose pins are all still held) cost one scan
   * of the memmap per doubling, not one per new site.
   */
  private compactAt = COMPACT_AT;

  constructor(readonly m: Machine) {
    const n = m.nrPages;
    this.nrPages = n;
    this.folioPins = new Int32Array(n);
    this.folioGets = new Int32Array(n);
    this.pagePins = new Int32Array(n);
    this.pageGets = new Int32Array(n);
    this.annPins = new Int32Array(n);
    this.annGets = new Int32Array(n);
    this.pinSite = new Int32Array(n);
    this.getSite = new Int32Array(n);
    this.releaseSite = new Int32Array(n);
    this.releaseKind = new Uint8Array(n);
    this.releasedOwn = new Uint8Array(n);
    this.fuzzy = new Uint8Array(n);
    this.mixedMm = new Uint8Array(n);
    this.holderMm = new Int32Array(n).fill(-1);
  }

  /** Records a call site (a GUP call with its mm, or a release with its API name). */
  newSite(api: string | null, mmId: number): number {
    if (this.sites.size >= this.compactAt) this.compactSites();
    const id = this.nextSite++;
    this.sites.set(id, { id, api, stack: captureStack(), mmId });
    return id;
  }

  site(id: number): PinSite | undefined {
    return this.sites.get(id);
  }

  /** Call sites recorded and not yet forgotten (they are dropped once no page names them). */
  get siteCount(): number {
    return this.sites.size;
  }

  /** "pin_user_pages_fast() at file:line:col", or a placeholder for a forgotten site. */
  siteText(id: number): string {
    const s = this.sites.get(id);
    return s === undefined ? 'an earlier call' : siteText(s);
  }

  /** Drops sites no page refers to any more. */
  private compactSites(): void {
    const live = new Set<number>();
    const { pagePins, pageGets, pinSite, getSite, releaseSite } = this;
    for (let p = 0; p < this.nrPages; p++) {
      if (pagePins[p] !== 0) live.add(pinSite[p]!);
      if (pageGets[p] !== 0) live.add(getSite[p]!);
      if (releaseSite[p] !== 0) live.add(releaseSite[p]!);
    }
    for (const id of this.sites.keys()) if (!live.has(id)) this.sites.delete(id);
    this.compactAt = Math.max(COMPACT_AT, 2 * this.sites.size);
  }

  /** Hook of the grab primitives: `refs` pins or references were added to `folio`. */
  grabbed(folio: number, refs: number, gupFlags: number): void {
    if ((gupFlags & FOLL_PIN) !== 0) this.folioPins[folio] = this.folioPins[folio]! + refs;
    else if ((gupFlags & FOLL_GET) !== 0) this.folioGets[folio] = this.folioGets[folio]! + refs;
  }

  /**
   * Hook of gup_put_folio: `refs` pins (FOLL_PIN) or references (FOLL_GET) leave
   * `folio`. The release APIs have checked their pages already; a direct caller that
   * releases more pins than are held gets a PinMisuse before the model's counts move.
   */
  put(folio: number, refs: number, gupFlags: number): void {
    if ((gupFlags & FOLL_PIN) !== 0) {
      const held = this.folioPins[folio]!;
      if (held < refs)
        this.fail('over-release', 'gup_put_folio', folio, folio, [
          `releases ${refs} pins of folio ${folio} (order ${this.m.order[folio]}), which holds ${held}`,
          ...this.holdersOf(folio),
        ]);
      this.folioPins[folio] = held - refs;
      this.trim(folio, HOLD_PIN);
    } else if ((gupFlags & FOLL_GET) !== 0) {
      // References beyond GUP's are someone else's (the caller's own folio_get, say): not judged.
      this.folioGets[folio] = Math.max(0, this.folioGets[folio]! - refs);
      this.trim(folio, HOLD_GET);
    }
    this.settle(folio);
  }

  /** Hook of folio_put_refs when the count reaches zero, before the folio is freed. */
  freeing(folio: number): void {
    const pins = this.folioPins[folio]!;
    if (pins !== 0)
      this.fail('held-folio-freed', 'folio_put', folio, folio, [
        `folio ${folio} (order ${this.m.order[folio]}) is being freed while ${pins} pin(s) from GUP are held on it: ` +
          `its pin references were dropped by folio_put()/folio_put_refs(), which do not know about pins`,
        ...this.holdersOf(folio),
      ]);
    // FOLL_GET references may legally go with folio_put(): the last one is going now.
    const end = folio + (1 << this.m.order[folio]!);
    for (let p = folio; p < end; p++) {
      this.pageGets[p] = 0;
      this.releaseSite[p] = 0;
      this.mixedMm[p] = this.mixedMm[p]! & ~HOLD_GET;
    }
    this.folioGets[folio] = 0;
    this.annGets[folio] = 0;
    this.fuzzy[folio] = 0;
  }

  /** The GUP walk handed out `nr` pages from `page` (all in `folio`) to site `siteId`. */
  annotate(folio: number, page: number, nr: number, kind: number, siteId: number): void {
    const pages = kind === HOLD_PIN ? this.pagePins : this.pageGets;
    const sites = kind === HOLD_PIN ? this.pinSite : this.getSite;
    const end = page + nr;
    const mmId = this.sites.get(siteId)?.mmId ?? -1;
    for (let p = page; p < end; p++) {
      if (pages[p]! > 0 && this.holderMm[p] !== mmId) this.mixedMm[p] = this.mixedMm[p]! | kind;
      pages[p] = pages[p]! + 1;
      sites[p] = siteId;
      this.holderMm[p] = mmId;
      this.releaseSite[p] = 0;
    }
    const ann = kind === HOLD_PIN ? this.annPins : this.annGets;
    ann[folio] = ann[folio]! + nr;
  }

  /** Takes one annotation off `page` (a page-named release or a sink rollback). */
  unannotate(folio: number, page: number, kind: number): void {
    const left = (kind === HOLD_PIN ? this.pagePins : this.pageGets)[page]! - 1;
    if (kind === HOLD_PIN) {
      this.pagePins[page] = left;
      this.annPins[folio] = this.annPins[folio]! - 1;
    } else {
      this.pageGets[page] = left;
      this.annGets[folio] = this.annGets[folio]! - 1;
    }
    if (left === 0) this.mixedMm[page] = this.mixedMm[page]! & ~kind;
  }

  /**
   * Takes `n` annotations from the folio's lowest annotated pages (a release that does
   * not name its pages). The pages are a guess, so they get no release mark: a later
   * release naming one of them is not taken for a double release.
   */
  unannotateLowest(folio: number, n: number, kind: number): void {
    const pages = kind === HOLD_PIN ? this.pagePins : this.pageGets;
    const end = folio + (1 << this.m.order[folio]!);
    for (let p = folio; p < end && n > 0; p++) {
      while (pages[p]! > 0 && n > 0) {
        this.unannotate(folio, p, kind);
        n--;
      }
    }
    const ann = kind === HOLD_PIN ? this.annPins : this.annGets;
    if (ann[folio]! > 0) this.fuzzy[folio] = 1;
  }

  /** Remembers who released a hold on `page`, for double-release and use-after-release reports. */
  markReleased(page: number, kind: number, siteId: number, own: boolean): void {
    this.releaseSite[page] = siteId;
    this.releaseKind[page] = kind;
    this.releasedOwn[page] = own ? 1 : 0;
  }

  /** Keeps annotated <= exact after a release the APIs did not describe page by page. */
  private trim(folio: number, kind: number): void {
    const exact = kind === HOLD_PIN ? this.folioPins : this.folioGets;
    const ann = kind === HOLD_PIN ? this.annPins : this.annGets;
    const over = ann[folio]! - exact[folio]!;
    if (over > 0) this.unannotateLowest(folio, over, kind);
  }

  /** An idle folio (nothing held) is exact again at page level. */
  private settle(folio: number): void {
    if (this.folioPins[folio] === 0 && this.folioGets[folio] === 0) this.fuzzy[folio] = 0;
  }

  /** Called by the release checks once the model has applied a FOLL_GET release. */
  settleGets(folio: number): void {
    this.settle(folio);
  }

  /** Whether `folio` is allocated (a release on a free folio is left to the model's use-after-free BUG). */
  live(folio: number): boolean {
    return (this.m.flags[folio]! & PG_ALLOCATED) !== 0 && this.m.refcount[folio]! > 0;
  }

  /** Lines naming the calls that hold pins or references on `folio`. */
  holdersOf(folio: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const end = folio + (1 << this.m.order[folio]!);
    for (let p = folio; p < end && out.length < 4; p++) {
      if (this.pagePins[p]! > 0) {
        const t = `pinned by ${this.siteText(this.pinSite[p]!)}`;
        if (!seen.has(t)) out.push(t), seen.add(t);
      }
      if (this.pageGets[p]! > 0) {
        const t = `FOLL_GET reference taken by ${this.siteText(this.getSite[p]!)}`;
        if (!seen.has(t)) out.push(t), seen.add(t);
      }
    }
    return out;
  }

  /** Throws the PinMisuse, adding the caller's line. */
  fail(rule: PinRuleId, api: string, page: number, folio: number, details: string[]): never {
    throw new PinMisuse(rule, api, { page, folio }, [...details, `called at ${callerText()}`]);
  }
}

/**
 * Turns the pin checker on for `m` (tests and `trace` do; benchmarks do not) and returns
 * it. Throws TypeError if pins are in flight (nr_foll_pin_acquired !=
 * nr_foll_pin_released): the checker could not know who holds them.
 */
export function enablePinChecker(m: Machine): PinChecker {
  if (m.checker !== null) return m.checker;
  if (m.stat.nrFollPinAcquired !== m.stat.nrFollPinReleased)
    throw new TypeError('enablePinChecker: pins are in flight; enable the checker on a machine before it pins');
  m.checker = new PinChecker(m);
  return m.checker;
}

/** Turns the checker off again (its shadow state is dropped). */
export function disablePinChecker(m: Machine): void {
  m.checker = null;
}
