/**
 * munmap and exit_mmap with pages pinned, on a checked machine: as in the kernel
 * (mm/memory.c zap_pte_range / zap_huge_pmd drop only the mapping's reference, and the
 * page cache's goes with the file's last VMA), the pinned pages stay allocated, with
 * their data, until the last unpin frees them; no use after free. exit_mmap then reports
 * what GUP calls on that mm still hold (PinMisuse pin-outlives-mm), after the teardown.
 * Also folio_put against pins and FOLL_GET references. Values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_WRITE,
  bvecForEachFolio,
  exitMmap,
  folioPut,
  folioPutRefs,
  getUserPages,
  munmap,
  pageAllocated,
  pinLeakReport,
  pinUserPagesFast,
  putPage,
  unpinUserPages,
  userWrite,
  vmstat,
  type Backing,
} from '../../src/index.js';
import { BASE, KIB, MIB, at, expectMisuse, userBuffer } from './driver-world.js';
import { forked, mapAt, world } from '../support/mm-layout.js';

const FILE = 'checker-teardown.test.ts';

describe('munmap and exit_mmap with pages pinned (kernel behaviour, no use after free)', () => {
  it('munmap: order-0 pages keep the pin bias, a PMD THP keeps its pins; the last unpin frees them', () => {
    const { m, mm, addr } = userBuffer(4 * MIB, { order: 9 }); // folios 512 and 1024, PMD-mapped
    const pages = new Int32Array(1024);
    expect(pinUserPagesFast(mm, addr, 1024, FOLL_WRITE, pages)).toBe(1024);
    expect([m.refcount[512], m.pincount[512], m.refcount[1024]]).toEqual([513, 512, 513]);
    const free = vmstat(m).nrFreePages;
    expect(munmap(mm, addr, 4 * MIB)).toBe(0); // not a misuse: DIO may be in flight
    expect([m.refcount[512], m.pincount[512], m.entireMapcount[512]]).toEqual([512, 512, 0]);
    expect(pageAllocated(m, 512) && pageAllocated(m, 1024)).toBe(true);
    expect(m.content[1000]).toBe(1); // the device may still read the data
    expect(vmstat(m).nrFreePages).toBe(free);
    unpinUserPages(m, pages, 512);
    expect(pageAllocated(m, 512)).toBe(false);
    expect(vmstat(m).nrFreePages).toBe(free + 512);
    unpinUserPages(m, pages.subarray(512), 512);
    expect(vmstat(m).nrFreePages).toBe(free + 1024);
  });

  // 2 MiB pinned, then unmapped or torn down: the mapping's (and, with the last VMA of a
  // file, the page cache's) references go; the pins alone keep the memory: 1024 per
  // order-0 page (the bias), 512 on a 2 MiB folio (one per page). The last unpin frees
  // all 512 pages.
  const backings: [Backing, number, number][] = [
    ['anon', 9, 512],
    ['shmem', 0, 1024],
    ['ext4', 0, 1024],
    ['hugetlb-2m', 0, 512],
  ];
  for (const [backing, order, leftRefcount] of backings)
    for (const how of ['munmap', 'exit_mmap'] as const)
      it(`${backing}: ${how} with 2 MiB pinned keeps the pages until the last unpin`, () => {
        const { m, mm } = world();
        mapAt(mm, BASE, 2 * MIB, { backing, shared: backing !== 'anon', order });
        expect(userWrite(mm, BASE, 2 * MIB, 5)).toBe(0);
        const pages = new Int32Array(512);
        expect(pinUserPagesFast(mm, BASE, 512, FOLL_WRITE, pages)).toBe(512);
        const free = vmstat(m).nrFreePages;
        if (how === 'munmap') expect(munmap(mm, BASE, 2 * MIB)).toBe(0);
        else expectMisuse('pin-outlives-mm', () => exitMmap(mm));
        expect([m.refcount[pages[0]!], pageAllocated(m, pages[511]!), m.content[pages[511]!]]).toEqual([leftRefcount, true, 5]);
        expect(vmstat(m).nrFreePages).toBe(free);
        unpinUserPages(m, pages, 512);
        expect(pageAllocated(m, pages[0]!)).toBe(false);
        expect(vmstat(m).nrFreePages).toBe(free + 512);
        exitMmap(mm);
      });

  it('a bvec over pages the last unpin freed (the process unmapped them during the I/O) is a use after free', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pages = new Int32Array(2);
    expect(pinUserPagesFast(mm, addr, 2, 0, pages)).toBe(2);
    const bv = { page: 1, len: 8192, offset: 0 };
    expect(munmap(mm, addr, 8 * KIB)).toBe(0);
    unpinUserPages(m, pages, 2);
    expect(pageAllocated(m, 1)).toBe(false);
    const e = expectMisuse('bvec-use-after-release', () => [...bvecForEachFolio(m, bv)]);
    expect(e.message.split('\n')[0]).toBe(
      'bvec_first_folio: the bvec (page 1, len 8192, offset 0) spans page 1, which is free (use after free)',
    );
  });

  it('exit_mmap: a FOLL_GET reference left behind is reported too; put_page later frees the page', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    const e = expectMisuse('pin-outlives-mm', () => exitMmap(mm));
    expect(e.message.split('\n')[1]).toMatch(
      new RegExp(`^ {2}1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages', FILE).source} on mm ${mm.id}: pages 1 \\(folio 1\\)$`),
    );
    expect([pageAllocated(m, 1), m.refcount[1]]).toEqual([true, 1]);
    putPage(m, 1);
    expect(pageAllocated(m, 1)).toBe(false);
  });

  it('a pinned folio whose references are dropped with folio_put_refs is caught before it is freed', () => {
    const { m, mm, addr } = userBuffer(2 * MIB, { order: 9 }); // folio 512
    const pages = new Int32Array(512);
    expect(pinUserPagesFast(mm, addr, 512, 0, pages)).toBe(512);
    expect(munmap(mm, addr, 2 * MIB)).toBe(0);
    const e = expectMisuse('held-folio-freed', () => folioPutRefs(m, 512, 512));
    expect(e.message.split('\n')[0]).toMatch(/^folio_put: folio 512 \(order 9\) is being freed while 512 pin\(s\) from GUP are held on it/);
    expect([pageAllocated(m, 512), m.refcount[512]]).toEqual([true, 512]);
    unpinUserPages(m, pages, 512);
    expect(pageAllocated(m, 512)).toBe(false);
  });

  it('a FOLL_GET reference may go with folio_put: when it frees the folio, the checker forgets it', () => {
    const { m, mm, addr } = userBuffer(4 * KIB);
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    expect(munmap(mm, addr, 4 * KIB)).toBe(0);
    folioPut(m, 1);
    expect(pageAllocated(m, 1)).toBe(false);
    expect(pinLeakReport(m.checker!)).toEqual([]);
  });

  it('a page pinned through two mms: exit_mmap of either does not blame it on the mm being torn down', () => {
    // A shared shmem page, mapped by the parent and (after fork) the child. Each pins it
    // once; the kernel's count is per folio, so which pin an unpin_user_page drops is not
    // recorded, and the page's latest site (the child's call) says nothing of the pin left.
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { backing: 'shmem', shared: true, populate: true });
    const child = forked(mm);
    const a = new Int32Array(1);
    const b = new Int32Array(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, a)).toBe(1);
    expect(pinUserPagesFast(child, BASE, 1, FOLL_WRITE, b)).toBe(1);
    expect(b[0]).toBe(a[0]);
    unpinUserPages(m, b, 1); // the child's I/O is done
    exitMmap(child); // no pin-outlives-mm: the pin left may be the parent's
    expect(pinLeakReport(m.checker!)).toHaveLength(1); // the end-of-test report still lists it
    unpinUserPages(m, a, 1);
    exitMmap(mm);
  });

  it('a page pinned through one mm only is still blamed on it at exit', () => {
    const { m, mm } = world();
    mapAt(mm, BASE, 4 * KIB, { backing: 'shmem', shared: true, populate: true });
    const a = new Int32Array(2);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, a)).toBe(1);
    expect(pinUserPagesFast(mm, BASE, 1, FOLL_WRITE, a.subarray(1))).toBe(1);
    unpinUserPages(m, a, 1);
    expectMisuse('pin-outlives-mm', () => exitMmap(mm));
    unpinUserPages(m, a.subarray(1), 1);
  });
});
