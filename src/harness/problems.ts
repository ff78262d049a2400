/**
 * Problems found in a scenario file, and their rendering as one line each:
 * `<source>: <JSON path>: <what was expected>, found <what was there>`.
 *
 * io-ts reports a failure as a context (a stack of keys and codecs); this file turns
 * that stack into a JSON path. A key under an array (the parent entry's `actual` is an
 * array) becomes `[i]`, any other key `.key`, and the entries that io-ts adds for the
 * members of a union or an intersection are skipped, since they are not places in the
 * document.
 */
import type * as t from 'io-ts';
import { describeValue } from './describe-value.js';
import { JSON_ROOT, pathIndex, pathKey } from './json-path.js';

/** One thing wrong with the input, at one JSON path. */
export interface Problem {
  /** Where, as `$.mappings[1].length`. */
  readonly path: string;
  /** What was expected and what was found. */
  readonly message: string;
}

/** At most this many lines are printed; a last line says how many more there were. */
export const MAX_PROBLEM_LINES = 50;

const TRANSPARENT_TAGS = new Set(['UnionType', 'IntersectionType']);

function tagOf(codec: unknown): string | undefined {
  const tag = (codec as { _tag?: unknown } | null)?._tag;
  return typeof tag === 'string' ? tag : undefined;
}

/** The JSON path named by an io-ts context. */
export function contextPath(context: t.Context): string {
  let path = JSON_ROOT;
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!;
    const parentTag = tagOf(parent.type);
    if (parentTag !== undefined && TRANSPARENT_TAGS.has(parentTag)) continue;
    const key = context[i]!.key;
    path = Array.isArray(parent.actual) ? pathIndex(path, key) : pathKey(path, key);
  }
  return path;
}

/** One Problem per io-ts validation error; a codec's own message wins over the generic one. */
export function problemsFromErrors(errors: t.Errors): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    const last = e.context[e.context.length - 1];
    const message =
      e.message !== undefined && e.message !== ''
        ? e.message
        : `expected ${last === undefined ? 'a value' : last.type.name}, found ${describeValue(e.value)}`;
    out.push({ path: contextPath(e.context), message });
  }
  return out;
}

/** The lines to show: `<source>: <path>: <message>`, capped at MAX_PROBLEM_LINES. */
export function formatProblems(source: string, problems: readonly Problem[]): string[] {
  const lines: string[] = [];
  const shown = Math.min(problems.length, MAX_PROBLEM_LINES);
  for (let i = 0; i < shown; i++) lines.push(`${source}: ${problems[i]!.path}: ${problems[i]!.message}`);
  if (problems.length > shown)
    lines.push(`${source}: ${JSON_ROOT}: ${problems.length - shown} more problems not shown`);
  return lines;
}
