/**
 * The gup_test selftest's modes as a matrix (tools/testing/selftests/mm/gup_test.c and
 * mm/gup_test.c __gup_test_ioctl): THP on/off or hugetlb, MAP_PRIVATE or MAP_SHARED,
 * FOLL_WRITE or not, GET / PIN / PIN|LONGTERM, fast or slow entry, nr_pages_per_call 1,
 * 123, 512 and all. Like the selftest, the range is prefaulted by writing every page;
 * like the kernel test, the range is walked in chunks until a short chunk, every page
 * must be taken exactly once (verify_dma_pinned: pinned; LONGTERM: long-term
 * pinnable), and put_back_pages releases them (put_page or unpin_user_pages).
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  folioIsLongtermPinnable,
  folioMaybeDmaPinned,
  getUserPages,
  getUserPagesFast,
  pageAt,
  pageFolio,
  pinUserPages,
  pinUserPagesFast,
  releasePages,
  unpinUserPages,
  userWrite,
  vpnOf,
  type Backing,
  type Mm,
  type PageArrayOut,
} from '../../src/index.js';
import { BASE, MIB, mapAt, world } from '../support/mm-layout.js';

const SIZE = 4 * MIB;
const NR_PAGES = SIZE / 4096;

type Mode = 'THP off' | 'THP on' | 'hugetlb';
type Cmd = 'GUP' | 'PIN' | 'PIN_LONGTERM';
type Api = (mm: Mm, start: number, nr: number, flags: number, pages: PageArrayOut | null) => number;

function api(cmd: Cmd, fast: boolean): Api {
  if (cmd === 'GUP') return fast ? getUserPagesFast : getUserPages;
  return fast ? pinUserPagesFast : pinUserPages;
}

/** __gup_test_ioctl's loop: chunks of nr_pages_per_call until a short one. Returns pages taken. */
function gupTestLoop(mm: Mm, call: Api, flags: number, perCall: number, pages: Int32Array): number {
  let i = 0;
  let nr = perCall;
  for (let addr = BASE; addr < BASE + SIZE; ) {
    if (nr !== perCall) break;
    let next = addr + nr * 4096;
    if (next > BASE + SIZE) {
      next = BASE + SIZE;
      nr = (next - addr) / 4096;
    }
    nr = call(mm, addr, nr, flags, pages.subarray(i));
    if (nr <= 0) break;
    i += nr;
    addr = next;
  }
  return i;
}

const modes: Mode[] = ['THP off', 'THP on', 'hugetlb'];
const cases: [Mode, boolean, boolean, Cmd, boolean, number][] = [];
for (const mode of modes)
  for (const shared of [false, true])
    for (const write of [true, false])
      for (const cmd of ['GUP', 'PIN', 'PIN_LONGTERM'] as Cmd[])
        for (const fast of [true, false]) for (const perCall of [1, 123, 512, NR_PAGES]) cases.push([mode, shared, write, cmd, fast, perCall]);

describe('gup_test matrix: every page taken once, released', () => {
  it.each(cases)('%s shared=%s write=%s %s fast=%s nr_pages_per_call=%i', (mode, shared, write, cmd, fast, perCall) => {
    const { m, mm } = world();
    const backing: Backing = mode === 'hugetlb' ? 'hugetlb-2m' : shared ? 'shmem' : 'anon';
    mapAt(mm, BASE, SIZE, { shared, backing, order: mode === 'THP on' ? 9 : 0 });
    expect(userWrite(mm, BASE, SIZE)).toBe(0);
    const refBefore = m.refcount.slice();
    const flags = (write ? FOLL_WRITE : 0) | (cmd === 'PIN_LONGTERM' ? FOLL_LONGTERM : 0);
    const pages = new Int32Array(NR_PAGES);
    const taken = gupTestLoop(mm, api(cmd, fast), flags, perCall, pages);
    expect(taken).toBe(NR_PAGES);
    const perFolio = new Map<number, number>();
    for (let i = 0; i < NR_PAGES; i++) {
      if (pages[i] !== pageAt(mm.pt, vpnOf(BASE) + i)) expect.fail(`page ${i}: ${pages[i]} is not what the page tables map`);
      const f = pageFolio(m, pages[i]!);
      perFolio.set(f, (perFolio.get(f) ?? 0) + 1);
    }
    for (const [f, count] of perFolio) {
      // verify_dma_pinned
      if (cmd !== 'GUP') expect(folioMaybeDmaPinned(m, f)).toBe(true);
      if (cmd === 'PIN_LONGTERM') expect(folioIsLongtermPinnable(m, f)).toBe(true);
      const large = m.order[f]! > 0;
      const added = cmd === 'GUP' ? count : large ? count : count * GUP_PIN_COUNTING_BIAS;
      expect(m.refcount[f]! - refBefore[f]!).toBe(added);
      expect(m.pincount[f]).toBe(cmd !== 'GUP' && large ? count : 0);
    }
    if (cmd === 'GUP') releasePages(m, pages, NR_PAGES);
    else unpinUserPages(m, pages, NR_PAGES);
    for (const f of perFolio.keys()) expect(m.refcount[f]).toBe(refBefore[f]);
    expect(m.stat.nrFollPinReleased).toBe(m.stat.nrFollPinAcquired);
  });
});
