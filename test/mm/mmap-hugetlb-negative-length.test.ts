/**
 * A negative mmap(2) length with MAP_HUGETLB: as an `unsigned long` it is 2^64 - n.
 * ksys_mmap_pgoff rounds it up to the huge page size first: that wraps to 0 (do_mmap:
 * `!len`, -EINVAL) only when n is less than one huge page; from one huge page on it
 * stays a huge length, and get_unmapped_area refuses it (`len > TASK_SIZE`, -ENOMEM).
 * Expectations worked by hand from v6.16+ mm/mmap.c `ksys_mmap_pgoff` (ALIGN(len,
 * huge_page_size(hs))), `do_mmap` and `__get_unmapped_area`.
 */
import { describe, expect, it } from 'vitest';
import { EINVAL, ENOMEM, MAP_ANONYMOUS, MAP_HUGETLB, MAP_PRIVATE, PROT_READ, PROT_WRITE, mmap } from '../../src/index.js';
import { KIB, MIB, world } from '../support/mm-layout.js';

const HUGE_ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;

describe('MAP_HUGETLB with a negative length (2 MiB pages)', () => {
  it.each([
    [-(2 * MIB - 4 * KIB), -EINVAL], // 2^64 - 2 MiB + 4 KiB rounds up to 2^64: 0
    [-(2 * MIB), -ENOMEM], // 2^64 - 2 MiB is already aligned
    [-(4 * MIB), -ENOMEM],
  ])('length %d is %d', (length, ret) => {
    const { mm } = world({ memoryBytes: 16 * MIB });
    expect(mmap(mm, { length, prot: PROT_READ | PROT_WRITE, flags: HUGE_ANON })).toBe(ret);
    expect(mm.vmas.length).toBe(0);
  });
});
