/**
 * Cost counters worked by hand for each proposal, pin and completion counted apart.
 *
 * Layout A: 8 pages at BASE mapped by two physically adjacent order-2 folios (PFNs
 * 64..67 and 68..71), all present and writable; FOLL_WRITE, 'folio' policy unless
 * said. GUP-fast takes every page in one walk (mm/gup.c gup_fast_pte_range, T): one
 * walk from the top, 4 levels (pgd entry, then the PUD, PMD and PTE tables), 8 PTEs,
 * and per PTE of a large folio one refcount atomic (try_get_folio) and one pincount
 * atomic. Completion is bio_release_pages per folio step (block/bio.c, T): two steps,
 * each unpin_user_folio(folio, 4): one pincount and one refcount atomic each.
 * kmalloc classes: 32, 64, 128, 512, 2048 bytes are their own class; kvfree books
 * given - used as unused.
 *
 * Layout B: 600 present order-0 pages at BASE (PFNs 1..600, two PTE tables: pages
 * 0..511 and 512..599), 'folio' policy: 600 bvecs.
 */
import { describe, expect, it } from 'vitest';
import {
  COST_FIELDS,
  FOLL_WRITE,
  costDiff,
  costSnapshot,
  type CostSnapshot,
  type Mm,
  type PinRequest,
  type StrategySettings,
} from '../../src/index.js';
import { proposalByName } from '../../proposals/index.js';
import { BASE, mapAt, world } from '../support/mm-layout.js';
import { twoOrder2Folios } from './worlds.js';

const P = 4096;

function counters(partial: Partial<CostSnapshot>): CostSnapshot {
  const out = {} as CostSnapshot;
  for (const f of COST_FIELDS) out[f] = partial[f] ?? 0;
  return out;
}

/** Pins and completes; returns the two cost diffs. */
function measure(name: string, settings: StrategySettings, mm: Mm, req: PinRequest): { pin: CostSnapshot; complete: CostSnapshot; calls: number; rv: unknown } {
  const p = proposalByName(name)!;
  const m = mm.m;
  const c0 = costSnapshot(m.cost);
  const io = p.pin(mm, req, settings);
  const c1 = costSnapshot(m.cost);
  p.complete(mm, io, true);
  return { pin: costDiff(c1, c0), complete: costDiff(costSnapshot(m.cost), c1), calls: io.calls, rv: io.returnValues };
}

const A: PinRequest = { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE };
const WALK = { walkRestarts: 1, levelsDescended: 4, ptesVisited: 8, refcountAtomics: 8, pincountAtomics: 8 };
const RELEASE = { refcountAtomics: 2, pincountAtomics: 2, pagesReleased: 8 };

