/**
 * The registry: every proposal the harness and the contract suite run, the control
 * first (it is the reference the others are compared against). Adding a proposal is
 * one folder under proposals/ exporting `proposal`, and one line here.
 */
import type { PinStrategy } from '../src/strategy/pin-strategy.js';

export const proposals: readonly PinStrategy[] = [
  (await import('./page-array/index.js')).proposal,
  (await import('./callee-allocates/index.js')).proposal,
  (await import('./caller-chunks/index.js')).proposal,
  (await import('./overallocate/index.js')).proposal,
  (await import('./extract-bvecs/index.js')).proposal,
];

/** The proposal named `name`, or undefined. */
export function proposalByName(name: string): PinStrategy | undefined {
  return proposals.find((p) => p.name === name);
}
