/** Byte helpers shared by the core (hex, equality, concatenation, UTF-8). */
import { bytesToHex as nobleToHex, hexToBytes as nobleFromHex } from '@noble/hashes/utils.js';

export function bytesToHex(b: Uint8Array): string {
  return nobleToHex(b);
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
