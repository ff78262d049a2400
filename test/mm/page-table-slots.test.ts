/**
 * pmdSlot / pteSlot without allocation: -1 when a level above is none, when the entry
 * at their own level is none, and when a huge leaf above maps the address (a PUD leaf
 * for pmd_offset, a PMD leaf for pte_offset_map). The walk is arch/x86 4-level paging
 * as mm/memory.c `__pmd_alloc` / `__pte_alloc` and `pte_offset_map` (NULL under a
 * leaf) see it, v6.16+.
 */
import { describe, expect, it } from 'vitest';
import { PMD_ORDER, pmdSlot, pteSlot, userWrite, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('page-table slots without allocation', () => {
  it('-1 with no PGD entry, with a PGD entry but no PUD entry, and with a PUD entry but no PMD entry', () => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(pmdSlot(mm.pt, v, false)).toBe(-1); // empty tables
    expect(pteSlot(mm.pt, v, false)).toBe(-1);
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const other = vpnOf(BASE + 1024 * MIB); // same PGD entry (512 GiB), next PUD entry
    expect(pmdSlot(mm.pt, other, false)).toBe(-1);
    const nextPmd = vpnOf(BASE + 2 * MIB); // same PUD entry, next PMD entry (none)
    expect(pmdSlot(mm.pt, nextPmd, false)).toBeGreaterThanOrEqual(0);
    expect(pteSlot(mm.pt, nextPmd, false)).toBe(-1);
    expect(pteSlot(mm.pt, v, false)).toBeGreaterThanOrEqual(0);
  });

  it('-1 under a huge leaf: pteSlot under a PMD leaf, pmdSlot and pteSlot under a PUD leaf', () => {
    const { mm } = world({ memoryBytes: 2048 * MIB });
    mapAt(mm, BASE, 2 * MIB, { order: PMD_ORDER });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(pmdSlot(mm.pt, v + 5, false)).toBeGreaterThanOrEqual(0);
    expect(pteSlot(mm.pt, v + 5, false)).toBe(-1);
    expect(pteSlot(mm.pt, v + 5, true)).toBe(-1); // a leaf is not replaced by a table
    mapAt(mm, 2 * BASE, 1024 * MIB, { backing: 'hugetlb-1g' });
    expect(userWrite(mm, 2 * BASE, 4 * KIB, 2)).toBe(0);
    const w = vpnOf(2 * BASE) + 7;
    expect(pmdSlot(mm.pt, w, false)).toBe(-1);
    expect(pmdSlot(mm.pt, w, true)).toBe(-1);
    expect(pteSlot(mm.pt, w, false)).toBe(-1);
  });
});
