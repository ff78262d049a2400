// The commands behind the CLI (src/harness/command-*.ts), run in-process with the test
// strategies, so the disagreement and broken-invariant exits (1) are covered whatever
// the registry holds; test/cli/ spawns the real command line.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCENARIO_FILES, builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { benchCommand, compareCommand } from '../../src/harness/command-compare.js';
import type { CommandContext } from '../../src/harness/command-context.js';
import { reportCommand } from '../../src/harness/command-report.js';
import { scenariosCommand } from '../../src/harness/command-scenarios.js';
import { traceCommand } from '../../src/harness/command-trace.js';
import { parseScenario } from '../../src/harness/scenario-loader.js';
import type { PinStrategy } from '../../src/strategy/pin-strategy.js';
import { FOLL_WRITE } from '../../src/index.js';
import { testLeaky, testPageArray, testPageVectors, testSwapped } from './support/test-strategies.js';

function ctx(strategies: readonly PinStrategy[]): CommandContext & { stdout: string; stderr: string } {
  const c = {
    strategies,
    tool: { name: 'folio-gup', version: 'test' },
    stdout: '',
    stderr: '',
    out: (t: string) => {
      c.stdout += t;
    },
    err: (t: string) => {
      c.stderr += t;
    },
    progressStream: null,
  };
  return c;
}

const NO_BENCH = { proposals: [], timing: null } as const;

describe('compare', () => {
  it('exits 1 and says why when the proposals disagree', () => {
    const c = ctx([testPageArray, testSwapped]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: ['dio-128k-unaligned'], format: 'text' })).toBe(1);
    expect(c.stdout).toMatch(/^test-swapped +128K +9 +1 +1 +1 +\d+ +NO$/m);
    expect(c.stdout).toContain('not equivalent:');
    expect(c.stderr).toMatch(/^folio-gup: 1 scenarios, 2 runs in [\d.]+ s; seed each scenario's own; 1 runs not clean \(exit 1\)\n$/);
  });

  it('exits 0 when a row is not run, and counts it in the summary', () => {
    // A proposal that states FOLL_WRITE alone, on a FOLL_WRITE|FOLL_LONGTERM request.
    const writeOnly: PinStrategy = { ...testPageArray, name: 'write-only', expressibleGupFlags: FOLL_WRITE };
    const c = ctx([testPageArray, writeOnly]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: ['longterm-movable-cma', 'dio-512'], format: 'text' })).toBe(0);
    expect(c.stdout).toMatch(/^write-only +not run +- +- +- +- +- +-$/m);
    expect(c.stdout).toContain("not run:\n  write-only: FOLL_LONGTERM cannot be expressed through write-only's caller\n");
    expect(c.stderr).toMatch(/^folio-gup: 2 scenarios, 3 runs \(1 not run\) in [\d.]+ s; seed each scenario's own; all equivalent, every invariant held\n$/);
  });

  it('cutting runs is no disagreement: one vector per page exits 0', () => {
    const c = ctx([testPageArray, testPageVectors]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: ['dio-128k-unaligned'], format: 'text' })).toBe(0);
    expect(c.stdout).toMatch(/^test-page-vectors +128K +33 +1 +1 +1 +\d+ +yes$/m);
  });

  it('exits 1 when an invariant breaks, even with a single proposal', () => {
    const c = ctx([testLeaky]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: ['dio-4k-unaligned'], format: 'md' })).toBe(1);
    expect(c.stdout).toContain('Invariants broken:');
  });

  it('exits 0 with one JSON document when all agree', () => {
    const c = ctx([testPageArray, testPageArray]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: ['dio-512', 'dio-4k-unaligned'], format: 'json', seed: 5 })).toBe(0);
    const doc = JSON.parse(c.stdout) as { schemaVersion: number; seed: number; scenarios: { scenario: string; seed: number }[] };
    expect(doc.schemaVersion).toBe(3);
    expect(doc.seed).toBe(5);
    expect(doc.scenarios.map((s) => [s.scenario, s.seed])).toEqual([
      ['dio-512', 5],
      ['dio-4k-unaligned', 5],
    ]);
  });

  it('exits 2 on an unknown proposal or variant, one line each, with a hint', () => {
    const c = ctx([testPageArray]);
    expect(compareCommand(c, { ...NO_BENCH, scenarios: [], proposals: ['test-page-aray', 'test-page-array:grow'], format: 'text' })).toBe(2);
    expect(c.stderr).toBe(
      'folio-gup: unknown proposal "test-page-aray" (did you mean "test-page-array"?): expected one of test-page-array\n' +
        'folio-gup: unknown variant "test-page-array:grow": test-page-array has no sizing variants\n',
    );
    expect(c.stdout).toBe('');
  });

  it('bench prints the timings alone', () => {
    const c = ctx([testPageArray]);
    expect(benchCommand(c, { proposals: [], scenarios: ['dio-512'], json: false, timing: { taskMs: 5 } })).toBe(0);
    expect(c.stdout).toMatch(/^proposal +pin +rme% +n +release +rme% +n$/m);
    expect(c.stdout).toMatch(/^test-page-array +\S+s +[\d.]+ +\d+ +\S+s +[\d.]+ +\d+$/m);
  });

  it('bench lists a row not run with its reason, untimed', () => {
    const folioOnly: PinStrategy = { ...testPageArray, name: 'folio-only', mergePolicies: ['folio'] };
    const c = ctx([testPageArray, folioOnly]);
    expect(benchCommand(c, { proposals: [], scenarios: ['dio-512'], merge: 'physical', json: false, timing: { taskMs: 5 } })).toBe(0);
    expect(c.stdout).toMatch(/^folio-only +not run +- +- +- +- +-$/m);
    expect(c.stdout).toContain('not run:\n  folio-only: folio-only has no merge=physical (it supports folio)\n');
    const j = ctx([testPageArray, folioOnly]);
    expect(benchCommand(j, { proposals: [], scenarios: ['dio-512'], merge: 'physical', json: true, timing: { taskMs: 5 } })).toBe(0);
    const doc = JSON.parse(j.stdout) as { scenarios: { notRun: unknown[] }[] };
    expect(doc.scenarios[0]!.notRun).toEqual([{ proposal: 'folio-only', reason: 'folio-only has no merge=physical (it supports folio)' }]);
  });
});

