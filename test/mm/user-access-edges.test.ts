/**
 * userRead / userWrite / userReadTags at their edges (src/mm/user-access.ts): the
 * access_ok bounds (a range inside [0, TASK_SIZE_MAX] passes, even a zero-length one at
 * either end; a negative address is above it as an unsigned long), a load from a
 * PROT_NONE mapping refused, a zero-length access touching nothing even at an unaligned
 * address, the `out` array sized to exactly the pages spanned, the dirtying of a store
 * (a page-cache folio is marked dirty, a PFN map's frame is not: vm_normal_page is NULL
 * for a special PTE), the fresh content tags a machine hands out, and the
 * argument-check texts. Kernel: arch/x86/include/asm/uaccess_64.h `access_ok` (a size
 * of 0 is checked for its address only), arch/x86/mm/fault.c `access_error`
 * (`!vma_is_accessible(vma)`), mm/memory.c `vm_normal_page`, v6.16+; the rest is the
 * model's documented contract (file header).
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  EFAULT,
  PG_DIRTY,
  PROT_NONE,
  _PAGE_DIRTY,
  _PAGE_RW,
  TASK_SIZE_MAX,
  createFile,
  exitMmap,
  fileRelease,
  leafBitsAt,
  pageAt,
  userRead,
  userReadTags,
  userWrite,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, mapAt, world } from '../support/mm-layout.js';
import { thrownBy } from '../support/refused.js';

describe('access_ok', () => {
  it('a zero-length access at 0 and at TASK_SIZE_MAX passes; one at a negative address does not', () => {
    const { mm } = world();
    expect(userWrite(mm, 0, 0)).toBe(0);
    expect(userRead(mm, 0, 0)).toBe(0);
    expect(userRead(mm, TASK_SIZE_MAX, 0)).toBe(0);
    expect(userRead(mm, TASK_SIZE_MAX + 4096, 0)).toBe(-EFAULT);
    expect(userRead(mm, -4096, 0)).toBe(-EFAULT);
    expect(userRead(mm, -1, 4 * KIB)).toBe(-EFAULT);
    expect(userWrite(mm, -4096, 0)).toBe(-EFAULT);
    expect(userReadTags(mm, -4096, 0)).toBe(-EFAULT);
    exitMmap(mm);
  });
});

describe('access_error', () => {
  it('a load from a PROT_NONE mapping is -EFAULT and faults nothing in', () => {
    const { mm } = world();
    mapAt(mm, BASE, 4 * KIB, { prot: PROT_NONE });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(-EFAULT);
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(-1);
    exitMmap(mm);
  });
});

describe('a zero-length access touches nothing', () => {
  it('at an unaligned address inside a mapping: no fault, no page, an empty tag array', () => {
    const { mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(userWrite(mm, BASE + 100, 0, 5)).toBe(0);
    expect(userRead(mm, BASE + 100, 0, new Int32Array(0))).toBe(0);
    expect(userReadTags(mm, BASE + 100, 0)).toEqual(new Int32Array(0));
    expect(pageAt(mm.pt, vpnOf(BASE))).toBe(-1);
    expect(mm.m.cost.faults).toBe(0);
    exitMmap(mm);
  });
});

describe("userRead's out array", () => {
  it('exactly the pages spanned is enough: 2 entries for 4 KiB from BASE + 2 KiB', () => {
    const { mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0);
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB, 4)).toBe(0);
    const out = new Int32Array(2);
    expect(userRead(mm, BASE + 2 * KIB, 4 * KIB, out)).toBe(0);
    expect(out).toEqual(new Int32Array([3, 4]));
    const e = thrownBy(() => userRead(mm, BASE + 2 * KIB, 4 * KIB, new Int32Array(1)));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toBe('userRead: out must be an Int32Array of at least 2 entries, got 1');
    exitMmap(mm);
  });
});

describe('what a store dirties besides the PTE', () => {
  it('a shmem page mapped writable by a read fault: the store itself marks its folio dirty', () => {
    // shmem needs no dirty tracking, so the read fault maps the page writable and clean
    // and the store takes no fault: only the store's own dirtying can set PG_dirty.
    const { m, mm } = world();
    const file = createFile(m, 'shmem', 4 * KIB) as MmFile;
    mapAt(mm, BASE, 4 * KIB, { shared: true, file });
    expect(userRead(mm, BASE, 4 * KIB)).toBe(0);
    const folio = pageAt(mm.pt, vpnOf(BASE));
    expect([leafBitsAt(mm.pt, vpnOf(BASE)) & (_PAGE_RW | _PAGE_DIRTY), m.flags[folio]! & PG_DIRTY]).toEqual([_PAGE_RW, 0]);
    const faults = m.cost.faults;
    expect(userWrite(mm, BASE, 4 * KIB, 6)).toBe(0);
    expect(m.cost.faults).toBe(faults);
    expect(m.flags[folio]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
    fileRelease(file);
  });

  it("a shared PFN map: the driver's frame is not marked dirty (a special PTE has no folio to dirty)", () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'device' });
    expect(userWrite(mm, BASE, 4 * KIB, 7)).toBe(0);
    const frame = pageAt(mm.pt, vpnOf(BASE));
    expect(m.content[frame]).toBe(7);
    expect(m.flags[frame]! & PG_DIRTY).toBe(0);
    exitMmap(mm);
  });
});

describe('fresh content tags', () => {
  it('a store without a tag writes 1, then 2, on a new machine', () => {
    const { mm } = world();
    mapAt(mm, BASE, 8 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB)).toBe(0);
    expect(userWrite(mm, BASE + 4 * KIB, 4 * KIB)).toBe(0);
    expect(userReadTags(mm, BASE, 8 * KIB)).toEqual(new Int32Array([1, 2]));
    exitMmap(mm);
  });
});

describe('argument-check texts', () => {
  it('a tag that is not an int', () => {
    const { mm } = world();
    const e = thrownBy(() => userWrite(mm, BASE, 4 * KIB, 1.5));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toBe('userWrite: tag must be an int content tag, got 1.5');
    exitMmap(mm);
  });
});
