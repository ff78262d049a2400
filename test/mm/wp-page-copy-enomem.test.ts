/**
 * A COW write fault with no memory for the copy: -ENOMEM (VM_FAULT_OOM), the shared
 * page and both PTEs exactly as before, and the write succeeds once memory is back.
 * Expectations worked by hand from mm/memory.c `wp_page_copy` (the new folio is
 * allocated before anything changes; VM_FAULT_OOM without it), `do_wp_page` and
 * `vm_fault_to_errno`, v6.16+.
 */
import { describe, expect, it } from 'vitest';
import {
  ENOMEM,
  _PAGE_RW,
  exitMmap,
  folioPut,
  handleMmFault,
  leafBitsAt,
  pageAt,
  userReadTags,
  userWrite,
  vmstat,
  vpnOf,
} from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';
import { holdAllFree } from '../support/hold-free.js';

const v = vpnOf(BASE);

describe('wp_page_copy without memory', () => {
  it('-ENOMEM leaves the page shared read-only; with memory back the child gets its copy', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 5)).toBe(0); // PFN 1
    const c = forked(mm);
    const held = holdAllFree(m);
    const bits = leafBitsAt(c.pt, v);
    expect(handleMmFault(c, BASE, { write: true })).toBe(-ENOMEM);
    expect(userWrite(c, BASE, 4 * KIB, 6)).toBe(-ENOMEM);
    expect([pageAt(c.pt, v), leafBitsAt(c.pt, v), pageAt(mm.pt, v)]).toEqual([1, bits, 1]);
    expect(bits & _PAGE_RW).toBe(0);
    expect([m.refcount[1], m.mapcount[1], vmstat(m).cowCopies]).toEqual([2, 2, 0]);
    expect(userReadTags(c, BASE, 4 * KIB)).toEqual(new Int32Array([5]));
    for (const f of held) folioPut(m, f);
    expect(userWrite(c, BASE, 4 * KIB, 6)).toBe(0);
    expect(pageAt(c.pt, v)).toBe(2); // next-fit wraps to the first free page
    expect([m.refcount[1], m.mapcount[1], vmstat(m).cowCopies]).toEqual([1, 1, 1]);
    exitMmap(c);
  });
});
