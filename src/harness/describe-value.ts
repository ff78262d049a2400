/**
 * A short, safe description of any value for "found ..." in error messages.
 *
 * Never throws, whatever it is given (cyclic objects, BigInts, symbols, objects whose
 * `toString` is not a function), because the loader promises never to throw.
 */

const MAX = 40;

function clip(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 3)}...` : text;
}

/** `"4 KB"`, `-3`, `true`, `null`, `an array of 2 items`, `an object with keys a, b`. */
export function describeValue(u: unknown): string {
  try {
    if (u === undefined) return 'nothing';
    if (u === null) return 'null';
    switch (typeof u) {
      case 'string':
        return clip(JSON.stringify(u));
      case 'number':
        return Number.isNaN(u) ? 'NaN' : String(u);
      case 'boolean':
        return String(u);
      case 'bigint':
        return clip(`${u.toString()}n`);
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
      default:
        break;
    }
    if (Array.isArray(u)) return u.length === 1 ? 'an array of 1 item' : `an array of ${u.length} items`;
    const keys = Object.keys(u as object);
    if (keys.length === 0) return 'an empty object';
    return clip(`an object with keys ${keys.join(', ')}`);
  } catch {
    return 'an unreadable value';
  }
}
