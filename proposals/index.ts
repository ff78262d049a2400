/**
 * TEMPORARY registry for the runner branch only: the real one (the five proposals)
 * replaces this file when the branches are merged. It registers the harness's test
 * strategy so the CLI has something to run.
 */
import type { PinStrategy } from '../src/strategy/pin-strategy.js';
import { testPageArray } from '../test/harness/support/test-strategies.js';

export const proposals: readonly PinStrategy[] = [testPageArray];
