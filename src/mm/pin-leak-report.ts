/**
 * Leak reports of the pin checker: the pins and FOLL_GET references still held, grouped
 * by the GUP call that took them, with the pages and folios. Used when an mm is torn
 * down with its pages still held (exit_mmap) and at the end of every test.
 *
 * Not a kernel structure: the kernel only shows nr_foll_pin_acquired running ahead of
 * nr_foll_pin_released. Holds GUP took outside a walk (try_grab_folio or
 * folio_add_pin(s) called directly) have no page or call: they are listed per folio.
 * An mm id that is not a non-negative integer, or a `max` that is not a count, throws
 * an ArgumentError (arg-check.ts).
 */
import { HOLD_GET, HOLD_PIN, type PinChecker } from './pin-checker.js';
import { checkCount, checkUnsignedLong } from './arg-check.js';

/** The holds one GUP call (or none, site 0) still has. */
export interface PinLeak {
  /** The GUP call's site id; 0 for holds taken outside a walk. */
  readonly site: number;
  readonly kind: 'pin' | 'get';
  /** Holds in all. */
  count: number;
  /** The pages (annotated holds) or folio heads (site 0), ascending. */
  readonly pages: number[];
}

/** What is still held, optionally only what GUP calls on mm `mmId` took. */
export function pinLeaks(c: PinChecker, mmId?: number): PinLeak[] {
  if (mmId !== undefined) checkUnsignedLong('pinLeaks', 'mmId', mmId);
  const bySite = new Map<string, PinLeak>();
  const add = (site: number, kind: 'pin' | 'get', page: number, n: number): void => {
    const key = `${kind}:${site}`;
    let l = bySite.get(key);
    if (l === undefined) bySite.set(key, (l = { site, kind, count: 0, pages: [] }));
    l.count += n;
    l.pages.push(page);
  };
  const { pagePins, pageGets, folioPins, folioGets, annPins, annGets, pinSite, getSite, mixedMm } = c;
  // For one mm, a page pinned through several mms is left out: its latest site need not
  // be the call whose hold remains (the end-of-test report, for all mms, still lists it).
  const mixed = mmId === undefined ? 0 : HOLD_PIN | HOLD_GET;
  for (let p = 0; p < c.nrPages; p++) {
    if (pagePins[p]! > 0 && (mixedMm[p]! & mixed & HOLD_PIN) === 0) add(pinSite[p]!, 'pin', p, pagePins[p]!);
    if (pageGets[p]! > 0 && (mixedMm[p]! & mixed & HOLD_GET) === 0) add(getSite[p]!, 'get', p, pageGets[p]!);
    if (mmId !== undefined) continue;
    if (folioPins[p]! > annPins[p]!) add(0, 'pin', p, folioPins[p]! - annPins[p]!);
    if (folioGets[p]! > annGets[p]!) add(0, 'get', p, folioGets[p]! - annGets[p]!);
  }
  const out = [...bySite.values()];
  return mmId === undefined ? out : out.filter((l) => c.site(l.site)?.mmId === mmId);
}

/** "5-7, 9, 12-13". */
export function pageRanges(pages: readonly number[], max = 8): string {
  checkCount('pageRanges', 'max', max);
  const parts: string[] = [];
  let i = 0;
  while (i < pages.length && parts.length < max) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    parts.push(j === i ? `${pages[i]}` : `${pages[i]}-${pages[j]}`);
    i = j + 1;
  }
  if (i < pages.length) parts.push('...');
  return parts.join(', ');
}

/** The report, one line per call (or per folio for holds outside a walk). */
export function formatPinLeaks(c: PinChecker, leaks: readonly PinLeak[]): string[] {
  const out: string[] = [];
  for (const l of leaks) {
    const what = l.kind === 'pin' ? 'pin(s)' : 'FOLL_GET reference(s)';
    if (l.site === 0) {
      for (const f of l.pages) {
        const n = l.kind === 'pin' ? c.folioPins[f]! - c.annPins[f]! : c.folioGets[f]! - c.annGets[f]!;
        out.push(`folio ${f} (order ${c.m.order[f]}): ${n} ${what} taken outside a GUP walk (try_grab_folio / folio_add_pin(s))`);
      }
      continue;
    }
    const s = c.site(l.site);
    const mm = s === undefined || s.mmId < 0 ? '' : ` on mm ${s.mmId}`;
    const folios = new Set<number>();
    for (const p of l.pages) folios.add(p & ~((1 << c.m.order[p]!) - 1));
    out.push(
      `${l.count} ${what} taken by ${c.siteText(l.site)}${mm}: pages ${pageRanges(l.pages)} ` +
        `(folio${folios.size > 1 ? 's' : ''} ${pageRanges([...folios])})`,
    );
  }
  return out;
}

/** The end-of-test report: empty when nothing is held. */
export function pinLeakReport(c: PinChecker): string[] {
  return formatPinLeaks(c, pinLeaks(c));
}

/** exit_mmap's check: throws PinMisuse (pin-outlives-mm) if GUP calls on this mm left holds. */
export function checkPinsAtExit(c: PinChecker, mmId: number): void {
  checkUnsignedLong('checkPinsAtExit', 'mmId', mmId);
  const leaks = pinLeaks(c, mmId);
  if (leaks.length === 0) return;
  const first = leaks[0]!;
  const page = first.pages[0]!;
  let total = 0;
  for (const l of leaks) total += l.count;
  c.fail('pin-outlives-mm', 'exit_mmap', page, page & ~((1 << c.m.order[page]!) - 1), [
    `mm ${mmId} is torn down while ${total} pin(s) or reference(s) its GUP calls took are still held ` +
      `(the pages stay allocated until they are released):`,
    ...formatPinLeaks(c, leaks),
  ]);
}
