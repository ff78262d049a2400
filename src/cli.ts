#!/usr/bin/env node
/**
 * folio-gup's command line: the composition root, and the only module in src/ that
 * imports the proposals' registry. Data goes to stdout, diagnostics to stderr; exit 0
 * on success, 1 when the tool finds a problem (proposals disagree, an invariant
 * breaks), 2 on a usage error (a bad option, an unknown scenario or proposal, a bad
 * scenario file: one line per problem, no stack trace).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { proposals } from '../proposals/index.js';
import { benchCommand, compareCommand, type CompareFormat } from './harness/command-compare.js';
import { EXIT_PROBLEM, type CommandContext } from './harness/command-context.js';
import { reportCommand } from './harness/command-report.js';
import { scenariosCommand } from './harness/command-scenarios.js';
import { traceCommand } from './harness/command-trace.js';
import { MERGE_POLICIES, type MergePolicy } from './harness/scenario.js';
import { DEFAULT_TIMING_BUDGET, type TimingBudget } from './harness/timing.js';
import { describeMachine, machineDescriptionText } from './describe-machine.js';

/** The package's version, from the nearest package.json above this file (src/ or dist/src/). */
function toolVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'folio-gup' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

const TOOL = { name: 'folio-gup', version: toolVersion() };

function parseSeed(value: string): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
}

function parseBenchMs(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 60000) throw new InvalidArgumentError('expected milliseconds, above 0 and at most 60000');
  return n;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100000) throw new InvalidArgumentError('expected an integer from 1 to 100000');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function context(machineReadable: boolean): CommandContext {
  const tty = process.stderr.isTTY === true && (process.env.CI ?? '') === '' && !machineReadable;
  return {
    strategies: proposals,
    tool: TOOL,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progressStream: tty ? process.stderr : null,
  };
}

function timing(opts: { bench: boolean; benchMs?: number }): TimingBudget | null {
  return opts.bench ? { taskMs: opts.benchMs ?? DEFAULT_TIMING_BUDGET.taskMs } : null;
}

function finish(code: number): void {
  process.exitCode = code;
}

const proposalNames = proposals.map((p) => p.name).join(', ');
const seedOption = () => new Option('--seed <n>', "replace every scenario's seed (folio layout and placement)").argParser(parseSeed);
const mergeOption = () =>
  new Option('--merge <policy>', "every proposal's merge policy: folio (one vector per folio run) or physical (as bio_add_page)").choices(MERGE_POLICIES);
const proposalOption = () =>
  new Option('-p, --proposal <name>', `only this proposal (repeatable; name or name:variant): ${proposalNames}`).argParser(collect).default([] as string[]);
const benchMsOption = () => new Option('--bench-ms <ms>', `tinybench wall-time budget per task (default ${DEFAULT_TIMING_BUDGET.taskMs})`).argParser(parseBenchMs);

