/**
 * The check run after every command: the machine against the model.
 *
 * Reference counting rules, worked out from src/mm and stated here once (they are the
 * kernel's since v5.17 page-cache refcounting and v6.x rmap):
 *  - a PTE mapping a page holds one reference on its folio (do_anonymous_page and
 *    finish_fault add nr - 1 to the allocation reference for an nr-page folio, fork's
 *    copy_present_pte takes one per PTE, zap_present_ptes drops one per PTE); the PTE
 *    also counts one in that page's mapcount;
 *  - a PMD or PUD leaf holds one reference on its folio, whatever its size
 *    (__do_huge_pmd_anonymous_page, hugetlb_no_page, copy_huge_pmd) and one entire
 *    mapcount;
 *  - a special PTE (the shared zero page) holds none and counts in no mapcount;
 *  - the page cache holds one reference per page of each folio it caches
 *    (__filemap_add_folio: folio_ref_add(folio, nr)), shmem and hugetlbfs alike;
 *  - the zero page keeps its one reserved reference forever and is never pinned
 *    (try_grab_folio / gup_put_folio skip is_zero_folio);
 *  - a pin adds GUP_PIN_COUNTING_BIAS (1024) to an order-0 folio, and 1 plus 1 on
 *    _pincount to a large one (include/linux/mm.h, mm/gup.c try_grab_folio);
 *  - nothing else holds a reference between commands: a fault's allocation reference
 *    becomes a mapping's, and a folio nothing refers to is freed (folio_put).
 * So every allocated folio's refcount is PTEs + leaves + cached pages + pin references
 * (+ 1 for the zero page), at least 1; a free page has no mapping, no cache slot, no pin.
 *
 * Also: the address spaces, VMAs and files alive are the model's; every present entry
 * lies in a mapped page and reads the model's tag; vmstat nr_foll_pin_acquired -
 * nr_foll_pin_released is the model's pin total (pin_user_pages.rst); kernel
 * allocations outstanding are the held PinnedIos' owned arrays; no WARN fired; and each
 * held page is coherent: it holds the tag the model says, stays the page its private
 * mapping maps (or the page a shared file maps everywhere), and a long-term pin never
 * holds the zero page nor memory that is not long-term pinnable.
 */
import {
  GUP_PIN_COUNTING_BIAS,
  PG_ALLOCATED,
  PG_HEAD,
  PTRS_PER_TABLE,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_SPECIAL,
  folioIsLongtermPinnable,
  machineFiles,
  machineMms,
  pageAt,
  pageFolio,
  type Machine,
  type Mm,
} from '../../src/index.js';
import {
  HUGE_PAGES,
  NR_SLOTS,
  P,
  expectedTag,
  isMapped,
  liveFiles,
  mappedRuns,
  slotBase,
  slotVpn,
  totalPins,
  vpnSlot,
  type Model,
  type Real,
} from './model.js';

interface Scratch {
  /** PTEs mapping each page. */
  readonly ptes: Int32Array;
  /** PMD/PUD leaves mapping each folio (at its head). */
  readonly leaves: Int32Array;
  /** Page-cache slots holding each folio (at its head). */
  readonly cached: Int32Array;
  /** Pins the model holds on each folio (at its head). */
  readonly pins: Int32Array;
}

const scratchOf = new WeakMap<Machine, Scratch>();

function scratch(m: Machine): Scratch {
  let s = scratchOf.get(m);
  if (s === undefined) {
    const n = m.nrPages;
    s = { ptes: new Int32Array(n), leaves: new Int32Array(n), cached: new Int32Array(n), pins: new Int32Array(n) };
    scratchOf.set(m, s);
  } else {
    s.ptes.fill(0);
    s.leaves.fill(0);
    s.cached.fill(0);
    s.pins.fill(0);
  }
  return s;
}

class Problems {
  readonly list: string[] = [];
  add(msg: string): void {
    if (this.list.length < 20) this.list.push(msg);
  }
}

