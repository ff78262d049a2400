/**
 * The pin checker when a folio is freed (folio_put_refs reaching zero: mm/swap.c
 * folio_put_refs -> __folio_put): a folio whose GUP pins are still held must not be
 * freed (the pins' GUP_PIN_COUNTING_BIAS references went with folio_put, page_ref.h),
 * while FOLL_GET references may go with folio_put (a reference is a reference), so the
 * checker forgets what it knew of the folio's pages: the references and their release
 * marks, and, for a page GUP reached through two mms, that its owner is unknown. It
 * forgets nothing of the next folio. Layout (driver-world.ts): order-0 buffers are
 * PFNs 1, 2, ...
 */
import { describe, expect, it } from 'vitest';
import {
  allocFolio,
  createMm,
  exitMmap,
  folioPut,
  folioPutRefs,
  getUserPages,
  installFolio,
  munmap,
  pageAllocated,
  pinUserPagesFast,
  putPage,
  unpinUserPage,
} from '../../src/index.js';
import { BASE, KIB, at, expectMisuse, userBuffer } from './driver-world.js';
import { forked, mapAt } from '../support/mm-layout.js';

const FILE = 'checker-folio-freed.test.ts';

describe('a folio freed under the checker', () => {
  it('freeing a pinned order-0 folio through folio_put_refs: held-folio-freed, saying why', () => {
    const { m, mm, addr } = userBuffer(4 * KIB); // PFN 1
    const pages = new Int32Array(1);
    expect(pinUserPagesFast(mm, addr, 1, 0, pages)).toBe(1);
    expect(munmap(mm, addr, 4 * KIB)).toBe(0);
    expect(m.refcount[1]).toBe(1024); // the pin's GUP_PIN_COUNTING_BIAS only
    const e = expectMisuse('held-folio-freed', () => folioPutRefs(m, 1, 1024));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(
      'folio_put: folio 1 (order 0) is being freed while 1 pin(s) from GUP are held on it: ' +
        'its pin references were dropped by folio_put()/folio_put_refs(), which do not know about pins',
    );
    expect(lines[1]).toMatch(new RegExp(`^ {2}pinned by ${at('pin_user_pages_fast', FILE).source}$`));
    expect([pageAllocated(m, 1), m.refcount[1]]).toEqual([true, 1024]);
    unpinUserPage(m, 1);
    expect(pageAllocated(m, 1)).toBe(false);
  });

  it('freeing page 1 keeps page 2\'s release mark: a second put_page of page 2 is still a double release', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr + 4 * KIB, 1, 0, pages)).toBe(1); // page 2
    putPage(m, 2);
    expect(munmap(mm, addr, 4 * KIB)).toBe(0); // frees folio 1
    expect(pageAllocated(m, 1)).toBe(false);
    const e = expectMisuse('double-release', () => putPage(m, 2));
    expect(e.message.split('\n')[0]).toMatch(
      new RegExp(`^put_page: page 2 \\(folio 2, order 0\\) holds no FOLL_GET reference: its reference was already released by ${at('put_page', FILE).source}$`),
    );
    expect(m.refcount[2]).toBe(1); // the mapping's reference, untouched
  });

  it('a page GUP reached through two mms, freed with folio_put, is blamed on its next mm again', () => {
    const { m, mm } = userBuffer(4 * KIB); // PFN 1, private anonymous
    const child = forked(mm);
    const a = new Int32Array(1);
    const b = new Int32Array(1);
    // FOLL_GET without FOLL_WRITE does not unshare (gup_must_unshare is FOLL_PIN only): one page.
    expect(getUserPages(mm, BASE, 1, 0, a)).toBe(1);
    expect(getUserPages(child, BASE, 1, 0, b)).toBe(1);
    const p = a[0]!;
    expect(b[0]).toBe(p);
    expect(m.refcount[p]).toBe(4); // two PTEs, two references
    folioPut(m, p);
    folioPut(m, p);
    exitMmap(child); // the references are gone; the checker sees it when the page is freed
    exitMmap(mm);
    expect(pageAllocated(m, p)).toBe(false);
    // The same PFN, mapped by a third process whose GUP call keeps its reference past exit.
    const mm3 = createMm(m);
    mapAt(mm3, BASE, 4 * KIB);
    expect(allocFolio(m, 0, { pfn: p })).toBe(p);
    expect(installFolio(mm3, BASE, p, { writable: true })).toBe(0);
    const c = new Int32Array(1);
    expect(getUserPages(mm3, BASE, 1, 0, c)).toBe(1);
    expect(c[0]).toBe(p);
    const e = expectMisuse('pin-outlives-mm', () => exitMmap(mm3));
    expect(e.message.split('\n')[1]).toMatch(
      new RegExp(`^ {2}1 FOLL_GET reference\\(s\\) taken by ${at('get_user_pages', FILE).source} on mm ${mm3.id}: pages ${p} \\(folio ${p}\\)$`),
    );
    putPage(m, p);
    exitMmap(mm3);
    expect(pageAllocated(m, p)).toBe(false);
  });
});