describe('layout A: 8 pages in two order-2 folios', () => {
  const rows: readonly {
    name: string;
    settings: StrategySettings;
    pin: Partial<CostSnapshot>;
    complete: Partial<CostSnapshot>;
    calls: number;
    rv: { value: number; count: number }[];
  }[] = [
    {
      // 8 page pointers (64 B, freed once the bios are built), regrouped into 2 bvecs.
      name: 'page-array',
      settings: { merge: 'folio' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 64, bytesGiven: 64, frees: 1, pagePointersWritten: 8, bvecsWritten: 2, biosBuilt: 1 },
      complete: RELEASE,
      calls: 1,
      rv: [{ value: 8, count: 1 }],
    },
    {
      // Worst case DIV_ROUND_UP(0 + 32768, 4096) = 8 bvecs = 128 B; 2 used, 96 B never.
      name: 'callee-allocates',
      settings: { merge: 'folio', sizing: 'worst-case' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 128, bytesGiven: 128, bvecsWritten: 2, biosBuilt: 1 },
      complete: { ...RELEASE, frees: 1, bytesUnused: 96 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // The first array is min(16, worst case 8) = 8 bvecs: never full, no growth.
      name: 'callee-allocates',
      settings: { merge: 'folio', sizing: 'grow' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 128, bytesGiven: 128, bvecsWritten: 2, biosBuilt: 1 },
      complete: { ...RELEASE, frees: 1, bytesUnused: 96 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // The counting walk reads the same 8 PTEs with no atomics, counts 2: 32 B, all used.
      name: 'callee-allocates',
      settings: { merge: 'folio', sizing: 'count-first' },
      pin: {
        apiCalls: 1,
        walkRestarts: 2,
        levelsDescended: 8,
        ptesVisited: 16,
        refcountAtomics: 8,
        pincountAtomics: 8,
        allocations: 1,
        bytesAsked: 32,
        bytesGiven: 32,
        bvecsWritten: 2,
        biosBuilt: 1,
      },
      complete: { ...RELEASE, frees: 1 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // One 8 + 31 * 16 = 504 B chunk in the 512 B class; 8 + 2 * 16 = 40 B used.
      name: 'callee-allocates',
      settings: { merge: 'folio', sizing: 'chunked' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 504, bytesGiven: 512, bvecsWritten: 2, biosBuilt: 1 },
      complete: { ...RELEASE, frees: 1, bytesUnused: 472 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // One-bvec chunks of 24 B (32 B class): the second is allocated inside the walk
      // when page 68 needs a new bvec, so still one walk; one bio per chunk.
      name: 'callee-allocates',
      settings: { merge: 'folio', sizing: 'chunked', chunkSize: 1 },
      pin: { apiCalls: 1, ...WALK, allocations: 2, bytesAsked: 48, bytesGiven: 64, bvecsWritten: 2, biosBuilt: 2 },
      complete: { ...RELEASE, frees: 2, bytesUnused: 16 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // 16 bvecs on the stack: one call; 2 bvecs written by the callee, 2 copied into the bio.
      name: 'caller-chunks',
      settings: { merge: 'folio' },
      pin: { apiCalls: 1, ...WALK, bvecsWritten: 4, biosBuilt: 1 },
      complete: RELEASE,
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // One bvec per call: call 1 takes 64..67 and reads PTE 4 (room says 0 before the
      // grab); call 2 walks again from the top for 68..71. 2 walks, 8 levels, 9 PTEs.
      name: 'caller-chunks',
      settings: { merge: 'folio', chunkSize: 1 },
      pin: { apiCalls: 2, walkRestarts: 2, levelsDescended: 8, ptesVisited: 9, refcountAtomics: 8, pincountAtomics: 8, bvecsWritten: 4, biosBuilt: 1 },
      complete: RELEASE,
      calls: 2,
      rv: [{ value: 1, count: 2 }],
    },
    {
      // 100 bvecs = 1600 B, above the 1 KiB kept on the stack: kmalloc'd (2048 B class)
      // and freed after the loop with 2 entries (32 B) used.
      name: 'caller-chunks',
      settings: { merge: 'folio', chunkSize: 100 },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 1600, bytesGiven: 2048, frees: 1, bytesUnused: 2016, bvecsWritten: 4, biosBuilt: 1 },
      complete: RELEASE,
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      name: 'overallocate',
      settings: { merge: 'folio' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 128, bytesGiven: 128, bvecsWritten: 2, biosBuilt: 1 },
      complete: { ...RELEASE, frees: 1, bytesUnused: 96 },
      calls: 1,
      rv: [{ value: 2, count: 1 }],
    },
    {
      // 'physical': PFN 67 + 1 = 68, one bvec; 112 of the 128 B never used. The release
      // still steps per folio: the bvec spans two.
      name: 'overallocate',
      settings: { merge: 'physical' },
      pin: { apiCalls: 1, ...WALK, allocations: 1, bytesAsked: 128, bytesGiven: 128, bvecsWritten: 1, biosBuilt: 1 },
      complete: { ...RELEASE, frees: 1, bytesUnused: 112 },
      calls: 1,
      rv: [{ value: 1, count: 1 }],
    },
  ];
  it.each(rows.map((r) => [`${r.name} ${JSON.stringify(r.settings)}`, r] as const))('%s', (_label, r) => {
    const { mm } = twoOrder2Folios();
    const got = measure(r.name, r.settings, mm, A);
    expect(got.pin).toEqual(counters(r.pin));
    expect(got.complete).toEqual(counters(r.complete));
    expect(got.calls).toBe(r.calls);
    expect(got.rv).toEqual(r.rv);
  });
});

describe('layout B: 600 order-0 pages, 600 bvecs', () => {
  function layoutB(): Mm {
    const { mm } = world();
    mapAt(mm, BASE, 600 * P, { populate: true });
    return mm;
  }
  const req: PinRequest = { start: BASE, length: 600 * P, gupFlags: FOLL_WRITE };
  // Order-0 pins: two refcount atomics per page (try_get_folio, then the bias); release
  // one refcount atomic per folio step.
  const release = { refcountAtomics: 600, pagesReleased: 600 };

  it('page-array: one walk over both PTE tables; 4800 B of pointers in the 8 KiB class', () => {
    const got = measure('page-array', { merge: 'folio' }, layoutB(), req);
    expect(got.pin).toEqual(
      counters({
        apiCalls: 1,
        walkRestarts: 1,
        levelsDescended: 5,
        ptesVisited: 600,
        refcountAtomics: 1200,
        allocations: 1,
        bytesAsked: 4800,
        bytesGiven: 8192,
        frees: 1,
        bytesUnused: 3392,
        pagePointersWritten: 600,
        bvecsWritten: 600,
        biosBuilt: 3,
      }),
    );
    expect(got.complete).toEqual(counters(release));
  });

  it('callee-allocates, grow: 16 -> 32 -> ... -> 512 -> 600 bvecs, 6 copies, 7 walks', () => {
    // Walk k takes cap_k - cap_(k-1) pages (16, 16, 32, 64, 128, 256, 88) and, except the
    // last, reads one more PTE that room() refuses: 606 PTEs. The sixth walk (pages
    // 256..511) reads PTE 512 in the second table: one extra level. Arrays: 256, 512,
    // 1024, 2048, 4096, 8192 B (kmalloc), then 9600 B from vmalloc (12288 B). Copies:
    // 16 + 32 + 64 + 128 + 256 + 512 = 1008 bvecs = 16128 B.
    const got = measure('callee-allocates', { merge: 'folio', sizing: 'grow' }, layoutB(), req);
    expect(got.pin).toEqual(
      counters({
        apiCalls: 1,
        walkRestarts: 7,
        levelsDescended: 29,
        ptesVisited: 606,
        refcountAtomics: 1200,
        allocations: 7,
        bytesAsked: 256 + 512 + 1024 + 2048 + 4096 + 8192 + 9600,
        bytesGiven: 256 + 512 + 1024 + 2048 + 4096 + 8192 + 12288,
        bytesCopied: 16128,
        frees: 6,
        bvecsWritten: 600,
        biosBuilt: 3,
      }),
    );
    expect(got.complete).toEqual(counters({ ...release, frees: 1, bytesUnused: 12288 - 9600 }));
  });

  it('caller-chunks, 16 entries: 38 calls, each a walk from the top', () => {
    // 600 = 37 * 16 + 8: 37 full calls each read one refused PTE, the 38th takes 8.
    // Call 32 (pages 496..511) reads PTE 512 in the second table: one extra level.
    const got = measure('caller-chunks', { merge: 'folio' }, layoutB(), req);
    expect(got.pin).toEqual(
      counters({
        apiCalls: 38,
        walkRestarts: 38,
        levelsDescended: 38 * 4 + 1,
        ptesVisited: 637,
        refcountAtomics: 1200,
        bvecsWritten: 1200,
        biosBuilt: 3,
      }),
    );
    expect(got.rv).toEqual([
      { value: 16, count: 37 },
      { value: 8, count: 1 },
    ]);
    expect(got.complete).toEqual(counters(release));
  });
});
