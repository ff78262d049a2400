// The runner (src/harness/runner.ts) with the test strategies of support/: counters,
// equivalence verdicts on canonical runs, rows not run, invariant checks, determinism,
// and the published RDMA figure.
// Expected numbers are worked by hand from the scenarios: 4 KiB pages, 16 KiB mTHPs,
// 2 MiB THPs, BIO_MAX_VECS = 256, GUP_PIN_COUNTING_BIAS = 1024 (mm/gup.c: an order-0
// pin adds the bias to the refcount; a large folio's pin adds 1 to refcount and
// _pincount per page).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { renderJson } from '../../src/harness/report-json.js';
import { comparisonClean, type Comparison, type ScenarioRun } from '../../src/harness/result.js';
import { runComparison, type RunnerOptions } from '../../src/harness/runner.js';
import { FOLL_NOFAULT, FOLL_WRITE } from '../../src/index.js';
import type { PinStrategy } from '../../src/strategy/pin-strategy.js';
import { testLeaky, testPageArray, testPageVectors, testSwapped } from './support/test-strategies.js';

const suite = builtInScenarios();
const pick = (...names: string[]) => names.map((n) => suite.find((s) => s.name === n)!);
const OPTS: RunnerOptions = { tool: { name: 'folio-gup', version: 'test' }, timing: null };

