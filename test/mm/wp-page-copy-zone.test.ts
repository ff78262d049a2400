/**
 * Where a COW copy comes from: wp_page_copy allocates the new page as the mapping's
 * anonymous memory does (GFP_HIGHUSER_MOVABLE, so a mapping whose memory comes from
 * ZONE_MOVABLE gets its copy there too), not from some default zone. Expectations
 * worked by hand from mm/memory.c `wp_page_copy` / `folio_prealloc` (v6.16+:
 * `vma_alloc_zeroed_movable_folio` for the zero page, `vma_alloc_folio(GFP_HIGHUSER_MOVABLE)`
 * otherwise) and the model's next-fit allocator (a zone's first folio is at its start).
 */
import { describe, expect, it } from 'vitest';
import { exitMmap, handleMmFault, pageAt, pfnZone, userReadTags, userWrite, vmstat, vpnOf } from '../../src/index.js';
import { BASE, KIB, MIB, forked, mapAt, world } from '../support/mm-layout.js';

const v = vpnOf(BASE);
// 16 MiB = 4096 page frames; the top 4 MiB (1024 frames) are ZONE_MOVABLE: PFNs 3072..4095.
const MOVABLE_START = 3072;

describe('wp_page_copy allocates in the mapping\'s zone', () => {
  it('a write after a read of the zero page: the copy is ZONE_MOVABLE\'s first page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 4 * MIB });
    mapAt(mm, BASE, 8 * KIB, { zone: 'movable' });
    expect(handleMmFault(mm, BASE)).toBe(0); // zero page
    expect(pageAt(mm.pt, v)).toBe(m.zeroPfn);
    expect(userWrite(mm, BASE, 4 * KIB, 3)).toBe(0);
    expect(pageAt(mm.pt, v)).toBe(MOVABLE_START);
    expect(pfnZone(m, MOVABLE_START).name).toBe('movable');
    expect([m.refcount[MOVABLE_START], m.mapcount[MOVABLE_START], vmstat(m).cowCopies]).toEqual([1, 1, 1]);
  });

  it('a write to a page shared with a forked child: the copy is the next ZONE_MOVABLE page', () => {
    const { m, mm } = world({ memoryBytes: 16 * MIB, movableBytes: 4 * MIB });
    mapAt(mm, BASE, 4 * KIB, { zone: 'movable' });
    expect(userWrite(mm, BASE, 4 * KIB, 4)).toBe(0); // do_anonymous_page: PFN 3072
    const child = forked(mm);
    expect(userWrite(child, BASE, 4 * KIB, 5)).toBe(0); // refcount 2: copied
    expect(pageAt(child.pt, v)).toBe(MOVABLE_START + 1);
    expect([m.refcount[MOVABLE_START], m.refcount[MOVABLE_START + 1], vmstat(m).cowCopies]).toEqual([1, 1, 1]);
    expect(userReadTags(mm, BASE, 4 * KIB)).toEqual(new Int32Array([4]));
    exitMmap(child);
  });
});
