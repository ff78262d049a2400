/**
 * The ArgumentError mmap throws for an offset no C caller could pass (an `off_t` is an
 * integer): the message names the function, the option, what it must be and the value
 * (src/mm/arg-check.ts ArgumentError; the contract in src/mm/mmap.ts's header: "an
 * offset beyond 2^53 too").
 */
import { describe, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, mmap } from '../../src/index.js';
import { MIB, world } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';

describe('mmap opts.offset', () => {
  it.each([
    [0.5, /^mmap: opts\.offset must be a safe integer byte offset, got 0\.5$/],
    [2 ** 53, /^mmap: opts\.offset must be a safe integer byte offset, got 9007199254740992$/],
  ])('%d is refused with its message, and nothing changes', (offset, message) => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    expectRefused({
      call: `mmap offset ${offset}`,
      m,
      run: () => mmap(mm, { length: 4096, prot: PROT_READ, flags: MAP_PRIVATE | MAP_ANONYMOUS, offset }),
      expect: { throws: message },
      state: () => mm.vmas.length,
    });
  });
});
