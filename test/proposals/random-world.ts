/**
 * The tail both property suites share when they build a random world: touch some
 * pages (write where the VMA is writable, read otherwise), then optionally fork and
 * keep or exit the child. Returns the child that stays alive, or null.
 */
import { BASE, forked } from '../support/mm-layout.js';
import { VM_WRITE, exitMmap, userReadTags, userWrite, vmaLookup, type Mm } from '../../src/index.js';

const P = 4096;

export type ForkMode = 'none' | 'keep-child' | 'child-exited';

export function touchAndFork(mm: Mm, touches: readonly { at: number; pages: number }[], vpn: number, forkMode: ForkMode): Mm | null {
  for (const t of touches) {
    const at = BASE + (t.at % vpn) * P;
    const vma = vmaLookup(mm.vmas, at);
    if (vma === null) continue;
    const len = Math.min(t.pages * P, vma.end - at);
    // May fail with -ENOMEM: the page cache does not fall back to order 0 when a
    // large folio cannot be had (a model gap; the kernel's __filemap_get_folio does).
    if ((vma.flags & VM_WRITE) !== 0) userWrite(mm, at, len);
    else userReadTags(mm, at, len);
  }
  if (forkMode === 'none') return null;
  const c = forked(mm);
  if (forkMode === 'child-exited') {
    exitMmap(c);
    return null;
  }
  return c;
}
