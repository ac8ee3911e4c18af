import { createHash } from 'crypto';

/** A deterministic 8-hex-digit hash, for Sid suffixes and construct ids. */
export function shortHash(input: string): string {
  return createHash('sha256').update(input).digest('hex').slice(0, 8).toUpperCase();
}
