/**
 * Model-based test of the whole stack: random sequences of mmap, munmap, faults, user
 * stores and loads, fork, exit, pins through every registered proposal (any merge
 * policy and setting, FOLL_WRITE or read-only, sometimes FOLL_LONGTERM, sometimes with
 * a kernel allocation failure injected), completions, device writes into pinned pages
 * and migrations, run against a model that keeps only pins per PFN and the data each
 * page should read (model.ts).
 *
 * After every command (invariants.ts): no negative count; every folio's refcount is its
 * PTE mappings + PMD leaves + page-cache pages + pins (x GUP_PIN_COUNTING_BIAS for an
 * order-0 folio; +1 and _pincount +1 each for a large one), pincount and mapcounts
 * likewise, and nothing refers to a free page; vmstat acquired - released is the
 * model's pin total; every present page reads what the model says; every pinned page
 * holds what its process should read and stays the page it maps (so a page pinned for
 * write before fork stays the parent's, and a read-only pin after fork holds a page the
 * child's writes never reach, mm/memory.c folio_needs_cow_for_dma, mm/internal.h
 * gup_must_unshare). munmap and exit_mmap while pinned leave the pinned folios
 * allocated, with only the pins' references, until the last pin goes. At the end of
 * each sequence every PinnedIo still held is completed and every address space torn
 * down: vmstat balances and all memory but the zero page is free.
 *
 * The zero page is exempt from coherence: a read-only pin without FOLL_LONGTERM of
 * untouched private memory holds the shared zero page (no pin is taken on it, mm/gup.c
 * try_grab_folio), which later stores COW away from, as in the kernel.
 *
 * The test also requires that the sequences reached each state worth reaching at least
 * once (coverage.ts: a pin held across fork, munmap and exit while pinned, a refused
 * migration, an injected failure ending short...), so it cannot pass by drifting away
 * from them.
 *
 * Runs: max(1000, FC_NUM_RUNS) sequences of up to 12 commands after 1-3 initial
 * mappings, about 10 s. A failure prints its seed, path and the shrunk command list;
 * replay it with FC_SEED=<seed> FC_PATH=<path> (the coverage requirement is then
 * skipped, since only that one sequence runs).
 */
import { fc } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { commands, layout } from './command-set.js';
import { REQUIRED_EVENTS, coverage, resetCoverage } from './coverage.js';
import { runSequence } from './sequence.js';
import { atLeastRuns, exactRuns } from '../support/runs.js';

/** At least 1,000 sequences; FC_NUM_RUNS (applied globally by test/setup.ts) raises it; see atLeastRuns. */
const NUM_RUNS = atLeastRuns(1000);

it('mmap/munmap/fault/write/fork/exit/pin/complete/migrate sequences agree with a pins-per-PFN model', () => {
  resetCoverage();
  // The seed comes from the global config (FC_SEED); FC_PATH replays one printed path.
  const replay = process.env.FC_PATH !== undefined ? { path: process.env.FC_PATH, endOnFailure: true } : {};
  fc.assert(fc.property(layout, commands, (initial, cmds) => runSequence(initial, cmds)), { numRuns: NUM_RUNS, ...replay });
  // A replay runs one sequence, and a mutation run too few to meet the quotas.
  if (process.env.FC_PATH !== undefined || exactRuns) return;
  const reached = coverage();
  for (const e of REQUIRED_EVENTS) expect(reached[e], `never reached: ${e}`).toBeGreaterThan(0);
}, 300_000); // ~10 s alone; minutes on a loaded machine, and FC_NUM_RUNS can raise it
