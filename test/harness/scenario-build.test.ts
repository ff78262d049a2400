// Building scenario machines (src/harness/scenario-build.ts): exact layouts land on the
// PFNs and leaves the file names, distributions follow next-fit from the zone's start,
// holes are zapped or unmapped, fork shares anonymous memory, and the same scenario
// always builds the same machine. Expected values are worked out from the files and
// from the allocator's rules (alloc.ts: next-fit from PFN 1 in ZONE_NORMAL, naturally
// aligned; PFN 0 is the zero page).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { builtInScenarios } from '../../src/harness/builtin-scenarios.js';
import { drawFolioOrder, orderDrawGenerator } from '../../src/harness/folio-distribution.js';
import { accountedRefs } from '../../src/harness/invariants.js';
import { takeSnapshot } from '../../src/harness/machine-snapshot.js';
import { buildScenario, type ScenarioWorld } from '../../src/harness/scenario-build.js';
import { decodeScenario, loadScenarioFile } from '../../src/harness/scenario-loader.js';
import { snapshotsEqual } from '../../src/harness/snapshot-compare.js';
import type { Scenario } from '../../src/harness/scenario.js';
import {
  MAPPING_ANON,
  MAPPING_SHMEM,
  PG_ALLOCATED,
  PG_HEAD,
  PMD_LEVEL,
  PTE_LEVEL,
  PUD_LEVEL,
  _PAGE_RW,
  findLeaf,
  leafBitsAt,
  leafLevel,
  machineFiles,
  pageAt,
} from '../../src/index.js';

const VPN = (addr: number) => addr / 4096;

function built(s: Scenario): ScenarioWorld {
  const w = buildScenario(s);
  if (E.isLeft(w)) throw new Error(w.left.join('\n'));
  return w.right;
}

function loaded(path: string): Scenario {
  const s = loadScenarioFile(path);
  if (E.isLeft(s)) throw new Error(s.left.join('\n'));
  return s.right;
}

const suite = builtInScenarios();
const builtIn = (name: string) => suite.find((s) => s.name === name)!;

describe('an exact layout (scenarios/fork-exact-readonly.json)', () => {
  const w = built(loaded('scenarios/fork-exact-readonly.json'));
  const { m, mm } = w;
  const base = 0x7f0000000000;

  it('maps each listed folio at its offset, the THP by one PMD leaf', () => {
    // mm/huge_memory.c: a PMD-mapped THP is one leaf; the others are PTE-mapped.
    expect(leafLevel(findLeaf(mm.pt, VPN(base)))).toBe(PMD_LEVEL);
    expect(pageAt(mm.pt, VPN(base))).toBe(0x200);
    expect(pageAt(mm.pt, VPN(base + 0x1ff000))).toBe(0x3ff);
    expect(leafLevel(findLeaf(mm.pt, VPN(base + 0x200000)))).toBe(PTE_LEVEL);
    expect(pageAt(mm.pt, VPN(base + 0x200000))).toBe(0x410);
    expect(pageAt(mm.pt, VPN(base + 0x20f000))).toBe(0x41f);
    expect(pageAt(mm.pt, VPN(base + 0x211000))).toBe(0x421);
    expect([0x220000, 0x221000, 0x222000, 0x223000].map((o) => pageAt(mm.pt, VPN(base + o)))).toEqual([0x500, 0x502, 0x504, 0x506]);
  });

  it('zaps the unpopulated hole, leaving the second 64 KiB mTHP partly mapped', () => {
    // The hole is the first page of folio 0x420: MADV_DONTNEED keeps the VMA, drops the PTE.
    expect(pageAt(mm.pt, VPN(base + 0x210000))).toBe(-1);
    expect(mm.vmas.some((v) => v.start <= base + 0x210000 && base + 0x210000 < v.end)).toBe(true);
    // 15 PTEs left, each holding one reference; fork doubled them (two mms map the pages).
    expect(m.refcount[0x420]).toBe(30);
    expect(m.mapcount[0x420]).toBe(0);
    expect(m.mapcount[0x421]).toBe(2);
  });

  it('forked: private anonymous pages are shared with the child and read-only in both', () => {
    expect(w.child).not.toBeNull();
    // copy_huge_pmd shares the THP: entire mapcount 2, one reference per PMD.
    expect(m.entireMapcount[0x200]).toBe(2);
    expect(m.refcount[0x200]).toBe(2);
    // 16 PTEs in each mm.
    expect(m.refcount[0x410]).toBe(32);
    expect(m.refcount[0x500]).toBe(2);
    expect(leafBitsAt(mm.pt, VPN(base + 0x220000)) & _PAGE_RW).toBe(0);
    expect(m.mapping[0x500]).toBe(MAPPING_ANON);
  });

  it('allocates the shmem mapping next-fit from the start of ZONE_MOVABLE, in the page cache', () => {
    // 64 MiB = 16384 pages, the top 16 MiB (4096) movable: it starts at PFN 12288 = 0x3000.
    const shm = 0x7f1000000000;
    expect(pageAt(mm.pt, VPN(shm))).toBe(0x3000);
    expect(pageAt(mm.pt, VPN(shm + 0x3ff000))).toBe(0x33ff);
    expect(m.mapping[0x3000]).toBe(MAPPING_SHMEM);
    // One PTE (fork does not copy a shared mapping's page tables) plus the page cache's reference.
    expect(m.refcount[0x3000]).toBe(2);
    // Populated as MAP_POPULATE would: a shared mapping is faulted for read.
    expect(leafBitsAt(mm.pt, VPN(shm)) & _PAGE_RW).toBe(0);
  });
});

