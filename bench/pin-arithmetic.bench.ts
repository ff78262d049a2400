/**
 * Grab and release 1 GiB worth of folios through the model's primitives
 * (tryGrabFolio + gupPutFolio), order 0 and order 9, beside a bare typed-array loop doing
 * the same reads and writes: the limit the model's per-folio work can approach.
 */
import {
  allocFolio,
  createMachine,
  gupPutFolio,
  tryGrabFolio,
  FOLL_PIN,
  GUP_PIN_COUNTING_BIAS,
  type Machine,
} from '../src/index.js';
import { runSuite, type SuiteResult } from './suite.js';

const GIB_PAGES = 262144;

function allocMany(m: Machine, order: number, count: number): Int32Array {
  const heads = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const f = allocFolio(m, order);
    if (f < 0) throw new Error(`allocation failed: ${f}`);
    heads[i] = f;
  }
  return heads;
}

function modelPinRelease(m: Machine, heads: Int32Array, refs: number): void {
  for (let i = 0; i < heads.length; i++) tryGrabFolio(m, heads[i]!, refs, FOLL_PIN);
  for (let i = 0; i < heads.length; i++) gupPutFolio(m, heads[i]!, refs, FOLL_PIN);
}

function barePinReleaseOrder0(m: Machine, heads: Int32Array): void {
  const rc = m.refcount;
  const stat = m.stat;
  for (let i = 0; i < heads.length; i++) {
    const f = heads[i]!;
    rc[f] = rc[f]! + GUP_PIN_COUNTING_BIAS;
    stat.nrFollPinAcquired += 1;
  }
  for (let i = 0; i < heads.length; i++) {
    const f = heads[i]!;
    stat.nrFollPinReleased += 1;
    rc[f] = rc[f]! - GUP_PIN_COUNTING_BIAS;
  }
}

function barePinReleaseLarge(m: Machine, heads: Int32Array, refs: number): void {
  const rc = m.refcount;
  const pc = m.pincount;
  const stat = m.stat;
  for (let i = 0; i < heads.length; i++) {
    const f = heads[i]!;
    rc[f] = rc[f]! + refs;
    pc[f] = pc[f]! + refs;
    stat.nrFollPinAcquired += refs;
  }
  for (let i = 0; i < heads.length; i++) {
    const f = heads[i]!;
    stat.nrFollPinReleased += refs;
    pc[f] = pc[f]! - refs;
    rc[f] = rc[f]! - refs;
  }
}

export default async function pinArithmeticBench(): Promise<SuiteResult> {
  const m = createMachine({ memoryBytes: 3 * 1024 * 1024 * 1024 });
  const small = allocMany(m, 0, GIB_PAGES);
  const thp = allocMany(m, 9, GIB_PAGES / 512);
  const result = await runSuite(
    'pin arithmetic: grab + release 1 GiB',
    [
      { name: 'model order-0', fn: () => modelPinRelease(m, small, 1) },
      { name: 'bare order-0', fn: () => barePinReleaseOrder0(m, small) },
      { name: 'model order-9', fn: () => modelPinRelease(m, thp, 512) },
      { name: 'bare order-9', fn: () => barePinReleaseLarge(m, thp, 512) },
    ],
    [
      ['model order-0', 'bare order-0'],
      ['model order-9', 'bare order-9'],
      ['model order-0', 'model order-9'],
    ],
  );
  if (m.stat.nrFollPinAcquired !== m.stat.nrFollPinReleased) throw new Error('bench left pins unbalanced');
  return result;
}
