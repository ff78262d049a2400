/**
 * A pin through any registered proposal: the proposal, its merge policy and setting
 * (sizing, chunk size) picked by the arguments; FOLL_WRITE or read-only; FOLL_LONGTERM
 * sometimes; and, as its own command, with a kernel allocation failure injected first.
 *
 * What the model expects: every page from the start up to the first page the model has
 * unmapped is pinned (the bytes asked, or up to that page), -EFAULT when the first page
 * is unmapped (mm/gup.c: a partial result is the pages before the failure, the error
 * only when there are none). A long-term pin stops before a CMA / ZONE_MOVABLE folio
 * the model already pins (it cannot be migrated: -ENOMEM, or the pages before it). With
 * an injected failure (slab.ts injectAllocFailure, as failslab) the pin may instead
 * return -ENOMEM with nothing held, or fewer bytes (the proposals' README contracts);
 * without one, only when memory is short (shortage.ts). Whatever it returns, its bios
 * are the pins: well-formed, tiling the bytes from the start, one pin per page each
 * bvec spans, each page the one the page tables map at its address when the pin
 * returns.
 */
import { fc } from '@fast-check/vitest';
import {
  BIO_MAX_VECS,
  BIO_PAGE_PINNED,
  EFAULT,
  EINVAL,
  ENOMEM,
  FOLL_LONGTERM,
  FOLL_WRITE,
  bioFlagged,
  folioIsLongtermPinnable,
  injectAllocFailure,
  pageAt,
  pageFolio,
  type PinStrategy,
  type SizingVariant,
  type StrategySettings,
} from '../../src/index.js';
import { proposals } from '../../proposals/index.js';
import { ModelCommand, ensure } from './command.js';
import { note } from './coverage.js';
import { MAX_HELD, P, isMapped, pickLive, pickSlot, slotBase, vpnSlot, type HeldPage, type Model, type Real } from './model.js';
import { memoryShort } from './shortage.js';

const SIZINGS: readonly SizingVariant[] = ['worst-case', 'grow', 'count-first', 'chunked'];
/** Caller array sizes: the default (16), the degenerate 1, and small odd ones that split runs. */
const CHUNKS: readonly (number | undefined)[] = [undefined, 1, 2, 3];

export interface PinArgs {
  readonly mm: number;
  readonly slot: number;
  readonly page: number;
  readonly offset: number;
  readonly length: number;
  readonly proposal: number;
  readonly merge: number;
  readonly variant: number;
  readonly write: boolean;
  readonly longterm: boolean;
  /** 0: no injection; n: the n-th kernel allocation of the pin fails. */
  readonly inject: number;
}

function pinArgsWith(
  inject: fc.Arbitrary<number>,
  proposal: fc.Arbitrary<number>,
  merge: fc.Arbitrary<number>,
  variant: fc.Arbitrary<number>,
): fc.Arbitrary<PinArgs> {
  return fc.record({
    mm: fc.nat(),
    slot: fc.nat(),
    page: fc.nat(),
    offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: P - 1 })),
    length: fc.oneof(fc.integer({ min: 1, max: 40 }).map((n) => n * P), fc.integer({ min: 1, max: 40 * P })),
    proposal,
    merge,
    variant,
    write: fc.boolean(),
    longterm: fc.boolean(),
    inject,
  });
}

/** A pin with nothing injected. */
export const pinArgs = pinArgsWith(fc.constant(0), fc.nat(), fc.nat(), fc.nat());

const CALLEE_ALLOCATES = proposals.findIndex((p) => p.name === 'callee-allocates');

/** The `variant` picking sizing 'chunked' with a one-bvec chunk (pickStrategy). */
const CHUNKED_BY_ONE = SIZINGS.indexOf('chunked') + SIZINGS.length * CHUNKS.indexOf(1);

/**
 * A pin whose first, second or third kernel allocation fails (failslab). Half of them go
 * to callee-allocates, the one proposal that allocates again in the middle of a pin,
 * and half of those with one-bvec chunks and per-folio vectors, so the short results
 * its contract allows are reached as often as the -ENOMEM ones.
 */
export const failingPinArgs = pinArgsWith(
  fc.integer({ min: 1, max: 3 }),
  fc.oneof(fc.nat(), fc.constant(CALLEE_ALLOCATES)),
  fc.oneof(fc.nat(), fc.constant(0)),
  fc.oneof(fc.nat(), fc.constant(CHUNKED_BY_ONE)),
);