describe('distributions', () => {
  it('thp-1g: 512 PMD-mapped THPs, next-fit from PFN 512 (PFN 0, the zero page, blocks the first 2 MiB)', () => {
    const { m, mm } = built(builtIn('thp-1g'));
    const base = 0x7f0000000000;
    for (const k of [0, 1, 255, 511]) {
      const addr = base + k * 0x200000;
      expect(leafLevel(findLeaf(mm.pt, VPN(addr)))).toBe(PMD_LEVEL);
      expect(pageAt(mm.pt, VPN(addr))).toBe(512 * (k + 1));
    }
    expect(m.stat.folioAllocs).toBe(512);
    // Written by the process: one PMD reference each, writable.
    expect(m.refcount[512]).toBe(1);
    expect(leafBitsAt(mm.pt, VPN(base)) & _PAGE_RW).toBe(_PAGE_RW);
  });

  it('hugetlb-1g: one PUD-mapped folio in the second GiB of memory', () => {
    const { m, mm } = built(builtIn('hugetlb-1g'));
    expect(leafLevel(findLeaf(mm.pt, VPN(0x7f0000000000)))).toBe(PUD_LEVEL);
    expect(pageAt(mm.pt, VPN(0x7f0000000000))).toBe(262144);
    expect(m.order[262144]).toBe(18);
  });

  it('hole-partway: the unmapped hole has no VMA, its neighbours are populated', () => {
    const { mm } = built(builtIn('hole-partway'));
    const hole = 0x7f0000000000 + 8 * 2 ** 20;
    expect(mm.vmas.some((v) => v.start <= hole && hole < v.end)).toBe(false);
    expect(pageAt(mm.pt, VPN(hole - 4096))).toBeGreaterThan(0);
    expect(pageAt(mm.pt, VPN(hole + 65536))).toBeGreaterThan(0);
  });

  it('draws an order only where several fit, from a generator of its own', () => {
    const rng = orderDrawGenerator(1);
    const before = rng.getState().join();
    const orders = [
      { order: 0, weight: 1 },
      { order: 9, weight: 1 },
    ];
    // 0x1000 is not 2 MiB aligned, and 4 KiB left only fits order 0: no draw either way.
    expect(drawFolioOrder(rng, orders, 0x7f0000001000, 2 ** 21)).toBe(0);
    expect(drawFolioOrder(rng, orders, 0x7f0000000000, 4096)).toBe(0);
    expect(rng.getState().join()).toBe(before);
    // Aligned with 2 MiB left: both fit, one draw.
    expect([0, 9]).toContain(drawFolioOrder(rng, orders, 0x7f0000000000, 2 ** 21));
    expect(rng.getState().join()).not.toBe(before);
    // Only order 9 listed and it does not fit: order 0.
    expect(drawFolioOrder(rng, [{ order: 9, weight: 1 }], 0x7f0000001000, 2 ** 21)).toBe(0);
  });
});

