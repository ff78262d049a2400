/**
 * Migration of the folio mapped at a page out of CMA / ZONE_MOVABLE
 * (src/mm/migrate.ts migrateFolioLongterm: mm/migrate.c migrate_pages with
 * MR_LONGTERM_PIN). What the model expects: a folio the model holds no pin on moves to
 * ZONE_NORMAL (0) with its data, mappings and page-cache slots (invariants.ts checks
 * they all follow); one it pins stays put (-EAGAIN: folio_migrate_mapping's expected
 * count does not include pins); -ENOMEM only when ZONE_NORMAL has no free block of the
 * folio's order. Folios already in ZONE_NORMAL and the zero page are left alone.
 */
import { fc } from '@fast-check/vitest';
import { EAGAIN, ENOMEM, migrateFolioLongterm, pageAt, pageFolio, pfnZone } from '../../src/index.js';
import { ModelCommand, ensure } from './command.js';
import { note } from './coverage.js';
import { P, pickLive, pickSlot, slotBase, type Model, type Real } from './model.js';
import { hasFreeBlock } from './shortage.js';

export const migrateArgs = fc.record({ mm: fc.nat(), slot: fc.nat(), page: fc.nat(), held: fc.boolean() });

export class MigrateCmd extends ModelCommand {
  constructor(readonly a: { readonly mm: number; readonly slot: number; readonly page: number; readonly held: boolean }) {
    super();
  }

  /** Migrates the folio mapped at a page: one a held pin covers when `held` (and there is one), else any. */
  act(md: Model, r: Real): void {
    const m = r.m;
    let i = pickLive(md, this.a.mm);
    let vpn: number;
    const pinned = md.held.flatMap((h) => h.pages.filter((hp) => md.mms[hp.mm]!.live));
    if (this.a.held && pinned.length > 0) {
      const hp = pinned[this.a.page % pinned.length]!;
      i = hp.mm;
      vpn = hp.vpn;
    } else {
      const sl = pickSlot(md, i, this.a.slot);
      const slot = md.mms[i]!.slots[sl] ?? null;
      if (slot === null) return;
      vpn = slotBase(sl) / P + (this.a.page % slot.pages);
    }
    const pfn = pageAt(r.mms[i]!.pt, vpn);
    if (pfn < 0 || pfn === m.zeroPfn) return;
    const folio = pageFolio(m, pfn);
    if (pfnZone(m, folio).name === 'normal') return;
    const nr = 1 << m.order[folio]!;
    let pins = 0;
    for (let p = folio; p < folio + nr; p++) pins += md.pins.get(p) ?? 0;
    const ret = migrateFolioLongterm(m, folio);
    if (pins > 0) {
      ensure(ret === -EAGAIN, () => `migrating folio ${folio} with ${pins} pins returned ${ret}, want -EAGAIN`);
      note('migrate: pinned, -EAGAIN');
      return;
    }
    if (ret === -ENOMEM && !hasFreeBlock(m, 'normal', m.order[folio]!)) return;
    ensure(ret === 0, () => `migrating unpinned folio ${folio} returned ${ret}`);
    const now = pageAt(r.mms[i]!.pt, vpn);
    ensure(pfnZone(m, now).name === 'normal', () => `after migration ${(vpn * P).toString(16)} maps pfn ${now}, outside ZONE_NORMAL`);
    note('migrate: moved');
  }

  toString(): string {
    return `migrate(mm#${this.a.mm}, slot ${this.a.slot}, page ${this.a.page}${this.a.held ? ', a pinned page' : ''})`;
  }
}
