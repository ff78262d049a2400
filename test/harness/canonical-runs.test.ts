// Canonical runs (src/harness/canonical-runs.ts), what the equivalence check compares:
// vectors that continue each other under the merge policy are coalesced, in bio order
// and across bios. Worked by hand on two physically adjacent order-2 folios at PFNs 64
// and 68 and an order-0 page at 100 (4 KiB pages: PFN 64 is byte 0x40000).
import { describe, expect, it } from 'vitest';
import { biosVectors } from '../../src/harness/run-row.js';
import { canonicalRuns } from '../../src/harness/canonical-runs.js';
import { __bioAddPage, allocFolio, bioAlloc, createMachine, type Machine } from '../../src/index.js';

const P = 4096;

function machine(): Machine {
  const m = createMachine({ memoryBytes: 64 * 1024 * 1024 });
  for (const [order, pfn] of [
    [2, 64],
    [2, 68],
    [0, 100],
  ] as const)
    if (allocFolio(m, order, { pfn }) !== pfn) throw new Error('fixture: allocFolio');
  return m;
}

/** Pairs (address, length) as a flat Float64Array, as biosVectors records them. */
const v = (...pairs: (readonly [number, number])[]) => Float64Array.from(pairs.flat());
const pairs = (a: Float64Array) => Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i]!, a[2 * i + 1]!]);

describe('canonicalRuns', () => {
  const m = machine();

  it('joins pieces of one folio run, whatever the cut (mid-page, page boundary, three pieces)', () => {
    // Page 64 from byte 100, then pages 65..66: 3996 + 8192 = 12188 bytes from 0x40064.
    expect(pairs(canonicalRuns(m, v([64 * P + 100, P - 100], [65 * P, 2 * P]), 'folio'))).toEqual([[64 * P + 100, 12188]]);
    // 100 bytes, then 200 more of the same page.
    expect(pairs(canonicalRuns(m, v([64 * P, 100], [64 * P + 100, 200]), 'folio'))).toEqual([[64 * P, 300]]);
    // Pages 64, 65, 66..67: the whole folio.
    expect(pairs(canonicalRuns(m, v([64 * P, P], [65 * P, P], [66 * P, 2 * P]), 'folio'))).toEqual([[64 * P, 4 * P]]);
  });

  it("keeps adjacent folios apart under 'folio', joins them under 'physical'", () => {
    // Page 67 ends at byte 68 * 4096, where folio 68 starts.
    const two = v([64 * P, 4 * P], [68 * P, 4 * P]);
    expect(pairs(canonicalRuns(m, two, 'folio'))).toEqual([
      [64 * P, 4 * P],
      [68 * P, 4 * P],
    ]);
    expect(pairs(canonicalRuns(m, two, 'physical'))).toEqual([[64 * P, 8 * P]]);
  });

  it('never joins across a gap or backwards: bytes out of order stay out of order', () => {
    const gap = v([64 * P, P], [66 * P, P]);
    const backwards = v([65 * P, P], [64 * P, P]);
    for (const merge of ['folio', 'physical'] as const) {
      expect(canonicalRuns(m, gap, merge)).toEqual(gap);
      expect(canonicalRuns(m, backwards, merge)).toEqual(backwards);
    }
    // Page 100 follows nothing it touches.
    expect(pairs(canonicalRuns(m, v([68 * P, 4 * P], [100 * P, P]), 'physical'))).toEqual([
      [68 * P, 4 * P],
      [100 * P, P],
    ]);
  });

  it('leaves maximal runs as they are, and nothing as nothing', () => {
    const maximal = v([64 * P + 7, 4 * P - 7], [68 * P, 2 * P], [100 * P, 10]);
    expect(canonicalRuns(m, maximal, 'folio')).toEqual(maximal);
    expect(canonicalRuns(m, new Float64Array(0), 'folio')).toEqual(new Float64Array(0));
  });

  it('joins across bios: a run cut where a bio ends is still one run', () => {
    // Pages 68..69 end one bio, 70..71 start the next: one 16 KiB folio run.
    const a = bioAlloc(2);
    __bioAddPage(m, a, 64, 4 * P, 0);
    __bioAddPage(m, a, 68, 2 * P, 0);
    const b = bioAlloc(1);
    __bioAddPage(m, b, 70, 2 * P, 0);
    expect(pairs(canonicalRuns(m, biosVectors([a, b]), 'folio'))).toEqual([
      [64 * P, 4 * P],
      [68 * P, 4 * P],
    ]);
  });
});
