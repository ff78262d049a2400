#!/usr/bin/env node
/**
 * folio-gup's command line: the composition root. Data goes to stdout, diagnostics to
 * stderr; exit 0 on success, 1 when the tool finds a problem, 2 on a usage error.
 */
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { describeMachine, machineDescriptionText } from './describe-machine.js';

function parseBytes(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0 || n % 4096 !== 0) throw new InvalidArgumentError('expected a positive multiple of 4096 bytes');
  return n;
}

const program = new Command()
  .name('folio-gup')
  .description('A kernel-faithful model of GUP that compares folio-returning pin APIs')
  .version('0.1.0')
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .showHelpAfterError('(run with --help for usage)');

program
  .command('compare')
  .description(
    'Compare the proposals on the default workloads. The proposals are not built yet, so for\n' +
      'now this describes the machine the comparison will run on and compares nothing.',
  )
  .option('--json', 'print one JSON document')
  .option('--memory <bytes>', 'physical memory in bytes', parseBytes)
  .addHelpText('after', '\nExample:\n  $ folio-gup compare --json')
  .action((opts) => {
    const d = describeMachine(opts.memory === undefined ? {} : { memoryBytes: opts.memory });
    if (opts.json === true) {
      process.stdout.write(`${JSON.stringify({ schemaVersion: 1, comparison: null, machine: d }, null, 2)}\n`);
      return;
    }
    process.stderr.write('folio-gup: no proposals are registered yet; describing the machine only.\n');
    process.stdout.write(`${machineDescriptionText(d)}\n`);
  });

await program.parseAsync(process.argv);
