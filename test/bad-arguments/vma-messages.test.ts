/**
 * The full text of the VMA helpers' refusals (src/mm/vma.ts). The address-space tables
 * match only a message's start (function and argument); here each message is spelled
 * out, expected value and all, so a lost or changed word shows.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, exitMmap, splitVma, vmaLookup, vmaPgoff } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { thrownBy } from '../support/refused.js';

describe('vma.ts ArgumentError texts', () => {
  it('vmaPgoff, splitVma (page and huge page units) and a VMA outside the array', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 64 * KIB);
    mapAt(mm, BASE + 2 * MIB, 4 * MIB, { backing: 'hugetlb-2m' });
    const small = vmaLookup(mm.vmas, BASE)!;
    const huge = vmaLookup(mm.vmas, BASE + 2 * MIB)!;
    const rows: readonly [() => unknown, string][] = [
      [() => vmaPgoff(small, -1), 'vmaPgoff: vpn must be a non-negative safe integer, got -1'],
      [
        () => splitVma(mm.vmas, small, BASE + 100),
        `splitVma: addr must be an address inside ${BASE}..${BASE + 64 * KIB} aligned to 4096, got ${BASE + 100}`,
      ],
      [
        () => splitVma(mm.vmas, huge, BASE + 2 * MIB + 4 * KIB),
        `splitVma: addr must be an address inside ${BASE + 2 * MIB}..${BASE + 6 * MIB} aligned to ${2 * MIB}, got ${BASE + 2 * MIB + 4 * KIB}`,
      ],
      [() => splitVma([], small, BASE + 4 * KIB), 'splitVma: vma must be one of vmas, got an object'],
    ];
    for (const [run, message] of rows) {
      const e = thrownBy(run);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe(message);
    }
    expect(mm.vmas.map((v) => [v.start, v.end])).toEqual([
      [BASE, BASE + 64 * KIB],
      [BASE + 2 * MIB, BASE + 6 * MIB],
    ]);
    exitMmap(mm);
  });
});