/** Throws, naming every broken invariant (up to 20), if the machine disagrees with the model. */
export function checkInvariants(md: Readonly<Model>, r: Real): void {
  const m = r.m;
  const pr = new Problems();
  const s = scratch(m);
  checkSpaces(md, r, pr);
  for (let i = 0; i < md.mms.length; i++) if (md.mms[i]!.live) walkPageTables(md, r, i, s, pr);
  for (const f of liveFiles(md)) {
    const cache = f.real.cache;
    for (let off = 0; off < cache.length; off++) if (cache[off]! >= 0) s.cached[cache[off]!]!++;
  }
  for (const [pfn, n] of md.pins) {
    if (n < 0) pr.add(`model: pfn ${pfn} has ${n} pins`);
    s.pins[pageFolio(m, pfn)]! += n;
  }
  checkFolios(m, s, pr);
  checkHeld(md, r, pr);
  const inFlight = m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased;
  if (inFlight !== totalPins(md)) pr.add(`vmstat: acquired - released = ${inFlight}, model holds ${totalPins(md)} pins`);
  let owned = 0;
  for (const h of md.held) owned += h.owned;
  const outstanding = m.cost.allocations - m.cost.frees;
  if (outstanding !== owned) pr.add(`slab: ${outstanding} allocations outstanding, held PinnedIos own ${owned}`);
  if (m.warnings.length > 0) pr.add(`WARN: ${m.warnings.join('; ')}`);
  if (pr.list.length > 0) throw new Error(`machine disagrees with the model:\n  ${pr.list.join('\n  ')}`);
}

/** Live address spaces, their VMAs, and the files alive are the model's. */
function checkSpaces(md: Readonly<Model>, r: Real, pr: Problems): void {
  const live = new Set<Mm>();
  for (let i = 0; i < md.mms.length; i++) if (md.mms[i]!.live) live.add(r.mms[i]!);
  const real = machineMms(r.m);
  if (real.size !== live.size || [...live].some((mm) => !real.has(mm))) pr.add(`${real.size} live mms, model has ${live.size}`);
  for (let i = 0; i < md.mms.length; i++) {
    const mmd = md.mms[i]!;
    if (!mmd.live) continue;
    const want: string[] = [];
    for (let sl = 0; sl < NR_SLOTS; sl++) {
      const slot = mmd.slots[sl];
      if (slot === null || slot === undefined) continue;
      for (const [a, b] of mappedRuns(slot))
        want.push(`${(slotBase(sl) + a * P).toString(16)}-${(slotBase(sl) + b * P).toString(16)} file ${slot.file?.real.id ?? '-'}`);
    }
    const got = r.mms[i]!.vmas.map((v) => `${v.start.toString(16)}-${v.end.toString(16)} file ${v.file?.id ?? '-'}`);
    if (got.join(',') !== want.join(',')) pr.add(`mm${i}: VMAs [${got.join(', ')}], model [${want.join(', ')}]`);
  }
  const files = new Set([...liveFiles(md)].map((f) => f.real));
  const realFiles = machineFiles(r.m);
  if (realFiles.size !== files.size || [...files].some((f) => !realFiles.has(f)))
    pr.add(`${realFiles.size} files with a page cache, model has ${files.size} alive`);
}

/**
 * Counts every present entry reachable from mm `i`'s pgd, and checks each lies in a
 * page the model maps and reads the model's tag. Then every private page the model
 * says holds data must be present (nothing reclaims or swaps in the model).
 */
