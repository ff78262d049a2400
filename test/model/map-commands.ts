/**
 * Mapping commands: mmap(MAP_FIXED) of one of the model's backings into a slot, and
 * munmap of part or all of a slot. What the model expects:
 *  - mmap(2) MAP_FIXED returns the address and replaces what the slot held.
 *  - munmap(2) returns 0 (unmapping a hole included), or -EINVAL when an edge falls
 *    inside a hugetlb page of a mapped VMA (mm/hugetlb.c hugetlb_vm_op_split, through
 *    __split_vma), leaving everything mapped. Pages pinned there stay allocated until
 *    their last pin goes (invariants.ts counts their references).
 * Arguments are raw numbers resolved against the model (model.ts pickLive, pickSlot).
 */
import { fc } from '@fast-check/vitest';
import {
  EINVAL,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  mmap,
  munmap,
  vmaLookup,
  type ZoneName,
} from '../../src/index.js';
import { ModelCommand, ensure } from './command.js';
import { note } from './coverage.js';
import {
  HUGE_PAGES,
  NR_SLOTS,
  P,
  SLOT_BYTES,
  describeKind,
  mappedRuns,
  newSlot,
  pickLive,
  pickSlot,
  slotBase,
  slotPages,
  type Kind,
  type MSlot,
  type Model,
  type Real,
} from './model.js';

const ZONES = fc.constantFrom<ZoneName>('normal', 'normal', 'cma', 'movable');

/** The mappings a slot can hold: anon order 0 / mTHP / PMD THP, shmem, hugetlb 2 MiB. */
export const shapeArb: fc.Arbitrary<Kind & { readonly pages: number }> = fc.oneof(
  fc.record({ backing: fc.constant('anon' as const), shared: fc.constant(false), order: fc.constant(0), zone: ZONES, pages: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ backing: fc.constant('anon' as const), shared: fc.constant(false), order: fc.constantFrom(2, 4), zone: ZONES, pages: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ backing: fc.constant('anon' as const), shared: fc.constant(false), order: fc.constant(9), zone: fc.constant<ZoneName>('normal'), pages: fc.constantFrom(512, 600, 1024) }),
  fc.record({ backing: fc.constant('shmem' as const), shared: fc.constant(true), order: fc.constantFrom(0, 2), zone: ZONES, pages: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ backing: fc.constant('hugetlb-2m' as const), shared: fc.boolean(), order: fc.constant(9), zone: fc.constantFrom<ZoneName>('normal', 'cma'), pages: fc.constantFrom(512, 1024) }),
);

export interface MmapArgs {
  readonly mm: number;
  readonly slot: number;
  readonly shape: Kind & { readonly pages: number };
  readonly populate: boolean;
}

export const mmapArgs: fc.Arbitrary<MmapArgs> = fc.record({
  mm: fc.nat(),
  slot: fc.integer({ min: 0, max: NR_SLOTS - 1 }),
  shape: shapeArb,
  populate: fc.boolean(),
});

/** Whether unmapping pages [from, to) of a hugetlb mapping would cut one of its VMAs inside a huge page. */
function cutsHugePage(slot: MSlot, from: number, to: number): boolean {
  if (slot.kind.backing !== 'hugetlb-2m') return false;
  for (const [a, b] of mappedRuns(slot)) {
    if (b <= from || a >= to) continue;
    if ((from > a && from % HUGE_PAGES !== 0) || (to < b && to % HUGE_PAGES !== 0)) return true;
  }
  return false;
}

export class MmapCmd extends ModelCommand {
  constructor(readonly a: MmapArgs) {
    super();
  }

  /**
   * A slot holds one mapping: a MAP_FIXED mmap must cover all the old one left mapped.
   * That also leaves out one cutting a hugetlb page (mmap then fails with -EINVAL and
   * keeps the old mapping: test/mm/address-space-regressions.test.ts).
   */
  override check(md: Readonly<Model>): boolean {
    const mmd = md.mms[pickLive(md, this.a.mm)]!;
    const old = mmd.slots[this.a.slot] ?? null;
    if (old === null) return true;
    const runs = mappedRuns(old);
    const end = runs.length === 0 ? 0 : runs[runs.length - 1]![1];
    return end <= this.a.shape.pages;
  }

