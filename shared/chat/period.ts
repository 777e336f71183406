/**
 * Time periods of the blinded records (docs/chat-design.md, "Periods and blinded records"):
 * period t = ⌊now / PERIOD_MS⌋ counted from the Unix epoch, so every device agrees on t without
 * talking. Invite and presence records of period t live under keys blinded with t; these helpers
 * say which periods an owner publishes and a reader fetches at a given time.
 *
 * Clock skew: an owner also publishes t + 1 in the last PREPUBLISH_MS of t, and a reader also
 * fetches t − 1 in the first READ_PREVIOUS_MS of t; constants.ts has the arithmetic (20 min of
 * reader-ahead skew covered). Periods are returned most useful first: the current one leads.
 *
 * Local misuse (a time that is not a finite, non-negative number, or a period that is not a safe
 * non-negative integer) throws RangeError/TypeError.
 */
import { PERIOD_MS, PREPUBLISH_MS, READ_PREVIOUS_MS } from './constants';

/** The largest period whose start time is still a safe integer. */
const MAX_PERIOD = Math.floor(Number.MAX_SAFE_INTEGER / PERIOD_MS);

function assertTime(nowMs: unknown): asserts nowMs is number {
  if (typeof nowMs !== 'number') throw new TypeError('time must be a number of ms');
  if (!Number.isFinite(nowMs) || nowMs < 0 || nowMs > Number.MAX_SAFE_INTEGER)
    throw new RangeError(`time ${nowMs} is not a valid ms timestamp`);
}

function assertPeriod(t: unknown): asserts t is number {
  if (typeof t !== 'number' || !Number.isInteger(t)) throw new TypeError('period must be an integer');
  if (t < 0 || t > MAX_PERIOD) throw new RangeError(`period ${t} is out of range 0..${MAX_PERIOD}`);
}

/** The period containing `nowMs` (ms since the Unix epoch). */
export function periodOf(nowMs: number): number {
  assertTime(nowMs);
  return Math.floor(nowMs / PERIOD_MS);
}

/** The first ms of period `t`. */
export function periodStart(t: number): number {
  assertPeriod(t);
  return t * PERIOD_MS;
}

/** Periods whose records the owner keeps published at `nowMs`: t, and t + 1 in t's last PREPUBLISH_MS. */
export function periodsToPublish(nowMs: number): number[] {
  const t = periodOf(nowMs);
  return t < MAX_PERIOD && nowMs >= periodStart(t) + PERIOD_MS - PREPUBLISH_MS ? [t, t + 1] : [t];
}

/** Periods a reader fetches at `nowMs`: t, and t − 1 in t's first READ_PREVIOUS_MS. */
export function periodsToRead(nowMs: number): number[] {
  const t = periodOf(nowMs);
  return t > 0 && nowMs < periodStart(t) + READ_PREVIOUS_MS ? [t, t - 1] : [t];
}