function walkPageTables(md: Readonly<Model>, r: Real, i: number, s: Scratch, pr: Problems): void {
  const m = r.m;
  const content = m.content;
  const { pgd, pud, pmd, pte } = r.mms[i]!.pt;
  const slots = md.mms[i]!.slots;
  const present = (vpn: number, pfn: number, what: string): void => {
    const at = vpnSlot(vpn);
    const slot = at === null ? null : (slots[at.slot] ?? null);
    if (at === null || slot === null || !isMapped(slot, at.index)) {
      pr.add(`mm${i}: ${what} at ${(vpn * P).toString(16)} maps pfn ${pfn} where the model maps nothing`);
      return;
    }
    const tag = expectedTag(slot, at.index);
    if (content[pfn] !== tag) pr.add(`mm${i}: ${(vpn * P).toString(16)} (pfn ${pfn}) reads tag ${content[pfn]}, model says ${tag}`);
  };
  for (let g = 0; g < PTRS_PER_TABLE; g++) {
    if ((pgd.bits[g]! & _PAGE_PRESENT) === 0) continue;
    const ub = pgd.val[g]! * PTRS_PER_TABLE;
    for (let u = 0; u < PTRS_PER_TABLE; u++) {
      const bu = pud.bits[ub + u]!;
      if ((bu & _PAGE_PRESENT) === 0) continue;
      const vpnU = (g * PTRS_PER_TABLE + u) * PTRS_PER_TABLE * PTRS_PER_TABLE;
      if ((bu & _PAGE_PSE) !== 0) {
        pr.add(`mm${i}: a PUD leaf at ${(vpnU * P).toString(16)}; no 1 GiB mapping was made`);
        continue;
      }
      const mb = pud.val[ub + u]! * PTRS_PER_TABLE;
      for (let k = 0; k < PTRS_PER_TABLE; k++) {
        const bm = pmd.bits[mb + k]!;
        if ((bm & _PAGE_PRESENT) === 0) continue;
        const vpnM = vpnU + k * PTRS_PER_TABLE;
        if ((bm & _PAGE_PSE) !== 0) {
          const folio = pmd.val[mb + k]!;
          s.leaves[folio]!++;
          for (let j = 0; j < HUGE_PAGES; j++) present(vpnM + j, folio + j, 'PMD leaf');
          continue;
        }
        const tb = pmd.val[mb + k]! * PTRS_PER_TABLE;
        for (let t = 0; t < PTRS_PER_TABLE; t++) {
          const bt = pte.bits[tb + t]!;
          if ((bt & _PAGE_PRESENT) === 0) continue;
          const pfn = pte.val[tb + t]!;
          if ((bt & _PAGE_SPECIAL) === 0) s.ptes[pfn]!++;
          else if (pfn !== m.zeroPfn) pr.add(`mm${i}: special PTE maps pfn ${pfn}, not the zero page`);
          present(vpnM + t, pfn, 'PTE');
        }
      }
    }
  }
  const pt = r.mms[i]!.pt;
  for (let sl = 0; sl < NR_SLOTS; sl++) {
    const slot = slots[sl];
    if (slot === null || slot === undefined || slot.view === null) continue;
    for (let x = 0; x < slot.pages; x++)
      if (slot.mapped[x] === 1 && slot.view[x] !== 0 && pageAt(pt, slotVpn(sl, x)) < 0)
        pr.add(`mm${i}: slot ${sl} page ${x} holds tag ${slot.view[x]} but nothing is mapped there`);
  }
}

