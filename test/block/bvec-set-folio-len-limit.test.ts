/**
 * bvec_set_folio's length limit (include/linux/bvec.h, 5e223e06ee7c, v6.16):
 * `WARN_ON_ONCE(len > UINT_MAX)` on the `size_t len`, then bvec_set_page stores it in
 * the `unsigned int bv_len`. UINT_MAX itself fits: no WARN, stored whole; an ordinary
 * length never WARNs.
 */
import { describe, expect, it } from 'vitest';
import { UINT_MAX, bvecArrayAlloc, bvecArrayToList, bvecSetFolio } from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { tableLayout } from './layout.js';

describe('bvec_set_folio: WARN_ON_ONCE(len > UINT_MAX)', () => {
  it('4096 and UINT_MAX are stored whole without a WARN', () => {
    const m = newMachine();
    tableLayout(m);
    const bvs = bvecArrayAlloc(2);
    bvecSetFolio(m, bvs, 0, 64, 4096, 0);
    bvecSetFolio(m, bvs, 1, 68, UINT_MAX, 4096 + 8);
    expect(bvecArrayToList(bvs, 2)).toEqual([
      { page: 64, len: 4096, offset: 0 },
      { page: 69, len: 0xffffffff, offset: 8 },
    ]);
    expect(m.warnings).toEqual([]);
  });

  it('UINT_MAX + 1 WARNs and is stored as 0 (truncated to unsigned int)', () => {
    const m = newMachine();
    tableLayout(m);
    const bvs = bvecArrayAlloc(1);
    bvecSetFolio(m, bvs, 0, 64, UINT_MAX + 1, 0);
    expect(bvecArrayToList(bvs, 1)).toEqual([{ page: 64, len: 0, offset: 0 }]);
    expect(m.warnings).toEqual(['bvec_set_folio: len > UINT_MAX']);
  });
});
