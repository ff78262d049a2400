/**
 * The kernel BUGs of bio_alloc and virt_to_page, and virt_to_page's lowest address,
 * worked by hand: block/bio.c biovec_slab (`default: BUG(); return NULL;` for nr_vecs >
 * BIO_MAX_VECS, 256), arch/x86/include/asm/page.h __pa / virt_to_page (page of
 * `kaddr - PAGE_OFFSET`; CONFIG_DEBUG_VIRTUAL BUGs below PAGE_OFFSET). The model's
 * PAGE_OFFSET is 2^52 (src/block/direct-map.ts).
 */
import { describe, expect, it } from 'vitest';
import { BIO_MAX_VECS, KernelBug, PAGE_OFFSET, PAGE_SIZE, bioAlloc, virtToPage } from '../../src/index.js';

describe('biovec_slab', () => {
  it('BUG()s for nr_vecs 257, naming the count', () => {
    expect(() => bioAlloc(BIO_MAX_VECS + 1)).toThrow(KernelBug);
    expect(() => bioAlloc(BIO_MAX_VECS + 1)).toThrow(/^biovec_slab: BUG\(\) for nr_vecs 257 > BIO_MAX_VECS$/);
  });
});

describe('virt_to_page', () => {
  it('PAGE_OFFSET itself is page 0; one byte below it is not a direct-map address', () => {
    expect([virtToPage(PAGE_OFFSET), virtToPage(PAGE_OFFSET + PAGE_SIZE - 1), virtToPage(PAGE_OFFSET + PAGE_SIZE)]).toEqual([0, 0, 1]);
    expect(() => virtToPage(PAGE_OFFSET - 1)).toThrow(KernelBug);
    expect(() => virtToPage(PAGE_OFFSET - 1)).toThrow(/^virt_to_page: 4503599627370495 is not a direct-map address$/);
  });
});
