/**
 * The arbitraries the model-based test draws from: 1-3 initial mappings, then up to 12
 * commands of every kind, pins, stores and mmaps weighted up so sequences reach pinned,
 * forked and unmapped-while-pinned states within a short sequence.
 */
import { fc } from '@fast-check/vitest';
import { MmapCmd, MunmapCmd, mmapArgs, munmapArgs, type MmapArgs } from './map-commands.js';
import { MigrateCmd, migrateArgs } from './migrate-command.js';
import { PinCmd, failingPinArgs, pinArgs } from './pin-command.js';
import { ExitCmd, FaultCmd, ForkCmd, ReadCmd, WriteCmd, pageArgs, rangeArgs } from './process-commands.js';
import { CompleteCmd, DeviceWriteCmd } from './release-commands.js';
import type { Model, Real } from './model.js';

/** Commands per sequence (after the initial mappings). */
export const MAX_COMMANDS = 12;

export const layout: fc.Arbitrary<MmapArgs[]> = fc.array(mmapArgs, { minLength: 1, maxLength: 3 });

const completeArgs = fc.record({ io: fc.nat(), dirty: fc.boolean() });

const each: fc.Arbitrary<fc.Command<Model, Real>>[] = [
  mmapArgs.map((a) => new MmapCmd(a)),
  mmapArgs.map((a) => new MmapCmd(a)),
  munmapArgs.map((a) => new MunmapCmd(a)),
  pageArgs.map((a) => new FaultCmd(a)),
  rangeArgs.map((a) => new WriteCmd(a)),
  rangeArgs.map((a) => new WriteCmd(a)),
  rangeArgs.map((a) => new ReadCmd(a)),
  fc.nat().map((n) => new ForkCmd(n)),
  fc.nat().map((n) => new ExitCmd(n)),
  pinArgs.map((a) => new PinCmd(a)),
  pinArgs.map((a) => new PinCmd(a)),
  pinArgs.map((a) => new PinCmd(a)),
  failingPinArgs.map((a) => new PinCmd(a)),
  completeArgs.map((a) => new CompleteCmd(a)),
  completeArgs.map((a) => new CompleteCmd(a)),
  fc.nat().map((n) => new DeviceWriteCmd(n)),
  migrateArgs.map((a) => new MigrateCmd(a)),
  migrateArgs.map((a) => new MigrateCmd(a)),
  fc.nat().map((n) => new ForkCmd(n)),
];

export const commands = fc.commands(each, { maxCommands: MAX_COMMANDS });
