// The folio-gup command line end to end: spawned as a user runs it (node with the tsx
// loader), good input and every class of bad input, with exit codes 0 (success) and 2
// (usage error: one line per problem, no stack trace). Exit 1 (proposals disagree, an
// invariant breaks) needs a wrong proposal, so test/harness/commands.test.ts covers it
// in-process. The proposal names come from the registry, so these tests hold whatever
// it registers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposals } from '../../proposals/index.js';
import { buildProgram } from '../../src/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Ran {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', FOLIO_GUP_DEBUG: '' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No JavaScript stack trace leaked to the user. */
function noStack(r: Ran): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toMatch(/^\s+at /m);
}

const first = proposals[0]!.name;

describe('help (in-process)', () => {
  it('every command has help with an example, and names the proposals registered', () => {
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(['compare', 'scenarios', 'trace', 'bench', 'report', 'machine']);
    for (const cmd of [program, ...program.commands]) {
      let text = '';
      cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
      cmd.outputHelp();
      expect(text, cmd.name()).toMatch(/Examples?:\n {2}\$ (folio-gup|npm run)/);
    }
  });
});

describe.concurrent('folio-gup, spawned', () => {
  it('compare: one JSON document on stdout, one summary line on stderr, exit 0', () => {
    const r = cli('compare', 'dio-512', 'dio-4k-unaligned', '--json', '--no-bench');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; tool: { name: string }; scenarios: { scenario: string; runs: { proposal: string }[] }[] };
    expect(doc.schemaVersion).toBe(3);
    expect(doc.tool.name).toBe('folio-gup');
    expect(doc.scenarios.map((s) => s.scenario)).toEqual(['dio-512', 'dio-4k-unaligned']);
    expect(doc.scenarios[0]!.runs.length).toBeGreaterThanOrEqual(proposals.length);
    expect(r.stderr).toMatch(/^folio-gup: 2 scenarios, \d+ runs in [\d.]+ s; seed each scenario's own; all equivalent, every invariant held\n$/);
  });

  it('compare --merge physical: exit 0, a proposal without that policy listed as not run, not a usage error', () => {
    const r = cli('compare', 'dio-4k-unaligned', '--merge', 'physical', '--json', '--no-bench');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { scenarios: { runs: { proposal: string; equivalent: boolean }[]; notRun: { proposal: string; reason: string }[] }[] };
    const s = doc.scenarios[0]!;
    for (const p of proposals) {
      const ran = s.runs.filter((x) => x.proposal === p.name || x.proposal.startsWith(`${p.name}:`));
      const skipped = s.notRun.filter((x) => x.proposal === p.name || x.proposal.startsWith(`${p.name}:`));
      if (p.mergePolicies.includes('physical')) {
        expect(ran.length, p.name).toBeGreaterThan(0);
        expect(ran.every((x) => x.equivalent)).toBe(true);
        expect(skipped).toEqual([]);
      } else {
        expect(ran, p.name).toEqual([]);
        expect(skipped.map((x) => x.reason)).toContain(`${p.name} has no merge=physical (it supports ${p.mergePolicies.join(', ')})`);
      }
    }
    noStack(r);
  });

  it('compare with a bad scenario file: one line per problem naming the JSON path, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'folio-gup-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        mappings: [{ kind: 'anon-private', address: '0x7f0000000000', length: 5000, colour: 'red' }],
        request: { start: 'mapping[0]', length: '4KiB' },
      }),
    );
    const r = cli('compare', file, '--no-bench');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n').sort()).toEqual(
      [
        `folio-gup: ${file}: $.mappings[0].colour: unknown key (allowed here: kind, address, length, protection, zone, populate, folios, holes)`,
        `folio-gup: ${file}: $.mappings[0].length: expected a multiple of PAGE_SIZE (4KiB), found 5000`,
      ].sort(),
    );
    noStack(r);
  });

  it('compare with an unknown scenario: exit 2 with a hint', () => {
    const r = cli('compare', 'thp-1gg');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'folio-gup: unknown scenario "thp-1gg" (did you mean "thp-1g"?): expected a built-in scenario (folio-gup scenarios lists them) or a scenario file\n',
    );
    noStack(r);
  });

  it('a bad option value: exit 2', () => {
    const r = cli('compare', '--format', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, md, json.");
    noStack(r);
  });

  it('a bad seed: exit 2', () => {
    const r = cli('bench', '--seed', '-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument '-1' is invalid. expected an integer from 0 to 4294967295");
    noStack(r);
  });

  it('an unknown option: exit 2', () => {
    const r = cli('compare', '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--frobnicate'");
    noStack(r);
  });

  it('an unknown command: exit 2', () => {
    const r = cli('comprae');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'comprae'");
    noStack(r);
  });

  it('trace without --proposal: exit 2', () => {
    const r = cli('trace', 'dio-512');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: required option '-p, --proposal <name>' not specified");
  });

  it('trace with an unknown proposal: exit 2', () => {
    const r = cli('trace', 'dio-512', '--proposal', 'no-such-proposal');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^folio-gup: unknown proposal "no-such-proposal": expected one of /);
    noStack(r);
  });

  it('trace: the calls, the vectors and the folio steps, exit 0', () => {
    const r = cli('trace', 'dio-4k-unaligned', '--proposal', first);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`trace: dio-4k-unaligned with ${first}`);
    expect(r.stdout).toContain('    bio_for_each_folio_all: 2 steps\n');
    expect(r.stdout).toContain('verdict: every pin released, pincounts and refcounts back, vmstat balanced\n');
  });

  it('report: REPORT.md and the charts in the directory given, exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'folio-gup-cli-report-'));
    const r = cli('report', 'dio-512', '--out-dir', dir, '--no-bench');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([join(dir, 'REPORT.md'), join(dir, 'vectors-per-gib.svg'), join(dir, 'bytes-allocated.svg')]);
    expect(existsSync(join(dir, 'REPORT.md'))).toBe(true);
    // The proposal folders are not there, so each README is named on stderr, not created.
    expect(r.stderr).toContain(`${join(dir, first, 'README.md')}: no such file; its measured table was not written`);
  });
});
