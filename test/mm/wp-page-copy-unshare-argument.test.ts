/**
 * wpPageCopy's `unshare` (FAULT_FLAG_UNSHARE in vmf->flags) must be a boolean: anything
 * else throws an ArgumentError naming wpPageCopy and unshare, before a page is allocated
 * or the PTE changes. The kernel's flag is one bit of `vmf->flags` (mm/memory.c
 * `wp_page_copy`, v6.16: `bool unshare = vmf->flags & FAULT_FLAG_UNSHARE`); the refusal
 * and its wording are the model's documented contract (src/mm/wp-page.ts header,
 * src/mm/arg-check.ts `checkBool`).
 */
import { describe, it } from 'vitest';
import { exitMmap, pteSlot, userWrite, vmaLookup, vpnOf, wpPageCopy } from '../../src/index.js';
import { expectRefused } from '../support/refused.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

describe('wpPageCopy refuses an unshare that is not a boolean', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['"yes"', 'yes'],
  ])('unshare %s: ArgumentError "wpPageCopy: unshare must be a boolean", nothing changed', (shown, unshare) => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    if (userWrite(mm, BASE, 4 * KIB, 5) !== 0) throw new Error('fixture write failed');
    const child = forked(mm); // PFN 1 shared read-only: the case wp_page_copy serves
    const slot = pteSlot(mm.pt, vpnOf(BASE), false);
    const vma = vmaLookup(mm.vmas, BASE)!;
    expectRefused({
      call: `wpPageCopy(mm, vma, slot, ${shown})`,
      m,
      run: () => wpPageCopy(mm, vma, slot, unshare as never),
      expect: { throws: new RegExp(`^wpPageCopy: unshare must be a boolean, got ${shown}$`) },
      state: () => [mm.pt.pte.val[slot], mm.pt.pte.bits[slot], vma.anonVma],
    });
    exitMmap(child);
  });
});
