/**
 * folio-gup's public API: the machine (src/mm), GUP (src/gup) and the block layer
 * (src/block). Everything exported here is what driver authors and the harness use.
 */
export * from './mm/constants.js';
export * from './mm/errno.js';
export * from './mm/foll-flags.js';
export * from './mm/bug.js';
export * from './mm/arg-check.js';
export * from './mm/page-flags.js';
export * from './mm/cost.js';
export * from './mm/vmstat.js';
export * from './mm/machine.js';
export * from './mm/alloc.js';
export * from './mm/folio.js';
export * from './mm/slab.js';
export * from './mm/folio-mark-dirty-lock.js';
export { PinMisuse, PIN_RULES, type PinRuleId, type PinMisuseSubject } from './mm/pin-misuse.js';
export { PinChecker, enablePinChecker, disablePinChecker, HOLD_PIN, HOLD_GET } from './mm/pin-checker.js';
export { pinLeaks, pinLeakReport, formatPinLeaks, type PinLeak } from './mm/pin-leak-report.js';

export * from './gup/try-grab-folio.js';
export * from './gup/gup-put-folio.js';
export * from './gup/unpin.js';
export * from './gup/put-page.js';

export * from './mm/mman.js';
export * from './mm/vm-flags.js';
export * from './mm/page-table.js';
export * from './mm/memalloc-pin.js';
export * from './mm/file.js';
export * from './mm/rmap.js';
export * from './mm/vma.js';
export * from './mm/mm.js';
export * from './mm/zap.js';
export * from './mm/split-huge-pmd.js';
export * from './mm/wp-page.js';
export * from './mm/huge-pmd-fault.js';
export * from './mm/hugetlb-fault.js';
export * from './mm/fault.js';
export * from './mm/populate.js';
export * from './mm/munmap.js';
export * from './mm/mmap.js';
export * from './mm/install.js';
export * from './mm/user-access.js';
export * from './mm/fork.js';
export * from './mm/migrate.js';

export * from './gup/gup-sink.js';
export * from './gup/page-array-sink.js';
export * from './gup/is-valid-gup-args.js';
export * from './gup/check-vma-flags.js';
export * from './gup/gup-must-unshare.js';
export * from './gup/gup-walk.js';
export * from './gup/gup-range.js';
export * from './gup/follow-page-mask.js';
export * from './gup/get-user-pages-locked.js';
export * from './gup/gup-longterm-locked.js';
export * from './gup/gup-fast.js';
export * from './gup/gup-fast-fallback.js';
export * from './gup/get-user-pages.js';
export * from './gup/pin-user-pages.js';

export * from './block/bio-vec.js';
export * from './block/bvec-iter.js';
export * from './block/bio.js';
export * from './block/bio-add.js';
export * from './block/folio-iter.js';
export * from './block/bio-release.js';
export * from './block/direct-map.js';
export * from './block/iov-iter.js';
export * from './block/iov-iter-advance.js';
export * from './block/iov-iter-geometry.js';
export * from './block/iov-iter-extract.js';
export * from './block/iov-iter-extract-bvecs.js';
export * from './block/bio-release-foll-get.js';
export * from './block/bio-dirty.js';
export * from './block/bio-iov-iter.js';
export * from './block/direct-io.js';

export * from './strategy/pin-strategy.js';
export * from './strategy/bvec-chunk.js';
export * from './strategy/bvec-sink.js';
export * from './strategy/pin-user-bvecs.js';
export * from './strategy/count-bvecs.js';
export * from './strategy/pin-user-bvecs-alloc.js';
export * from './strategy/bio-builder.js';
export * from './strategy/complete-pinned-io.js';