describe('determinism and accounting', () => {
  it('building a scenario twice gives the same machine, page for page', () => {
    for (const name of ['mixed-fragmented', 'fork-readonly', 'longterm-movable-cma']) {
      const a = takeSnapshot(built(builtIn(name)));
      const b = takeSnapshot(built(builtIn(name)));
      expect(snapshotsEqual(a, b), name).toBeNull();
    }
  });

  it('another seed gives another scattered layout', () => {
    const s = builtIn('mixed-fragmented');
    const a = takeSnapshot(built(s));
    const b = takeSnapshot(built({ ...s, seed: 43 }));
    expect(snapshotsEqual(a, b)).toBe('memmap refcount');
  });

  it("every folio of every built-in scenario but rdma-100g holds exactly its mappings' and page cache's references", () => {
    for (const s of suite) {
      if (s.name === 'rdma-100g') continue;
      const { m } = built(s);
      const cache = new Map<number, number>();
      for (const f of machineFiles(m)) for (const folio of f.cache) if (folio >= 0) cache.set(folio, (cache.get(folio) ?? 0) + 1);
      let checked = 0;
      const wrong: string[] = [];
      for (let p = 1; p < m.nrPages; p++) {
        if ((m.flags[p]! & (PG_ALLOCATED | PG_HEAD)) !== (PG_ALLOCATED | PG_HEAD)) continue;
        const want = accountedRefs(m, p, cache.get(p) ?? 0);
        if (m.refcount[p] !== want) wrong.push(`${s.name} folio ${p}: refcount ${m.refcount[p]}, accounted ${want}`);
        checked++;
      }
      expect(wrong).toEqual([]);
      expect(checked, s.name).toBeGreaterThan(0);
    }
  });
});

describe('scenarios that load but cannot be built', () => {
  it('names the mapping whose folios the allocator cannot place', () => {
    // 8 MiB has four 2 MiB blocks: the zero page (PFN 0) is in the first, and the exact
    // order-0 folios of mapping 0 (placed before any distribution, though listed after
    // it here) sit in the other three, so mapping 1's THP finds no free aligned block.
    // The loader's capacity check passes: 2 MiB wanted, 8 MiB - 16 KiB free.
    const s = decodeScenario(
      {
        name: 'no-free-block',
        memory: { size: '8MiB' },
        mappings: [
          { kind: 'anon-private', address: '0x7f0000200000', length: '2MiB', folios: { orders: [{ order: 9, weight: 1 }] } },
          {
            kind: 'anon-private',
            address: '0x7f0000000000',
            length: '12KiB',
            folios: [
              { pfn: '0x200', order: 0 },
              { pfn: '0x400', order: 0 },
              { pfn: '0x600', order: 0 },
            ],
          },
        ],
        request: { start: 'mapping[0]', length: '2MiB' },
      },
      'x.json',
    );
    if (E.isLeft(s)) throw new Error(s.left.join('\n'));
    expect(buildScenario(s.right)).toEqual(E.left(['x.json: $.mappings[0].folios: cannot allocate an order-9 folio in zone normal (-ENOMEM)']));
  });
});