/** Every folio's counts against the rules in the header; free pages hold nothing. */
function checkFolios(m: Machine, s: Scratch, pr: Problems): void {
  const { flags, order, refcount, pincount, mapcount, entireMapcount } = m;
  const { ptes, leaves, cached, pins } = s;
  const n = m.nrPages;
  for (let p = 0; p < n; ) {
    if ((flags[p]! & PG_ALLOCATED) === 0) {
      if (ptes[p] !== 0 || leaves[p] !== 0 || cached[p] !== 0 || pins[p] !== 0)
        pr.add(`free pfn ${p}: ${ptes[p]} PTEs, ${leaves[p]} leaves, ${cached[p]} cache slots, ${pins[p]} pins (use after free)`);
      if (refcount[p] !== 0 || pincount[p] !== 0 || mapcount[p] !== 0) pr.add(`free pfn ${p}: refcount ${refcount[p]}, pincount ${pincount[p]}, mapcount ${mapcount[p]}`);
      p++;
      continue;
    }
    if ((flags[p]! & PG_HEAD) === 0) {
      pr.add(`pfn ${p}: allocated tail page without its head`);
      p++;
      continue;
    }
    const nr = 1 << order[p]!;
    let ptesOf = 0;
    for (let j = p; j < p + nr; j++) {
      ptesOf += ptes[j]!;
      if (mapcount[j] !== ptes[j]) pr.add(`pfn ${j}: mapcount ${mapcount[j]}, ${ptes[j]} PTEs map it`);
      if (j > p && (leaves[j] !== 0 || cached[j] !== 0 || pins[j] !== 0)) pr.add(`pfn ${j}: a tail page counted as a folio`);
    }
    const large = nr > 1;
    const pinRefs = large ? pins[p]! : pins[p]! * GUP_PIN_COUNTING_BIAS;
    const want = ptesOf + leaves[p]! + cached[p]! + pinRefs + (p === m.zeroPfn ? 1 : 0);
    if (refcount[p] !== want)
      pr.add(
        `folio ${p} (order ${order[p]}): refcount ${refcount[p]}, model ${want} = ${ptesOf} PTEs + ${leaves[p]} leaves + ` +
          `${cached[p]} cached + ${pins[p]} pins${large ? '' : ' x 1024'}${p === m.zeroPfn ? ' + 1 reserved' : ''}`,
      );
    if (want <= 0) pr.add(`folio ${p}: allocated but nothing refers to it (leaked)`);
    if (pincount[p] !== (large ? pins[p] : 0)) pr.add(`folio ${p}: pincount ${pincount[p]}, model ${large ? pins[p] : 0}`);
    if (entireMapcount[p] !== leaves[p]) pr.add(`folio ${p}: entire mapcount ${entireMapcount[p]}, ${leaves[p]} leaves map it`);
    p += nr;
  }
}

/** Each held page holds the data the model says and is still where its mapping points. */
function checkHeld(md: Readonly<Model>, r: Real, pr: Problems): void {
  const m = r.m;
  for (const h of md.held) {
    for (const hp of h.pages) {
      if (hp.pfn === m.zeroPfn) {
        // mm/internal.h gup_must_unshare: a FOLL_LONGTERM R/O pin in a COW mapping unshares the zero page.
        if (h.longterm) pr.add(`${h.label}: a long-term pin holds the zero page at ${(hp.vpn * P).toString(16)}`);
        continue;
      }
      const tag = expectedTag(hp.slot, hp.index);
      if (m.content[hp.pfn] !== tag)
        pr.add(`${h.label}: pinned pfn ${hp.pfn} (pinned at ${(hp.vpn * P).toString(16)}) holds tag ${m.content[hp.pfn]}, model says ${tag}`);
      if (h.longterm && !folioIsLongtermPinnable(m, pageFolio(m, hp.pfn)))
        pr.add(`${h.label}: long-term pin of pfn ${hp.pfn}, which is not long-term pinnable`);
      if (hp.slot.view !== null) {
        const at = vpnSlot(hp.vpn)!;
        const mmd = md.mms[hp.mm]!;
        if (!mmd.live || mmd.slots[at.slot] !== hp.slot || !isMapped(hp.slot, hp.index)) continue;
        const now = pageAt(r.mms[hp.mm]!.pt, hp.vpn);
        if (now !== hp.pfn) pr.add(`${h.label}: mm${hp.mm} maps pfn ${now} at ${(hp.vpn * P).toString(16)}, the pin holds ${hp.pfn}`);
        continue;
      }
      for (let i = 0; i < md.mms.length; i++) {
        if (!md.mms[i]!.live) continue;
        for (let sl = 0; sl < NR_SLOTS; sl++) {
          const slot = md.mms[i]!.slots[sl];
          if (slot === null || slot === undefined || slot.file !== hp.slot.file || !isMapped(slot, hp.index)) continue;
          const now = pageAt(r.mms[i]!.pt, slotVpn(sl, hp.index));
          if (now >= 0 && now !== hp.pfn) pr.add(`${h.label}: mm${i} maps pfn ${now} at file offset ${hp.index}, the pin holds ${hp.pfn}`);
        }
      }
    }
  }
}
