/**
 * Named address spaces and requests for the contract suite. Each `build()` makes a fresh
 * tracked machine (64 MiB unless told; next-fit allocation from PFN 1) and lays memory
 * out deterministically, so every proposal sees exactly the same world. `ret` is the
 * result every proposal must give, worked by hand (bytes, or -errno).
 */
import {
  EFAULT,
  EINVAL,
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_WRITE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
  TASK_SIZE_MAX,
  allocFolio,
  fork,
  installFolio,
  mmap,
  userReadTags,
  userWrite,
  type Machine,
  type Mm,
  type PinRequest,
} from '../../src/index.js';
import { BASE, KIB, MIB, mapAt, world } from '../support/mm-layout.js';

export interface Built {
  readonly m: Machine;
  readonly mm: Mm;
  readonly req: PinRequest;
}

export interface World {
  readonly name: string;
  /** Bytes every proposal pins, or the -errno every proposal returns. */
  readonly ret: number;
  /** The vectors, worked by hand, where the layout makes them easy to work out: (page, len, offset). */
  readonly runs?: { readonly folio: readonly (readonly [number, number, number])[]; readonly physical: readonly (readonly [number, number, number])[] };
  /** Bvecs per bio, by merge policy, when worked by hand. */
  readonly bios?: { readonly folio: readonly number[]; readonly physical: readonly number[] };
  build(): Built;
}

const P = 4096;

/** Two order-2 folios at PFNs 64 and 68 (physically adjacent) mapped at BASE. */
export function twoOrder2Folios(): { m: Machine; mm: Mm } {
  const w = world();
  mapAt(w.mm, BASE, 8 * P);
  for (const [addr, pfn] of [
    [BASE, 64],
    [BASE + 4 * P, 68],
  ] as const) {
    if (allocFolio(w.m, 2, { pfn }) !== pfn) throw new Error('fixture: allocFolio');
    if (installFolio(w.mm, addr, pfn, { writable: true }) !== 0) throw new Error('fixture: installFolio');
  }
  return w;
}

function touch(mm: Mm, addr: number, len: number): void {
  if (userWrite(mm, addr, len) !== 0) throw new Error('fixture: userWrite');
}

