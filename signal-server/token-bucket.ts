/** A token bucket: `rate` tokens per second, at most `burst` banked. Two numbers of state. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
      this.at = now;
    }
  }

  /** Take `n` tokens (default one) if at least `n + floor` are banked; false leaves the bucket as it was. */
  take(now: number, n = 1, floor = 0): boolean {
    this.refill(now);
    if (this.tokens >= n + floor) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  /** Take up to `n` tokens, whatever is there (a charge after the fact; never below 0, never above burst). */
  drain(now: number, n: number): void {
    this.refill(now);
    this.tokens = Math.min(this.burst, Math.max(0, this.tokens - n));
  }

  /** True when the bucket has refilled completely (its state can be forgotten). */
  full(now: number): boolean {
    return this.level(now) >= this.burst;
  }

  /** Tokens available now. */
  level(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Milliseconds until `n` tokens are available (0 if they are). */
  waitMs(now: number, n = 1): number {
    this.refill(now);
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) * 1000) / this.rate);
  }
}

/**
 * One bucket per key (an address, a node id), created at first use and forgotten once full again,
 * so the map holds only keys active within about burst / rate seconds.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Take one token from `key`'s bucket; false when it is empty. */
  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.rate, this.burst, now);
      this.buckets.set(key, b);
    }
    return b.take(now);
  }

  /** Put back a token taken from `key` (the request it paid for was refused elsewhere). */
  refund(key: string, now: number): void {
    this.buckets.get(key)?.drain(now, -1);
  }

  /** Forget the buckets that have refilled. */
  prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.full(now)) this.buckets.delete(k);
  }
}