/** The proposal and settings the arguments pick. */
export function pickStrategy(a: PinArgs): { readonly p: PinStrategy; readonly settings: StrategySettings; readonly label: string } {
  const p = proposals[a.proposal % proposals.length]!;
  const merge = p.mergePolicies[a.merge % p.mergePolicies.length]!;
  let sizing: SizingVariant | undefined;
  let chunkSize: number | undefined;
  if (p.settings.includes('sizing')) sizing = SIZINGS[a.variant % SIZINGS.length]!;
  if (p.settings.includes('chunkSize') && (sizing === undefined || sizing === 'chunked'))
    chunkSize = CHUNKS[Math.floor(a.variant / SIZINGS.length) % CHUNKS.length];
  const settings: StrategySettings = { merge, ...(sizing !== undefined ? { sizing } : {}), ...(chunkSize !== undefined ? { chunkSize } : {}) };
  const label = `${p.name} merge=${merge}${sizing !== undefined ? ` sizing=${sizing}` : ''}${chunkSize !== undefined ? ` chunk=${chunkSize}` : ''}`;
  return { p, settings, label };
}

let ioSerial = 0;

/**
 * The first page in [from, to) of the slot whose folio a long-term pin would have to
 * migrate (not long-term pinnable: CMA or ZONE_MOVABLE) but cannot, because the model
 * holds a pin on it (mm/gup.c migrate_longterm_unpinnable_folios: migrate_pages fails,
 * -ENOMEM). The folio is the one mapped there in the pinning mm, or for a shared file
 * the one its page cache holds (a fault would map it). -1 if none.
 */
/** Whether a page in [from, to) of the slot is mapped from a folio a long-term pin must migrate. */
function anyUnpinnable(r: Real, i: number, s: number, from: number, to: number): boolean {
  for (let x = from; x < to; x++) {
    const pfn = pageAt(r.mms[i]!.pt, slotBase(s) / P + x);
    if (pfn >= 0 && pfn !== r.m.zeroPfn && !folioIsLongtermPinnable(r.m, pageFolio(r.m, pfn))) return true;
  }
  return false;
}

function firstBlocked(md: Readonly<Model>, r: Real, i: number, s: number, from: number, to: number): number {
  const m = r.m;
  const slot = md.mms[i]!.slots[s]!;
  for (let x = from; x < to; x++) {
    let folio = -1;
    const pfn = pageAt(r.mms[i]!.pt, slotBase(s) / P + x);
    if (pfn >= 0) folio = pageFolio(m, pfn);
    else if (slot.view === null) folio = slot.file!.real.cache[x]!;
    if (folio < 0 || folio === m.zeroPfn || folioIsLongtermPinnable(m, folio)) continue;
    const nr = 1 << m.order[folio]!;
    for (let p = folio; p < folio + nr; p++) if ((md.pins.get(p) ?? 0) > 0) return x;
  }
  return -1;
}

export class PinCmd extends ModelCommand {
  constructor(readonly a: PinArgs) {
    super();
  }

  override check(md: Readonly<Model>): boolean {
    return md.held.length < MAX_HELD;
  }

