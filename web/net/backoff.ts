/**
 * Exponential backoff with jitter for reconnects: attempt n waits
 * d = min(maxMs, baseMs * factor^n), randomized to [d * (1 - jitter), d].
 * The randomness is injectable so tests (and the simulator) are deterministic.
 */
import { cryptoRng, type Rng } from '../../shared/env/rng';

export interface BackoffOptions {
  /** First delay, ms. @default 500 */
  baseMs?: number;
  /** Ceiling, ms. @default 30000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /** Fraction of each delay that is random (0 = none, 1 = full jitter). @default 0.5 */
  jitter?: number;
  rng?: Rng;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly rng: Rng;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
    this.rng = opts.rng ?? cryptoRng;
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The next delay, ms; each call advances the attempt count. */
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * this.factor ** Math.min(this.attempt, 64));
    this.attempt++;
    return Math.round(d * (1 - this.jitter) + this.rng.next() * d * this.jitter);
  }

  reset(): void {
    this.attempt = 0;
  }
}
