/**
 * The kernel direct map: `PAGE_OFFSET`, `virt_to_page`, `page_address` (x86-64
 * arch/x86/include/asm/page.h, page_64.h).
 *
 * Simplified: x86-64 puts the direct map at 0xffff888000000000, beyond 2^53 where
 * JavaScript numbers can no longer hold every byte address. The model puts it at 2^52:
 * like the kernel's, it lies outside user space (above TASK_SIZE_MAX), and
 * `PAGE_OFFSET + pfn * PAGE_SIZE + offset` stays exact for every PFN the machine can
 * have (< 2^31). There is no vmalloc or module area: every kernel address in the model
 * is a direct-map address, so `vmalloc_to_page` is never needed. A page that is not a
 * non-negative 32-bit PFN, or an address that is not a safe integer, is an
 * ArgumentError; an address below PAGE_OFFSET keeps virt_to_page's BUG (KernelBug).
 */
import { PAGE_SIZE } from '../mm/constants.js';
import { KernelBug } from '../mm/bug.js';
import { badArgument } from '../mm/arg-check.js';
import { checkPageNumber } from './block-arg-check.js';

/** `PAGE_OFFSET`: the kernel virtual address of physical address 0 (model value 2^52). */
export const PAGE_OFFSET = 2 ** 52;

/** `page_address(page)`: the direct-map address of a page (`PAGE_OFFSET + pfn * PAGE_SIZE`). */
export function pageAddress(page: number): number {
  checkPageNumber('pageAddress', 'page', page);
  return PAGE_OFFSET + page * PAGE_SIZE;
}

/**
 * `virt_to_page(kaddr)`: the page holding a direct-map address. An address below
 * PAGE_OFFSET is not a direct-map address (CONFIG_DEBUG_VIRTUAL's BUG); KernelBug.
 */
export function virtToPage(kaddr: number): number {
  if (!Number.isSafeInteger(kaddr)) badArgument('virtToPage', 'kaddr', kaddr, 'an address (a safe integer)');
  if (kaddr < PAGE_OFFSET) throw new KernelBug(`virt_to_page: ${kaddr} is not a direct-map address`);
  return Math.floor((kaddr - PAGE_OFFSET) / PAGE_SIZE);
}