  act(md: Model, r: Real): void {
    const { shape, populate } = this.a;
    const i = pickLive(md, this.a.mm);
    const mm = r.mms[i]!;
    const addr = slotBase(this.a.slot);
    const anon = shape.backing === 'anon';
    const flags = (shape.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | (anon ? MAP_ANONYMOUS : 0) | (populate ? MAP_POPULATE : 0);
    const ret = mmap(mm, {
      addr,
      length: shape.pages * P,
      prot: PROT_READ | PROT_WRITE,
      flags,
      order: shape.backing === 'hugetlb-2m' ? 0 : shape.order,
      zone: shape.zone,
      backing: shape.backing,
    });
    ensure(ret === addr, () => `mmap at ${addr.toString(16)} returned ${ret}`);
    const old = md.mms[i]!.slots[this.a.slot];
    if (old !== null && old !== undefined) old.mapped.fill(0);
    let file = null;
    if (!anon) {
      const real = vmaLookup(mm.vmas, addr)?.file ?? null;
      ensure(real !== null, () => `${shape.backing} mmap at ${addr.toString(16)} has no file`);
      file = { id: md.nextFileId++, tags: new Int32Array(shape.pages), real: real! };
    }
    const kind: Kind = { backing: shape.backing, shared: shape.shared, order: shape.order, zone: shape.zone };
    md.mms[i]!.slots[this.a.slot] = newSlot(kind, shape.pages, file);
    if (shape.backing !== 'hugetlb-2m') md.mms[i]!.pteTables[this.a.slot] = true;
  }

  toString(): string {
    const { mm, slot, shape, populate } = this.a;
    return `mmap(mm#${mm}, slot ${slot}, ${shape.pages} pages ${describeKind(shape)}${populate ? ' MAP_POPULATE' : ''})`;
  }
}

export const munmapArgs = fc.record({ mm: fc.nat(), slot: fc.nat(), whole: fc.boolean(), from: fc.nat(), n: fc.nat() });

export class MunmapCmd extends ModelCommand {
  constructor(readonly a: { readonly mm: number; readonly slot: number; readonly whole: boolean; readonly from: number; readonly n: number }) {
    super();
  }

  act(md: Model, r: Real): void {
    const i = pickLive(md, this.a.mm);
    const sl = pickSlot(md, i, this.a.slot);
    const slot = md.mms[i]!.slots[sl] ?? null;
    const pages = slotPages(slot);
    const from = this.a.whole ? 0 : this.a.from % pages;
    const n = this.a.whole ? SLOT_BYTES / P : 1 + (this.a.n % (pages - from));
    const ret = munmap(r.mms[i]!, slotBase(sl) + from * P, n * P);
    if (slot !== null && cutsHugePage(slot, from, from + n)) {
      ensure(ret === -EINVAL, () => `munmap cutting a hugetlb page returned ${ret}, want -EINVAL`);
      note('munmap: -EINVAL inside a hugetlb page');
      return;
    }
    ensure(ret === 0, () => `munmap returned ${ret}`);
    const to = from + n;
    if (md.held.some((h) => h.pages.some((hp) => hp.slot === slot && hp.pfn !== r.m.zeroPfn && hp.index >= from && hp.index < to)))
      note('munmap: of a pinned page');
    if (slot !== null) for (let x = from; x < Math.min(from + n, slot.pages); x++) slot.mapped[x] = 0;
  }

  toString(): string {
    const { mm, slot, whole, from, n } = this.a;
    return `munmap(mm#${mm}, slot ${slot}, ${whole ? 'whole slot' : `from ${from} n ${n}`})`;
  }
}
