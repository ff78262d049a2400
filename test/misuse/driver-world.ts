/**
 * What every program of the misuse catalogue starts from: a pin-checked machine, a
 * process (mm) and a user buffer at BASE whose pages are faulted in with data, the way
 * a buffer handed to a driver by read(2)/write(2) or an ioctl looks. The allocator is
 * next-fit from PFN 1, so the buffer's pages are PFNs 1, 2, 3, ... (order-0), or the
 * first naturally aligned PFN for large folios (order 4: PFN 16; order 9: PFN 512); CMA
 * buffers start at PFN 14336 (64 MiB machine with 8 MiB of CMA at its top).
 *
 * Also: `expectMisuse`, which runs a program that must break a rule and returns the
 * PinMisuse, and `releaseLeftovers`, which drops what a caught misuse left held (with
 * the right API) so the end-of-test balance check sees a clean machine.
 */
import { expect } from 'vitest';
import {
  PinMisuse,
  pinLeaks,
  putPage,
  unpinUserFolio,
  unpinUserPage,
  userWrite,
  type Machine,
  type Mm,
  type PinRuleId,
  type ZoneName,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

export { BASE, KIB, MIB };

export interface UserBuffer {
  readonly m: Machine;
  readonly mm: Mm;
  /** The buffer's user address (BASE). */
  readonly addr: number;
  readonly bytes: number;
}

export interface BufferOptions {
  /** Folio order the faults allocate (default 0). */
  readonly order?: number;
  /** Where the buffer's memory comes from (default normal; 'cma' adds an 8 MiB CMA area). */
  readonly zone?: ZoneName;
  /** Map this many bytes but fault in only `present` of them (default all). */
  readonly present?: number;
}

/** A process with a `bytes`-long anonymous buffer at BASE, written with data tag 1. */
export function userBuffer(bytes: number, o: BufferOptions = {}): UserBuffer {
  const { m, mm } = world(o.zone === 'cma' ? { cmaBytes: 8 * MIB } : {});
  mapAt(mm, BASE, bytes, { order: o.order ?? 0, zone: o.zone ?? 'normal' });
  const present = o.present ?? bytes;
  if (present > 0) expect(userWrite(mm, BASE, present, 1)).toBe(0);
  return { m, mm, addr: BASE, bytes };
}

/** Runs `program`, which must throw a PinMisuse for `rule`; returns it. */
export function expectMisuse(rule: PinRuleId, program: () => unknown): PinMisuse {
  let caught: unknown = null;
  try {
    program();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PinMisuse);
  const misuse = caught as PinMisuse;
  expect(misuse.rule).toBe(rule);
  return misuse;
}

/**
 * Releases every pin and FOLL_GET reference the checker still sees on `m`, each with
 * its own API, and returns how many pins and references there were.
 */
export function releaseLeftovers(m: Machine): { pins: number; gets: number } {
  const c = m.checker!;
  let pins = 0;
  let gets = 0;
  for (const leak of pinLeaks(c)) {
    for (const p of leak.pages) {
      if (leak.kind === 'pin' && leak.site === 0) {
        const n = c.folioPins[p]! - c.annPins[p]!;
        unpinUserFolio(m, p, n);
        pins += n;
      } else if (leak.kind === 'pin') {
        for (let k = c.pagePins[p]!; k > 0; k--, pins++) unpinUserPage(m, p);
      } else {
        const n = leak.site === 0 ? c.folioGets[p]! - c.annGets[p]! : c.pageGets[p]!;
        for (let k = n; k > 0; k--, gets++) putPage(m, p);
      }
    }
  }
  return { pins, gets };
}

/** Matches the "called at"/"taken by" text of a line in this catalogue file: `<api>() at test/misuse/<file>:L:C`. */
export function at(api: string, file: string): RegExp {
  return new RegExp(`${api.replace(/[()]/g, '\\$&')}\\(\\) at test/misuse/${file.replace(/\./g, '\\.')}:\\d+:\\d+`);
}
