/**
 * FAULT_FLAG_UNSHARE together with FAULT_FLAG_WRITE: handle_mm_fault WARNs with the
 * model's text "handle_mm_fault: FAULT_FLAG_UNSHARE with FAULT_FLAG_WRITE" and fails
 * the fault with SIGSEGV (-EFAULT) before touching the page tables, also on a COW
 * mapping where each flag alone would be served. Expectations worked by hand from
 * mm/memory.c `sanitize_fault_flags` (`if (WARN_ON_ONCE(*flags & FAULT_FLAG_WRITE))
 * return VM_FAULT_SIGSEGV;`, ahead of the is_cow_mapping test), `handle_mm_fault`
 * (mm_account_fault has counted the fault already) and `vm_fault_to_errno`, v6.16+.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, exitMmap, handleMmFault, pageAt, vmstat, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('handle_mm_fault with FAULT_FLAG_UNSHARE | FAULT_FLAG_WRITE', () => {
  it('a private anonymous (COW) mapping: one WARN, -EFAULT, nothing mapped or allocated', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(handleMmFault(mm, BASE, { write: true, unshare: true })).toBe(-EFAULT);
    expect(m.warnings).toEqual(['handle_mm_fault: FAULT_FLAG_UNSHARE with FAULT_FLAG_WRITE']);
    expect(pageAt(mm.pt, v)).toBe(-1);
    expect([vmstat(m).pgfault, vmstat(m).unshareFaults, vmstat(m).folioAllocs, m.cost.faults]).toEqual([1, 0, 0, 1]);
    exitMmap(mm);
  });

  it('a shared mapping: the same WARN, before the flag would be dropped as not COW', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB, { shared: true });
    expect(handleMmFault(mm, BASE, { write: true, unshare: true })).toBe(-EFAULT);
    expect(m.warnings).toEqual(['handle_mm_fault: FAULT_FLAG_UNSHARE with FAULT_FLAG_WRITE']);
    expect([pageAt(mm.pt, v), vmstat(m).folioAllocs]).toEqual([-1, 0]);
    exitMmap(mm);
  });
});