  act(md: Model, r: Real): void {
    const a = this.a;
    const m = r.m;
    const i = pickLive(md, a.mm);
    const mm = r.mms[i]!;
    const sl = pickSlot(md, i, a.slot);
    const slot = md.mms[i]!.slots[sl] ?? null;
    const index = a.page % (slot?.pages ?? 16);
    const start = slotBase(sl) + index * P + a.offset;
    // The model's answer: bytes up to the first unmapped page, or -EFAULT.
    const last = index + Math.floor((a.offset + a.length - 1) / P);
    let u = index;
    while (u <= last && isMapped(slot, u)) u++;
    const full = u === index ? -EFAULT : u > last ? a.length : u * P - (index * P + a.offset);
    // A long-term pin cannot migrate a folio someone already pins: it may pin only what precedes it.
    const b = a.longterm ? firstBlocked(md, r, i, sl, index, u) : -1;
    const upTo = b < 0 ? full : b * P - (index * P + a.offset);
    const movable = a.longterm && anyUnpinnable(r, i, sl, index, u);
    const { p, settings, label } = pickStrategy(a);
    const gupFlags = (a.write ? FOLL_WRITE : 0) | (a.longterm ? FOLL_LONGTERM : 0);
    if (p.expressibleGupFlags !== undefined && (gupFlags & ~p.expressibleGupFlags) !== 0) {
      // A proposal that cannot express the flags (FOLL_LONGTERM through an iov_iter)
      // refuses before touching anything: -EINVAL, nothing held.
      const io = p.pin(mm, { start, length: a.length, gupFlags }, settings);
      ensure(io.ret === -EINVAL && io.bios.length === 0 && io.owned.length === 0, () => `${label}: refusal returned ${io.ret}`);
      note('pin: flags the proposal cannot express, refused');
      return;
    }
    if (a.inject > 0) injectAllocFailure(m, a.inject);
    const io = p.pin(mm, { start, length: a.length, gupFlags }, settings);
    injectAllocFailure(m, 0);
    const ret = io.ret;
    const short = full > 0 && (ret === -ENOMEM || (ret > 0 && ret < full));
    const allowed =
      b >= 0
        ? ret === -ENOMEM || (ret > 0 && ret <= upTo)
        : ret === full || (a.inject > 0 && (short || ret === -ENOMEM)) || (short && memoryShort(m, slot?.kind ?? null, a.longterm));
    ensure(allowed, () => `${label}: pin of ${a.length} bytes returned ${ret}, model says ${full}${b >= 0 ? ` (at most ${upTo}: page ${b} is pinned outside ZONE_NORMAL)` : ''}`);
    if (b >= 0) note('pin: long-term, blocked by a pinned folio');
    else if (ret === -EFAULT) note('pin: -EFAULT');
    else if (ret === full) note(full < a.length ? 'pin: short at a hole' : 'pin: full');
    else if (a.inject > 0) note(ret === -ENOMEM ? 'pin: injected failure, -ENOMEM' : 'pin: injected failure, short');
    if (movable && ret > 0) note('pin: long-term, migrated out of CMA/ZONE_MOVABLE');
    if (ret <= 0) {
      ensure(io.bios.length === 0 && io.owned.length === 0, () => `${label}: failed with ${io.bios.length} bios, ${io.owned.length} arrays held`);
      return;
    }
    // The bios, in order, tile [start, start + ret); each page is the mapped one.
    const pages: HeldPage[] = [];
    let pos = 0;
    for (const bio of io.bios) {
      ensure(bioFlagged(bio, BIO_PAGE_PINNED) && bio.vcnt > 0 && bio.vcnt <= BIO_MAX_VECS, () => `${label}: malformed bio (${bio.vcnt} vecs)`);
      const v = bio.vecs!;
      for (let k = 0; k < bio.vcnt; k++) {
        const at = start + pos;
        const off = v.offset[k]!;
        const len = v.len[k]!;
        ensure(len > 0 && off % P === at % P, () => `${label}: bvec (${v.page[k]}, ${len}, ${off}) does not continue at ${at.toString(16)}`);
        const first = Math.floor(off / P);
        const n = Math.floor((off + len - 1) / P) - first + 1;
        for (let j = 0; j < n; j++) {
          const pfn = v.page[k]! + first + j;
          const vpn = Math.floor(at / P) + j;
          const where = vpnSlot(vpn)!;
          ensure(pageAt(mm.pt, vpn) === pfn, () => `${label}: pinned pfn ${pfn} at ${(vpn * P).toString(16)}, the page tables map ${pageAt(mm.pt, vpn)}`);
          pages.push({ pfn, mm: i, vpn, slot: md.mms[i]!.slots[where.slot]!, index: where.index });
          if (pfn !== m.zeroPfn) md.pins.set(pfn, (md.pins.get(pfn) ?? 0) + 1);
        }
        pos += len;
      }
    }
    ensure(pos === ret, () => `${label}: bios hold ${pos} bytes, pin returned ${ret}`);
    md.held.push({ label: `io#${++ioSerial} (${label})`, proposal: p.name, mm: i, write: a.write, longterm: a.longterm, pages, owned: io.owned.length });
    r.ios.push(io);
  }

  toString(): string {
    const a = this.a;
    const flags = [a.write ? 'FOLL_WRITE' : 'read-only', ...(a.longterm ? ['FOLL_LONGTERM'] : [])].join('|');
    return `pin(mm#${a.mm}, slot ${a.slot}, page ${a.page} + ${a.offset}, ${a.length} bytes, ${pickStrategy(a).label}, ${flags}${a.inject > 0 ? `, fail allocation #${a.inject}` : ''})`;
  }
}
