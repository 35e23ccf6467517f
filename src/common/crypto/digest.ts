import { createHash } from 'node:crypto';

/** SHA-256 of a code or token value: the only form in which grant values are stored. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
