/**
 * Admission of incoming frames, before they are decoded: the per-connection token bucket and the
 * load shedding that keeps quiet clients fast while others flood (docs/signaling.md, "Abuse
 * handling"). Every budget is charged a frame's cost (1 token plus 1 per bytesPerToken bytes), not
 * a flat 1, so a client pays for the bytes the server must scan. A frame that is refused pauses its socket, so TCP backpressure holds the excess.
 * Part of the sans-IO hub: time, randomness and the socket come from its components.
 */
import type { ErrorMsg, SignalErrorCode } from '../shared/protocol/signaling';
import type { Conn, HubComponents } from './conn';
import type { HubLimits } from './limits';
import { TokenBucket } from './token-bucket';

export class FlowControl {
  private readonly global: TokenBucket;
  /** What quiet clients draw on while the loop lags: their own, so flooders cannot empty it. */
  private readonly quietGlobal: TokenBucket;
  /** Until when the server counts as overloaded (event loop lagging). */
  private hotUntil = 0;
  /** Frames from bursting clients admitted in this event-loop turn (reset by a 0 ms timer). */
  private turnUsed = 0;
  private turnReset: (() => void) | null = null;

  constructor(
    private readonly c: HubComponents,
    private readonly limits: HubLimits,
    /** Send an error frame to a client (subject to its backlog). */
    private readonly notify: (conn: Conn, err: ErrorMsg) => void,
  ) {
    const now = c.clock.now();
    this.global = new TokenBucket(limits.globalRatePerSec, limits.globalBurst, now);
    this.quietGlobal = new TokenBucket(limits.globalRatePerSec, limits.globalBurst, now);
  }

  /** Tokens a frame of `size` bytes costs: 1, plus 1 per bytesPerToken (the scan is linear in bytes). */
  cost(size: number): number {
    return 1 + Math.floor(size / Math.max(1, this.limits.bytesPerToken));
  }

  /** Count a frame of `size` bytes and charge its cost; false means drop it undecoded. */
  allow(conn: Conn, size: number): boolean {
    const now = this.c.clock.now();
    const m = this.c.metrics;
    m.messagesIn++;
    m.bytesIn += size;
    conn.lastSeen = now;
    const cost = this.cost(size);
    // Quiet = a small frame (cost <= 2: up to 4 KB at the default) from a client with at least half
    // its burst still banked after it, and not rate-limited in the last 10 s: a client well under
    // its rate. Half, not "nearly full": an honest client answering frames that a stall delivered
    // bunched stays quiet, while a flood drains it within seconds and then stays marked.
    const level = conn.bucket.level(now);
    const quiet = cost <= 2 && level - cost >= this.limits.burst / 2 && now - conn.dryAt > 10_000;
    if (!conn.bucket.take(now, cost)) {
      conn.dryAt = now;
      m.drop('rate_limited');
      this.limited(conn, now, cost, 'RATE_LIMITED');
      return false;
    }
    const hot = now < this.hotUntil;
    let shed: boolean;
    if (quiet) {
      // Quiet clients skip the budgets flooders share, but not a lagging loop: then they draw on
      // a budget of their own, so no class of client can stall the loop.
      shed = hot && !this.quietGlobal.take(now, cost);
    } else {
      shed = hot || this.turnUsed >= this.limits.turnBudget || !this.global.take(now, cost);
    }
    if (shed) {
      m.drop('overload');
      // Shed for longer than a plain rate limit: each wake-up of a flooder costs a socket read.
      this.limited(conn, now, cost, 'RATE_LIMITED', 2000);
      return false;
    }
    conn.quiet = quiet;
    if (!quiet && this.turnUsed++ === 0) {
      this.turnReset ??= () => {
        this.turnUsed = 0;
      };
      this.c.clock.setTimeout(this.turnReset, 0);
    }
    return true;
  }

  /** Charge `conn` extra tokens after the fact (what its frame turned out to cost). */
  charge(conn: Conn, tokens: number): void {
    conn.bucket.drain(this.c.clock.now(), tokens);
  }

  /** The event loop is lagging: for `ms`, shed bursting clients and hold quiet ones to their own budget. */
  overloaded(ms: number): void {
    const until = this.c.clock.now() + ms;
    if (until > this.hotUntil) {
      if (this.hotUntil < this.c.clock.now()) this.c.metrics.overloadEpisodes++;
      this.hotUntil = until;
    }
  }

  private limited(conn: Conn, now: number, cost: number, code: SignalErrorCode, basePauseMs = 250): void {
    const m = this.c.metrics;
    if (!conn.paused) {
      conn.paused = true;
      m.rateLimitedNow++;
      m.rateLimitedTotal++;
      conn.io.pause();
      // Repeat offenders wait longer (250 ms doubling to 8 s, jittered), so a flood costs one socket read
      // per pause rather than one per token. Frames already buffered still arrive; they are
      // dropped undecoded in allow().
      conn.strikes = now - conn.limitedAt < 10_000 ? Math.min(conn.strikes + 1, 5) : 0;
      conn.limitedAt = now;
      // Jittered (x0.5..1.5) so a crowd limited at the same moment does not wake up together.
      const wait = Math.max(basePauseMs * 2 ** conn.strikes * (0.5 + this.c.rng.next()), conn.bucket.waitMs(now, cost));
      this.c.clock.setTimeout(() => {
        if (conn.closed || !conn.paused) return;
        conn.paused = false;
        m.rateLimitedNow--;
        conn.io.resume();
      }, wait);
    }
    if (now - conn.limitedNoticeAt >= 1000) {
      conn.limitedNoticeAt = now;
      this.notify(conn, {
        t: 'error',
        code,
        message: `over ${this.limits.ratePerSec} tokens/s (burst ${this.limits.burst}; a frame costs 1 + 1 per ${this.limits.bytesPerToken} bytes) or server busy`,
      });
    }
  }
}
