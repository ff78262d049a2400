/**
 * What a driver does with a held PinnedIo: complete it (the proposal's complete():
 * bio_release_pages on every bio, then the arrays it owns freed), and, for a FOLL_WRITE
 * pin, let the device write into the pages first. What the model expects:
 *  - completion drops exactly the pins the bios held (one per page each bvec spans,
 *    block/bio.c __bio_release_pages); with mark_dirty every folio still allocated
 *    afterwards is dirty (folio_mark_dirty before the unpin); a folio whose last
 *    reference was a pin is freed (invariants.ts finds it free).
 *  - a device write shows in what the process reads at the pinned addresses, private
 *    or shared, as long as they stay mapped: the pinned page is the mapped one.
 */
import { PG_ALLOCATED, PG_DIRTY, pageFolio } from '../../src/index.js';
import { proposalByName } from '../../proposals/index.js';
import { ModelCommand, ensure } from './command.js';
import { note } from './coverage.js';
import { setTag, type Model, type Real } from './model.js';

export class CompleteCmd extends ModelCommand {
  constructor(readonly a: { readonly io: number; readonly dirty: boolean }) {
    super();
  }

  override check(md: Readonly<Model>): boolean {
    return md.held.length > 0;
  }

  /** complete(): every pin the bios hold goes; with mark_dirty each folio still alive is dirty (block/bio.c). */
  act(md: Model, r: Real): void {
    const k = this.a.io % md.held.length;
    const h = md.held[k]!;
    const io = r.ios[k]!;
    proposalByName(h.proposal)!.complete(r.mms[h.mm]!, io, this.a.dirty);
    md.held.splice(k, 1);
    r.ios.splice(k, 1);
    const m = r.m;
    for (const hp of h.pages) {
      if (hp.pfn === m.zeroPfn) continue;
      const left = md.pins.get(hp.pfn)! - 1;
      if (left === 0) md.pins.delete(hp.pfn);
      else md.pins.set(hp.pfn, left);
      const folio = pageFolio(m, hp.pfn);
      if ((m.flags[folio]! & PG_ALLOCATED) === 0) note('complete: last pin of an unmapped folio frees it');
      if (this.a.dirty && (m.flags[folio]! & PG_ALLOCATED) !== 0)
        ensure((m.flags[folio]! & PG_DIRTY) !== 0, () => `${h.label}: folio ${folio} not dirty after completion with mark_dirty`);
    }
  }

  toString(): string {
    return `complete(io ${this.a.io}${this.a.dirty ? ', mark dirty' : ''})`;
  }
}

export class DeviceWriteCmd extends ModelCommand {
  constructor(readonly io: number) {
    super();
  }

  override check(md: Readonly<Model>): boolean {
    return md.held.some((h) => h.write);
  }

  /** The device writes a new tag into every page a FOLL_WRITE pin holds; the process must then read it. */
  act(md: Model, r: Real): void {
    const writers = md.held.filter((h) => h.write);
    const h = writers[this.io % writers.length]!;
    for (const hp of h.pages) {
      ensure(hp.pfn !== r.m.zeroPfn, () => `${h.label}: a FOLL_WRITE pin holds the zero page`);
      const tag = md.nextTag++;
      r.m.content[hp.pfn] = tag;
      setTag(hp.slot, hp.index, tag);
    }
    note('device write: read back by the process');
  }

  toString(): string {
    return `device_write(io ${this.io})`;
  }
}
