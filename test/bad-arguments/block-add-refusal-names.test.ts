/**
 * The exact ArgumentError texts of the bio builders and their helpers: each refusal
 * names the exported function, the parameter and what C's type allows
 * (`<fn>: <arg> must be <expected>, got <value>`, src/mm/arg-check.ts ArgumentError).
 * The parameters are those of the kernel prototypes: block/bio.c bio_add_page,
 * __bio_add_page, bio_add_virt_nofail, bio_init; include/linux/bvec.h (block/blk.h in
 * T) bvec_try_merge_page; block/blk.h zone_device_pages_have_same_pgmap,
 * zone_device_pages_compatible; include/linux/bio.h bio_flagged;
 * arch/x86/include/asm/page.h virt_to_page (T, linux-block-trial).
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  __bioAddPage,
  bioAddVirtNofail,
  bioAlloc,
  bioFlagged,
  bioInit,
  bvecArrayAlloc,
  bvecTryMergePage,
  pageAddress,
  virtToPage,
  zoneDevicePagesCompatible,
  zoneDevicePagesHaveSamePgmap,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { expectRefused } from '../support/refused.js';
import { tableLayout } from '../block/layout.js';

const MACHINE = { memoryBytes: 16 * 1024 * 1024 };

/** `fn()` must throw an ArgumentError whose whole first part is `text`. */
function refusedWith(fn: () => unknown, text: RegExp): void {
  expect(fn).toThrow(ArgumentError);
  expect(fn).toThrow(text);
}

describe('bvec_try_merge_page (no machine at hand)', () => {
  it('names i, page and off', () => {
    const bvs = bvecArrayAlloc(2);
    refusedWith(() => bvecTryMergePage(bvs, 2, 64, 100, 0), /^bvecTryMergePage: i must be an index in 0\.\.1, got 2$/);
    refusedWith(
      () => bvecTryMergePage(bvs, 0, -5, 100, 0),
      /^bvecTryMergePage: page must be a PFN \(a non-negative 32-bit integer\), got -5$/,
    );
    refusedWith(
      () => bvecTryMergePage(bvs, 0, 64, 100, -1),
      /^bvecTryMergePage: off must be an unsigned int \(an integer in 0\.\.4294967295\), got -1$/,
    );
  });
});

describe('zone_device_pages_*', () => {
  it('name the page argument that is no PFN of the machine', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    expectRefused({
      call: 'zoneDevicePagesHaveSamePgmap(m, nrPages, 72)',
      m,
      run: () => zoneDevicePagesHaveSamePgmap(m, m.nrPages, 72),
      expect: { throws: /^zoneDevicePagesHaveSamePgmap: a must be / },
    });
    expectRefused({
      call: 'zoneDevicePagesCompatible(m, 72, nrPages)',
      m,
      run: () => zoneDevicePagesCompatible(m, 72, m.nrPages),
      expect: { throws: /^zoneDevicePagesCompatible: b must be / },
    });
  });
});

describe('__bio_add_page', () => {
  it('names page and len', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    const state = () => [bio.vcnt, bio.size];
    expectRefused({
      call: '__bioAddPage(m, bio, nrPages, 100, 0)',
      m,
      run: () => __bioAddPage(m, bio, m.nrPages, 100, 0),
      expect: { throws: /^__bioAddPage: page must be / },
      state,
    });
    expectRefused({
      call: '__bioAddPage(m, bio, 72, 2 ** 32, 0)',
      m,
      run: () => __bioAddPage(m, bio, 72, 2 ** 32, 0),
      expect: { throws: /^__bioAddPage: len must be an unsigned int \(an integer in 0\.\.4294967295\), got 4294967296$/ },
      state,
    });
  });
});

describe('bio_add_virt_nofail', () => {
  it('names vaddr (not a safe integer) and len', () => {
    const m = newMachine(MACHINE);
    tableLayout(m);
    const bio = bioAlloc(4);
    const state = () => [bio.vcnt, bio.size];
    expectRefused({
      call: 'bioAddVirtNofail(m, bio, NaN, 100)',
      m,
      run: () => bioAddVirtNofail(m, bio, NaN, 100),
      expect: { throws: /^bioAddVirtNofail: vaddr must be an address \(a safe integer\), got NaN$/ },
      state,
    });
    expectRefused({
      call: 'bioAddVirtNofail(m, bio, pageAddress(72), -1)',
      m,
      run: () => bioAddVirtNofail(m, bio, pageAddress(72), -1),
      expect: { throws: /^bioAddVirtNofail: len must be an unsigned int \(an integer in 0\.\.4294967295\), got -1$/ },
      state,
    });
  });
});

describe('bio fields and the direct map', () => {
  it('bio_flagged: bit 16 is past the unsigned short bi_flags', () => {
    refusedWith(() => bioFlagged(bioAlloc(1), 16), /^bioFlagged: bit must be a BIO_\* bit number in 0\.\.15, got 16$/);
  });

  it('bio_init: an opf bit the model does not know', () => {
    refusedWith(() => bioInit(null, 0, 1 << 20), /^bioInit: opf must be /);
  });

  it('virt_to_page: an address that is no safe integer', () => {
    refusedWith(() => virtToPage(0.5), /^virtToPage: kaddr must be an address \(a safe integer\), got 0\.5$/);
  });
});
