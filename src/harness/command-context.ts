/**
 * What every command runs with: the registered proposals (handed in by src/cli.ts,
 * the only module that imports the registry), the tool's name and version, where data
 * and diagnostics go, and whether a progress bar may be drawn. Commands return their
 * exit code: 0 success, 1 the tool found a problem (proposals disagree, an invariant
 * broke), 2 a usage error. Not a kernel concept.
 */
import cliProgress from 'cli-progress';
import type { PinStrategy } from '../strategy/pin-strategy.js';
import type { Progress } from './runner.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

export interface CommandContext {
  readonly strategies: readonly PinStrategy[];
  readonly tool: { readonly name: string; readonly version: string };
  /** Data (stdout). */
  readonly out: (text: string) => void;
  /** Diagnostics (stderr). */
  readonly err: (text: string) => void;
  /** The stream a progress bar may draw on, or null for none (not a terminal, CI, JSON). */
  readonly progressStream: NodeJS.WritableStream | null;
}

/** Prints usage problems, one line each, with the tool's name in front; returns EXIT_USAGE. */
export function usageError(ctx: CommandContext, lines: readonly string[]): number {
  for (const l of lines) ctx.err(`${ctx.tool.name}: ${l}\n`);
  return EXIT_USAGE;
}

/** A progress callback drawing a bar on the context's stream, and the function that ends it. */
export function progressBar(ctx: CommandContext): { onProgress?: (p: Progress) => void; stop: () => void } {
  const stream = ctx.progressStream;
  if (stream === null) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: '{bar} {value}/{total} {scenario} {row}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.legacy,
  );
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(p.total, 0, { scenario: '', row: '' });
        started = true;
      }
      bar.update(p.done, { scenario: p.scenario, row: p.row });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
