/**
 * The contract suite: every registered proposal, in every setting (variants.ts), on
 * every world of worlds.ts, against the page-array control with the same merge policy
 * (pin_user_pages_fast + get_contig_folio_len, mm/gup.c and lib/iov_iter.c, T): the same
 * result (bytes pinned, or the same -errno), the same runs in the same order, the same
 * refcounts, pincounts, page flags, mapcounts and vmstat pin counters while pinned and
 * after complete(), the same WARNs, bios within BIO_MAX_VECS and BIO_MAX_SIZE, and pins
 * balanced at the end. The result itself is worked by hand in worlds.ts.
 *
 * "The same runs" means the same maximal runs (observe.ts canonicalRuns): vectors that
 * continue each other under the merge policy are joined before they are compared. A
 * proposal that cuts runs (extract-bvecs at the end of each iov_iter_extract_bvecs call,
 * lib/iov_iter.c, T) describes the same runs and pays for it in bvecs, bios and atomics,
 * which the comparison's counters show; extract-bvecs-contract.test.ts works its cuts
 * out by hand. Where worlds.ts gives the runs by hand, they are maximal, and the
 * proposals that do not cut must give exactly them as their vectors too.
 *
 * A proposal whose expressibleGupFlags exclude a world's request flags (extract-bvecs:
 * FOLL_LONGTERM and FOLL_GET cannot be carried by an iov_iter) is held to its documented
 * refusal instead: -EINVAL before any call, nothing held, the machine unchanged.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_WRITE, type BioVec, type PinnedIo } from '../../src/index.js';
import { canonicalRuns, cannotExpress, expectRefusal, expectSameState, expectWellFormed, machineState, runsOf, type MachineState } from './observe.js';
import { VARIANTS, control, type Variant } from './variants.js';
import { WORLDS, type World } from './worlds.js';

interface Outcome {
  /** The world's request flags. */
  readonly flags: number;
  readonly io: PinnedIo;
  /** The vectors as the bios hold them. */
  readonly vectors: BioVec[];
  /** The maximal runs they describe. */
  readonly runs: BioVec[];
  readonly before: MachineState;
  readonly pinned: MachineState;
  readonly after: MachineState;
}

function run(v: Variant, w: World): Outcome {
  const { m, mm, req } = w.build();
  const before = machineState(m);
  const io = v.proposal.pin(mm, req, v.settings);
  expectWellFormed(io);
  const vectors = runsOf(io);
  const runs = canonicalRuns(m, vectors, v.settings.merge);
  const pinned = machineState(m);
  v.proposal.complete(mm, io, (req.gupFlags & FOLL_WRITE) !== 0);
  const after = machineState(m);
  expect(after.acquired).toBe(after.released);
  expect(m.cost.frees, 'every array freed').toBe(m.cost.allocations);
  return { flags: req.gupFlags, io, vectors, runs, before, pinned, after };
}

const triples = (runs: readonly BioVec[]) => runs.map((r) => [r.page, r.len, r.offset]);

describe.each(VARIANTS.map((v) => [v.label, v] as const))('%s', (_label, v) => {
  it.each(WORLDS.map((w) => [w.name, w] as const))('%s: same result, runs and state as the control, or the refusal', (_name, w) => {
    const got = run(v, w);
    if (cannotExpress(v.proposal, got.flags)) {
      expectRefusal(got.io, got.before, got.pinned, got.after, v.label);
      return;
    }
    const ref = run(control(v.settings.merge), w);
    expect(ref.io.ret).toBe(w.ret);
    expect(got.io.ret).toBe(w.ret);
    expect(got.runs).toEqual(ref.runs);
    // The control's vectors are maximal already: its runs are its vectors.
    expect(ref.runs).toEqual(ref.vectors);
    expect(got.vectors.length).toBeGreaterThanOrEqual(got.runs.length);
    expectSameState(got.pinned, ref.pinned, 'while pinned');
    expectSameState(got.after, ref.after, 'after complete()', true);
    expect(got.after.warnings).toEqual(ref.after.warnings);
    if (w.ret < 0) expect(got.io.owned).toHaveLength(0);
    if (w.runs !== undefined) expect(triples(got.runs)).toEqual(w.runs[v.settings.merge]);
    // The chunked callee's bios are cut at its chunk boundaries as well.
    if (w.bios !== undefined && v.settings.sizing !== 'chunked') expect(got.io.bios.map((b) => b.vcnt)).toEqual(w.bios[v.settings.merge]);
  });
});

describe('which proposals cut runs', () => {
  // On the worlds, every proposal but extract-bvecs returns maximal runs as its vectors
  // (the canonical form changes nothing for them); extract-bvecs cuts the two worlds
  // whose folio runs cross an extraction (extract-bvecs-contract.test.ts, worked by hand).
  it.each(VARIANTS.map((v) => [v.label, v] as const))('%s', (_label, v) => {
    const cut = WORLDS.filter((w) => {
      const o = run(v, w);
      return !cannotExpress(v.proposal, o.flags) && o.vectors.length !== o.runs.length;
    }).map((w) => w.name);
    expect(cut).toEqual(
      v.proposal.name === 'extract-bvecs' ? ['two PMD-mapped THPs, starting 1 MiB + 10 in', 'mixed orders 0, 3 and 9 back to back'] : [],
    );
  });
});
