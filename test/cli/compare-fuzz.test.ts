// Fuzzing `folio-gup compare <file>` in-process (issue 7, "Bad input"): scenario files
// made of arbitrary JSON, arbitrary text and mutations of a valid file go through the
// same command function the CLI runs. Nothing throws; a rejected file exits 2 with one
// line per problem, each naming the file and a JSON path; an accepted file runs and
// exits 0 (the mutation kept it valid) or 1 (never expected here: the comparison must
// stay equivalent on any valid scenario).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, expect } from 'vitest';
import { compareCommand } from '../../src/harness/command-compare.js';
import type { CommandContext } from '../../src/harness/command-context.js';
import { proposals } from '../../proposals/index.js';
import { atLeastRuns, exactRuns } from '../support/runs.js';

const dir = mkdtempSync(join(tmpdir(), 'folio-gup-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = JSON.parse(readFileSync(new URL('../../scenarios/fork-exact-readonly.json', import.meta.url), 'utf8')) as unknown;

let fileNo = 0;

/** Runs compare on `text` written to a file; returns the exit code and stderr lines. */
function compareFile(text: string): { code: number; err: string[]; file: string } {
  const file = join(dir, `s${fileNo++}.json`);
  writeFileSync(file, text);
  let err = '';
  const ctx: CommandContext = {
    strategies: proposals,
    tool: { name: 'folio-gup', version: 'test' },
    out: () => {},
    err: (t) => {
      err += t;
    },
    progressStream: null,
  };
  const code = compareCommand(ctx, { scenarios: [file], proposals: ['page-array'], format: 'text', timing: null });
  return { code, err: err.split('\n').filter((l) => l !== ''), file };
}

const seen = { rejected: 0, ran: 0 };

function expectRejectedOrRun(r: { code: number; err: string[]; file: string }): void {
  if (r.code === 2) seen.rejected++;
  else seen.ran++;
  if (r.code === 2) {
    expect(r.err.length).toBeGreaterThan(0);
    // "folio-gup: <file>: $.path: message", or the summary line that counts more problems.
    for (const line of r.err) {
      if (/^folio-gup: \.\.\. and \d+ more/.test(line) || /more problem/.test(line)) continue;
      expect(line.startsWith(`folio-gup: ${r.file}: $`)).toBe(true);
      expect(line).not.toMatch(/internal error|at .*\.ts:\d+/);
    }
  } else {
    expect(r.code).toBe(0);
  }
}

/** A path into a JSON value: the keys and indices to walk. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function mutate(v: unknown, path: (string | number)[], how: 'replace' | 'delete' | 'extra', value: unknown): unknown {
  if (path.length === 0) return how === 'replace' ? value : v;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (rest.length === 0 && how === 'delete') copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number], rest, how, value);
    return copy;
  }
  const obj = { ...(v as Record<string, unknown>) };
  if (rest.length === 0 && how === 'delete') delete obj[head as string];
  else if (rest.length === 0 && how === 'extra') obj[`x${String(head)}`] = value;
  else obj[head as string] = mutate(obj[head as string], rest, how, value);
  return obj;
}

const allPaths = paths(base);

test.prop([fc.jsonValue()], { numRuns: atLeastRuns(300) })('arbitrary JSON as a scenario file: exit 2 with JSON paths, never a throw', (v) => {
  expectRejectedOrRun(compareFile(JSON.stringify(v)));
});

test.prop([fc.string()], { numRuns: atLeastRuns(200) })('arbitrary text as a scenario file', (s) => {
  expectRejectedOrRun(compareFile(s));
});

test.prop(
  [fc.nat({ max: allPaths.length - 1 }), fc.constantFrom('replace' as const, 'delete' as const, 'extra' as const), fc.jsonValue({ maxDepth: 2 })],
  { numRuns: atLeastRuns(500) },
)('mutations of a valid scenario file: rejected with paths, or run cleanly', (at, how, value) => {
  expectRejectedOrRun(compareFile(JSON.stringify(mutate(base, allPaths[at]!, how, value))));
});

test('the unmutated file runs and is clean', () => {
  expect(compareFile(JSON.stringify(base)).code).toBe(0);
});

test.skipIf(exactRuns)('the mutations exercised both paths: some files were rejected, some ran', () => {
  expect(seen.rejected).toBeGreaterThan(100);
  expect(seen.ran).toBeGreaterThan(5);
});
