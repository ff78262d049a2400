/**
 * The state of one GUP call as it moves through mm/gup.c: the flags, the output sink,
 * what `follow_page_mask` reports back (`page_mask` and the pages granted for the
 * step), whether the sink stopped the walk, and, for FOLL_LONGTERM, the folios the
 * slow path pinned that `check_and_migrate_movable_pages` will have to migrate.
 *
 * Not a kernel structure: the kernel keeps these in locals and in pages[]; the model
 * gathers them so the walk stays sink-agnostic. One is made per call, never in a loop.
 * Its constructor refuses (ArgumentError) a flag word that is no FOLL_* word and a
 * `hasPages` that is no boolean; noteUnpinnable a folio outside the memmap.
 */
import type { Machine } from '../mm/machine.js';
import type { Mm } from '../mm/mm.js';
import type { GupSink } from './gup-sink.js';
import { CheckedSink } from './checked-sink.js';
import { checkBool, checkFolio } from '../mm/arg-check.js';
import { checkFollWord } from './gup-arg-types.js';

/** `follow_page_mask` found nothing mapped (NULL): fault and retry. */
export const FOLLOW_NO_PAGE = -0x10000;
/** The sink had no room: stop the walk. */
export const FOLLOW_SINK_FULL = -0x10001;

export class GupWalk {
  readonly m: Machine;
  /** `page_mask` of the last follow: 0 for a PTE, HPAGE_PMD_NR-1 / HPAGE_PUD_NR-1 for leaves. */
  pageMask = 0;
  /** Pages the sink granted for the last followed page (1..page_increm). */
  increm = 1;
  /** The sink returned 0 from room(). */
  sinkFull = false;
  /** Folios pinned in this attempt that are not long-term pinnable (may repeat). */
  unpinnable = new Int32Array(8);
  nrUnpinnable = 0;
  /** The caller's sink; on a checked machine, wrapped so the checker sees what is handed out. */
  readonly sink: GupSink;

  constructor(
    readonly mm: Mm,
    public flags: number,
    sink: GupSink,
    /** Whether the caller passed a page array / sink (the kernel's `pages != NULL`). */
    readonly hasPages: boolean,
  ) {
    checkFollWord('GupWalk', flags);
    checkBool('GupWalk', 'hasPages', hasPages);
    this.m = mm.m;
    this.sink = mm.m.checker === null ? sink : new CheckedSink(mm.m.checker, this, sink);
  }

  /** Remembers a pinned folio that FOLL_LONGTERM may not keep. */
  noteUnpinnable(folio: number): void {
    checkFolio(this.m, 'GupWalk.noteUnpinnable', 'folio', folio);
    if (this.nrUnpinnable === this.unpinnable.length) {
      const grown = new Int32Array(this.unpinnable.length * 2);
      grown.set(this.unpinnable);
      this.unpinnable = grown;
    }
    this.unpinnable[this.nrUnpinnable++] = folio;
  }
}
