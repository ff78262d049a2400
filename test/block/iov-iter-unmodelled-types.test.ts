/**
 * ITER_FOLIOQ and ITER_XARRAY keep their uio.h values (T) but are not modelled: every
 * iov_iter operation that would walk one (lib/iov_iter.c iov_iter_advance,
 * iov_iter_revert, iov_iter_alignment, iov_iter_npages, iov_iter_extract_pages) throws
 * a KernelBug naming the type, instead of answering as if it were another type.
 */
import { describe, expect, it } from 'vitest';
import {
  ITER_DEST,
  ITER_FOLIOQ,
  ITER_XARRAY,
  IovIter,
  KernelBug,
  iovIterAdvance,
  iovIterAlignment,
  iovIterExtractPages,
  iovIterNpages,
  iovIterRevert,
} from '../../src/index.js';
import { world } from '../support/mm-layout.js';

describe.each([
  ['ITER_FOLIOQ', ITER_FOLIOQ],
  ['ITER_XARRAY', ITER_XARRAY],
])('%s', (_name, type) => {
  it('advance, revert, alignment, npages and extraction refuse it', () => {
    const { mm } = world();
    const fresh = () => new IovIter(type, ITER_DEST, 4096, 1);
    const re = new RegExp(`iterator type ${type} is not modelled`);
    expect(() => iovIterAdvance(fresh(), 10)).toThrow(re);
    expect(() => iovIterRevert(mm.m, fresh(), 10)).toThrow(re);
    expect(() => iovIterAlignment(fresh())).toThrow(re);
    expect(() => iovIterNpages(fresh(), 16)).toThrow(re);
    expect(() => iovIterExtractPages(mm, fresh(), new Int32Array(4), 4096, 4, 0)).toThrow(KernelBug);
    expect(() => iovIterExtractPages(mm, fresh(), new Int32Array(4), 4096, 4, 0)).toThrow(re);
  });
});
