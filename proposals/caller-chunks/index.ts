/**
 * Option (2), the caller passes a small fixed array: pin_user_bvecs() into
 * `chunkSize` bvecs (16 by default), the vectors copied into bio_alloc'd bios after
 * each call, and called again from where it stopped until the range is done or a call
 * stops short. The array lives on the caller's stack up to CALLER_CHUNK_STACK_BYTES;
 * a bigger one is kmalloc'd once per I/O. See README.md for the contract.
 */
import {
  PAGE_SIZE,
  SIZEOF_BIO_VEC,
  BioCopyBuilder,
  BvecArray,
  bioOpForGupFlags,
  completePinnedIo,
  divRoundUp,
  failedIo,
  kvfree,
  kvmallocArray,
  pinUserBvecs,
  pinnedIo,
  recordReturn,
  userOffsetInPage,
  type KAlloc,
  type Mm,
  type PinRequest,
  type PinStrategy,
  type PinnedIo,
  type ReturnRun,
  type StrategySettings,
} from '../../src/index.js';

/** The caller's array by default: 16 bvecs, 256 bytes of stack. */
export const CALLER_CHUNK_DEFAULT = 16;
/**
 * The largest array kept on the stack: 1 KiB, half of the 64-bit CONFIG_FRAME_WARN
 * (2048), beyond which a driver would not put it in one frame.
 */
export const CALLER_CHUNK_STACK_BYTES = 1024;

function pin(mm: Mm, req: PinRequest, settings: StrategySettings): PinnedIo {
  const m = mm.m;
  const { start, length, gupFlags } = req;
  const rv: ReturnRun[] = [];
  const chunk = settings.chunkSize ?? CALLER_CHUNK_DEFAULT;
  let staging: KAlloc | null = null;
  if (chunk * SIZEOF_BIO_VEC > CALLER_CHUNK_STACK_BYTES) {
    const a = kvmallocArray(m, chunk, SIZEOF_BIO_VEC);
    if (typeof a === 'number') return failedIo(a, 0, rv);
    staging = a;
  }
  const bvecs = new BvecArray(chunk);
  const builder = new BioCopyBuilder(m, settings.merge, bioOpForGupFlags(gupFlags));
  const out = { done: 0 };
  let done = 0;
  let calls = 0;
  let used = 0;
  let err = 0;
  while (done < length) {
    const n = pinUserBvecs(mm, start + done, length - done, gupFlags, bvecs, chunk, out, settings.merge);
    calls++;
    recordReturn(rv, n);
    if (n <= 0) {
      err = n;
      break;
    }
    if (n > used) used = n;
    builder.addAll(bvecs, 0, n, divRoundUp(userOffsetInPage(start + done) + length - done, PAGE_SIZE));
    done += out.done;
    // A call that neither filled the array nor finished stopped on an error, which the
    // next call would return: keep what is pinned.
    if (n < chunk) break;
  }
  if (staging !== null) kvfree(m, staging, used * SIZEOF_BIO_VEC);
  if (done === 0) return failedIo(err, calls, rv);
  return pinnedIo(done, builder.bios, calls, rv, []);
}

/** Option (2): a small caller array over several calls. */
export const proposal: PinStrategy = {
  name: 'caller-chunks',
  summary: 'option 2: pin_user_bvecs into a small fixed caller array, called again from where it stopped',
  option: 2,
  settings: ['merge', 'chunkSize'],
  mergePolicies: ['folio', 'physical'],
  pin,
  complete: (mm, io, markDirty) => completePinnedIo(mm.m, io, markDirty),
};
