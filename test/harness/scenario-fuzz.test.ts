// Fuzzing the scenario loader (issue 7, "Bad input"): arbitrary JSON text, arbitrary JS
// values and mutations of valid scenario files. The loader never throws; every
// rejection line names a JSON path; every accepted file satisfies the invariants that
// SCENARIO-FORMAT.md promises (stated here by hand, not by calling the checks).
import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect } from 'vitest';
import { decodeScenario, parseScenario } from '../../src/harness/scenario-loader.js';
import type { Scenario } from '../../src/harness/scenario.js';
import { FOLL_GET, INTERNAL_GUP_FLAGS, TASK_SIZE_MAX } from '../../src/index.js';
import { atLeastRuns } from '../support/runs.js';

/** `<source>: <JSON path>: <message>` on one line; the path grammar is `$`, `.key`, `[i]`, `["key"]`. */
const LINE = /^fuzz\.json: \$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]|\["(?:[^"\\]|\\.)*"\])*: \S/;

function checkRejection(lines: readonly string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatch(LINE);
    expect(line).not.toMatch(/[\n\r]/);
    expect(line).not.toContain('internal error');
  }
}

const PAGE = 4096;

/** What an accepted scenario promises (SCENARIO-FORMAT.md, "Guarantees"). */
function checkAccepted(s: Scenario): void {
  expect(s.request.flags & (INTERNAL_GUP_FLAGS | FOLL_GET)).toBe(0);
  expect(s.request.start).toBeGreaterThanOrEqual(0);
  expect(s.request.start + s.request.length).toBeLessThanOrEqual(TASK_SIZE_MAX);
  expect(s.request.length).toBeGreaterThan(0);
  const spans: [number, number][] = [];
  for (const m of s.mappings) {
    expect(m.start % PAGE).toBe(0);
    expect(m.length % PAGE).toBe(0);
    expect(m.start + m.length).toBeLessThanOrEqual(TASK_SIZE_MAX);
    spans.push([m.start, m.start + m.length]);
    expect(m.folios === null).toBe(!m.populate);
    let lastEnd = 0;
    for (const h of m.holes) {
      expect(h.offset).toBeGreaterThanOrEqual(lastEnd);
      expect(h.offset + h.length).toBeLessThanOrEqual(m.length);
      lastEnd = h.offset + h.length;
    }
    if (m.folios?.kind === 'exact') {
      let covered = 0;
      for (const f of m.folios.folios) {
        expect(f.pfn % 2 ** f.order).toBe(0);
        expect(f.offset).toBe(covered);
        covered += PAGE * 2 ** f.order;
      }
      expect(covered).toBe(m.length);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
}

function checkResult(r: E.Either<string[], Scenario>): void {
  if (E.isLeft(r)) checkRejection(r.left);
  else checkAccepted(r.right);
}

const VALID: readonly unknown[] = [
  JSON.parse(readFileSync('scenarios/thp-1g.json', 'utf8')),
  JSON.parse(readFileSync('scenarios/fragmented-mixed.json', 'utf8')),
  JSON.parse(readFileSync('scenarios/fork-exact-readonly.json', 'utf8')),
  {
    name: 'holes',
    mappings: [
      { kind: 'hugetlb-2m', address: '0x7f0000000000', length: '8MiB', holes: [{ offset: '2MiB', length: '2MiB' }] },
      { kind: 'file', address: '0x7f0000800000', length: '64KiB', protection: 'ro', populate: false },
    ],
    request: { start: 'mapping[0]+4KiB', length: '10MiB', flags: ['FOLL_WRITE'] },
    memory: { size: '64MiB', cma: '8MiB' },
  },
];

/** Values one step from valid ones: what a person editing a file would plausibly write. */
const NEAR_VALID: readonly unknown[] = [
  '4KiB', '2MiB', '1GiB', '4 KB', '0x1000', '0x7f0000000000', '0x7f0000000123', 4096, 4095, -1, 0, 1.5, 2 ** 53,
  'FOLL_PIN', 'FOLL_WRITE', ['FOLL_WRITE', 'FOLL_LONGTERM'], ['FOLL_GET'], 'mapping[0]', 'mapping[9]+4KiB',
  'mapping[0]-1GiB', 'hugetlb-2m', 'hugetlb-1g', 'anon-private', 'pfnmap', 'rw', 'ro', 'PROT_READ|PROT_WRITE',
  ['PROT_NONE', 'PROT_READ'], true, false, null, {}, [], { orders: [{ order: 9, weight: 1 }] },
  { orders: [{ order: 1, weight: 1 }], placement: 'scattered' }, [{ pfn: 512, order: 9 }], [{ pfn: '0x201', order: 9 }],
  'scattered', 'unpopulated', 9, 18, 1, 'movable', 'cma', { offset: '4KiB', length: '4KiB' }, { chunkSize: 16 },
  { merge: 'physical', sizing: 'chunked' }, 'x'.repeat(300),
];

type Step = string | number;

function nodes(v: unknown, path: Step[] = [], out: Step[][] = []): Step[][] {
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => nodes(x, [...path, i], out));
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) nodes((v as Record<string, unknown>)[k], [...path, k], out);
  return out;
}

interface Mutation {
  readonly pick: number;
  readonly op: 'replace' | 'near' | 'delete' | 'add';
  readonly value: unknown;
  readonly near: unknown;
  readonly key: string;
}

/** Applies one mutation at the `pick`-th node; returns the new root. */
function mutate(root: unknown, m: Mutation): unknown {
  const all = nodes(root);
  const path = all[m.pick % all.length]!;
  const replacement = m.op === 'near' ? structuredClone(m.near) : m.value;
  if (path.length === 0) return m.op === 'replace' || m.op === 'near' ? replacement : root;
  let parent = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const target = parent[last];
  if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.op === 'add') {
    if (Array.isArray(target)) target.push(m.value);
    else if (typeof target === 'object' && target !== null) (target as Record<string, unknown>)[m.key] = m.value;
    else parent[last] = replacement;
  } else parent[last] = replacement;
  return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'near', 'near', 'delete', 'add'),
  value: fc.jsonValue({ maxDepth: 2 }),
  near: fc.constantFrom(...NEAR_VALID),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('lenght', 'flag', 'pmd', 'zone', 'holes', 'kind')),
});

describe('the loader never throws and always names a JSON path', () => {
  test.prop([fc.jsonValue()], { numRuns: atLeastRuns(3000) })('any JSON text', (v) => {
    checkResult(parseScenario(JSON.stringify(v), 'fuzz.json'));
  });

  test.prop([fc.string({ maxLength: 40 })], { numRuns: atLeastRuns(500) })('any string as file text', (text) => {
    checkResult(parseScenario(text, 'fuzz.json'));
  });

  test.prop(
    [
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
      }),
    ],
    { numRuns: atLeastRuns(3000) },
  )('any JS value', (v) => {
    checkResult(decodeScenario(v, 'fuzz.json'));
  });

  test.prop([fc.nat(VALID.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 3 })], { numRuns: atLeastRuns(5000) })(
    'mutations of valid scenario files',
    (which, mutations) => {
      let doc: unknown = structuredClone(VALID[which]);
      for (const m of mutations) doc = mutate(doc, m);
      checkResult(parseScenario(JSON.stringify(doc) ?? '', 'fuzz.json'));
    },
  );

  test.prop([fc.nat(VALID.length - 1)])('the unmutated files are accepted', (which) => {
    const r = parseScenario(JSON.stringify(VALID[which]), 'fuzz.json');
    expect(E.isRight(r)).toBe(true);
    checkResult(r);
  });
});
