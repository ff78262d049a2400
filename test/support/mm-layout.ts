/**
 * Address-space fixtures for worked examples: a machine with one mm, and mappings at
 * fixed, hand-picked addresses so expected PFNs and page-table paths can be worked out
 * by hand. The allocator is next-fit from PFN 1 in ZONE_NORMAL, so the first folios a
 * test faults in have predictable PFNs.
 */
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PSE,
  _PAGE_RW,
  createMm,
  fork,
  mmap,
  type Backing,
  type MmFile,
  type Machine,
  type MachineOptions,
  type Mm,
  type ZoneName,
} from '../../src/index.js';
import { newMachine } from './machines.js';

/** The bits of a huge leaf (PMD or PUD) a fault installs read-only: present, huge, young. */
export const LEAF_RO = _PAGE_PRESENT | _PAGE_PSE | _PAGE_ACCESSED;
/** The same leaf writable and dirty. */
export const LEAF_RW = LEAF_RO | _PAGE_RW | _PAGE_DIRTY;

/** A 1 GiB-aligned user address: PGD/PUD/PMD indices are easy to work out from it. */
export const BASE = 0x40000000;
export const KIB = 1024;
export const MIB = 1024 * 1024;

export interface World {
  readonly m: Machine;
  readonly mm: Mm;
}

/** A tracked machine (64 MiB unless told) and an empty mm on it. */
export function world(opts: MachineOptions = {}): World {
  const m = newMachine(opts);
  return { m, mm: createMm(m) };
}

export interface MapOptions {
  readonly shared?: boolean;
  readonly prot?: number;
  readonly order?: number;
  readonly zone?: ZoneName;
  readonly backing?: Backing;
  readonly populate?: boolean;
  /** Map this file (createFile) at `offset` bytes instead of a new backing. */
  readonly file?: MmFile;
  readonly offset?: number;
}

/** mmap(MAP_FIXED) of `bytes` at `addr`; throws if mmap fails (fixtures must not). */
export function mapAt(mm: Mm, addr: number, bytes: number, o: MapOptions = {}): number {
  const flags =
    (o.shared === true ? MAP_SHARED : MAP_PRIVATE) |
    MAP_FIXED |
    (o.file === undefined && (o.backing === undefined || o.backing === 'anon') ? MAP_ANONYMOUS : 0) |
    (o.populate === true ? MAP_POPULATE : 0);
  const ret = mmap(mm, {
    addr,
    length: bytes,
    prot: o.prot ?? PROT_READ | PROT_WRITE,
    flags,
    order: o.order ?? 0,
    zone: o.zone ?? 'normal',
    ...(o.file === undefined ? { backing: o.backing ?? 'anon' } : { file: o.file, offset: o.offset ?? 0 }),
  });
  if (ret !== addr) throw new Error(`fixture mmap at ${addr.toString(16)} failed: ${ret}`);
  return ret;
}

/** fork(mm)'s child; throws if fork fails (fixtures must not). */
export function forked(mm: Mm): Mm {
  const child = fork(mm);
  if (typeof child === 'number') throw new Error(`fork: ${child}`);
  return child;
}
