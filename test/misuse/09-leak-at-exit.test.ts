/**
 * Catalogue 09: pins still held when the process's address space is torn down.
 *
 * An RDMA-style driver registers a user buffer with a long-term pin and drops the pins
 * when the registration is destroyed. If the process exits first (or the driver forgets
 * the deregistration), exit_mmap() unmaps the buffer while the pins hold its pages: as
 * in the kernel, the pages stay allocated, with their data, until the last pin goes;
 * nothing is freed under the device. But nr_foll_pin_acquired now runs ahead of
 * nr_foll_pin_released for as long as the driver keeps them, which is a leak unless the
 * driver releases them from its own teardown.
 *
 * The checked machine reports it at exit_mmap, after the teardown, with the pages and
 * the call that pinned them.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  exitMmap,
  pageAllocated,
  pinUserPages,
  unpinUserPagesDirtyLock,
  vmstat,
  type Machine,
  type Mm,
} from '../../src/index.js';
import { KIB, at, expectMisuse, userBuffer } from './driver-world.js';

interface MemoryRegion {
  readonly pages: Int32Array;
  readonly nr: number;
}

function registerMr(mm: Mm, addr: number, nrPages: number): MemoryRegion | number {
  const pages = new Int32Array(nrPages);
  const ret = pinUserPages(mm, addr, nrPages, FOLL_LONGTERM | FOLL_WRITE, pages);
  if (ret < 0) return ret;
  return { pages, nr: ret };
}

function deregisterMr(m: Machine, mr: MemoryRegion): void {
  unpinUserPagesDirtyLock(m, mr.pages, mr.nr, true);
}

describe('09 pins left when the mm is torn down', () => {
  it('wrong: exit_mmap reports the pins; the pages outlive the mm until the late unpin', () => {
    const { m, mm, addr } = userBuffer(8 * KIB); // PFNs 1, 2
    const mr = registerMr(mm, addr, 2) as MemoryRegion;
    const free = vmstat(m).nrFreePages;
    const e = expectMisuse('pin-outlives-mm', () => exitMmap(mm)); // the process exits first
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(
      `exit_mmap: mm ${mm.id} is torn down while 2 pin(s) or reference(s) its GUP calls took are still held (the pages stay allocated until they are released):`,
    );
    expect(lines[1]).toMatch(/^ {2}2 pin\(s\) taken by pin_user_pages\(\) at test\/misuse\/09-leak-at-exit\.test\.ts:\d+:\d+ on mm \d+: pages 1-2 \(folios 1-2\)$/);
    expect(lines[1]).toMatch(at('pin_user_pages', '09-leak-at-exit.test.ts'));
    // The teardown happened: no mapping is left, but the pinned pages and their data are.
    expect(mm.live).toBe(false);
    expect([pageAllocated(m, 1), pageAllocated(m, 2)]).toEqual([true, true]);
    expect([m.refcount[1], m.refcount[2]]).toEqual([1024, 1024]); // the pin bias only
    expect([m.content[1], m.content[2]]).toEqual([1, 1]);
    expect(vmstat(m).nrFreePages).toBe(free);
    deregisterMr(m, mr); // the driver's own teardown, late: now the pages go
    expect([pageAllocated(m, 1), pageAllocated(m, 2)]).toEqual([false, false]);
    expect(vmstat(m).nrFreePages).toBe(free + 2);
  });

  it('right: the registration is destroyed before the process exits', () => {
    const { m, mm, addr } = userBuffer(8 * KIB);
    const mr = registerMr(mm, addr, 2) as MemoryRegion;
    const free = vmstat(m).nrFreePages;
    deregisterMr(m, mr);
    exitMmap(mm);
    expect(vmstat(m).nrFreePages).toBe(free + 2);
  });
});
