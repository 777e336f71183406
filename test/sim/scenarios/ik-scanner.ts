/**
 * Finds identity keys in bytes: every user's IK as raw bytes, as lower-case hex, base64 and
 * base64url text, and its SHA-1 and SHA-256, anywhere (unaligned) in a buffer. A Rabin-Karp scan:
 * one rolling hash of 8-byte windows, looked up in a set, and a full compare on a hit, so a
 * scan costs a few ns a byte whatever the number of users.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8 } from '../../../shared/crypto/bytes';

const W = 8;
const B = 0x01000193;
/** B^(W-1) mod 2^32, to take a byte out of the window. */
const BW = (() => {
  let x = 1;
  for (let i = 0; i < W - 1; i++) x = Math.imul(x, B);
  return x;
})();

function windowHash(b: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < W; i++) h = (Math.imul(h, B) + b[at + i]!) | 0;
  return h;
}

function base64(b: Uint8Array, url: boolean): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  const t = btoa(s);
  return url ? t.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : t;
}

export class IkScanner {
  private readonly byHash = new Map<number, Array<{ user: number; pattern: Uint8Array }>>();
  /** Bytes scanned so far. */
  scanned = 0;

  constructor(identityKeys: readonly Uint8Array[]) {
    identityKeys.forEach((ik, user) => {
      const forms = [
        ik,
        sha1(ik),
        sha256(ik),
        utf8.encode(bytesToHex(ik)),
        utf8.encode(base64(ik, false).slice(0, 40)),
        utf8.encode(base64(ik, true).slice(0, 40)),
      ];
      for (const pattern of forms) {
        const h = windowHash(pattern, 0);
        const list = this.byHash.get(h) ?? [];
        list.push({ user, pattern });
        this.byHash.set(h, list);
      }
    });
  }

  /** Users whose IK (in any form) occurs in `b`. */
  scan(b: Uint8Array): number[] {
    this.scanned += b.length;
    if (b.length < W) return [];
    const found: number[] = [];
    let h = windowHash(b, 0);
    for (let at = 0; ; at++) {
      const hits = this.byHash.get(h);
      if (hits) {
        for (const { user, pattern } of hits) {
          if (at + pattern.length > b.length) continue;
          let same = true;
          for (let i = W; i < pattern.length && same; i++) if (b[at + i] !== pattern[i]) same = false;
          for (let i = 0; i < W && same; i++) if (b[at + i] !== pattern[i]) same = false;
          if (same) found.push(user);
        }
      }
      if (at + W >= b.length) break;
      h = (Math.imul(h - Math.imul(b[at]!, BW), B) + b[at + W]!) | 0;
    }
    return found;
  }
}
