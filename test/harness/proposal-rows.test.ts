// Which rows the runner measures (src/harness/proposal-rows.ts) and how the command
// line picks proposals (scenario-select.ts): a proposal that reads `sizing` is one row
// per sizing variant unless the scenario or the command line fixes it; a row the
// proposal cannot serve as asked is not run, with the reason.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { proposalRows } from '../../src/harness/proposal-rows.js';
import { selectProposals, selectScenarios } from '../../src/harness/scenario-select.js';
import { FOLL_FORCE, FOLL_LONGTERM, FOLL_NOFAULT, FOLL_WRITE } from '../../src/index.js';
import type { PinStrategy } from '../../src/strategy/pin-strategy.js';
import { testPageArray } from './support/test-strategies.js';

const dio = builtInScenarios().find((s) => s.name === 'dio-512')!;
// The shape of callee-allocates as the harness sees it: reads sizing and chunkSize.
const sized: PinStrategy = { ...testPageArray, name: 'callee-allocates', option: 1, settings: ['merge', 'sizing', 'chunkSize'] };

describe('proposalRows', () => {
  it('one row per sizing variant, named name:variant, in the order the variants are listed', () => {
    const { rows, notRun } = proposalRows(dio, [testPageArray, sized]);
    expect(notRun).toEqual([]);
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

  it('a merge policy the proposal lacks: not run, the reason names the policy and the ones it has', () => {
    const folioOnly: PinStrategy = { ...testPageArray, mergePolicies: ['folio'] };
    const s = { ...dio, proposals: { 'test-page-array': { merge: 'physical' as const } } };
    expect(proposalRows(s, [folioOnly])).toEqual({
      rows: [],
      notRun: [{ label: 'test-page-array', shown: { merge: 'physical' }, reason: 'test-page-array has no merge=physical (it supports folio)' }],
    });
    expect(proposalRows(dio, [folioOnly], { merge: 'physical' }).notRun.map((r) => r.reason)).toEqual([
      'test-page-array has no merge=physical (it supports folio)',
    ]);
  });

  it('request flags outside expressibleGupFlags: every variant not run, the flags it cannot state named', () => {
    const limited: PinStrategy = { ...sized, expressibleGupFlags: FOLL_WRITE | FOLL_NOFAULT };
    const longterm = { ...dio, request: { ...dio.request, flags: FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE } };
    const { rows, notRun } = proposalRows(longterm, [testPageArray, limited]);
    expect(rows.map((r) => r.label)).toEqual(['test-page-array']);
    // No expressibleThrough: the reason names the proposal's caller.
    expect(notRun.map((r) => [r.label, r.reason])).toEqual(
      ['worst-case', 'grow', 'count-first', 'chunked'].map((v) => [`callee-allocates:${v}`, "FOLL_FORCE|FOLL_LONGTERM cannot be expressed through callee-allocates's caller"]),
    );
    // FOLL_WRITE alone is within what it states: every variant runs.
    expect(proposalRows(dio, [limited]).rows).toHaveLength(4);
  });

  it('both reasons at once, the flags first', () => {
    const iov: PinStrategy = { ...testPageArray, name: 'iov', mergePolicies: ['folio'], expressibleGupFlags: FOLL_WRITE, expressibleThrough: 'an iov_iter' };
    const longterm = { ...dio, request: { ...dio.request, flags: FOLL_WRITE | FOLL_LONGTERM } };
    expect(proposalRows(longterm, [iov], { merge: 'physical' }).notRun.map((r) => r.reason)).toEqual([
      'FOLL_LONGTERM cannot be expressed through an iov_iter; iov has no merge=physical (it supports folio)',
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
