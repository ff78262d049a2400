/**
 * What the pin checker reports: the `PinMisuse` error and the rules it enforces, each
 * with the kernel text that states it.
 *
 * Not a kernel structure: the kernel finds these bugs late (a refcount underflow, a
 * VM_BUG_ON, a page freed under DMA, a WARN in unpin_user_pages) or never. The checker
 * (pin-checker.ts) throws a PinMisuse at the call that breaks a rule, before the model
 * acts on it, so the machine's counts are those of the last correct call.
 */

/** The rules, by id. `rule` is the statement; `source` says where the kernel states it. */
export const PIN_RULES = {
  'put-page-on-pin': {
    rule: 'pages pinned with FOLL_PIN must be released with unpin_user_page*(), never put_page()',
    source:
      'Documentation/core-api/pin_user_pages.rst; mm/gup.c unpin_user_page() kernel-doc ("Pages that were pinned via ' +
      'pin_user_pages*() must be released via either unpin_user_page(), or one of the unpin_user_pages*() routines")',
  },
  'unpin-of-get': {
    rule: 'a FOLL_GET reference (get_user_pages*()) is released with put_page(); unpin_user_page*() drops a FOLL_PIN pin',
    source:
      'Documentation/core-api/pin_user_pages.rst ("FOLL_PIN and FOLL_GET are mutually exclusive for a given gup call"); ' +
      'mm/gup.c gup_put_folio() (an unpin drops GUP_PIN_COUNTING_BIAS references, or one _pincount)',
  },
  'double-release': {
    rule: 'each pin and each reference is released exactly once',
    source: 'mm/gup.c unpin_user_page() / gup_put_folio(); include/linux/mm.h put_page()',
  },
  'release-unheld': {
    rule: 'release only pages that a GUP call returned to you, and only as many as it returned',
    source: 'mm/gup.c get_user_pages_fast() kernel-doc ("Returns number of pages pinned. This may be fewer than the number requested")',
  },
  'over-release': {
    rule: 'release exactly the pins taken: n pages returned need n releases, and a bvec or bio releases one pin per page it spans',
    source: 'mm/gup.c unpin_user_folio() ("Release npages of the folio"); block/bio.c __bio_release_pages()',
  },
  'errno-count': {
    rule: 'a -errno from pin_user_pages*() is not a page count: unpin_user_pages() WARNs, releases nothing and the pins leak',
    source:
      'mm/gup.c unpin_user_pages() ("More likely, gup/pup returned a hard -ERRNO error to the caller, who erroneously passed it here")',
  },
  'bio-double-release': {
    rule: 'bio_release_pages() runs once per bio, at completion',
    source: 'block/bio.c __bio_release_pages(); include/linux/bio.h bio_release_pages()',
  },
  'bio-use-after-release': {
    rule: 'a bio whose pages were released no longer owns them: do not iterate it',
    source: 'block/bio.c __bio_release_pages() (the pins are dropped); include/linux/bio.h bio_for_each_folio_all()',
  },
  'bvec-use-after-release': {
    rule: 'a bvec whose pins were released no longer owns its pages: do not iterate it',
    source: 'include/linux/bvec.h (a bvec holds no reference of its own); mm/gup.c unpin_user_folio()',
  },
  'dirty-after-unpin': {
    rule: 'mark a page dirty while you still hold its pin; unpin_user_pages_dirty_lock() does both, in that order',
    source: 'mm/gup.c unpin_user_pages_dirty_lock() kernel-doc ("hand code it: set_page_dirty_lock(), unpin_user_page()")',
  },
  'dirty-get': {
    rule: 'writing to a page\'s data needs a FOLL_PIN pin: "get_user_pages(); write to the data within the pages; put_page()" is INCORRECT',
    source: 'Documentation/core-api/pin_user_pages.rst, CASE 5',
  },
  'longterm-unpinnable': {
    rule: 'a FOLL_LONGTERM pin never stays on memory that is not long-term pinnable (CMA, ZONE_MOVABLE, fsdax, device-coherent)',
    source: 'mm/gup.c check_and_migrate_movable_pages(), folio_is_longterm_pinnable(); Documentation/core-api/pin_user_pages.rst, CASE 2',
  },
  'rollback-leak': {
    rule: 'a GUP sink\'s rollback releases every page it was told to drop',
    source: 'mm/gup.c migrate_longterm_unpinnable_folios() (unpins every entry before migrating)',
  },
  'pin-outlives-mm': {
    rule: 'unpin (or put) every page before the address space it came from is torn down',
    source: 'Documentation/core-api/pin_user_pages.rst ("nr_foll_pin_acquired ... equal unless there are any long-term [R]DMA pins in place")',
  },
  'leak': {
    rule: 'every pin and reference a GUP call returns is released by the caller',
    source: 'mm/gup.c pin_user_pages() kernel-doc; Documentation/core-api/pin_user_pages.rst (nr_foll_pin_acquired == nr_foll_pin_released)',
  },
  'held-folio-freed': {
    rule: 'a folio is never freed while GUP pins or references on it are held',
    source: 'include/linux/mm.h folio_put() / page_ref.h (a pin is GUP_PIN_COUNTING_BIAS references or a _pincount plus one reference)',
  },
  'not-a-folio': {
    rule: 'unpin_folio() and unpin_user_folio() take a folio (its head page), not a tail page',
    source: 'mm/gup.c unpin_folio(), unpin_user_folio()',
  },
} as const;

/** A rule's id. */
export type PinRuleId = keyof typeof PIN_RULES;

/** Where a PinMisuse happened: the page and folio involved (-1 when not one page). */
export interface PinMisuseSubject {
  readonly page: number;
  readonly folio: number;
}

/**
 * A broken pin/release rule, thrown by the checked machine at the faulting call. The
 * message names the call, the page, the folio, who holds what, the rule and where the
 * kernel states it.
 */
export class PinMisuse extends Error {
  constructor(
    readonly rule: PinRuleId,
    /** The API that broke the rule, by its kernel name (`put_page`, `unpin_user_pages`, ...). */
    readonly api: string,
    readonly subject: PinMisuseSubject,
    /** What the checker saw, one line per fact. */
    readonly details: readonly string[],
  ) {
    super(formatMisuse(rule, api, details));
    this.name = 'PinMisuse';
  }

  get page(): number {
    return this.subject.page;
  }

  get folio(): number {
    return this.subject.folio;
  }
}

function formatMisuse(rule: PinRuleId, api: string, details: readonly string[]): string {
  const r = PIN_RULES[rule];
  const lines = [`${api}: ${details[0] ?? ''}`];
  for (let i = 1; i < details.length; i++) lines.push(`  ${details[i]}`);
  lines.push(`  rule [${rule}]: ${r.rule}`);
  lines.push(`  stated in: ${r.source}`);
  return lines.join('\n');
}
