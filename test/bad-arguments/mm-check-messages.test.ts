/**
 * The full text of the argument checks shared by the mm layer (src/mm/arg-check.ts and
 * address-arg-check.ts), each reached through a function that uses it. The tables in
 * mm-core.test.ts and address-space.test.ts match only a message's start (function and
 * argument); here each check's text is spelled out, expected value and all, so a lost or
 * changed word shows. Machine: 16 MiB, PFNs 0..4095; the VMA is [BASE, BASE + 64 KiB),
 * virtual pages 262144..262159, and a second one, for THPs,
 * covers the 2 MiB block of virtual pages 262656..263167.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  EINVAL,
  _PAGE_PSE,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PMD_ORDER,
  PROT_READ,
  allocFolio,
  createMachine,
  createHugePmd,
  doWpPage,
  exitMmap,
  folioAddNewAnonRmapPtes,
  folioPut,
  folioOrder,
  handleMmFault,
  injectAllocFailure,
  isValidGupArgs,
  kmallocSizeClass,
  leafBitsAt,
  mmap,
  munmap,
  pageFolio,
  pmdSlot,
  splitHugePmd,
  userWrite,
  vmaLookup,
  wpHugePmd,
  zapVma,
  zoneByName,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';
import { thrownBy } from '../support/refused.js';

describe('mm argument-check texts', () => {
  it('each check names the function, the argument, what it must be and what it got', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB });
    mapAt(mm, BASE, 64 * KIB);
    mapAt(mm, BASE + 2 * MIB, 2 * MIB, { order: PMD_ORDER });
    const vma = vmaLookup(mm.vmas, BASE)!;
    const pmdVma = vmaLookup(mm.vmas, BASE + 2 * MIB)!;
    const big = allocFolio(m, 2);
    expect(big).toBeGreaterThan(0);
    const anon = MAP_PRIVATE | MAP_ANONYMOUS;
    const rows: readonly [() => unknown, string][] = [
      [() => munmap(mm, NaN, 4096), 'munmap: addr must be an integer address, got NaN'],
      [() => mmap(mm, { addr: BASE, length: 4096, prot: 1.5, flags: anon }), 'mmap: opts.prot must be a 32-bit integer flag word, got 1.5'],
      [() => mmap(mm, { length: 4096, prot: PROT_READ, flags: anon, order: 10 }), 'mmap: opts.order must be an integer in 0..9, got 10'],
      [
        () => handleMmFault(mm, BASE, { write: 1 as unknown as boolean }),
        'handleMmFault: flags.write must be a boolean or undefined, got 1',
      ],
      [() => splitHugePmd(mm, vma, 262160), "splitHugePmd: vpn must be a page number in the VMA's 262144..262159, got 262160"],
      [() => splitHugePmd(mm, vma, 262143), "splitHugePmd: vpn must be a page number in the VMA's 262144..262159, got 262143"],
      [
        () => zapVma(mm, vma, BASE + 1, BASE + 4096),
        "zapVma: start must be a page-aligned address in the VMA's 1073741824..1073807360, got 1073741825",
      ],
      [
        () => zapVma(mm, vma, BASE + 8192, BASE + 4096),
        'zapVma: end must be a page-aligned address in 1073750016..1073807360, got 1073745920',
      ],
      [
        () => zapVma(mm, vma, BASE, BASE + 4096 + 100),
        'zapVma: end must be a page-aligned address in 1073741824..1073807360, got 1073746020',
      ],
      [() => doWpPage(mm, vma, -1, false), 'doWpPage: slot must be the slot of a present PTE, got -1'],
      [() => createHugePmd(mm, pmdVma, 0, 262144, false), "createHugePmd: vpn must be a page number in the VMA's 262656..263167, got 262144"],
      [() => createHugePmd(mm, vma, 0, 262144, false), 'createHugePmd: vpn must be a page whose 2 MiB block the VMA may map with a PMD, got 262144'],
      [() => createHugePmd(mm, pmdVma, 0, 262656, false), 'createHugePmd: ms must be the slot of the none PMD covering vpn 262656, got 0'],
      // No PMD table yet: the slot pmd_alloc would give (1) is not a slot either, nor is -1.
      [() => createHugePmd(mm, pmdVma, 1, 262656, false), 'createHugePmd: ms must be the slot of the none PMD covering vpn 262656, got 1'],
      [() => createHugePmd(mm, pmdVma, -1, 262656, false), 'createHugePmd: ms must be the slot of the none PMD covering vpn 262656, got -1'],
      [() => wpHugePmd(mm, pmdVma, 0, 262656, false), 'wpHugePmd: ms must be the slot of the present PMD leaf covering vpn 262656, got 0'],
      [() => createMachine({ checked: 1 as unknown as boolean }), 'createMachine: opts.checked must be a boolean, got 1'],
      [() => folioOrder(m, 4096), "folioOrder: folio must be a folio's head PFN in 0..4095, got 4096"],
      [() => folioOrder(m, big + 1), `folioOrder: folio must be a folio's head PFN, not a tail page, got ${big + 1}`],
      [() => pageFolio(m, -1), 'pageFolio: page must be a PFN in 0..4095, got -1'],
      [
        () => folioAddNewAnonRmapPtes(m, big, big, 5),
        `folioAddNewAnonRmapPtes: nr must be a page count in 1..4 (the pages from ${big} to the end of its folio), got 5`,
      ],
      [
        () => folioAddNewAnonRmapPtes(m, big, big + 1, 1.5),
        `folioAddNewAnonRmapPtes: nr must be a page count in 1..3 (the pages from ${big + 1} to the end of its folio), got 1.5`,
      ],
      [() => folioAddNewAnonRmapPtes(m, big, 0, 1), `folioAddNewAnonRmapPtes: page must be a page of folio ${big}, got 0`],
      [() => injectAllocFailure(m, -1), 'injectAllocFailure: nth must be an integer in 0..2147483647, got -1'],
      [() => allocFolio(m, 1.5), 'allocFolio: order must be an integer, got 1.5'],
      [() => allocFolio(m, 0, { pfn: 1.5 }), 'allocFolio: opts.pfn must be an integer, got 1.5'],
      [() => kmallocSizeClass(-1), 'kmallocSizeClass: size must be a non-negative safe integer, got -1'],
      [() => isValidGupArgs(m, true, null, 0.5, 0), 'isValidGupArgs: gupFlags must be an unsigned 32-bit FOLL_* word, got 0.5'],
      [() => zoneByName(m, 'dma' as 'normal'), 'zoneByName: name must be one of "normal", "cma", "movable", got "dma"'],
    ];
    for (const [run, message] of rows) {
      const e = thrownBy(run);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toBe(message);
    }
    expect([mm.pt.pud.nrTables, mm.pt.pmd.nrTables]).toEqual([0, 0]);
    // A C int flag word may be negative: -1 passes the check and mmap answers it with
    // -EINVAL, as ksys_mmap_pgoff does (MAP_HUGETLB with a page size log of 63: no hstate).
    expect(mmap(mm, { length: 4096, prot: PROT_READ, flags: -1 })).toBe(-EINVAL);
    // A PMD slot that holds a leaf is not a none slot.
    expect(userWrite(mm, BASE + 2 * MIB, 4 * KIB, 1)).toBe(0);
    const ms = pmdSlot(mm.pt, 262656, false);
    expect(leafBitsAt(mm.pt, 262656) & _PAGE_PSE).toBe(_PAGE_PSE);
    expect(thrownBy(() => createHugePmd(mm, pmdVma, ms, 262656, false)).message).toBe(
      `createHugePmd: ms must be the slot of the none PMD covering vpn 262656, got ${ms}`,
    );
    expect(thrownBy(() => wpHugePmd(mm, pmdVma, ms, 262144, false)).message).toBe(
      "wpHugePmd: vpn must be a page number in the VMA's 262656..263167, got 262144",
    );
    expect(thrownBy(() => wpHugePmd(mm, pmdVma, ms, 262656, 1 as unknown as boolean)).message).toBe(
      'wpHugePmd: unshare must be a boolean, got 1',
    );
    // A none slot beside it, in the same PMD table.
    mapAt(mm, BASE + 4 * MIB, 2 * MIB, { order: PMD_ORDER });
    const none = pmdSlot(mm.pt, 263168, false);
    expect(thrownBy(() => createHugePmd(mm, vmaLookup(mm.vmas, BASE + 4 * MIB)!, none, 263168, 1 as unknown as boolean)).message).toBe(
      'createHugePmd: write must be a boolean, got 1',
    );
    expect(mm.vmas).toHaveLength(3);
    folioPut(m, big);
    exitMmap(mm);
  });
});
