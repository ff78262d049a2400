/**
 * Wall time of one proposal on one built scenario, from tinybench: the pin (the whole
 * caller loop) and the release at completion are separate tasks, each timed alone.
 * The pin task releases in an untimed afterEach; the release task pins in an untimed
 * beforeEach, so every release sample releases a fresh pin. A scenario's `repeats`
 * batches that many pins (or releases) per sample; the means are per operation.
 *
 * The timed pins run on the machine the counted run left behind, so they measure the
 * steady state: faults, unshares and migrations the first pin performed are not
 * repeated (the cost counters record them). Every timed pin must return what the
 * counted one did, and the pin counters must balance afterwards; a mismatch is
 * reported as a problem, outside the timed part.
 *
 * The budget is wall time: each iteration reports its untimed hook as part of its
 * cost (tinybench's overriddenIterationCost), so a 1 us release behind a 500 ms pin
 * does not run ten thousand times. An operation slower than the budget ("heavy", such
 * as pinning 100 GiB) gets one sample of each, with no warmup, and the pin task hands
 * its last pin to the release task instead of releasing it and pinning again.
 */
import { Bench } from 'tinybench';
import type { PinnedIo, PinRequest } from '../strategy/pin-strategy.js';
import type { Timing } from './result.js';
import type { ProposalRow } from './proposal-rows.js';
import { markDirtyFor } from './run-row.js';
import type { ScenarioWorld } from './scenario-build.js';

/** How long tinybench may spend. */
export interface TimingBudget {
  /** Wall-time budget per task (pin, release), hooks included, in ms. */
  readonly taskMs: number;
}

/** The default budget: the whole default suite, timing included, stays under a minute. */
export const DEFAULT_TIMING_BUDGET: TimingBudget = { taskMs: 60 };

/** A timing, or what went wrong while taking it. */
export interface TimingOutcome {
  readonly timing: Timing | null;
  readonly problems: string[];
}

/** The counted run's wall times, used to size the sampling. */
export interface CountedTimes {
  readonly result: number;
  readonly pinMs: number;
  readonly releaseMs: number;
}

/** Times `row` on `w`; `repeats` operations per sample. */
export function timeRow(w: ScenarioWorld, row: ProposalRow, req: PinRequest, repeats: number, counted: CountedTimes, budget: TimingBudget): TimingOutcome {
  const problems: string[] = [];
  const { mm, m } = w;
  const dirty = markDirtyFor(req);
  const ios: PinnedIo[] = [];
  const opMs = (counted.pinMs + counted.releaseMs) * repeats;
  // One operation (not a batch of repeats) over the budget: the counted run was the
  // first, cold one, so a small operation batched many times is not judged by it.
  const heavy = counted.pinMs + counted.releaseMs >= budget.taskMs;
  /** What an iteration costs the budget: a heavy one spends it all, so it runs once. */
  const cost = (ms: number): number => (heavy ? Math.max(ms, budget.taskMs) : ms);
  const bench = new Bench({
    name: row.label,
    time: budget.taskMs,
    iterations: heavy ? 1 : opMs * 4 >= budget.taskMs ? 2 : 5,
    warmup: !heavy,
    warmupTime: budget.taskMs / 4,
    warmupIterations: 1,
    throws: true,
  });
  let hookMs = counted.releaseMs * repeats;
  let lastPinMs = counted.pinMs * repeats;
  const pinAll = (): void => {
    for (let r = 0; r < repeats; r++) ios.push(row.strategy.pin(mm, req, row.settings));
  };
  const releaseAll = (): void => {
    for (let r = 0; r < ios.length; r++) row.strategy.complete(mm, ios[r]!, dirty);
  };
  const check = (): void => {
    for (const io of ios)
      if (io.ret !== counted.result && problems.length < 3) problems.push(`a timed pin returned ${io.ret}, the counted one ${counted.result}`);
  };
  const checkAndRelease = (): void => {
    check();
    releaseAll();
    ios.length = 0;
  };
  /** Heavy: releases all but the newest batch, which the release task will time. */
  const keepNewest = (): void => {
    check();
    const old = ios.length - repeats;
    for (let r = 0; r < old; r++) row.strategy.complete(mm, ios[r]!, dirty);
    ios.splice(0, old);
  };
  bench.add(
    'pin',
    () => {
      const t0 = performance.now();
      pinAll();
      lastPinMs = performance.now() - t0;
      return { overriddenIterationCost: cost(lastPinMs + hookMs) };
    },
    {
      // Without this tinybench calls the task once at add() to see whether it is async.
      async: false,
      afterEach: () => {
        const t0 = performance.now();
        if (heavy) keepNewest();
        else checkAndRelease();
        hookMs = performance.now() - t0;
      },
    },
  );
  bench.add(
    'release',
    () => {
      const t0 = performance.now();
      releaseAll();
      ios.length = 0;
      return { overriddenIterationCost: cost(performance.now() - t0 + hookMs) };
    },
    {
      async: false,
      beforeEach: () => {
        if (ios.length > 0) {
          // The pin task's last batch: its pin counts toward this iteration's cost.
          hookMs = lastPinMs;
          return;
        }
        const t0 = performance.now();
        pinAll();
        check();
        hookMs = performance.now() - t0;
      },
    },
  );
  const acquired = m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased;
  try {
    bench.runSync();
  } catch (e) {
    problems.push(`timing stopped: ${e instanceof Error ? e.message : String(e)}`);
    return { timing: null, problems };
  } finally {
    if (ios.length > 0) checkAndRelease();
  }
  if (m.stat.nrFollPinAcquired - m.stat.nrFollPinReleased !== acquired)
    problems.push('pins not balanced after the timed rounds: nr_foll_pin_acquired and nr_foll_pin_released moved apart');
  const [pin, release] = bench.tasks;
  const pr = pin?.result;
  const rr = release?.result;
  if (pr?.state !== 'completed' || rr?.state !== 'completed') {
    problems.push('tinybench did not complete both tasks');
    return { timing: null, problems };
  }
  return {
    timing: {
      pinMeanNs: (pr.latency.mean * 1e6) / repeats,
      pinRme: pr.latency.rme,
      pinSamples: pr.latency.samplesCount,
      releaseMeanNs: (rr.latency.mean * 1e6) / repeats,
      releaseRme: rr.latency.rme,
      releaseSamples: rr.latency.samplesCount,
    },
    problems,
  };
}