/** The command line, built but not run (tests inspect its help). */
export function buildProgram(): Command {
  const program = new Command()
    .name(TOOL.name)
    .description('A kernel-faithful model of GUP that compares folio-returning pin APIs on identical workloads')
    .version(TOOL.version)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExample:\n  $ folio-gup compare            # every proposal on the default suite\n');

  program
    .command('compare')
    .description('Compare every proposal on the built-in suite (or the scenarios named): exact counters, equivalence, timings')
    .argument('[scenarios...]', 'built-in scenario names (folio-gup scenarios) or scenario files; default: the whole suite')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'md', 'json'] as const).default('text' as const))
    .addOption(new Option('--json', 'the same as --format json').conflicts('format'))
    .addOption(seedOption())
    .addOption(mergeOption())
    .addOption(proposalOption())
    .option('--no-bench', 'skip the tinybench timing (counters and checks only)')
    .addOption(benchMsOption())
    .addHelpText('after', '\nExamples:\n  $ folio-gup compare thp-1g dio-512 --format md\n  $ folio-gup compare my-scenario.json --json --no-bench\n')
    .action((scenarios, opts) => {
      const format: CompareFormat = opts.json === true ? 'json' : opts.format;
      finish(
        compareCommand(context(format === 'json'), {
          scenarios,
          proposals: opts.proposal,
          format,
          timing: timing(opts),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.merge !== undefined ? { merge: opts.merge as MergePolicy } : {}),
        }),
      );
    });

  program
    .command('scenarios')
    .description('List the built-in scenarios, one line each; with a name, print that scenario as a scenario file')
    .argument('[name]', 'a built-in scenario to print as JSON')
    .option('--json', 'the list as JSON')
    .addHelpText('after', '\nExamples:\n  $ folio-gup scenarios\n  $ folio-gup scenarios thp-1g > my-thp.json   # then edit it and: folio-gup compare my-thp.json\n')
    .action((name, opts) => {
      finish(scenariosCommand(context(true), { json: opts.json === true, ...(name !== undefined ? { name } : {}) }));
    });

  program
    .command('trace')
    .description("One proposal on one scenario, step by step: each call and its return, the vectors, the folio steps of bio_for_each_folio_all, refcount/pincount/vmstat changes at pin and at release")
    .argument('<scenario>', 'a built-in scenario name or a scenario file')
    .requiredOption('-p, --proposal <name>', `the proposal (name or name:variant): ${proposalNames}`)
    .addOption(seedOption())
    .addOption(mergeOption())
    .addOption(new Option('--limit <n>', 'entries shown per list (bios, vectors, folio steps, changes)').argParser(parseLimit).default(8))
    .option('--json', 'the trace as JSON')
    .addHelpText('after', `\nExample:\n  $ folio-gup trace dio-4k-unaligned --proposal ${proposals[0]?.name ?? 'page-array'}\n`)
    .action((scenario, opts) => {
      finish(
        traceCommand(context(opts.json === true), {
          scenario,
          proposal: opts.proposal,
          limit: opts.limit,
          json: opts.json === true,
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.merge !== undefined ? { merge: opts.merge as MergePolicy } : {}),
        }),
      );
    });

  program
    .command('bench')
    .description('The tinybench timings alone (pin and release timed apart), after the same checks as compare')
    .argument('[scenarios...]', 'built-in scenario names or scenario files; default: the whole suite')
    .option('--json', 'the timings as JSON')
    .addOption(seedOption())
    .addOption(mergeOption())
    .addOption(proposalOption())
    .addOption(benchMsOption())
    .addHelpText('after', '\nExample:\n  $ folio-gup bench dio-512 dio-128k-unaligned --bench-ms 200\n')
    .action((scenarios, opts) => {
      finish(
        benchCommand(context(opts.json === true), {
          scenarios,
          proposals: opts.proposal,
          json: opts.json === true,
          timing: timing({ bench: true, ...(opts.benchMs !== undefined ? { benchMs: opts.benchMs } : {}) }),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.merge !== undefined ? { merge: opts.merge as MergePolicy } : {}),
        }),
      );
    });

  program
    .command('report')
    .description('Write proposals/REPORT.md (the comparison, a reading of it, SVG charts) and each proposal README\'s measured table')
    .argument('[scenarios...]', 'built-in scenario names or scenario files; default: the whole suite')
    .option('--out-dir <dir>', 'where REPORT.md, the charts and the proposal folders are', 'proposals')
    .addOption(seedOption())
    .addOption(mergeOption())
    .option('--no-bench', 'skip the tinybench timing')
    .addOption(benchMsOption())
    .addHelpText('after', '\nExample:\n  $ npm run report        # the same as: folio-gup report --out-dir proposals\n')
    .action(async (scenarios, opts) => {
      finish(
        await reportCommand(context(false), {
          scenarios,
          proposals: [],
          outDir: opts.outDir,
          timing: timing(opts),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.merge !== undefined ? { merge: opts.merge as MergePolicy } : {}),
        }),
      );
    });

  program
    .command('machine')
    .description("Describe the model's machine: memory, zones, folio orders, FOLL_* flags, cost counters")
    .option('--json', 'one JSON document')
    .addHelpText('after', '\nExample:\n  $ folio-gup machine --json\n')
    .action((opts) => {
      const d = describeMachine();
      process.stdout.write(opts.json === true ? `${JSON.stringify({ schemaVersion: 1, machine: d }, null, 2)}\n` : `${machineDescriptionText(d)}\n`);
    });
  return program;
}

/** Whether this module is the program node was started with (not imported by a test). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // `folio-gup compare | head`: a reader that goes away is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    // Anything reaching here is a bug in the tool, not a usage error: say so plainly.
    process.stderr.write(`${TOOL.name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if ((process.env.FOLIO_GUP_DEBUG ?? '') !== '' && e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
    process.exitCode = EXIT_PROBLEM;
  }
}
