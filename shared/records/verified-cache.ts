/**
 * Remembers signatures that verified, keyed by a hash of everything the verification covered
 * (key, salt, seq, value, signature). A get hears the same record from up to a quorum of holders,
 * and a holder is sent the same record again at every republish: each is verified once. Failures
 * are remembered too, in a smaller set of their own: an attacker that serves one forgery to every
 * get costs a hash, not a curve check, each time after the first, and a stream of fresh forgeries
 * only pushes out older forgeries, never a good signature. Both sets are bounded.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../crypto/bytes';
import type { MutableRecord } from './types';

/** Verified records remembered (32-byte digests, a few hundred KB at most). */
const MAX_ENTRIES = 8192;
/** Failed records remembered, as a share of the good ones. */
const BAD_SHARE = 1 / 4;

export class VerifiedCache {
  private readonly seen = new Set<string>();
  private readonly bad = new Set<string>();
  hits = 0;

  constructor(private capacity = MAX_ENTRIES) {}

  /** Hold up to `entries` (never below the default; the oldest go first when it shrinks). */
  resize(entries: number): void {
    this.capacity = Math.max(MAX_ENTRIES, Math.floor(entries));
    trim(this.seen, this.capacity);
    trim(this.bad, this.badCapacity);
  }

  private get badCapacity(): number {
    return Math.floor(this.capacity * BAD_SHARE);
  }

  private key(r: MutableRecord): string {
    const seq = utf8.encode(String(r.seq));
    const len = (b: Uint8Array) => Uint8Array.of(b.length >> 8, b.length & 0xff);
    return bytesToHex(sha256(concatBytes(r.k, len(r.salt), r.salt, len(seq), seq, len(r.v), r.v, r.sig)));
  }

  /** Whether `r`'s signature is good: from memory, or `verify` run once and its answer remembered. */
  check(r: MutableRecord, verify: (r: MutableRecord) => boolean): boolean {
    const k = this.key(r);
    if (this.seen.has(k) || this.bad.has(k)) {
      this.hits++;
      return this.seen.has(k);
    }
    const ok = verify(r);
    const set = ok ? this.seen : this.bad;
    trim(set, (ok ? this.capacity : this.badCapacity) - 1);
    set.add(k);
    return ok;
  }
}

/** Drop the oldest entries of `set` until it holds at most `max`. */
function trim(set: Set<string>, max: number): void {
  for (const k of set) {
    if (set.size <= max) break;
    set.delete(k);
  }
}
