/** Byte helpers shared by the core (hex, equality, concatenation, UTF-8). */
import { bytesToHex as nobleToHex, hexToBytes as nobleFromHex } from '@noble/hashes/utils.js';

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexScratch: number[] = new Array(40).fill(0);

/**
 * Lowercase hex. Ids (20 bytes) are hashed and compared as map keys on every frame, so they are
 * built as one flat string from char codes; concatenating pairs would leave a 20-piece rope.
 */
export function bytesToHex(b: Uint8Array): string {
  if (b.length !== 20) return nobleToHex(b);
  for (let i = 0; i < 20; i++) {
    const v = b[i]!;
    hexScratch[2 * i] = HEX_CODES[v >> 4]!;
    hexScratch[2 * i + 1] = HEX_CODES[v & 15]!;
  }
  return String.fromCharCode.apply(null, hexScratch);
}

/** Throws TypeError on odd length or non-hex characters. */
export function hexToBytes(hex: string): Uint8Array {
  return nobleFromHex(hex);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const utf8 = {
  encode: (s: string): Uint8Array => enc.encode(s),
  decode: (b: Uint8Array): string => dec.decode(b),
};
