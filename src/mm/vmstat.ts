/**
 * vmstat counters: `/proc/vmstat` fields the model maintains.
 *
 * Models `NR_FOLL_PIN_ACQUIRED` / `NR_FOLL_PIN_RELEASED` (node stats, changed by
 * `refs` = pages, never by folios; zero-page pins never count; `folio_add_pin` does not
 * count) exactly, and a few event counters (pgfault, pgmigrate_success, ...) with the
 * kernel's meaning but counted only where the model performs the event.
 */

/** Mutable vmstat counters held by a machine. */
export class VmStat {
  /** `nr_foll_pin_acquired`: pages pinned with FOLL_PIN, per page. */
  nrFollPinAcquired = 0;
  /** `nr_foll_pin_released`: pages unpinned, per page. */
  nrFollPinReleased = 0;
  /** `nr_free_pages`. */
  nrFreePages = 0;
  /** Folios allocated (`pgalloc_*` counts pages; this counts folios). */
  folioAllocs = 0;
  /** Folios freed. */
  folioFrees = 0;
  /** `pgfault`: faults handled. */
  pgfault = 0;
  /** `thp_fault_alloc`: PMD-sized anonymous folios allocated at fault. */
  thpFaultAlloc = 0;
  /** `cow_ksm`-like count of copy-on-write copies made by write faults. */
  cowCopies = 0;
  /** Unshare faults (`FAULT_FLAG_UNSHARE`) handled. */
  unshareFaults = 0;
  /** `pgmigrate_success`: pages migrated. */
  pgmigrateSuccess = 0;
  /** `pgmigrate_fail`: pages that failed to migrate. */
  pgmigrateFail = 0;
}

/** A read-only copy of a machine's vmstat counters. */
export type VmStatSnapshot = Readonly<{ [K in keyof VmStat]: number }>;

/** Copies every counter into a plain object. */
export function vmstatSnapshot(s: VmStat): VmStatSnapshot {
  return { ...s };
}

/** `/proc/vmstat` as the model keeps it: a snapshot of the machine's counters. */
export function vmstat(m: { readonly stat: VmStat }): VmStatSnapshot {
  return vmstatSnapshot(m.stat);
}
