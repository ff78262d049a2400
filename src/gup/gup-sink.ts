/**
 * Where the GUP walk puts what it grabs. Not a kernel structure: the kernel's walk
 * writes `struct page *` entries into the caller's `pages[]` as it goes; the model's
 * walk hands the same information to a sink instead, so the page array of
 * pin_user_pages() and the folio/bio_vec outputs of the proposals are all sinks over
 * one walk, and the walk owns no output policy.
 *
 * Protocol, per step of the walk: `room(folio, page, nr)` before grabbing, then the grab
 * (of `room`'s answer, capped at nr: one grab for a whole PMD/PUD leaf, one per PTE),
 * then `add(folio, page, taken)`. The pages of one add are consecutive pages of one
 * folio and consecutive user addresses.
 */

export interface GupSink {
  /**
   * Before the walk grabs: how many of the `nr` consecutive pages starting at `page`
   * (all in folio `folio`) the sink will take (0..nr). 0 stops the walk there (the
   * caller's output is full); the call then returns the pages taken so far.
   */
  room(folio: number, page: number, nr: number): number;
  /** The walk grabbed them (one grab of `nr` refs for a huge leaf, or 1 for a PTE): record. */
  add(folio: number, page: number, nr: number): void;
  /**
   * Drop everything added since the call into the walk began, except its first `keep`
   * pages, releasing each pin/ref the way it was taken (gup_put_folio with `gupFlags`).
   * The long-term path uses it when it must migrate: it unpins what the slow path
   * pinned in this attempt and retries, keeping the GUP-fast prefix (`keep` pages),
   * which the kernel's migration loop never drops.
   */
  rollback(gupFlags: number, keep: number): void;
}
