/**
 * The GUP walk at scale: pin and release 1 GiB of private anonymous memory through
 * pinUserPagesFast + unpinUserPages, backed by order-0 folios, by PTE-mapped 64 KiB
 * folios (order 4) and by PMD-mapped THPs, side by side in one run. Pin, release and
 * the pair are timed as separate tasks; the memory is faulted in beforehand (untimed),
 * so every pin is GUP-fast's lockless walk. The kernel's walk is O(folios) for PMD
 * leaves (one grab per leaf) while the page array still gets one entry per page and
 * unpin_user_pages still reads every entry; as in C, those entries are written and
 * compared at memcpy speed (src/mm/pfn-sequence.ts), so per page only a memcpy's
 * worth of work is left, and per folio the walk step and its atomics.
 *
 * Beside it, the same walk (gupFastFallback) into a sink that keeps one run per step
 * (folio, pages) and releases each run with one unpin_user_folio, as the folio/bio_vec
 * proposals will: there nothing is O(pages) for PMD-mapped memory.
 */
import {
  gupFastFallback,
  unpinUserFolio,
  FOLL_PIN,
  type GupSink,
  createMachine,
  createMm,
  mmap,
  pinUserPagesFast,
  unpinUserPages,
  FOLL_WRITE,
  MAP_ANONYMOUS,
  MAP_POPULATE,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  type Machine,
  type Mm,
} from '../src/index.js';
import { runSuite, type SuiteResult, type SuiteTask } from './suite.js';

const GIB = 1024 * 1024 * 1024;
const GIB_PAGES = GIB / 4096;

interface Layout {
  readonly label: string;
  readonly m: Machine;
  readonly mm: Mm;
  readonly addr: number;
  readonly pages: Int32Array;
  pinned: number;
}

function layout(label: string, order: number): Layout {
  const m = createMachine({ memoryBytes: GIB + 256 * 1024 * 1024 });
  const mm = createMm(m);
  const addr = mmap(mm, {
    length: GIB,
    prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
    order,
  });
  if (addr < 0) throw new Error(`mmap failed: ${addr}`);
  return { label, m, mm, addr, pages: new Int32Array(GIB_PAGES), pinned: 0 };
}

function pin(l: Layout): void {
  const n = pinUserPagesFast(l.mm, l.addr, GIB_PAGES, FOLL_WRITE, l.pages);
  if (n !== GIB_PAGES) throw new Error(`${l.label}: pinned ${n} of ${GIB_PAGES}`);
  l.pinned = n;
}

function release(l: Layout): void {
  unpinUserPages(l.m, l.pages, l.pinned);
  l.pinned = 0;
}

function releaseIfPinned(l: Layout): void {
  if (l.pinned !== 0) release(l);
}

/** A sink keeping (folio, pages) runs in typed arrays: one entry per walk step. */
class RunSink implements GupSink {
  readonly folios = new Int32Array(GIB_PAGES);
  readonly counts = new Int32Array(GIB_PAGES);
  nr = 0;
  room(_folio: number, _page: number, nr: number): number {
    return nr;
  }
  add(folio: number, _page: number, nr: number): void {
    this.folios[this.nr] = folio;
    this.counts[this.nr++] = nr;
  }
  rollback(): void {
    throw new Error('the bench pins no long-term memory');
  }
}

function pinRuns(l: Layout, sink: RunSink): void {
  sink.nr = 0;
  const n = gupFastFallback(l.mm, l.addr, GIB_PAGES, FOLL_PIN | FOLL_WRITE, sink);
  if (n !== GIB_PAGES) throw new Error(`${l.label}: pinned ${n} of ${GIB_PAGES}`);
}

function releaseRuns(l: Layout, sink: RunSink): void {
  for (let i = 0; i < sink.nr; i++) unpinUserFolio(l.m, sink.folios[i]!, sink.counts[i]!);
  sink.nr = 0;
}

/** Builds the three layouts, runs the suite, prints the table and the ratios. */
export default async function walkBench(): Promise<SuiteResult> {
  const layouts = [layout('order-0', 0), layout('64K mTHP', 4), layout('PMD THP', 9)];
  const tasks: SuiteTask[] = [];
  const runs = new RunSink();
  for (const l of layouts) {
    tasks.push({ name: `pin+release ${l.label}`, fn: () => (pin(l), release(l)) });
    tasks.push({ name: `pin ${l.label}`, fn: () => pin(l), beforeEach: () => releaseIfPinned(l) });
    tasks.push({ name: `release ${l.label}`, fn: () => release(l), beforeEach: () => (releaseIfPinned(l), pin(l)) });
  }
  for (const l of [layouts[0]!, layouts[2]!])
    tasks.push({ name: `runs pin+release ${l.label}`, fn: () => (pinRuns(l, runs), releaseRuns(l, runs)) });
  const result = await runSuite('GUP walk: pinUserPagesFast + unpinUserPages, 1 GiB', tasks, [
    ['pin+release order-0', 'pin+release PMD THP'],
    ['pin+release order-0', 'pin+release 64K mTHP'],
    ['pin+release 64K mTHP', 'pin+release PMD THP'],
    ['pin order-0', 'pin PMD THP'],
    ['release order-0', 'release PMD THP'],
    ['runs pin+release order-0', 'runs pin+release PMD THP'],
  ]);
  for (const l of layouts) {
    releaseIfPinned(l);
    if (l.m.stat.nrFollPinAcquired !== l.m.stat.nrFollPinReleased) throw new Error(`${l.label}: bench left pins unbalanced`);
  }
  const pageArray = result.ratios[0]!.ratio;
  const walk = result.ratios[5]!.ratio;
  console.log(`order-0 / PMD THP, page array: ${pageArray.toFixed(1)}x; walk into a run sink: ${walk.toFixed(1)}x (target >= 50x)`);
  return result;
}
