// Which rows the runner measures (src/harness/proposal-rows.ts) and how the command
// line picks proposals (scenario-select.ts): a proposal that reads `sizing` is one row
// per sizing variant unless the scenario or the command line fixes it.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { proposalRows } from '../../src/harness/proposal-rows.js';
import { selectProposals, selectScenarios } from '../../src/harness/scenario-select.js';
import type { PinStrategy } from '../../src/strategy/pin-strategy.js';
import { testPageArray } from './support/test-strategies.js';

const dio = builtInScenarios().find((s) => s.name === 'dio-512')!;
// The shape of callee-allocates as the harness sees it: reads sizing and chunkSize.
const sized: PinStrategy = { ...testPageArray, name: 'callee-allocates', option: 1, settings: ['merge', 'sizing', 'chunkSize'] };

describe('proposalRows', () => {
  it('one row per sizing variant, named name:variant, in the order the variants are listed', () => {
    const { rows, problems } = proposalRows(dio, [testPageArray, sized]);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.label)).toEqual([
      'test-page-array',
      'callee-allocates:worst-case',
      'callee-allocates:grow',
      'callee-allocates:count-first',
      'callee-allocates:chunked',
    ]);
    expect(rows[2]!.settings).toEqual({ merge: 'folio', sizing: 'grow' });
    expect(rows[2]!.shown).toEqual({ merge: 'folio', sizing: 'grow' });
  });

  it("a scenario's sizing fixes the variant; its other settings reach the strategy", () => {
    const s = { ...dio, proposals: { 'callee-allocates': { sizing: 'chunked' as const, chunkSize: 32, merge: 'physical' as const } } };
    const { rows } = proposalRows(s, [sized]);
    expect(rows.map((r) => r.label)).toEqual(['callee-allocates:chunked']);
    expect(rows[0]!.settings).toEqual({ merge: 'physical', chunkSize: 32, sizing: 'chunked' });
  });

  it('the command line picks variants and overrides the merge policy', () => {
    const picked = selectProposals(['callee-allocates:grow', 'callee-allocates:chunked'], [testPageArray, sized]);
    if (E.isLeft(picked)) throw new Error(picked.left.join('\n'));
    expect(picked.right.strategies.map((s) => s.name)).toEqual(['callee-allocates']);
    const { rows } = proposalRows(dio, picked.right.strategies, { variants: picked.right.variants, merge: 'physical' });
    expect(rows.map((r) => [r.label, r.settings.merge])).toEqual([
      ['callee-allocates:grow', 'physical'],
      ['callee-allocates:chunked', 'physical'],
    ]);
  });

  it('an unknown variant is named with the ones that exist', () => {
    expect(selectProposals(['callee-allocates:double'], [sized])).toEqual(
      E.left([
        'unknown variant "callee-allocates:double": expected callee-allocates:worst-case, callee-allocates:grow, callee-allocates:count-first, callee-allocates:chunked',
      ]),
    );
  });

  it('a merge policy the proposal lacks is a problem at the JSON path that asked for it', () => {
    const folioOnly: PinStrategy = { ...testPageArray, mergePolicies: ['folio'] };
    const s = { ...dio, proposals: { 'test-page-array': { merge: 'physical' as const } } };
    expect(proposalRows(s, [folioOnly]).problems).toEqual([
      { path: '$.proposals["test-page-array"].merge', message: 'expected a merge policy test-page-array supports (folio), found physical' },
    ]);
  });
});

describe('selectScenarios', () => {
  it('no names: the whole suite, in order; names: those, in the order given', () => {
    const all = selectScenarios([], [testPageArray]);
    expect(E.isRight(all) && all.right.length).toBe(13);
    const some = selectScenarios(['rdma-100g', 'dio-512', 'scenarios/fork-exact-readonly.json'], [testPageArray]);
    if (E.isLeft(some)) throw new Error(some.left.join('\n'));
    expect(some.right.map((s) => [s.name, s.source])).toEqual([
      ['rdma-100g', 'built-in'],
      ['dio-512', 'built-in'],
      ['fork-exact-readonly', 'scenarios/fork-exact-readonly.json'],
    ]);
  });

  it('a scenario file naming a proposal that is not registered is refused, at its JSON path', () => {
    // scenarios/thp-1g.json has settings for caller-chunks and callee-allocates.
    const r = selectScenarios(['scenarios/thp-1g.json'], [testPageArray]);
    expect(E.isLeft(r) && r.left.length).toBe(2);
    expect(E.isLeft(r) && r.left[0]).toMatch(/^scenarios\/thp-1g\.json: \$\.proposals\["callee-allocates"\]: expected a registered proposal \(test-page-array\), found "callee-allocates"$/);
  });
});
