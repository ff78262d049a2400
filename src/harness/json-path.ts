/**
 * JSON paths for error messages (`$.mappings[1].length`), in the JSONPath notation
 * that jq and most validators print. Not a kernel concept.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of the document itself. */
export const JSON_ROOT = '$';

/** `parent.key`, or `parent["odd key"]` when the key is not an identifier. */
export function pathKey(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** `parent[index]`. */
export function pathIndex(parent: string, index: number | string): string {
  return `${parent}[${index}]`;
}
