/**
 * A hugetlbfs page-cache folio is dirty from the moment a fault adds it, read fault or
 * write fault, so that no generic page-cache code drops it as clean; an anonymous
 * hugetlb folio of a private mapping is not. Expectations worked by hand from
 * mm/hugetlb.c `hugetlb_no_page` (a shared mapping with nothing cached allocates a
 * folio and adds it with `hugetlb_add_to_page_cache`, which ends in
 * `folio_mark_dirty(folio)`: "mark folio dirty so that it will not be removed from
 * cache/file by non-hugetlbfs specific code paths"; a private mapping's new folio gets
 * `hugetlb_add_new_anon_rmap` only), v6.16+.
 */
import { describe, expect, it } from 'vitest';
import { PG_DIRTY, PROT_READ, exitMmap, handleMmFault, pageAt, vpnOf } from '../../src/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);

describe('hugetlb_no_page and PG_dirty', () => {
  it('a read fault on a shared mapping adds the folio to the page cache dirty', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
  });

  it('a read fault on a shared PROT_READ mapping: dirty as well', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m', prot: PROT_READ });
    expect(handleMmFault(mm, BASE, { write: false })).toBe(0);
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
  });

  it('a write fault on a shared mapping: dirty', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { shared: true, backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect(m.flags[512]! & PG_DIRTY).toBe(PG_DIRTY);
    exitMmap(mm);
  });

  it('a private mapping\'s new anonymous folio is not in the page cache and not dirtied', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 2 * MIB, { backing: 'hugetlb-2m' });
    expect(handleMmFault(mm, BASE, { write: true })).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(512);
    expect(m.flags[512]! & PG_DIRTY).toBe(0);
    exitMmap(mm);
  });
});
