/**
 * Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h).
 * Faithful: the numbers are Linux's. Model functions return them negated, as the kernel does.
 * The two helpers take a C `long`: NaN or a fraction throws an ArgumentError.
 */
import { badArgument } from './arg-check.js';

export const EINTR = 4;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOSPC = 28;
export const EOVERFLOW = 75;
export const EOPNOTSUPP = 95;
export const EREMOTEIO = 121;
export const EHWPOISON = 133;
/** `EMLINK`: follow_page_mask's internal "must unshare" signal (never returned to callers). */
export const EMLINK = 31;
/** `EIO`, returned by bio_iov_iter_get_pages on a cloned bio. */
export const EIO = 5;

const NAMES: Readonly<Record<number, string>> = {
  [EINTR]: 'EINTR',
  [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM',
  [EFAULT]: 'EFAULT',
  [EBUSY]: 'EBUSY',
  [EEXIST]: 'EEXIST',
  [EINVAL]: 'EINVAL',
  [ENOSPC]: 'ENOSPC',
  [EOVERFLOW]: 'EOVERFLOW',
  [EOPNOTSUPP]: 'EOPNOTSUPP',
  [EREMOTEIO]: 'EREMOTEIO',
  [EHWPOISON]: 'EHWPOISON',
  [EMLINK]: 'EMLINK',
  [EIO]: 'EIO',
};

/** The symbolic name of a (positive or negative) errno, as `-EFAULT` for -14. */
export function errnoName(err: number): string {
  if (!Number.isSafeInteger(err)) badArgument('errnoName', 'err', err, 'a safe integer');
  const name = NAMES[Math.abs(err)];
  if (name === undefined) return String(err);
  return err < 0 ? `-${name}` : name;
}

/** `IS_ERR_VALUE(x)` for a count returned as a signed long: -4095 <= x < 0. */
export function isErrValue(x: number): boolean {
  if (!Number.isSafeInteger(x)) badArgument('isErrValue', 'x', x, 'a safe integer');
  return x < 0 && x >= -4095;
}
