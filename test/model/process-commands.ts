/**
 * What a process does with its memory: take a page fault, store to and load from pages,
 * fork, and exit. What the model expects:
 *  - handle_mm_fault, and a store or load through the page tables (as copy_to_user /
 *    copy_from_user would), return 0 on a mapped page and -EFAULT (SIGSEGV) on an
 *    unmapped one; -ENOMEM only when memory is short (shortage.ts). A store makes the
 *    page read its new tag in this process, and in every process mapping the same
 *    shared file page; a fault changes nothing a load can see; a load reads the model's
 *    tags.
 *  - fork(2) gives the child a copy of every private page's data and the same shared
 *    files (kernel/fork.c dup_mmap); exit_mmap tears an address space down even while
 *    its pages are pinned.
 * Arguments are raw numbers resolved against the model (model.ts pickLive, pickSlot).
 */
import { fc } from '@fast-check/vitest';
import { EFAULT, ENOMEM, PinMisuse, exitMmap, fork, handleMmFault, userReadTags, userWrite } from '../../src/index.js';
import { ModelCommand, ensure } from './command.js';
import { note } from './coverage.js';
import {
  MAX_MMS,
  P,
  expectedTag,
  forkSlot,
  isMapped,
  liveMms,
  pickLive,
  pickSlot,
  setTag,
  slotBase,
  slotPages,
  type Model,
  type Real,
} from './model.js';
import { enomemAccepted, memoryShort } from './shortage.js';

export const pageArgs = fc.record({ mm: fc.nat(), slot: fc.nat(), page: fc.nat(), write: fc.boolean() });

export class FaultCmd extends ModelCommand {
  constructor(readonly a: { readonly mm: number; readonly slot: number; readonly page: number; readonly write: boolean }) {
    super();
  }

  act(md: Model, r: Real): void {
    const i = pickLive(md, this.a.mm);
    const sl = pickSlot(md, i, this.a.slot);
    const slot = md.mms[i]!.slots[sl] ?? null;
    const index = this.a.page % slotPages(slot);
    const ret = handleMmFault(r.mms[i]!, slotBase(sl) + index * P, { write: this.a.write });
    const want = isMapped(slot, index) ? 0 : -EFAULT;
    ensure(ret === want || (want === 0 && enomemAccepted(r.m, slot?.kind ?? null, ret)), () => `fault returned ${ret}, want ${want}`);
  }

  toString(): string {
    return `fault(mm#${this.a.mm}, slot ${this.a.slot}, page ${this.a.page}, ${this.a.write ? 'write' : 'read'})`;
  }
}

export const rangeArgs = fc.record({ mm: fc.nat(), slot: fc.nat(), page: fc.nat(), n: fc.integer({ min: 1, max: 8 }) });

export class WriteCmd extends ModelCommand {
  constructor(readonly a: { readonly mm: number; readonly slot: number; readonly page: number; readonly n: number }) {
    super();
  }

  /** One store per page, each with a fresh tag, stopping at the first that faults. */
  act(md: Model, r: Real): void {
    const i = pickLive(md, this.a.mm);
    const sl = pickSlot(md, i, this.a.slot);
    const slot = md.mms[i]!.slots[sl] ?? null;
    const first = this.a.page % slotPages(slot);
    for (let x = first; x < first + this.a.n; x++) {
      const tag = md.nextTag++;
      const ret = userWrite(r.mms[i]!, slotBase(sl) + x * P, P, tag);
      if (!isMapped(slot, x)) {
        ensure(ret === -EFAULT, () => `store to unmapped page ${x} returned ${ret}`);
        return;
      }
      if (enomemAccepted(r.m, slot?.kind ?? null, ret)) return;
      ensure(ret === 0, () => `store to page ${x} returned ${ret}`);
      setTag(slot!, x, tag);
    }
  }

  toString(): string {
    return `write(mm#${this.a.mm}, slot ${this.a.slot}, page ${this.a.page}, ${this.a.n} pages)`;
  }
}

export class ReadCmd extends ModelCommand {
  constructor(readonly a: { readonly mm: number; readonly slot: number; readonly page: number; readonly n: number }) {
    super();
  }

  /** The process reads exactly the model's tags, or -EFAULT if a page is unmapped. */
  act(md: Model, r: Real): void {
    const i = pickLive(md, this.a.mm);
    const sl = pickSlot(md, i, this.a.slot);
    const slot = md.mms[i]!.slots[sl] ?? null;
    const first = this.a.page % slotPages(slot);
    const got = userReadTags(r.mms[i]!, slotBase(sl) + first * P, this.a.n * P);
    let allMapped = true;
    for (let x = first; x < first + this.a.n; x++) if (!isMapped(slot, x)) allMapped = false;
    if (typeof got === 'number') {
      ensure((!allMapped && got === -EFAULT) || enomemAccepted(r.m, slot?.kind ?? null, got), () => `load returned ${got}`);
      return;
    }
    ensure(allMapped, () => `load over an unmapped page succeeded`);
    for (let x = first; x < first + this.a.n; x++) {
      const want = expectedTag(slot!, x);
      ensure(got[x - first] === want, () => `page ${x} reads tag ${got[x - first]}, model says ${want}`);
    }
  }

  toString(): string {
    return `read(mm#${this.a.mm}, slot ${this.a.slot}, page ${this.a.page}, ${this.a.n} pages)`;
  }
}

export class ForkCmd extends ModelCommand {
  constructor(readonly mm: number) {
    super();
  }

  override check(md: Readonly<Model>): boolean {
    return liveMms(md).length < MAX_MMS;
  }

  act(md: Model, r: Real): void {
    const i = pickLive(md, this.mm);
    if (md.held.length > 0) note('fork: with pins held');
    const child = fork(r.mms[i]!);
    if (typeof child === 'number') {
      const short = md.mms[i]!.slots.some((s) => s !== null && memoryShort(r.m, s.kind, false));
      ensure(child === -ENOMEM && short, () => `fork returned ${child}`);
      return;
    }
    const parent = md.mms[i]!;
    md.mms.push({ live: true, slots: parent.slots.map((s) => (s === null ? null : forkSlot(s))), pteTables: parent.pteTables.slice() });
    r.mms.push(child);
  }

  toString(): string {
    return `fork(mm#${this.mm})`;
  }
}

export class ExitCmd extends ModelCommand {
  constructor(readonly mm: number) {
    super();
  }

  override check(md: Readonly<Model>): boolean {
    return liveMms(md).length >= 2;
  }

  act(md: Model, r: Real): void {
    const i = pickLive(md, this.mm);
    const pinned = md.held.some((h) => h.pages.some((hp) => hp.mm === i));
    if (pinned) note('exit: with pins held');
    try {
      exitMmap(r.mms[i]!);
    } catch (e) {
      // The checker names a pin that outlives its mm once the teardown is done; the
      // kernel allows it (the pages stay until the unpin), and so does the model.
      if (!(pinned && e instanceof PinMisuse && e.rule === 'pin-outlives-mm')) throw e;
    }
    md.mms[i]!.live = false;
  }

  toString(): string {
    return `exit_mmap(mm#${this.mm})`;
  }
}