export const WORLDS: readonly World[] = [
  {
    name: 'two adjacent order-2 folios, aligned',
    ret: 8 * P,
    // One run per folio; PFN 67 + 1 = 68 merges physically.
    runs: { folio: [[64, 4 * P, 0], [68, 4 * P, 0]], physical: [[64, 8 * P, 0]] },
    build: () => ({ ...twoOrder2Folios(), req: { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE } }),
  },
  {
    // 100 bytes in, 100 bytes short of the end: 32768 - 200.
    name: 'two adjacent order-2 folios, unaligned both ends',
    ret: 8 * P - 200,
    runs: { folio: [[64, 4 * P - 100, 100], [68, 4 * P - 100, 0]], physical: [[64, 8 * P - 200, 100]] },
    build: () => ({ ...twoOrder2Folios(), req: { start: BASE + 100, length: 8 * P - 200, gupFlags: FOLL_WRITE } }),
  },
  {
    name: 'two PMD-mapped THPs, starting 1 MiB + 10 in',
    ret: 2 * MIB,
    // Next-fit places the order-9 folios at 512 and 1024; page 256 of the first is 768.
    runs: { folio: [[768, MIB - 10, 10], [1024, MIB + 10, 0]], physical: [[768, 2 * MIB, 10]] },
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 4 * MIB, { order: 9, populate: true });
      return { ...w, req: { start: BASE + MIB + 10, length: 2 * MIB, gupFlags: FOLL_WRITE } };
    },
  },
  {
    name: 'hugetlb 2 MiB pages, long-term',
    ret: 4 * MIB,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 4 * MIB, { backing: 'hugetlb-2m', populate: true });
      return { ...w, req: { start: BASE, length: 4 * MIB, gupFlags: FOLL_WRITE | FOLL_LONGTERM } };
    },
  },
  {
    // Nothing present: GUP-fast takes nothing and the slow path faults order-4 folios in.
    name: 'unfaulted anonymous memory, order-4 policy, write pin',
    ret: 200_000,
    // Faults allocate order-4 folios at 16, 32, 48, 64 (next-fit from 1, aligned to 16);
    // the request starts 7 bytes into page 3 of the first: 13 * 4096 - 7 = 53241 bytes,
    // then 65536, 65536 and 200000 - 53241 - 131072 = 15687.
    runs: {
      folio: [[19, 53241, 7], [32, 16 * P, 0], [48, 16 * P, 0], [64, 15687, 0]],
      physical: [[19, 200_000, 7]],
    },
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 256 * KIB, { order: 4 });
      return { ...w, req: { start: BASE + 3 * P + 7, length: 200_000, gupFlags: FOLL_WRITE } };
    },
  },
  {
    // Read faults map the zero page; a read pin of it takes no pin at all.
    name: 'read pin of untouched private anonymous memory (the zero page)',
    ret: 8 * P - 1,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 8 * P);
      return { ...w, req: { start: BASE + 1, length: 8 * P - 1, gupFlags: 0 } };
    },
  },
  {
    // After fork every page is shared: a write pin breaks COW page by page.
    name: 'forked order-4 folio, write pin (COW copies)',
    ret: 12 * P,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 16 * P, { order: 4 });
      touch(w.mm, BASE, 16 * P);
      if (typeof fork(w.mm) === 'number') throw new Error('fixture: fork');
      return { ...w, req: { start: BASE + 2 * P, length: 12 * P, gupFlags: FOLL_WRITE } };
    },
  },
  {
    // A read pin of a page that is not exclusive unshares it first (gup_must_unshare).
    name: 'forked memory, read pin (unshare faults)',
    ret: 6 * P,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 8 * P, { order: 2 });
      touch(w.mm, BASE, 8 * P);
      if (typeof fork(w.mm) === 'number') throw new Error('fixture: fork');
      return { ...w, req: { start: BASE + P, length: 6 * P, gupFlags: 0 } };
    },
  },
  {
    // get_contig_folio_len's case: one page COWed in the middle of a large folio.
    name: 'private ext4 mapping, order-4 page cache folio, page 5 COWed',
    ret: 16 * P,
    // Page cache folio 16..31; the COW copy of page 5 is PFN 32: 5 pages, 1, 10.
    runs: {
      folio: [[16, 5 * P, 0], [32, P, 0], [22, 10 * P, 0]],
      physical: [[16, 5 * P, 0], [32, P, 0], [22, 10 * P, 0]],
    },
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 16 * P, { backing: 'ext4', order: 4 });
      if (typeof userReadTags(w.mm, BASE, 16 * P) === 'number') throw new Error('fixture: read');
      touch(w.mm, BASE + 5 * P, P);
      return { ...w, req: { start: BASE, length: 16 * P, gupFlags: 0 } };
    },
  },
  {
    name: 'a hole partway: 8 pages, 4 unmapped, 8 pages',
    ret: 8 * P - 300,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 8 * P, { populate: true });
      mapAt(w.mm, BASE + 12 * P, 8 * P, { populate: true });
      return { ...w, req: { start: BASE + 300, length: 20 * P - 300, gupFlags: FOLL_WRITE } };
    },
  },
  {
    name: 'a hole at the start',
    ret: -EFAULT,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE + 4 * P, 8 * P, { populate: true });
      return { ...w, req: { start: BASE, length: 12 * P, gupFlags: FOLL_WRITE } };
    },
  },
  {
    name: 'write pin of a read-only mapping',
    ret: -EFAULT,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 8 * P, { prot: PROT_READ, populate: true });
      return { ...w, req: { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE } };
    },
  },
  {
    // CMA folios are migrated to ZONE_NORMAL before a long-term pin keeps them.
    name: 'long-term pin of CMA memory (migrated)',
    ret: 24 * P,
    build: () => {
      const w = world({ cmaBytes: 8 * MIB });
      mapAt(w.mm, BASE, 24 * P, { zone: 'cma', order: 2, populate: true });
      return { ...w, req: { start: BASE, length: 24 * P, gupFlags: FOLL_WRITE | FOLL_LONGTERM } };
    },
  },
  {
    // writable_file_mapping_allowed: ext4 shared mappings need dirty tracking.
    name: 'long-term write pin of a shared ext4 mapping (refused)',
    ret: -EFAULT,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 8 * P, { backing: 'ext4', shared: true, populate: true });
      return { ...w, req: { start: BASE, length: 8 * P, gupFlags: FOLL_WRITE | FOLL_LONGTERM } };
    },
  },
  {
    name: 'shared anonymous (shmem) order-2, long-term write pin',
    ret: 16 * P,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 16 * P, { shared: true, order: 2, populate: true });
      return { ...w, req: { start: BASE, length: 16 * P, gupFlags: FOLL_WRITE | FOLL_LONGTERM } };
    },
  },
  {
    name: 'fragmented order-0 memory (scattered placement)',
    ret: 40 * P,
    build: () => {
      const w = world({ seed: 7 });
      const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE;
      if (mmap(w.mm, { addr: BASE, length: 40 * P, prot: PROT_READ | PROT_WRITE, flags, placement: 'scattered' }) !== BASE)
        throw new Error('fixture: mmap');
      return { ...w, req: { start: BASE, length: 40 * P, gupFlags: FOLL_WRITE } };
    },
  },
  {
    // 600 order-0 pages, physically adjacent: 600 folio runs need three bios.
    name: '600 adjacent order-0 pages',
    ret: 600 * P,
    bios: { folio: [256, 256, 88], physical: [1] },
    build: () => {
      const w = world();
      mapAt(w.mm, BASE, 600 * P, { populate: true });
      return { ...w, req: { start: BASE, length: 600 * P, gupFlags: FOLL_WRITE } };
    },
  },
  {
    name: 'mixed orders 0, 3 and 9 back to back',
    ret: 8 * P + 16 * P + 2 * MIB,
    build: () => {
      const w = world();
      mapAt(w.mm, BASE + 2 * MIB - 24 * P, 8 * P, { populate: true });
      mapAt(w.mm, BASE + 2 * MIB - 16 * P, 16 * P, { order: 3, populate: true });
      mapAt(w.mm, BASE + 2 * MIB, 2 * MIB, { order: 9, populate: true });
      return { ...w, req: { start: BASE + 2 * MIB - 24 * P, length: 8 * P + 16 * P + 2 * MIB, gupFlags: FOLL_WRITE } };
    },
  },
  {
    name: 'FOLL_GET from the caller (invalid)',
    ret: -EINVAL,
    build: () => ({ ...twoOrder2Folios(), req: { start: BASE, length: 8 * P, gupFlags: FOLL_GET } }),
  },
  {
    name: 'a range ending above TASK_SIZE_MAX',
    ret: -EFAULT,
    build: () => ({ ...twoOrder2Folios(), req: { start: TASK_SIZE_MAX - 4 * P, length: 8 * P, gupFlags: FOLL_WRITE } }),
  },
];
