/**
 * Loading scenario files: read, parse JSON, decode with the io-ts codecs, normalize.
 * Every failure comes back as lines `<source>: <JSON path>: <problem>`, one per
 * problem, in an fp-ts Left; nothing here throws, whatever the input (a missing file, a
 * directory, bytes that are not UTF-8 or not JSON, any JSON value, any JS value).
 */
import { readFileSync, statSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { JSON_ROOT } from './json-path.js';
import { formatProblems, problemsFromErrors } from './problems.js';
import type { Scenario } from './scenario.js';
import { normalizeScenario, type ScenarioParseOptions } from './scenario-normalize.js';
import { scenarioCodec } from './scenario-schema.js';

/** Scenario files larger than this are refused before reading (an exact list for 1 TiB of 2 MiB folios fits). */
export const MAX_SCENARIO_FILE_BYTES = 64 * 1024 * 1024;

/** One line, printable: control characters (V8 quotes the input in JSON errors) become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function rootError(source: string, message: string): E.Either<string[], never> {
  return E.left([`${source}: ${JSON_ROOT}: ${oneLine(message)}`]);
}

function errorText(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'unknown error';
  }
}

/** `line L, column C` of a character offset, for JSON syntax errors. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** Decodes an already-parsed value (any JS value) into a Scenario. */
export function decodeScenario(
  value: unknown,
  sourceName: string,
  options: ScenarioParseOptions = {},
): E.Either<string[], Scenario> {
  try {
    const decoded = scenarioCodec.decode(value);
    if (decoded._tag === 'Left') return E.left(formatProblems(sourceName, problemsFromErrors(decoded.left)));
    const normalized = normalizeScenario(decoded.right, sourceName, options);
    return normalized._tag === 'Left' ? E.left(formatProblems(sourceName, normalized.left)) : normalized;
  } catch (e) {
    // Reaching this is a loader bug; the fuzz tests look for this text.
    return rootError(sourceName, `internal error while checking the scenario: ${errorText(e)}`);
  }
}

/** Parses the text of a scenario file; `sourceName` prefixes every error line. */
export function parseScenario(
  jsonText: string,
  sourceName: string,
  options: ScenarioParseOptions = {},
): E.Either<string[], Scenario> {
  if (typeof jsonText !== 'string') return rootError(sourceName, 'expected the text of a scenario file');
  const text = jsonText.charCodeAt(0) === 0xfeff ? jsonText.slice(1) : jsonText;
  if (text.trim() === '') return rootError(sourceName, 'expected a JSON object, found an empty file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = errorText(e);
    const at = /at position (\d+)/.exec(message);
    const where = at !== null ? ` (${lineColumn(text, Number(at[1]))})` : '';
    return rootError(sourceName, `invalid JSON${where}: ${message}`);
  }
  return decodeScenario(value, sourceName, options);
}

/** Reads and parses a scenario file; errors are prefixed with `path`. */
export function loadScenarioFile(path: string, options: ScenarioParseOptions = {}): E.Either<string[], Scenario> {
  if (typeof path !== 'string' || path === '') return rootError(String(path), 'expected a file name');
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return rootError(path, 'expected a scenario file, found a directory');
    if (!st.isFile()) return rootError(path, 'expected a regular file');
    if (st.size > MAX_SCENARIO_FILE_BYTES)
      return rootError(path, `expected a file of at most ${MAX_SCENARIO_FILE_BYTES} bytes, found ${st.size}`);
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorText(e);
    return rootError(path, `cannot read the file: ${reason}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return rootError(path, 'expected UTF-8 text, found bytes that are not UTF-8');
  }
  return parseScenario(text, path, options);
}
