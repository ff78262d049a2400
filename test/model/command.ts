/**
 * The base of every model-based command: `run` applies the command to the model and the
 * machine (`act`, which also checks the command's own result), then checks every
 * invariant of invariants.ts, so a failure names the first command that broke one.
 */
import type { fc } from '@fast-check/vitest';
import { checkInvariants } from './invariants.js';
import type { Model, Real } from './model.js';

export abstract class ModelCommand implements fc.Command<Model, Real> {
  /** Whether the command applies in this model state (fast-check skips it otherwise). */
  check(_md: Readonly<Model>): boolean {
    return true;
  }

  /** Applies the command to both sides and checks its immediate result. */
  abstract act(md: Model, r: Real): void;

  run(md: Model, r: Real): void {
    this.act(md, r);
    checkInvariants(md, r);
  }

  abstract toString(): string;
}

/** Throws with `msg` unless `cond` holds (cheaper than expect() in the hot path, and as readable). */
export function ensure(cond: boolean, msg: () => string): void {
  if (!cond) throw new Error(msg());
}
