/**
 * Per-peer token buckets with a bounded number of tracked peers, so a peer (or many fake ones)
 * can only make us spend a fixed amount of work and memory.
 */
export class PeerRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Tokens added per second. */
    private readonly perSecond: number,
    /** Bucket size (burst). */
    private readonly burst: number,
    /** Peers tracked at once; the oldest entry is forgotten beyond it. */
    private readonly maxPeers = 2048,
  ) {}

  /** Take one token for `peer` at time `now` (ms); false when the peer is over its rate. */
  take(peer: string, now: number): boolean {
    let b = this.buckets.get(peer);
    if (!b) {
      if (this.buckets.size >= this.maxPeers) {
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
      }
      b = { tokens: this.burst, at: now };
      this.buckets.set(peer, b);
    } else {
      // A clock that steps back adds nothing (and takes nothing away).
      b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
