/** shared/dht/rate-limit.ts: per-peer token buckets, bounded in peers, sane when the clock steps back. */
import { describe, expect, it } from 'vitest';
import { PeerRateLimiter } from '../../../../shared/dht/rate-limit';

const takes = (l: PeerRateLimiter, peer: string, now: number, n: number) =>
  Array.from({ length: n }, () => l.take(peer, now)).filter(Boolean).length;

describe('PeerRateLimiter', () => {
  it('gives a burst, then the rate', () => {
    const l = new PeerRateLimiter(10, 5);
    expect(takes(l, 'a', 0, 8)).toBe(5);
    expect(takes(l, 'a', 1000, 20)).toBe(5); // refilled to the burst, not beyond
    expect(takes(l, 'a', 1100, 5)).toBe(1);
    expect(takes(l, 'b', 1100, 5)).toBe(5); // peers are separate
  });

  it('a clock that steps back neither drains nor fills a bucket', () => {
    const l = new PeerRateLimiter(10, 5);
    expect(takes(l, 'a', 100_000, 2)).toBe(2);
    expect(takes(l, 'a', 40_000, 10)).toBe(3); // a minute back: what was left, no more, no less
    expect(takes(l, 'a', 40_100, 5)).toBe(1); // then it refills from the new time
  });

  it('forgets the oldest peer beyond maxPeers (a fresh bucket for it)', () => {
    const l = new PeerRateLimiter(1, 2, 2);
    expect(takes(l, 'a', 0, 3)).toBe(2);
    expect(takes(l, 'b', 0, 1)).toBe(1);
    expect(takes(l, 'c', 0, 1)).toBe(1); // 'a' forgotten
    expect(takes(l, 'a', 0, 3)).toBe(2);
  });
});
