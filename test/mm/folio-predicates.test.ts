/**
 * The folio accessors and predicates of src/mm/folio.ts, each answered both ways:
 * folio_page / folio_page_idx in range, folio_has_pincount and folio_test_large (order
 * 0 has no pincount and is not large), folio_test_hugetlb, folio_is_pci_p2pdma,
 * is_zero_folio, folio_is_longterm_pinnable for fsdax and device-coherent memory in
 * ZONE_NORMAL; then the argument-check texts of these calls and of createMachine and
 * pfn_valid. Kernel: include/linux/mm.h (`folio_page`, `folio_has_pincount`: every
 * large folio on 64-bit, `folio_is_longterm_pinnable`: `is_device_coherent_page` and
 * `folio_is_fsdax` refused before the movable-zone test), include/linux/page-flags.h
 * (`folio_test_large`, `folio_test_hugetlb`), include/linux/memremap.h
 * (`folio_is_pci_p2pdma`), v6.16+. Machine: 64 MiB, next-fit from PFN 1, so the first
 * order-2 folio is PFN 4.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  MAPPING_DEVICE_COHERENT,
  MAPPING_NONE,
  MAPPING_P2PDMA,
  allocFolio,
  createFile,
  createMachine,
  exitMmap,
  fileRelease,
  filemapGetFolio,
  folioHasPincount,
  folioIsLongtermPinnable,
  folioIsPciP2pdma,
  folioPage,
  folioPageIdx,
  folioPut,
  folioPutRefs,
  folioRefAdd,
  folioTestHugetlb,
  folioTestLarge,
  isZeroFolio,
  pageAt,
  pfnValid,
  userWrite,
  vpnOf,
  type MmFile,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { newMachine } from '../support/machines.js';
import { thrownBy } from '../support/refused.js';

describe('folio_page and folio_page_idx', () => {
  it('page 3 of the order-2 folio at PFN 4 is PFN 7, and PFN 7 is its index 3', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    expect(f).toBe(4);
    expect(folioPage(m, f, 3)).toBe(7);
    expect(folioPageIdx(m, f, 7)).toBe(3);
    expect(folioPageIdx(m, f, 4)).toBe(0);
    folioPut(m, f);
  });
});

describe('predicates, both ways', () => {
  it('order 0 has no pincount and is not large; order 2 has one and is', () => {
    const m = newMachine();
    const small = allocFolio(m, 0);
    const big = allocFolio(m, 2);
    expect([folioHasPincount(m, small), folioTestLarge(m, small)]).toEqual([false, false]);
    expect([folioHasPincount(m, big), folioTestLarge(m, big)]).toEqual([true, true]);
    folioPut(m, small);
    folioPut(m, big);
  });

  it('folio_test_hugetlb: a hugetlbfs page-cache folio yes, an anonymous page no', () => {
    const { m, mm } = world();
    const file = createFile(m, 'hugetlbfs', 2 * MIB) as MmFile;
    const huge = filemapGetFolio(file, 0, true);
    mapAt(mm, BASE, 4 * KIB);
    expect(userWrite(mm, BASE, 4 * KIB, 2)).toBe(0);
    const small = pageAt(mm.pt, vpnOf(BASE));
    expect([folioTestHugetlb(m, huge), folioTestHugetlb(m, small)]).toEqual([true, false]);
    folioPut(m, huge);
    exitMmap(mm);
    fileRelease(file);
  });

  it('folio_is_pci_p2pdma: a P2PDMA folio yes, an ordinary one no', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect(folioIsPciP2pdma(m, f)).toBe(false);
    m.mapping[f] = MAPPING_P2PDMA;
    expect(folioIsPciP2pdma(m, f)).toBe(true);
    m.mapping[f] = MAPPING_NONE;
    folioPut(m, f);
  });

  it('is_zero_folio: PFN 0 yes, any other folio no', () => {
    const m = newMachine();
    const f = allocFolio(m, 0);
    expect([isZeroFolio(m, m.zeroPfn), isZeroFolio(m, f)]).toEqual([true, false]);
    folioPut(m, f);
  });

  it('folio_is_longterm_pinnable: fsdax and device-coherent folios in ZONE_NORMAL are not; an ordinary one is', () => {
    const m = newMachine();
    const dax = createFile(m, 'fsdax', 4 * KIB) as MmFile;
    const daxFolio = filemapGetFolio(dax, 0, true);
    const coherent = allocFolio(m, 0);
    const plain = allocFolio(m, 0);
    m.mapping[coherent] = MAPPING_DEVICE_COHERENT;
    expect([folioIsLongtermPinnable(m, daxFolio), folioIsLongtermPinnable(m, coherent), folioIsLongtermPinnable(m, plain)]).toEqual([
      false,
      false,
      true,
    ]);
    m.mapping[coherent] = MAPPING_NONE;
    folioPut(m, coherent);
    folioPut(m, plain);
    folioPut(m, daxFolio);
    fileRelease(dax);
  });
});

describe('argument-check texts', () => {
  it('name the function, the argument, what it must be and what it got', () => {
    const m = newMachine();
    const f = allocFolio(m, 2);
    const rows: readonly [() => unknown, string][] = [
      [() => folioPage(m, f, 4), 'folioPage: n must be a page index in 0..3, got 4'],
      [() => folioPageIdx(m, f, 8), 'folioPageIdx: page must be a page of folio 4 (4..7), got 8'],
      [() => folioPageIdx(m, f + 1, 5), "folioPageIdx: folio must be a folio's head PFN, not a tail page, got 5"],
      [() => folioRefAdd(m, f, -1), 'folioRefAdd: nr must be an integer in 0..2147483647, got -1'],
      [() => folioPutRefs(m, f, -1), 'folioPutRefs: refs must be an integer in 0..2147483647, got -1'],
      [() => pfnValid(m, 0.5), 'pfnValid: pfn must be a safe integer, got 0.5'],
      [() => createMachine({ memoryBytes: 4095 }), 'createMachine: opts.memoryBytes must be a non-negative multiple of 4096, got 4095'],
      [() => createMachine({ memoryBytes: 2 ** 43 }), `createMachine: opts.memoryBytes must be at most 2^31 - 1 pages of 4096, got ${2 ** 43}`],
      [
        () => createMachine({ memoryBytes: 16 * MIB, movableBytes: 8 * MIB, cmaBytes: 12 * MIB }),
        `createMachine: opts.movableBytes + opts.cmaBytes must be below opts.memoryBytes (${16 * MIB}), leaving room for ZONE_NORMAL, got ${20 * MIB}`,
      ],
      [() => createMachine({ seed: 2 ** 32 }), `createMachine: opts.seed must be a 32-bit integer, got ${2 ** 32}`],
    ];
    for (const [run, message] of rows) {
      const e = thrownBy(run);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe(message);
    }
    folioPut(m, f);
  });
});
