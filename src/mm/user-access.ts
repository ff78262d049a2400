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
 */
import { PAGE_SIZE } from './constants.js';
import { EFAULT } from './errno.js';
import { KernelBug } from './bug.js';
import { handleMmFault } from './fault.js';
import { folioMarkDirty, folioTestAnon, pageFolio } from './folio.js';
import type { Machine } from './machine.js';
import type { Mm } from './mm.js';
import { _PAGE_DIRTY, _PAGE_RW, _PAGE_SPECIAL, findLeaf, leafLevel, leafSlot, pageAt, vpnOf } from './page-table.js';
import { vmaLookup } from './vma.js';
import { VM_EXEC, VM_READ, VM_WRITE } from './vm-flags.js';

const lastTag = new WeakMap<Machine, number>();

/** A content tag no store on this machine has used yet. */
export function nextContentTag(m: Machine): number {
  const t = (lastTag.get(m) ?? 0) + 1;
  lastTag.set(m, t);
  return t;
}

function access(mm: Mm, addr: number, length: number, write: boolean, tag: number, out: Int32Array | null): number {
  if (length === 0) return 0;
  if (!Number.isSafeInteger(addr) || addr < 0 || !Number.isSafeInteger(length) || length < 0) return -EFAULT;
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
export function userWrite(mm: Mm, addr: number, length: number, tag: number = nextContentTag(mm.m)): number {
  return access(mm, addr, length, true, tag, null);
}

/**
 * A load from every page of [addr, addr + length): faults as needed (the zero page for
 * untouched private anonymous memory) and, when `out` is given, stores page i's content
 * tag in out[i]. Returns 0, -EFAULT or -ENOMEM.
 */
export function userRead(mm: Mm, addr: number, length: number, out: Int32Array | null = null): number {
  return access(mm, addr, length, false, 0, out);
}

/** The content tags the process sees over [addr, addr + length), or -errno. */
export function userReadTags(mm: Mm, addr: number, length: number): Int32Array | number {
  if (length <= 0) return new Int32Array(0);
  const out = new Int32Array(vpnOf(addr + length - 1) - vpnOf(addr) + 1);
  const ret = userRead(mm, addr, length, out);
  return ret < 0 ? ret : out;
}
