/**
 * The signaling endpoints a client may use: one URL (which may itself be a load balancer in front
 * of many instances) or several, comma-separated or as an array. The client starts at a random one,
 * so a crowd spreads over the instances, and moves to the next after every drop, so the clients of
 * an instance that dies re-register elsewhere.
 */
import type { Rng } from '../../shared/env/rng';

/** Split "wss://a/signal, wss://b/signal" (or an array) into distinct non-empty URLs, in order. */
export function parseSignalUrls(spec: string | readonly string[]): string[] {
  const parts = (typeof spec === 'string' ? spec.split(',') : spec.flatMap((s) => s.split(','))).map((s) => s.trim()).filter(Boolean);
  return [...new Set(parts)];
}

export class SignalUrls {
  readonly list: readonly string[];
  private i: number;

  constructor(spec: string | readonly string[], rng: Rng) {
    const list = parseSignalUrls(spec);
    if (list.length === 0) throw new TypeError('no signaling URL given');
    this.list = list;
    // A single URL draws nothing from the rng, so one-URL clients see the same random sequence as before.
    this.i = list.length > 1 ? rng.int(list.length) : 0;
  }

  get current(): string {
    return this.list[this.i]!;
  }

  /** Move to the next endpoint (after a drop or a failed attempt). */
  advance(): void {
    this.i = (this.i + 1) % this.list.length;
  }
}
