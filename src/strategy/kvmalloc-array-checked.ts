/**
 * `kvmalloc_array(n, size, GFP_KERNEL)` with the size limit of mm/util.c
 * `__kvmalloc_node_noprof`: a request above INT_MAX bytes is refused ("Don't even allow
 * crazy sizes": WARN_ON_ONCE unless __GFP_NOWARN, then NULL), before any allocator is
 * tried. src/mm/slab.ts does not model that limit; every output array of the proposals
 * goes through here so a huge request fails as the kernel's would instead of the model
 * building a multi-gigabyte JS array.
 */
import { ENOMEM } from '../mm/errno.js';
import { warnOnOnce } from '../mm/bug.js';
import type { Machine } from '../mm/machine.js';
import { kvmallocArray, type KAlloc } from '../mm/slab.js';

/** `INT_MAX`. */
export const INT_MAX = 0x7fffffff;

/** kvmalloc_array(n, size): a KAlloc, or -ENOMEM (overflow, above INT_MAX, or injected). */
export function kvmallocArrayChecked(m: Machine, n: number, size: number): KAlloc | number {
  if (n * size > INT_MAX) {
    warnOnOnce(m, true, 'kvmalloc: size above INT_MAX');
    return -ENOMEM;
  }
  return kvmallocArray(m, n, size);
}
