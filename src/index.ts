/**
 * folio-gup's public API: the machine (src/mm), GUP (src/gup) and the block layer
 * (src/block). Everything exported here is what driver authors and the harness use.
 */
export * from './mm/constants.js';
export * from './mm/errno.js';
export * from './mm/foll-flags.js';
export * from './mm/bug.js';
export * from './mm/page-flags.js';
export * from './mm/cost.js';
export * from './mm/vmstat.js';
export * from './mm/machine.js';
export * from './mm/alloc.js';
export * from './mm/folio.js';

export * from './gup/try-grab-folio.js';
export * from './gup/gup-put-folio.js';
export * from './gup/unpin.js';
export * from './gup/put-page.js';

export * from './harness/index.js';
