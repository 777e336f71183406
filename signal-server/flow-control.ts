/**
 * Admission of incoming frames, before they are decoded: the per-connection token bucket and the
 * load shedding that keeps quiet clients fast while others flood (docs/signaling.md, "Abuse
 * handling"). A frame that is refused pauses its socket, so TCP backpressure holds the excess.
 * Part of the sans-IO hub: time, randomness and the socket come from its components.
 */
import type { ErrorMsg, SignalErrorCode } from '../shared/protocol/signaling';
import type { Conn, HubComponents } from './conn';
import type { HubLimits } from './limits';
import { TokenBucket } from './token-bucket';

export class FlowControl {
  private readonly global: TokenBucket;
  /** Until when the server counts as overloaded (event loop lagging): bursting clients are shed. */
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
    this.global = new TokenBucket(limits.globalRatePerSec, limits.globalBurst, c.clock.now());
  }

  /** Count a frame of `size` bytes and take a token; false means drop it undecoded. */
  allow(conn: Conn, size: number): boolean {
    const now = this.c.clock.now();
    const m = this.c.metrics;
    m.messagesIn++;
    m.bytesIn += size;
    conn.lastSeen = now;
    // Quiet = own bucket (nearly) full: exempt from the global budget, so floods cannot starve it.
    const quiet = conn.bucket.level(now) >= this.limits.burst - 2;
    if (!conn.bucket.take(now)) {
      m.drop('rate_limited');
      this.limited(conn, now, 'RATE_LIMITED');
      return false;
    }
    if (!quiet && (now < this.hotUntil || this.turnUsed >= this.limits.turnBudget || !this.global.take(now))) {
      m.drop('overload');
      // Shed for longer than a plain rate limit: each wake-up of a flooder costs a socket read.
      this.limited(conn, now, 'RATE_LIMITED', 2000);
      return false;
    }
    if (!quiet && this.turnUsed++ === 0) {
      this.turnReset ??= () => {
        this.turnUsed = 0;
      };
      this.c.clock.setTimeout(this.turnReset, 0);
    }
    return true;
  }

  /** The event loop is lagging: shed bursting clients for `ms`. */
  overloaded(ms: number): void {
    const until = this.c.clock.now() + ms;
    if (until > this.hotUntil) {
      if (this.hotUntil < this.c.clock.now()) this.c.metrics.overloadEpisodes++;
      this.hotUntil = until;
    }
  }

  private limited(conn: Conn, now: number, code: SignalErrorCode, basePauseMs = 250): void {
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
      const wait = Math.max(basePauseMs * 2 ** conn.strikes * (0.5 + this.c.rng.next()), conn.bucket.waitMs(now));
      this.c.clock.setTimeout(() => {
        if (conn.closed || !conn.paused) return;
        conn.paused = false;
        m.rateLimitedNow--;
        conn.io.resume();
      }, wait);
    }
    if (now - conn.limitedNoticeAt >= 1000) {
      conn.limitedNoticeAt = now;
      this.notify(conn, { t: 'error', code, message: `over ${this.limits.ratePerSec}/s (burst ${this.limits.burst}) or server busy` });
    }
  }
}
