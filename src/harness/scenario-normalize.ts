/**
 * Turns a decoded scenario file into a `Scenario`: defaults filled in, the request's
 * start resolved against the mappings, the proposals checked against the ones the
 * caller knows, and every relation between values checked (mapping-checks.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import { TASK_SIZE_MAX } from '../mm/constants.js';
import { DEFAULT_MEMORY_BYTES } from '../mm/machine.js';
import { pathKey } from './json-path.js';
import { normalizeMappings } from './mapping-checks.js';
import type { Problem } from './problems.js';
import type { ProposalSettingName, ProposalSettings, Scenario, ScenarioMapping, ScenarioMemory, ScenarioRequest } from './scenario.js';
import type { RequestInput, ScenarioInput } from './scenario-schema.js';
import { closestKey } from './strict-struct.js';
import { formatAddress, formatSize } from './units.js';

/** What the loader may be told about the world outside the file. */
export interface ScenarioParseOptions {
  /**
   * The registered proposals and the settings each one reads. When given, settings
   * for any other proposal, or a setting the proposal does not read, are errors.
   */
  readonly proposals?: Readonly<Record<string, readonly ProposalSettingName[]>>;
}

/** The seed when a file gives none. */
export const DEFAULT_SCENARIO_SEED = 1;

function normalizeMemory(input: ScenarioInput['memory'], problems: Problem[]): ScenarioMemory {
  const memory = {
    bytes: input?.size ?? DEFAULT_MEMORY_BYTES,
    movableBytes: input?.movable ?? 0,
    cmaBytes: input?.cma ?? 0,
  };
  if (memory.movableBytes + memory.cmaBytes >= memory.bytes)
    problems.push({
      path: '$.memory',
      message: `expected movable + cma below size so ZONE_NORMAL has memory, found ${formatSize(memory.movableBytes)} + ${formatSize(memory.cmaBytes)} of ${formatSize(memory.bytes)}`,
    });
  return memory;
}

function normalizeRequest(r: RequestInput, mappings: readonly ScenarioMapping[], problems: Problem[]): ScenarioRequest {
  let start = 0;
  if (r.start.kind === 'address') start = r.start.address;
  else {
    const target = mappings[r.start.index];
    if (target === undefined)
      problems.push({
        path: '$.request.start',
        message: `expected a mapping index below ${mappings.length} (the number of mappings), found mapping[${r.start.index}]`,
      });
    else start = target.start + r.start.offset;
  }
  if (start < 0)
    problems.push({ path: '$.request.start', message: `expected an address at or above 0, found ${start}` });
  else if (start + r.length > TASK_SIZE_MAX)
    problems.push({
      path: '$.request.length',
      message: `expected the request to end by TASK_SIZE_MAX (${formatAddress(TASK_SIZE_MAX)}), found it ending at ${formatAddress(start + r.length)}`,
    });
  return { start, length: r.length, flags: r.flags ?? 0, repeats: r.repeats ?? 1 };
}

function normalizeProposals(
  input: ScenarioInput['proposals'],
  options: ScenarioParseOptions,
  problems: Problem[],
): Record<string, ProposalSettings> {
  const out: Record<string, ProposalSettings> = {};
  if (input === undefined) return out;
  const known = options.proposals;
  for (const name of Object.keys(input).sort()) {
    const settings = input[name]!;
    const path = pathKey('$.proposals', name);
    if (known !== undefined) {
      const reads = Object.hasOwn(known, name) ? known[name] : undefined;
      if (reads === undefined) {
        const names = Object.keys(known);
        const hint = closestKey(name, names);
        problems.push({
          path,
          message: `expected a registered proposal (${names.join(', ')}), found "${name}"${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}`,
        });
        continue;
      }
      for (const key of Object.keys(settings) as ProposalSettingName[])
        if (!reads.includes(key))
          problems.push({
            path: pathKey(path, key),
            message: `expected only settings ${name} reads (${reads.length > 0 ? reads.join(', ') : 'none'}), found ${key}`,
          });
    }
    const copy: { -readonly [K in keyof ProposalSettings]: ProposalSettings[K] } = {};
    if (settings.chunkSize !== undefined) copy.chunkSize = settings.chunkSize;
    if (settings.merge !== undefined) copy.merge = settings.merge;
    if (settings.sizing !== undefined) copy.sizing = settings.sizing;
    out[name] = copy;
  }
  return out;
}

/** The Scenario a decoded file describes, or every problem found in it. */
export function normalizeScenario(
  input: ScenarioInput,
  source: string,
  options: ScenarioParseOptions = {},
): E.Either<Problem[], Scenario> {
  const problems: Problem[] = [];
  const memory = normalizeMemory(input.memory, problems);
  if (problems.length > 0) return E.left(problems);
  const mappings = normalizeMappings(input.mappings, memory, problems);
  const request = normalizeRequest(input.request, mappings, problems);
  const proposals = normalizeProposals(input.proposals, options, problems);
  if (problems.length > 0) return E.left(problems);
  return E.right({
    name: input.name,
    description: input.description ?? '',
    seed: input.seed ?? DEFAULT_SCENARIO_SEED,
    memory,
    mappings,
    forkBeforePin: input.forkBeforePin ?? false,
    request,
    proposals,
    source,
  });
}
