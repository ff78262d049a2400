/**
 * The contract suite: every registered proposal, in every setting (variants.ts), on
 * every world of worlds.ts, against the page-array control with the same merge policy
 * (pin_user_pages_fast + get_contig_folio_len, mm/gup.c and lib/iov_iter.c, T): the same
 * result (bytes pinned, or the same -errno), the same vectors in the same order, the
 * same refcounts, pincounts, page flags, mapcounts and vmstat pin counters while pinned
 * and after complete(), the same WARNs, bios within BIO_MAX_VECS and BIO_MAX_SIZE, and
 * pins balanced at the end. The result itself is worked by hand in worlds.ts.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, type BioVec, type PinnedIo } from '../../src/index.js';
import { expectSameState, expectWellFormed, machineState, runsOf, type MachineState } from './observe.js';
import { VARIANTS, control, type Variant } from './variants.js';
import { WORLDS, type World } from './worlds.js';

interface Outcome {
  readonly io: PinnedIo;
  readonly runs: BioVec[];
  readonly pinned: MachineState;
  readonly after: MachineState;
}

function run(v: Variant, w: World): Outcome {
  const { m, mm, req } = w.build();
  const io = v.proposal.pin(mm, req, v.settings);
  expectWellFormed(io);
  const runs = runsOf(io);
  const pinned = machineState(m);
  v.proposal.complete(mm, io, (req.gupFlags & FOLL_WRITE) !== 0);
  const after = machineState(m);
  expect(after.acquired).toBe(after.released);
  expect(m.cost.frees, 'every array freed').toBe(m.cost.allocations);
  return { io, runs, pinned, after };
}

describe.each(VARIANTS.map((v) => [v.label, v] as const))('%s', (_label, v) => {
  it.each(WORLDS.map((w) => [w.name, w] as const))('%s: same result, runs and state as the control', (_name, w) => {
    const ref = run(control(v.settings.merge), w);
    const got = run(v, w);
    expect(ref.io.ret).toBe(w.ret);
    expect(got.io.ret).toBe(w.ret);
    expect(got.runs).toEqual(ref.runs);
    expectSameState(got.pinned, ref.pinned, 'while pinned');
    expectSameState(got.after, ref.after, 'after complete()', true);
    expect(got.after.warnings).toEqual(ref.after.warnings);
    if (w.ret < 0) expect(got.io.owned).toHaveLength(0);
    if (w.runs !== undefined) expect(got.runs.map((r) => [r.page, r.len, r.offset])).toEqual(w.runs[v.settings.merge]);
    // The chunked callee's bios are cut at its chunk boundaries as well.
    if (w.bios !== undefined && v.settings.sizing !== 'chunked') expect(got.io.bios.map((b) => b.vcnt)).toEqual(w.bios[v.settings.merge]);
  });
});
