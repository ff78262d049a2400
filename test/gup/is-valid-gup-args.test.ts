/**
 * is_valid_gup_args, rule by rule (mm/gup.c, v6.16+). Each row gives the caller's
 * arguments, the flags the kernel goes on with (or false, here -1) and the WARN it
 * prints, worked by hand from the function:
 *
 *   if (WARN_ON_ONCE(gup_flags & INTERNAL_GUP_FLAGS)) return false;
 *   gup_flags |= to_set;
 *   if (locked) {
 *       if (WARN_ON_ONCE(*locked != 1)) return false;
 *       gup_flags |= FOLL_UNLOCKABLE;
 *   }
 *   if (WARN_ON_ONCE((gup_flags & (FOLL_PIN | FOLL_GET)) == (FOLL_PIN | FOLL_GET))) return false;
 *   if (WARN_ON_ONCE(!(gup_flags & FOLL_PIN) && (gup_flags & FOLL_LONGTERM))) return false;
 *   if (WARN_ON_ONCE((gup_flags & (FOLL_GET | FOLL_PIN)) && !pages)) return false;
 *   if (WARN_ON_ONCE((gup_flags & FOLL_LONGTERM) && (gup_flags & FOLL_PCI_P2PDMA))) return false;
 *
 * The model adds one refusal the kernel does not have: a FOLL_* bit the kernel leaves
 * undefined (the kernel ignores it), so that a typo cannot pass silently.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLL_FAST_ONLY,
  FOLL_FORCE,
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_MADV_POPULATE,
  FOLL_PCI_P2PDMA,
  FOLL_PIN,
  FOLL_REMOTE,
  FOLL_TOUCH,
  FOLL_TRIED,
  FOLL_UNLOCKABLE,
  FOLL_WRITE,
  createMachine,
  isValidGupArgs,
} from '../../src/index.js';

const INTERNAL = 'is_valid_gup_args: internal FOLL_* flag from the caller';
const LOCKED = 'is_valid_gup_args: *locked != 1';
const GET_AND_PIN = 'is_valid_gup_args: FOLL_GET and FOLL_PIN';
const LONGTERM_UNPINNED = 'is_valid_gup_args: FOLL_LONGTERM without FOLL_PIN';
const NO_PAGES = 'is_valid_gup_args: FOLL_GET/FOLL_PIN without pages';
const LONGTERM_P2PDMA = 'is_valid_gup_args: FOLL_LONGTERM with FOLL_PCI_P2PDMA';
const UNDEFINED = 'is_valid_gup_args: a FOLL_* bit the kernel does not define (refused by the model only)';

interface Row {
  readonly what: string;
  readonly hasPages: boolean;
  readonly locked: number | null;
  readonly gupFlags: number;
  readonly toSet: number;
  readonly flags: number;
  readonly warning?: string;
}

const rows: readonly Row[] = [
  // Accepted: to_set is added, and FOLL_UNLOCKABLE exactly when locked is given.
  { what: 'pin_user_pages: FOLL_WRITE, to_set FOLL_PIN', hasPages: true, locked: null, gupFlags: FOLL_WRITE, toSet: FOLL_PIN, flags: FOLL_WRITE | FOLL_PIN },
  { what: 'pin_user_pages_remote with *locked == 1: FOLL_UNLOCKABLE added', hasPages: true, locked: 1, gupFlags: FOLL_WRITE, toSet: FOLL_PIN | FOLL_REMOTE, flags: FOLL_WRITE | FOLL_PIN | FOLL_REMOTE | FOLL_UNLOCKABLE },
  { what: 'get_user_pages_unlocked: FOLL_GET from the caller, locked', hasPages: true, locked: 1, gupFlags: FOLL_GET | FOLL_FORCE, toSet: FOLL_TOUCH, flags: FOLL_GET | FOLL_FORCE | FOLL_TOUCH | FOLL_UNLOCKABLE },
  { what: 'no pages and neither GET nor PIN (fault-in only)', hasPages: false, locked: null, gupFlags: FOLL_WRITE, toSet: 0, flags: FOLL_WRITE },
  { what: 'FOLL_LONGTERM with FOLL_PIN from to_set', hasPages: true, locked: null, gupFlags: FOLL_LONGTERM, toSet: FOLL_PIN, flags: FOLL_LONGTERM | FOLL_PIN },
  { what: 'FOLL_PCI_P2PDMA without FOLL_LONGTERM', hasPages: true, locked: null, gupFlags: FOLL_PCI_P2PDMA, toSet: FOLL_PIN, flags: FOLL_PCI_P2PDMA | FOLL_PIN },
  { what: 'to_set may carry internal flags (gup_fast_fallback sets FOLL_FAST_ONLY)', hasPages: true, locked: null, gupFlags: 0, toSet: FOLL_GET | FOLL_FAST_ONLY, flags: FOLL_GET | FOLL_FAST_ONLY },
  { what: 'no flags at all, no pages', hasPages: false, locked: null, gupFlags: 0, toSet: 0, flags: 0 },

  // Refused, each with its WARN.
  { what: 'FOLL_PIN from the caller (internal)', hasPages: true, locked: null, gupFlags: FOLL_PIN, toSet: 0, flags: -1, warning: INTERNAL },
  { what: 'FOLL_TOUCH from the caller', hasPages: true, locked: null, gupFlags: FOLL_TOUCH, toSet: FOLL_PIN, flags: -1, warning: INTERNAL },
  { what: 'FOLL_TRIED from the caller', hasPages: true, locked: null, gupFlags: FOLL_TRIED, toSet: FOLL_PIN, flags: -1, warning: INTERNAL },
  { what: 'FOLL_REMOTE from the caller', hasPages: true, locked: null, gupFlags: FOLL_REMOTE, toSet: FOLL_PIN, flags: -1, warning: INTERNAL },
  { what: 'FOLL_FAST_ONLY from the caller', hasPages: true, locked: null, gupFlags: FOLL_FAST_ONLY, toSet: FOLL_PIN, flags: -1, warning: INTERNAL },
  { what: 'FOLL_UNLOCKABLE from the caller', hasPages: true, locked: 1, gupFlags: FOLL_UNLOCKABLE, toSet: FOLL_PIN, flags: -1, warning: INTERNAL },
  { what: 'FOLL_MADV_POPULATE from the caller', hasPages: false, locked: null, gupFlags: FOLL_MADV_POPULATE, toSet: 0, flags: -1, warning: INTERNAL },
  { what: '*locked == 0', hasPages: true, locked: 0, gupFlags: 0, toSet: FOLL_PIN, flags: -1, warning: LOCKED },
  { what: '*locked == 2', hasPages: true, locked: 2, gupFlags: 0, toSet: FOLL_PIN, flags: -1, warning: LOCKED },
  { what: '*locked == -1', hasPages: true, locked: -1, gupFlags: FOLL_GET, toSet: 0, flags: -1, warning: LOCKED },
  { what: 'FOLL_GET from the caller, FOLL_PIN from to_set', hasPages: true, locked: null, gupFlags: FOLL_GET, toSet: FOLL_PIN, flags: -1, warning: GET_AND_PIN },
  { what: 'FOLL_GET and FOLL_PIN, after a good *locked', hasPages: true, locked: 1, gupFlags: FOLL_GET, toSet: FOLL_PIN, flags: -1, warning: GET_AND_PIN },
  { what: 'FOLL_LONGTERM with FOLL_GET', hasPages: true, locked: null, gupFlags: FOLL_LONGTERM | FOLL_GET, toSet: 0, flags: -1, warning: LONGTERM_UNPINNED },
  { what: 'FOLL_LONGTERM alone', hasPages: false, locked: null, gupFlags: FOLL_LONGTERM, toSet: 0, flags: -1, warning: LONGTERM_UNPINNED },
  { what: 'FOLL_PIN without a page array', hasPages: false, locked: null, gupFlags: 0, toSet: FOLL_PIN, flags: -1, warning: NO_PAGES },
  { what: 'FOLL_GET without a page array', hasPages: false, locked: 1, gupFlags: FOLL_GET, toSet: 0, flags: -1, warning: NO_PAGES },
  { what: 'FOLL_LONGTERM with FOLL_PCI_P2PDMA', hasPages: true, locked: null, gupFlags: FOLL_LONGTERM | FOLL_PCI_P2PDMA, toSet: FOLL_PIN, flags: -1, warning: LONGTERM_P2PDMA },
  { what: 'an undefined bit (13)', hasPages: true, locked: null, gupFlags: 1 << 13, toSet: FOLL_PIN, flags: -1, warning: UNDEFINED },
  { what: 'an undefined bit (31) beside good ones', hasPages: true, locked: 1, gupFlags: FOLL_WRITE + 2 ** 31, toSet: FOLL_PIN, flags: -1, warning: UNDEFINED },
];

describe('is_valid_gup_args', () => {
  for (const row of rows) {
    it(`${row.what}: ${row.flags === -1 ? 'false' : `0x${row.flags.toString(16)}`}`, () => {
      const m = createMachine({ memoryBytes: 4 * 1024 * 1024 });
      expect(isValidGupArgs(m, row.hasPages, row.locked, row.gupFlags, row.toSet)).toBe(row.flags);
      expect(m.warnings).toEqual(row.warning === undefined ? [] : [row.warning]);
    });
  }
});
