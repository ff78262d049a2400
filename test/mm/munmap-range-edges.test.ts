/**
 * munmap at the edges of its argument checks and of hugetlb VMAs. Expectations worked by
 * hand from mm/vma.c `do_vmi_munmap` (`offset_in_page(start) || start > TASK_SIZE ||
 * len > TASK_SIZE - start` is -EINVAL, with `len` a size_t; `end = start +
 * PAGE_ALIGN(len)`, `end == start` is -EINVAL), `do_vmi_align_munmap` (a VMA is split
 * only where the range starts or ends inside it) and mm/hugetlb.c `hugetlb_vm_op_split`
 * (`addr & ~huge_page_mask(h)` is -EINVAL), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import { EINVAL, exitMmap, munmap, pageAt, userWrite, vmaLookup, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

describe('munmap arguments at the edges of do_vmi_munmap', () => {
  it('start 0 is page aligned and inside TASK_SIZE: nothing is mapped there, so 0', () => {
    const { mm } = world();
    mapAt(mm, BASE, 4 * KIB);
    expect(munmap(mm, 0, 4 * KIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE)).not.toBeNull();
    exitMmap(mm);
  });

  it('a length of -8192 is a size_t near 2^64: past TASK_SIZE - start, -EINVAL, and the mapping below stays', () => {
    const { mm } = world();
    mapAt(mm, BASE - 8 * KIB, 16 * KIB);
    expect(userWrite(mm, BASE - 8 * KIB, 16 * KIB, 1)).toBe(0);
    expect(munmap(mm, BASE, -8192)).toBe(-EINVAL);
    expect(vmaLookup(mm.vmas, BASE - 8 * KIB)!.end).toBe(BASE + 8 * KIB);
    expect(pageAt(mm.pt, vpnOf(BASE - 8 * KIB))).toBeGreaterThan(0);
    exitMmap(mm);
  });

  it('a range that starts exactly where a VMA ends leaves that VMA whole', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    mapAt(mm, BASE + 12 * KIB, 4 * KIB);
    expect(userWrite(mm, BASE, 8 * KIB, 1)).toBe(0);
    const free = m.stat.nrFreePages;
    expect(munmap(mm, BASE + 8 * KIB, 8 * KIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE)).toMatchObject({ start: BASE, end: BASE + 8 * KIB });
    expect(vmaLookup(mm.vmas, BASE + 12 * KIB)).toBeNull();
    expect(m.stat.nrFreePages).toBe(free);
    exitMmap(mm);
  });
});

describe('munmap across a 4 MiB hugetlb VMA of two 2 MiB pages', () => {
  function hugetlbWorld() {
    const w = world({ memoryBytes: 32 * MIB });
    mapAt(w.mm, BASE - 4 * KIB, 4 * KIB);
    mapAt(w.mm, BASE, 4 * MIB, { backing: 'hugetlb-2m' });
    mapAt(w.mm, BASE + 4 * MIB, 4 * KIB);
    return w;
  }

  it('the upper huge page alone: split at a 2 MiB boundary, 0', () => {
    const { mm } = hugetlbWorld();
    expect(munmap(mm, BASE + 2 * MIB, 2 * MIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE)).toMatchObject({ start: BASE, end: BASE + 2 * MIB });
    expect(vmaLookup(mm.vmas, BASE + 2 * MIB)).toBeNull();
    exitMmap(mm);
  });

  it('the lower huge page alone: split at a 2 MiB boundary, 0', () => {
    const { mm } = hugetlbWorld();
    expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE)).toBeNull();
    expect(vmaLookup(mm.vmas, BASE + 2 * MIB)).toMatchObject({ start: BASE + 2 * MIB, end: BASE + 4 * MIB });
    exitMmap(mm);
  });

  it('a start inside a huge page, the end at the VMA end: -EINVAL, nothing unmapped', () => {
    const { mm } = hugetlbWorld();
    expect(munmap(mm, BASE + 2 * MIB + 4 * KIB, 2 * MIB - 4 * KIB)).toBe(-EINVAL);
    expect(vmaLookup(mm.vmas, BASE)).toMatchObject({ start: BASE, end: BASE + 4 * MIB });
    exitMmap(mm);
  });

  it('from the 4 KiB page below through the VMA end: no split inside the hugetlb VMA, 0', () => {
    const { mm } = hugetlbWorld();
    expect(munmap(mm, BASE - 4 * KIB, 4 * KIB + 4 * MIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE - 4 * KIB)).toBeNull();
    expect(vmaLookup(mm.vmas, BASE)).toBeNull();
    expect(vmaLookup(mm.vmas, BASE + 4 * MIB)).not.toBeNull();
    exitMmap(mm);
  });

  it('from the VMA start through the 4 KiB page above: an end not 2 MiB aligned but past the VMA, 0', () => {
    const { mm } = hugetlbWorld();
    expect(munmap(mm, BASE, 4 * MIB + 4 * KIB)).toBe(0);
    expect(vmaLookup(mm.vmas, BASE)).toBeNull();
    expect(vmaLookup(mm.vmas, BASE + 4 * MIB)).toBeNull();
    expect(vmaLookup(mm.vmas, BASE - 4 * KIB)).not.toBeNull();
    exitMmap(mm);
  });
});
