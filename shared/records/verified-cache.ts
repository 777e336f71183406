/**
 * Remembers signatures that verified, keyed by a hash of everything the verification covered
 * (key, salt, seq, value, signature). A get hears the same record from up to a quorum of holders,
 * and a holder is sent the same record again at every republish: each is verified once. Only
 * successes are kept (a failure costs the sender, not our memory), and the cache is bounded.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../crypto/bytes';
import type { MutableRecord } from './types';

/** Verified records remembered (32-byte digests, a few hundred KB at most). */
const MAX_ENTRIES = 8192;

export class VerifiedCache {
  private readonly seen = new Set<string>();
  hits = 0;

  constructor(private capacity = MAX_ENTRIES) {}

  /** Hold up to `entries` (never below the default; the oldest go first when it shrinks). */
  resize(entries: number): void {
    this.capacity = Math.max(MAX_ENTRIES, Math.floor(entries));
    for (const k of this.seen) {
      if (this.seen.size <= this.capacity) break;
      this.seen.delete(k);
    }
  }

  private key(r: MutableRecord): string {
    const seq = utf8.encode(String(r.seq));
    const len = (b: Uint8Array) => Uint8Array.of(b.length >> 8, b.length & 0xff);
    return bytesToHex(sha256(concatBytes(r.k, len(r.salt), r.salt, len(seq), seq, len(r.v), r.v, r.sig)));
  }

  /** Whether `r`'s signature is known good; otherwise runs `verify` and remembers a success. */
  check(r: MutableRecord, verify: (r: MutableRecord) => boolean): boolean {
    const k = this.key(r);
    if (this.seen.has(k)) {
      this.hits++;
      return true;
    }
    if (!verify(r)) return false;
    if (this.seen.size >= this.capacity) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(k);
    return true;
  }
}
