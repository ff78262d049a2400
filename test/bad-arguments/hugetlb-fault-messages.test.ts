/**
 * The ArgumentError hugetlbFault throws for a VMA that is not a hugetlb one: the
 * message names the function, the argument, what it must be and the VMA's flags (the
 * contract in src/mm/hugetlb-fault.ts's header: "`vpn` must lie in `vma`, a hugetlb
 * VMA"; the text format of src/mm/arg-check.ts ArgumentError). The flags are those
 * mm/mmap.c `do_mmap` gives a private read-only anonymous mapping: calc_vm_prot_bits
 * (VM_READ) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, and no VM_ACCOUNT
 * (`accountable_mapping` wants VM_WRITE): 0x1 | 0x10 | 0x20 | 0x40 = 113, v6.16+. Also
 * the boolean checks of `write` and `unshare`.
 */
import { describe, it } from 'vitest';
import { PROT_READ, hugetlbFault, vmaLookup, vpnOf } from '../../src/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';
import { expectRefused } from '../support/refused.js';

describe('hugetlbFault vma', () => {
  it('a private anonymous VMA is refused with the flags it has, and nothing changes', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { prot: PROT_READ });
    const vma = vmaLookup(mm.vmas, BASE)!;
    expectRefused({
      call: 'hugetlbFault on a 4 KiB anonymous VMA',
      m,
      run: () => hugetlbFault(mm, vma, vpnOf(BASE), false, false),
      expect: { throws: /^hugetlbFault: vma must be a hugetlb VMA \(VM_HUGETLB\), got 113$/ },
      state: () => [mm.pt.pgd.bits.slice(), mm.vmas.length],
    });
  });

  it('a write or unshare that is not a boolean is refused with its name, and nothing changes', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    const vma = vmaLookup(mm.vmas, BASE)!;
    for (const [arg, run] of [
      ['write', () => hugetlbFault(mm, vma, vpnOf(BASE), 1 as unknown as boolean, false)],
      ['unshare', () => hugetlbFault(mm, vma, vpnOf(BASE), false, 1 as unknown as boolean)],
    ] as const) {
      expectRefused({
        call: `hugetlbFault ${arg} 1`,
        m,
        run,
        expect: { throws: new RegExp(`^hugetlbFault: ${arg} must be a boolean, got 1$`) },
        state: () => [mm.pt.pgd.bits.slice(), m.stat.nrFreePages],
      });
    }
  });
});