function compare(names: string[], strategies: readonly PinStrategy[], opts: Partial<RunnerOptions> = {}): Comparison {
  const c = runComparison(pick(...names), strategies, { ...OPTS, ...opts });
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

const scenario = (c: Comparison, name: string): ScenarioRun => c.scenarios.find((s) => s.scenario === name)!;

describe('counters', () => {
  it('dio-4k-unaligned: 512 + 3584 bytes in two order-0 pages, one bio, pins balanced', () => {
    const c = compare(['dio-4k-unaligned'], [testPageArray]);
    const r = scenario(c, 'dio-4k-unaligned').runs[0]!;
    expect(r.result).toBe(4096);
    expect(r.bvecs).toBe(2);
    expect(r.bios).toBe(1);
    expect(r.returnValues).toEqual([{ value: 2, count: 1 }]);
    expect(r.cost.apiCalls).toBe(1);
    // A page array of 2 pointers (16 bytes, the kmalloc-16 class), both written.
    expect(r.cost.pagePointersWritten).toBe(2);
    expect(r.bytesAllocated).toBe(16);
    expect(r.vmstatAfter.nrFollPinAcquired - r.vmstatBefore.nrFollPinAcquired).toBe(2);
    expect(r.vmstatAfter.nrFollPinReleased - r.vmstatBefore.nrFollPinReleased).toBe(2);
    expect(r.invariant).toEqual([]);
    expect(r.structural).toBe(false);
    expect(comparisonClean(c)).toBe(true);
  });

  it('hole-partway: the pin stops at the unmapped hole, 8 MiB - 0x100 bytes in', () => {
    const r = scenario(compare(['hole-partway'], [testPageArray]), 'hole-partway').runs[0]!;
    expect(r.result).toBe(0x800000 - 0x100);
    // 2048 order-0 pages, 256 vectors per bio.
    expect(r.bvecs).toBe(2048);
    expect(r.bios).toBe(8);
    expect(r.invariant).toEqual([]);
  });

  it('thp-1g under each merge policy: 512 folio vectors, or one physically contiguous vector', () => {
    const folio = scenario(compare(['thp-1g'], [testPageArray]), 'thp-1g').runs[0]!;
    expect([folio.bvecs, folio.bios]).toEqual([512, 2]);
    // The THPs are next-fit from PFN 512, so 1 GiB is one physical run (under BIO_MAX_SIZE).
    const physical = scenario(compare(['thp-1g'], [testPageArray], { merge: 'physical' }), 'thp-1g').runs[0]!;
    expect([physical.bvecs, physical.bios]).toEqual([1, 1]);
    expect(physical.settings).toEqual({ merge: 'physical' });
    expect(physical.vmstatAfter.nrFollPinAcquired - physical.vmstatBefore.nrFollPinAcquired).toBe(262144);
  });

  it('longterm-movable-cma: every page migrates out first, and the rmap still accounts for every reference after', () => {
    const r = scenario(compare(['longterm-movable-cma'], [testPageArray]), 'longterm-movable-cma').runs[0]!;
    expect(r.result).toBe(16 * 2 ** 20);
    // 16 MiB = 4096 pages, all in ZONE_MOVABLE or CMA: mm/gup.c migrate_longterm_unpinnable_folios.
    expect(r.vmstatAfter.pgmigrateSuccess - r.vmstatBefore.pgmigrateSuccess).toBe(4096);
    expect(r.structural).toBe(true);
    expect(r.invariant).toEqual([]);
  });

  it('rdma-100g reproduces the published figure: 26,214,400 page entries against 51,200 runs', () => {
    // 100 GiB / 4 KiB = 26,214,400 pages; / 2 MiB = 51,200 folios; 51,200 / 256 = 200 bios.
    const r = scenario(compare(['rdma-100g'], [testPageArray]), 'rdma-100g').runs[0]!;
    expect(r.result).toBe(100 * 2 ** 30);
    expect(r.cost.pagePointersWritten).toBe(26214400);
    expect(r.bvecs).toBe(51200);
    expect(r.bios).toBe(200);
    // The page array: 26,214,400 x 8 bytes = 200 MiB, past the slab limit, so vmalloc'ed.
    expect(r.bytesAllocated).toBe(200 * 2 ** 20);
    expect(r.invariant).toEqual([]);
  }, 60_000);
});

describe('equivalence', () => {
  it('dio-128k-unaligned: one vector per page cuts the 9 folio runs into 33 bvecs, the same runs, so equivalent', () => {
    // 33 pages in 9 16 KiB folios: the page vectors inside one folio continue each
    // other, so they coalesce into the control's 9 runs. The cost is in the bvecs.
    const c = compare(['dio-128k-unaligned'], [testPageArray, testPageVectors]);
    const [good, cut] = scenario(c, 'dio-128k-unaligned').runs;
    expect([good!.bvecs, cut!.bvecs]).toEqual([9, 33]);
    expect(cut!.vectorsDigest).not.toBe(good!.vectorsDigest);
    expect(cut!.runsDigest).toBe(good!.runsDigest);
    expect([good!.equivalent, cut!.equivalent]).toEqual([true, true]);
    expect(comparisonClean(c)).toBe(true);
  });

  it("the same under 'physical': page vectors coalesce wherever the bytes are contiguous", () => {
    const c = compare(['dio-128k-unaligned'], [testPageArray, testPageVectors], { merge: 'physical' });
    const [good, cut] = scenario(c, 'dio-128k-unaligned').runs;
    expect(cut!.bvecs).toBe(33);
    expect(cut!.runsDigest).toBe(good!.runsDigest);
    expect(cut!.equivalent).toBe(true);
  });

  it('dio-128k-unaligned: the first two vectors exchanged are not the same runs', () => {
    const c = compare(['dio-128k-unaligned'], [testPageArray, testSwapped]);
    const [good, bad] = scenario(c, 'dio-128k-unaligned').runs;
    expect([good!.bvecs, bad!.bvecs]).toEqual([9, 9]);
    expect(good!.equivalent).toBe(true);
    expect(bad!.equivalent).toBe(false);
    // Run 0 of the control starts 0x200 into the first 16 KiB folio: 16384 - 512 =
    // 15872 bytes. The swapped row starts with the second folio, whole: 16384 bytes.
    const m = /^under merge=folio, run 0 is (0x[0-9a-f]+)\+16384 where the reference has (0x[0-9a-f]+)\+15872 \(reference test-page-array\)$/.exec(bad!.reason!);
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    // Same pins, same release: nothing leaked, so no invariant broke.
    expect(bad!.invariant).toEqual([]);
    expect(comparisonClean(c)).toBe(false);
  });

  it('order-0 memory: per-page vectors and per-folio vectors are the same thing', () => {
    const c = compare(['dio-4k-unaligned'], [testPageArray, testPageVectors]);
    expect(scenario(c, 'dio-4k-unaligned').runs.map((r) => r.equivalent)).toEqual([true, true]);
  });

  it('the reference is what most rows agree on, whatever the order', () => {
    const c = compare(['dio-128k-unaligned'], [testSwapped, testPageArray, testPageArray]);
    expect(scenario(c, 'dio-128k-unaligned').runs.map((r) => r.equivalent)).toEqual([false, true, true]);
  });

  it('a tie goes to the control', () => {
    const c = compare(['dio-128k-unaligned'], [testSwapped, testPageArray]);
    expect(scenario(c, 'dio-128k-unaligned').runs.map((r) => r.equivalent)).toEqual([false, true]);
  });
});

describe('rows not run', () => {
  // The shape of extract-bvecs as the harness sees it: folio only, and only the flags
  // an iov_iter can carry.
  const iovIterOnly: PinStrategy = {
    ...testPageArray,
    name: 'iov-iter-only',
    option: 'control',
    mergePolicies: ['folio'],
    expressibleGupFlags: FOLL_WRITE | FOLL_NOFAULT,
    expressibleThrough: 'an iov_iter',
  };

  it('a request flag the proposal cannot state: listed with the reason, out of the equivalence, the comparison clean', () => {
    const c = compare(['longterm-movable-cma', 'dio-512'], [testPageArray, iovIterOnly]);
    const cma = scenario(c, 'longterm-movable-cma');
    expect(cma.runs.map((r) => r.proposal)).toEqual(['test-page-array']);
    expect(cma.notRun).toEqual([{ proposal: 'iov-iter-only', settings: { merge: 'folio' }, reason: 'FOLL_LONGTERM cannot be expressed through an iov_iter' }]);
    // dio-512 is FOLL_WRITE alone: both run.
    const dio = scenario(c, 'dio-512');
    expect(dio.runs.map((r) => [r.proposal, r.equivalent])).toEqual([
      ['test-page-array', true],
      ['iov-iter-only', true],
    ]);
    expect(dio.notRun).toEqual([]);
    expect(comparisonClean(c)).toBe(true);
  });

  it('a merge policy the proposal lacks: not run, whether --merge or the scenario asked for it', () => {
    const c = compare(['dio-512'], [testPageArray, iovIterOnly], { merge: 'physical' });
    const s = scenario(c, 'dio-512');
    expect(s.runs.map((r) => r.proposal)).toEqual(['test-page-array']);
    expect(s.notRun).toEqual([{ proposal: 'iov-iter-only', settings: { merge: 'physical' }, reason: 'iov-iter-only has no merge=physical (it supports folio)' }]);
    expect(comparisonClean(c)).toBe(true);
    const dio = pick('dio-512')[0]!;
    const asked = runComparison([{ ...dio, proposals: { 'iov-iter-only': { merge: 'physical' } } }], [iovIterOnly], OPTS);
    if (E.isLeft(asked)) throw new Error(asked.left.join('\n'));
    expect(asked.right.scenarios[0]!.runs).toEqual([]);
    expect(asked.right.scenarios[0]!.notRun.map((r) => r.reason)).toEqual(['iov-iter-only has no merge=physical (it supports folio)']);
  });
});

describe('invariants', () => {
  it('a leaked order-0 pin: vmstat unbalanced, the pin bias left on the refcount, the bios short of the result', () => {
    const c = compare(['dio-4k-unaligned'], [testPageArray, testLeaky]);
    const leaky = scenario(c, 'dio-4k-unaligned').runs[1]!;
    expect(leaky.invariant[0]).toBe('the bios hold 512 bytes but the caller reported 4096 pinned');
    expect(leaky.invariant).toContain('pins not balanced: nr_foll_pin_acquired +2, nr_foll_pin_released +1');
    expect(leaky.invariant.some((p) => /^folio 0x[0-9a-f]+: refcount 1025 still carries a pin bias$/.test(p))).toBe(true);
    expect(leaky.equivalent).toBe(false);
    expect(leaky.reason).toMatch(/^final state differs from test-page-array's: refcount\[0x[0-9a-f]+\] = 1025 where the reference left 1$/);
    expect(comparisonClean(c)).toBe(false);
  });

  it('a leaked pin on a 16 KiB mTHP: its pincount stays at 1', () => {
    const c = compare(['dio-128k-unaligned'], [testLeaky]);
    const r = scenario(c, 'dio-128k-unaligned').runs[0]!;
    expect(r.invariant).toContain('pins not balanced: nr_foll_pin_acquired +33, nr_foll_pin_released +32');
    expect(r.invariant.some((p) => /^folio 0x[0-9a-f]+: pincount 1, was 0$/.test(p))).toBe(true);
  });

});

describe('determinism', () => {
  it('the same seed gives byte-identical counters, whether rows were restored or rebuilt', () => {
    // thp-1g restores between rows (nothing structural); fork-readonly rebuilds (unshare copies).
    const names = ['thp-1g', 'fork-readonly', 'mixed-fragmented'];
    const a = renderJson(compare(names, [testPageArray, testPageArray]));
    const b = renderJson(compare(names, [testPageArray, testPageArray]));
    expect(a).toBe(b);
    const doc = JSON.parse(a) as { scenarios: { runs: { cost: unknown; vectorsDigest: string; structural: boolean }[] }[] };
    for (const s of doc.scenarios) expect(s.runs[1]).toEqual(s.runs[0]);
    expect(doc.scenarios.map((s) => s.runs[0]!.structural)).toEqual([false, true, false]);
  });

  it('--seed replaces the scenario seeds: another layout, other vectors', () => {
    const a = scenario(compare(['mixed-fragmented'], [testPageArray]), 'mixed-fragmented');
    const b = scenario(compare(['mixed-fragmented'], [testPageArray], { seed: 7 }), 'mixed-fragmented');
    expect(a.seed).toBe(42);
    expect(b.seed).toBe(7);
    expect(b.runs[0]!.vectorsDigest).not.toBe(a.runs[0]!.vectorsDigest);
  });
});
