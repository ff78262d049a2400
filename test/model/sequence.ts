/**
 * One model-based sequence from start to end: a fresh tracked machine (96 MiB: 64 MiB
 * ZONE_NORMAL, a 16 MiB CMA area, 16 MiB ZONE_MOVABLE) with one empty address space,
 * the initial mappings, the commands (each checking every invariant after it runs),
 * then the teardown every test ends with: each PinnedIo still held is completed, each
 * address space torn down (exit_mmap), and then vmstat must balance and all memory but
 * the zero page must be free (every refcount back to its baseline).
 */
import { fc } from '@fast-check/vitest';
import { createMm, exitMmap, machineFiles, machineMms } from '../../src/index.js';
import { proposalByName } from '../../proposals/index.js';
import { checkTrackedMachines, newMachine, untrack } from '../support/machines.js';
import { MIB } from '../support/mm-layout.js';
import { ensure } from './command.js';
import { MmapCmd, type MmapArgs } from './map-commands.js';
import { CompleteCmd } from './release-commands.js';
import { checkInvariants } from './invariants.js';
import { initialModel, type Model, type Real } from './model.js';

/** Completes every held PinnedIo, tears every address space down, and checks all is free. */
function teardown(md: Model, r: Real): void {
  while (md.held.length > 0) new CompleteCmd({ io: 0, dirty: false }).run(md, r);
  for (let i = 0; i < md.mms.length; i++) {
    if (!md.mms[i]!.live) continue;
    exitMmap(r.mms[i]!);
    md.mms[i]!.live = false;
  }
  checkInvariants(md, r);
  const m = r.m;
  const { nrFollPinAcquired: acq, nrFollPinReleased: rel } = m.stat;
  ensure(acq === rel, () => `vmstat after teardown: nr_foll_pin_acquired ${acq} != nr_foll_pin_released ${rel}`);
  ensure(machineMms(m).size === 0 && machineFiles(m).size === 0, () => `${machineMms(m).size} mms, ${machineFiles(m).size} files left`);
  ensure(m.stat.nrFreePages === m.nrPages - 1, () => `${m.nrPages - 1 - m.stat.nrFreePages} pages still allocated after teardown`);
}

/** After a failure: drop what can be dropped, so the runs fast-check shrinks with start clean. */
function abandon(md: Model, r: Real): void {
  try {
    for (let k = 0; k < md.held.length; k++) proposalByName(md.held[k]!.proposal)!.complete(r.mms[md.held[k]!.mm]!, r.ios[k]!, false);
  } catch {
    // the failure being reported is the one that matters
  }
  untrack(r.m);
}

/** Runs one sequence; throws on the first disagreement. The machine passes the end-of-test check before it returns. */
export function runSequence(layout: readonly MmapArgs[], cmds: Iterable<fc.Command<Model, Real>>): void {
  const m = newMachine({ memoryBytes: 96 * MIB, cmaBytes: 16 * MIB, movableBytes: 16 * MIB });
  const md = initialModel();
  const r: Real = { m, mms: [createMm(m)], ios: [] };
  let ok = false;
  try {
    checkInvariants(md, r);
    for (const a of layout) {
      const c = new MmapCmd(a);
      if (c.check(md)) c.run(md, r);
    }
    fc.modelRun(() => ({ model: md, real: r }), cmds);
    teardown(md, r);
    ok = true;
  } finally {
    if (!ok) abandon(md, r);
  }
  checkTrackedMachines();
}
