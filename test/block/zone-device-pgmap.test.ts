/**
 * Which pages may share a bio, worked by hand from block/blk.h (T, linux-block-trial):
 * zone_device_pages_have_same_pgmap (both ordinary memory, or both ZONE_DEVICE with the
 * same pgmap) and zone_device_pages_compatible (`if (is_pci_p2pdma_page(a) ||
 * is_pci_p2pdma_page(b)) return zone_device_pages_have_same_pgmap(a, b); return true;`).
 * The model has one pgmap per device-memory kind. As the P2PDMA tests do, the test
 * marks an allocated order-0 folio's mapping MAPPING_FSDAX and restores it before the
 * end. Layout (layout.ts): order-0 folios at 72, 80 and 81.
 */
import { describe, expect, it } from 'vitest';
import {
  MAPPING_FSDAX,
  MAPPING_P2PDMA,
  zoneDevicePagesCompatible,
  zoneDevicePagesHaveSamePgmap,
} from '../../src/index.js';
import { newMachine } from '../support/machines.js';
import { tableLayout } from './layout.js';

describe('an fsdax page beside ordinary memory', () => {
  it('has another pgmap, yet is compatible: neither page is P2PDMA', () => {
    const m = newMachine({ memoryBytes: 16 * 1024 * 1024 });
    tableLayout(m);
    const saved = [m.mapping[72]!, m.mapping[81]!];
    m.mapping[72] = MAPPING_FSDAX;
    expect([zoneDevicePagesHaveSamePgmap(m, 72, 80), zoneDevicePagesHaveSamePgmap(m, 80, 72)]).toEqual([false, false]);
    expect([zoneDevicePagesCompatible(m, 80, 72), zoneDevicePagesCompatible(m, 72, 80)]).toEqual([true, true]);
    // A P2PDMA page is compatible with neither: its pgmap differs from both.
    m.mapping[81] = MAPPING_P2PDMA;
    expect([zoneDevicePagesCompatible(m, 72, 81), zoneDevicePagesCompatible(m, 81, 80)]).toEqual([false, false]);
    m.mapping[72] = saved[0]!;
    m.mapping[81] = saved[1]!;
  });
});
