/**
 * `folio-gup scenarios [name]`: the built-in suite, one line each (or as JSON); with a
 * name, that scenario as a scenario file, ready to save, edit and pass to compare.
 */
import { EXIT_OK, usageError, type CommandContext } from './command-context.js';
import { BUILT_IN_NAMES, BUILT_IN_SCENARIO_FILES } from './builtin-scenarios.js';
import { closestKey } from './strict-struct.js';

export interface ScenariosArgs {
  readonly name?: string;
  readonly json: boolean;
}

export function scenariosCommand(ctx: CommandContext, args: ScenariosArgs): number {
  if (args.name !== undefined) {
    const file = BUILT_IN_SCENARIO_FILES.find((f) => f.name === args.name);
    if (file === undefined) {
      const hint = closestKey(args.name, BUILT_IN_NAMES);
      return usageError(ctx, [`unknown scenario "${args.name}"${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}: expected one of ${BUILT_IN_NAMES.join(', ')}`]);
    }
    ctx.out(`${JSON.stringify(file, null, 2)}\n`);
    return EXIT_OK;
  }
  if (args.json) {
    ctx.out(`${JSON.stringify(BUILT_IN_SCENARIO_FILES.map((f) => ({ name: f.name, description: f.description })), null, 2)}\n`);
    return EXIT_OK;
  }
  const width = Math.max(...BUILT_IN_NAMES.map((n) => n.length));
  for (const f of BUILT_IN_SCENARIO_FILES) ctx.out(`${String(f.name).padEnd(width)}  ${String(f.description)}\n`);
  return EXIT_OK;
}
