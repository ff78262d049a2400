// tinybench timing of one row (src/harness/timing.ts): pin and release are separate
// tasks, a fresh pin precedes every release sample, verification stays outside the
// timed part, and a heavy operation gets one sample of each with a single pin.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { proposalRows } from '../../src/harness/proposal-rows.js';
import { runRow, scenarioRequest } from '../../src/harness/run-row.js';
import { takeSnapshot } from '../../src/harness/machine-snapshot.js';
import { buildScenario } from '../../src/harness/scenario-build.js';
import { timeRow } from '../../src/harness/timing.js';
import type { PinStrategy } from '../../src/strategy/pin-strategy.js';
import { testPageArray } from './support/test-strategies.js';

/** testPageArray, counting its pins and releases; `odd` makes every pin after the first report one byte more. */
function counting(odd = false): PinStrategy & { pins: number; releases: number } {
  const s = {
    ...testPageArray,
    pins: 0,
    releases: 0,
    pin(...args: Parameters<PinStrategy['pin']>) {
      s.pins++;
      const io = testPageArray.pin(...args);
      return odd && s.pins > 1 ? { ...io, ret: io.ret + 1 } : io;
    },
    complete(...args: Parameters<PinStrategy['complete']>) {
      s.releases++;
      testPageArray.complete(...args);
    },
  };
  return s;
}

function setup(name: string, strategy: PinStrategy) {
  const s = builtInScenarios().find((x) => x.name === name)!;
  const w = buildScenario(s);
  if (E.isLeft(w)) throw new Error(w.left.join('\n'));
  const row = proposalRows(s, [strategy]).rows[0]!;
  const req = scenarioRequest(s);
  const counted = runRow(w.right, takeSnapshot(w.right), row, req);
  return { w: w.right, row, req, counted, repeats: s.request.repeats };
}

describe('timeRow', () => {
  it('times pin and release apart, every pin released, per operation when repeats batch them', () => {
    const strategy = counting();
    const { w, row, req, counted, repeats } = setup('dio-512', strategy);
    expect(repeats).toBe(64);
    const pinsBefore = strategy.pins;
    const t = timeRow(w, row, req, repeats, counted, { taskMs: 20 });
    expect(t.problems).toEqual([]);
    const timing = t.timing!;
    // At least two samples each (five when a batch is well under a quarter of the budget).
    expect(timing.pinSamples).toBeGreaterThanOrEqual(2);
    expect(timing.releaseSamples).toBeGreaterThanOrEqual(2);
    expect(timing.pinMeanNs).toBeGreaterThan(0);
    expect(timing.releaseMeanNs).toBeGreaterThan(0);
    // Every pin made while timing was released, 64 at a time.
    expect(strategy.pins - pinsBefore).toBe(strategy.releases - 1);
    expect((strategy.pins - pinsBefore) % 64).toBe(0);
    expect(w.m.stat.nrFollPinAcquired).toBe(w.m.stat.nrFollPinReleased);
  });

  it('a heavy operation: one sample of each, and one pin serves both tasks', () => {
    const strategy = counting();
    const { w, row, req, counted } = setup('dio-512', strategy);
    const pinsBefore = strategy.pins;
    // Pretend the counted pin took a second: heavier than the 20 ms budget.
    const t = timeRow(w, row, req, 1, { ...counted, pinMs: 1000 }, { taskMs: 20 });
    expect(t.problems).toEqual([]);
    expect(t.timing!.pinSamples).toBe(1);
    expect(t.timing!.releaseSamples).toBe(1);
    expect(strategy.pins - pinsBefore).toBe(1);
    expect(w.m.stat.nrFollPinAcquired).toBe(w.m.stat.nrFollPinReleased);
  });

  it('a timed pin that returns something else than the counted one is reported', () => {
    const strategy = counting(true);
    const { w, row, req, counted } = setup('dio-4k-unaligned', strategy);
    const t = timeRow(w, row, req, 1, counted, { taskMs: 5 });
    expect(t.problems[0]).toBe('a timed pin returned 4097, the counted one 4096');
    expect(w.m.stat.nrFollPinAcquired).toBe(w.m.stat.nrFollPinReleased);
  });
});