describe('trace', () => {
  it('shows a leaked pin as a broken verdict and exits 1', () => {
    const c = ctx([testLeaky]);
    expect(traceCommand(c, { scenario: 'dio-4k-unaligned', proposal: 'test-leaky', limit: 4, json: false })).toBe(1);
    expect(c.stdout).toContain('verdict: BROKEN');
    expect(c.stdout).toContain('  pins not balanced: nr_foll_pin_acquired +2, nr_foll_pin_released +1');
  });

  it('dio-4k-unaligned with the page array: two vectors, two folio steps, the pin bias on and off', () => {
    const c = ctx([testPageArray]);
    expect(traceCommand(c, { scenario: 'dio-4k-unaligned', proposal: 'test-page-array', limit: 8, json: false })).toBe(0);
    const out = c.stdout;
    expect(out).toContain('  call 1 returned 2\n');
    expect(out).toContain('  result: 4096 bytes (4K) pinned\n');
    // offset 0xe00 = 3584: 512 bytes to the end of the first page, 3584 in the next.
    expect(out).toMatch(/^ {4}vec 0: page (0x[0-9a-f]+) offset 3584 len 512; folio \1 order 0$/m);
    expect(out).toMatch(/^ {4}vec 1: page (0x[0-9a-f]+) offset 0 len 3584; folio \1 order 0$/m);
    expect(out).toContain('    bio_for_each_folio_all: 2 steps\n');
    expect(out).toMatch(/^ {4}refcount\[0x[0-9a-f]+\]: 1 -> 1025 \(\+1024\)$/m);
    expect(out).toMatch(/^ {4}refcount\[0x[0-9a-f]+\]: 1025 -> 1 \(-1024\)$/m);
    expect(out).toMatch(/^ {4}flags\[0x[0-9a-f]+\]: \+PG_dirty$/m);
    expect(out).toContain('  vmstat at pin: nr_foll_pin_acquired +2\n');
    expect(out).toContain('  vmstat at release: nr_foll_pin_released +2\n');
    expect(out).toContain('verdict: every pin released, pincounts and refcounts back, vmstat balanced\n');
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('exits 2 for an unknown scenario', () => {
    const c = ctx([testPageArray]);
    expect(traceCommand(c, { scenario: 'dio-513', proposal: 'test-page-array', limit: 8, json: true })).toBe(2);
    expect(c.stderr).toBe(
      'folio-gup: unknown scenario "dio-513" (did you mean "dio-512"?): expected a built-in scenario (folio-gup scenarios lists them) or a scenario file\n',
    );
  });
});

describe('scenarios', () => {
  it('lists every built-in scenario on one line of at most 80 columns', () => {
    const c = ctx([]);
    expect(scenariosCommand(c, { json: false })).toBe(0);
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(BUILT_IN_SCENARIO_FILES.length);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toBe('order0-1g             1 GiB of order-0 pages, scattered, pinned for write');
  });

  it('prints each built-in as a scenario file that loads back to the same scenario', () => {
    const suite = builtInScenarios();
    for (const s of suite) {
      const c = ctx([]);
      expect(scenariosCommand(c, { name: s.name, json: false })).toBe(0);
      const back = parseScenario(c.stdout, `${s.name}.json`);
      expect(E.isRight(back) && { ...back.right, source: s.source }).toEqual(s);
    }
  });
});

describe('report', () => {
  it('writes REPORT.md and the charts, fills README markers, leaves a README without them alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'folio-gup-report-'));
    const readme = '# test-page-array\n\nprose\n\n<!-- measured:begin -->\nstale\n<!-- measured:end -->\n\nmore prose\n';
    mkdirSync(join(dir, 'test-page-array'));
    writeFileSync(join(dir, 'test-page-array', 'README.md'), readme);
    mkdirSync(join(dir, 'test-page-vectors'));
    writeFileSync(join(dir, 'test-page-vectors', 'README.md'), '# no markers\n');
    const c = ctx([testPageArray, testPageVectors]);
    const code = await reportCommand(c, { ...NO_BENCH, scenarios: ['dio-4k-unaligned'], outDir: dir });
    expect(code).toBe(0);
    expect(c.stdout.split('\n').filter((l) => l !== '')).toEqual([
      join(dir, 'REPORT.md'),
      join(dir, 'vectors-per-gib.svg'),
      join(dir, 'bytes-allocated.svg'),
      join(dir, 'test-page-array', 'README.md'),
    ]);
    expect(c.stderr).toContain(`${join(dir, 'test-page-vectors', 'README.md')}: expected <!-- measured:begin --> then <!-- measured:end -->; left unchanged`);
    const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    expect(report).toContain('## Reading');
    expect(report).toContain('![struct bio_vec entries per GiB pinned](vectors-per-gib.svg)');
    expect(report).toContain('## dio-4k-unaligned');
    const updated = readFileSync(join(dir, 'test-page-array', 'README.md'), 'utf8');
    expect(updated.startsWith('# test-page-array\n\nprose\n\n<!-- measured:begin -->\nMeasured by `npm run report`')).toBe(true);
    expect(updated.endsWith('<!-- measured:end -->\n\nmore prose\n')).toBe(true);
    expect(updated).toMatch(/^\| dio-4k-unaligned \| merge=folio \| +4096 \| +2 \|/m);
    expect(updated).not.toContain('stale');
    expect(readFileSync(join(dir, 'test-page-vectors', 'README.md'), 'utf8')).toBe('# no markers\n');
    expect(existsSync(join(dir, 'bytes-allocated.svg'))).toBe(true);
  });
});
