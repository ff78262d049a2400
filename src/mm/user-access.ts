/**
 * The CPU touching user memory: a load or store through the page tables, faulting
 * like arch/x86/mm/fault.c `do_user_addr_fault` (access_error, then handle_mm_fault
 * until the access succeeds), as copy_to_user / copy_from_user would see it.
 *
 * Each page has a content tag (Machine.content) standing for its data: a store writes a
 * new tag, COW copies carry the tag over, new anonymous pages and the zero page read 0.
 * That is enough to show whether a pinned page and the process still see the same
 * memory (the COW-vs-GUP problem). Simplified: access is per page, not per byte; a
 * store marks the leaf dirty and a page-cache folio dirty at once (the kernel finds the
 * dirty PTE at writeback or unmap).
 *
 * Arguments: a range that leaves the user address space (a negative address or length
 * is one: above TASK_SIZE as an `unsigned long` / `size_t`) fails access_ok: -EFAULT
 * before any page is touched. A length of 0 touches nothing and succeeds. NaN,
 * infinities and fractions, a `tag` that is not an int, and an `out` array shorter than
 * the pages the range spans throw an ArgumentError.
 */
import { PAGE_SIZE, TASK_SIZE_MAX } from './constants.js';
import { EFAULT } from './errno.js';
import { badArgument } from './arg-check.js';
import { checkAddress } from './address-arg-check.js';
import { KernelBug } from './bug.js';
import { handleMmFault } from './fault.js';
import { folioMarkDirty, folioTestAnon, pageFolio } from './folio.js';
import type { Machine } from './machine.js';
import type { Mm } from './mm.js';
import { _PAGE_DIRTY, _PAGE_RW, _PAGE_SPECIAL, findLeaf, leafLevel, leafSlot, pageAt, vpnOf } from './page-table.js';
import { vmaLookup } from './vma.js';
import { VM_EXEC, VM_READ, VM_WRITE } from './vm-flags.js';

const lastTag = new WeakMap<Machine, number>();

/** The machine's next fresh content tag: 1, 2, 3, ... (a tag passed to userWrite does not advance it). */
export function nextContentTag(m: Machine): number {
  const t = (lastTag.get(m) ?? 0) + 1;
  lastTag.set(m, t);
  return t;
}

/** Checks `addr` and `length` for `fn`: an ArgumentError, or true when the range passes access_ok. */
function accessOk(fn: string, addr: number, length: number): boolean {
  checkAddress(fn, 'addr', addr);
  checkAddress(fn, 'length', length);
  return addr >= 0 && length >= 0 && addr <= TASK_SIZE_MAX && length <= TASK_SIZE_MAX - addr;
}

/** The number of pages [addr, addr + length) touches; length > 0. */
function pagesSpanned(addr: number, length: number): number {
  return vpnOf(addr + length - 1) - vpnOf(addr) + 1;
}

function access(mm: Mm, addr: number, length: number, write: boolean, tag: number, out: Int32Array | null): number {
  if (length === 0) return 0;
  const m = mm.m;
  const pt = mm.pt;
  const first = vpnOf(addr);
  const last = vpnOf(addr + length - 1);
  for (let vpn = first; vpn <= last; vpn++) {
    const a = vpn * PAGE_SIZE;
    const vma = vmaLookup(mm.vmas, a);
    if (vma === null) return -EFAULT;
    // access_error(): stores need VM_WRITE; x86 cannot refuse a load of a mapped, accessible page.
    if (write ? (vma.flags & VM_WRITE) === 0 : (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return -EFAULT;
    let leaf = findLeaf(pt, vpn);
    for (let tries = 0; leaf < 0 || (write && (pt.level(leafLevel(leaf)).bits[leafSlot(leaf)]! & _PAGE_RW) === 0); tries++) {
      if (tries === 4) throw new KernelBug(`user access at ${a.toString(16)}: fault made no progress`);
      const ret = handleMmFault(mm, a, { write });
      if (ret < 0) return ret;
      leaf = findLeaf(pt, vpn);
    }
    const page = pageAt(pt, vpn);
    if (write) {
      m.content[page] = tag;
      const lv = pt.level(leafLevel(leaf));
      const s = leafSlot(leaf);
      lv.bits[s] = lv.bits[s]! | _PAGE_DIRTY;
      if ((lv.bits[s]! & _PAGE_SPECIAL) === 0) {
        const folio = pageFolio(m, page);
        if (!folioTestAnon(m, folio)) folioMarkDirty(m, folio);
      }
    } else if (out !== null) {
      out[vpn - first] = m.content[page]!;
    }
  }
  return 0;
}

/**
 * A store to every page of [addr, addr + length): faults as needed (COW included) and
 * sets each page's content tag to `tag` (default: a fresh tag). Returns 0, -EFAULT
 * (SIGSEGV: no mapping or no write permission) or -ENOMEM.
 */
export function userWrite(mm: Mm, addr: number, length: number, tag?: number): number {
  const ok = accessOk('userWrite', addr, length);
  if (tag !== undefined && (tag | 0) !== tag) badArgument('userWrite', 'tag', tag, 'an int content tag');
  if (!ok) return -EFAULT;
  return access(mm, addr, length, true, tag ?? nextContentTag(mm.m), null);
}

/**
 * A load from every page of [addr, addr + length): faults as needed (the zero page for
 * untouched private anonymous memory) and, when `out` is given, stores page i's content
 * tag in out[i]. Returns 0, -EFAULT or -ENOMEM.
 */
export function userRead(mm: Mm, addr: number, length: number, out: Int32Array | null = null): number {
  if (!accessOk('userRead', addr, length)) return -EFAULT;
  if (out !== null && length > 0 && out.length < pagesSpanned(addr, length))
    badArgument('userRead', 'out', out.length, `an Int32Array of at least ${pagesSpanned(addr, length)} entries`);
  return access(mm, addr, length, false, 0, out);
}

/** The content tags the process sees over [addr, addr + length), or -errno. */
export function userReadTags(mm: Mm, addr: number, length: number): Int32Array | number {
  if (!accessOk('userReadTags', addr, length)) return -EFAULT;
  if (length === 0) return new Int32Array(0);
  const out = new Int32Array(pagesSpanned(addr, length));
  const ret = access(mm, addr, length, false, 0, out);
  return ret < 0 ? ret : out;
}
