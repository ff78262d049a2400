/**
 * fork's walk of the parent's page tables (copy_page_range): it skips what is not there
 * (allocating nothing in the parent), reads each level's table from the entry above, and
 * copies only the entries of the VMA it is copying; and copy_present_pte makes a shared
 * mapping's PTE clean in the child. Each test keeps a mapping the walk must not borrow
 * from next to the one it copies. Expectations worked by hand from mm/memory.c
 * `copy_page_range` / `copy_p4d_range` / `copy_pud_range` / `copy_pmd_range`
 * (`*_none_or_clear_bad`: next), `vma_needs_copy` (a shared mapping is copied only
 * when it is a PFN map), `copy_present_pte` (an anonymous page gains a reference
 * and a mapcount; `if (vm_flags & VM_SHARED) pte = pte_mkclean(pte)`), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import { _PAGE_DIRTY, exitMmap, leafBitsAt, pageAt, userWrite, vpnOf, type Mm } from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const GIB = 1024 * MIB;
const v = vpnOf(BASE);

describe('copy_page_range skips levels that are not there', () => {
  // vma_needs_copy: only a VMA with an anon_vma is walked, so each VMA below has a
  // page written at its start and the part of it to skip further on.
  it('a VMA crossing into a PGD entry with no PUD table: fork allocates none in the parent', () => {
    const { mm } = world();
    const pgd = 512 * GIB;
    mapAt(mm, pgd - 4 * KIB, 8 * KIB);
    expect(userWrite(mm, pgd - 4 * KIB, 4 * KIB, 1)).toBe(0);
    expect(mm.pt.pud.nrTables).toBe(1);
    const child = forked(mm);
    expect(mm.pt.pud.nrTables).toBe(1);
    expect(pageAt(child.pt, vpnOf(pgd))).toBe(-1);
    exitMmap(child);
    exitMmap(mm);
  });

  it('an empty PUD entry after a populated one: the child gets no page there, the parent page one more reference', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, GIB + 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const page = pageAt(mm.pt, v);
    const child = forked(mm);
    expect([pageAt(child.pt, v), pageAt(child.pt, vpnOf(BASE + GIB))]).toEqual([page, -1]);
    expect([m.refcount[page], m.mapcount[page]]).toEqual([2, 2]);
    exitMmap(child);
    exitMmap(mm);
  });

  it('an empty PMD entry after a populated one: the same', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * MIB);
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    const page = pageAt(mm.pt, v);
    const child = forked(mm);
    expect([pageAt(child.pt, v), pageAt(child.pt, v + 512)]).toEqual([page, -1]);
    expect([m.refcount[page], m.mapcount[page]]).toEqual([2, 2]);
    exitMmap(child);
    exitMmap(mm);
  });
});

describe('copy_page_range reads each table from the entry above', () => {
  it('pages in the first PUD slot (below 1 GiB), under the second PMD table and under the second PTE table are all copied', () => {
    const { m, mm } = world();
    const low = 256 * MIB;
    mapAt(mm, low, 4 * KIB);
    mapAt(mm, BASE, 4 * MIB);
    mapAt(mm, BASE + GIB, 4 * KIB);
    for (const a of [low, BASE, BASE + 2 * MIB, BASE + GIB]) expect(userWrite(mm, a, 4 * KIB, 1)).toBe(0);
    expect([mm.pt.pmd.nrTables, mm.pt.pte.nrTables]).toEqual([3, 4]);
    const child = forked(mm);
    for (const a of [low, BASE, BASE + 2 * MIB, BASE + GIB]) {
      const page = pageAt(mm.pt, vpnOf(a));
      expect([a, pageAt(child.pt, vpnOf(a)), m.refcount[page], m.mapcount[page]]).toEqual([a, page, 2, 2]);
    }
    exitMmap(child);
    exitMmap(mm);
  });
});

describe('copy_present_pte in a shared PFN map (vma_needs_copy: VM_PFNMAP is copied)', () => {
  it("the child's PTE is clean; the parent's stays dirty", () => {
    const { mm } = world();
    mapAt(mm, BASE, 4 * KIB, { shared: true, backing: 'device' });
    expect(userWrite(mm, BASE, 4 * KIB, 1)).toBe(0);
    expect(leafBitsAt(mm.pt, v) & _PAGE_DIRTY).toBe(_PAGE_DIRTY);
    const child = forked(mm);
    expect(pageAt(child.pt, v)).toBe(pageAt(mm.pt, v));
    expect([leafBitsAt(child.pt, v) & _PAGE_DIRTY, leafBitsAt(mm.pt, v) & _PAGE_DIRTY]).toEqual([0, _PAGE_DIRTY]);
    exitMmap(child);
    exitMmap(mm);
  });
});
