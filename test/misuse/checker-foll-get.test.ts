/**
 * The pin checker's FOLL_GET side: references GUP hands out are followed like pins. A
 * reference released twice names the first release; references still held are listed
 * as FOLL_GET leaks, by the call that took them, or per folio when taken outside a
 * walk. Rule (mm/gup.c get_user_pages() kernel-doc): "each page returned must be
 * released with a put_page() call when it is finished with".
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_GET,
  allocFolio,
  createMachine,
  createMm,
  enablePinChecker,
  exitMmap,
  folioPut,
  getUserPages,
  gupPutFolio,
  pinLeakReport,
  putPage,
  tryGrabFolio,
} from '../../src/index.js';
import { BASE, KIB, at, expectMisuse, userBuffer } from './driver-world.js';
import { mapAt } from '../support/mm-layout.js';

describe('FOLL_GET references under the checker', () => {
  it('put_page twice on a page get_user_pages returned once: double-release, naming the first put', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1..2
    const pages = new Int32Array(1);
    expect(getUserPages(mm, addr, 1, 0, pages)).toBe(1);
    expect(m.refcount[1]).toBe(2);
    putPage(m, 1);
    const e = expectMisuse('double-release', () => putPage(m, 1));
    const first = e.message.split('\n')[0]!;
    expect(first).toMatch(/^put_page: page 1 \(folio 1, order 0\) holds no FOLL_GET reference: its reference was already released by /);
    expect(first).toMatch(at('put_page', 'checker-foll-get.test.ts'));
    // The refused put took nothing: the mapping keeps its reference.
    expect(m.refcount[1]).toBe(1);
  });

  it('leaks: a walk\'s references listed by the call that took them, a grab\'s by folio', () => {
    // An untracked checked machine: the leaks are the subject, not a test failure.
    const m = createMachine({ memoryBytes: 16 * 1024 * 1024 });
    const c = enablePinChecker(m);
    const mm = createMm(m);
    mapAt(mm, BASE, 16 * KIB, { populate: true });
    const pages = new Int32Array(2);
    expect(getUserPages(mm, BASE, 2, 0, pages)).toBe(2);
    const big = allocFolio(m, 2);
    expect(tryGrabFolio(m, big, 3, FOLL_GET)).toBe(0);
    const report = pinLeakReport(c);
    expect(report).toHaveLength(2);
    expect(report[0]).toMatch(new RegExp(`^2 FOLL_GET reference\\(s\\) taken by get_user_pages\\(\\) at test/misuse/checker-foll-get\\.test\\.ts:\\d+:\\d+ on mm ${mm.id}: pages 1-2 \\(folios 1-2\\)$`));
    expect(report[1]).toBe(`folio ${big} (order 2): 3 FOLL_GET reference(s) taken outside a GUP walk (try_grab_folio / folio_add_pin(s))`);
    putPage(m, 1);
    putPage(m, 2);
    gupPutFolio(m, big, 3, FOLL_GET);
    expect(pinLeakReport(c)).toEqual([]);
    folioPut(m, big);
    exitMmap(mm);
  });
});
