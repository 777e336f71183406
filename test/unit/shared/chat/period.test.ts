/**
 * shared/chat/period.ts: period boundaries, the publish and read windows, and the clock-skew
 * tolerance constants.ts promises, checked against a model of an owner publishing over time.
 */
import { describe, expect, it } from 'vitest';
import { PERIOD_MS, PREPUBLISH_MS, READ_PREVIOUS_MS } from '../../../../shared/chat/constants';
import { periodOf, periodStart, periodsToPublish, periodsToRead } from '../../../../shared/chat/period';
import { SeededRng } from '../../../../shared/env/rng';

const minute = 60_000;
/** A replica lives this long after its last publish (RECORD_TABLE_DEFAULTS.ttlMs). */
const TTL_MS = 120 * minute;

describe('periods', () => {
  it('t = floor(now / PERIOD_MS); periodStart is its first ms', () => {
    expect(periodOf(0)).toBe(0);
    expect(periodOf(PERIOD_MS - 1)).toBe(0);
    expect(periodOf(PERIOD_MS)).toBe(1);
    expect(periodStart(1)).toBe(PERIOD_MS);
    const SEED = 17;
    const rng = new SeededRng(SEED);
    for (let i = 0; i < 500; i++) {
      const now = rng.int(2 ** 31) * 1000 + rng.int(1000);
      const t = periodOf(now);
      expect(periodStart(t) <= now && now < periodStart(t + 1), `seed ${SEED}, now ${now}`).toBe(true);
    }
  });

  it('publishes t, and t + 1 in the last PREPUBLISH_MS', () => {
    const t = 487_000;
    const s = periodStart(t);
    expect(periodsToPublish(s)).toEqual([t]);
    expect(periodsToPublish(s + PERIOD_MS - PREPUBLISH_MS - 1)).toEqual([t]);
    expect(periodsToPublish(s + PERIOD_MS - PREPUBLISH_MS)).toEqual([t, t + 1]);
    expect(periodsToPublish(s + PERIOD_MS - 1)).toEqual([t, t + 1]);
    expect(periodsToPublish(s + PERIOD_MS)).toEqual([t + 1]);
  });

  it('reads t, and t - 1 in the first READ_PREVIOUS_MS (never a negative period)', () => {
    const t = 487_000;
    const s = periodStart(t);
    expect(periodsToRead(s)).toEqual([t, t - 1]);
    expect(periodsToRead(s + READ_PREVIOUS_MS - 1)).toEqual([t, t - 1]);
    expect(periodsToRead(s + READ_PREVIOUS_MS)).toEqual([t]);
    expect(periodsToRead(s + PERIOD_MS - 1)).toEqual([t]);
    expect(periodsToRead(0)).toEqual([0]);
  });

  /** Periods an owner has records for at `ownerNow`: whatever it published within the record TTL. */
  function published(ownerNow: number): Set<number> {
    const out = new Set<number>();
    for (let at = Math.max(0, ownerNow - TTL_MS); at <= ownerNow; at += minute) for (const p of periodsToPublish(at)) out.add(p);
    return out;
  }
  const finds = (ownerNow: number, skewMs: number) => periodsToRead(ownerNow + skewMs).some((p) => published(ownerNow).has(p));

  it('a reader finds the record with its clock 60 min behind to 20 min ahead of the owner, at any minute of the hour', () => {
    const base = periodStart(487_000);
    for (let m = 0; m < 60; m++) {
      for (let skew = -60; skew <= 20; skew++) {
        expect(finds(base + m * minute, skew * minute), `minute ${m}, skew ${skew} min`).toBe(true);
      }
    }
  });

  it('the 20-minute bound is tight: 21 min ahead misses at some minute of the hour', () => {
    const base = periodStart(487_000);
    const misses = Array.from({ length: 60 }, (_, m) => m).filter((m) => !finds(base + m * minute, 21 * minute));
    expect(misses.length).toBeGreaterThan(0);
  });

  it('refuses times and periods that are not valid', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => periodOf(bad)).toThrow(RangeError);
    expect(() => periodOf('1' as unknown as number)).toThrow(TypeError);
    expect(() => periodStart(1.5)).toThrow(TypeError);
    expect(() => periodStart(-1)).toThrow(RangeError);
    expect(() => periodStart(Math.floor(Number.MAX_SAFE_INTEGER / PERIOD_MS) + 1)).toThrow(RangeError);
  });
});
