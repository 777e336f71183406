/**
 * The signature cache: verifies each record once, remembers successes and (in a smaller set)
 * failures, and holds at most its capacity (the default, or more once resized for the
 * simulator's many nodes).
 */
import { describe, expect, it } from 'vitest';
import { signMutable, verifyMutable } from '../../../../shared/records/bep44';
import type { MutableRecord } from '../../../../shared/records/types';
import { VerifiedCache } from '../../../../shared/records/verified-cache';
import { SeededRng } from '../../../../shared/env/rng';

const rng = new SeededRng(11);
const secretKey = rng.bytes(32);
const record = (seq: number): MutableRecord => signMutable({ secretKey, seq, value: Uint8Array.of(seq & 0xff) });
/** Unsigned (the verify function is the test's): only the bytes the cache keys on differ. */
const fake = (seq: number): MutableRecord => ({ ...signed, seq });
const signed = record(1);

describe('VerifiedCache', () => {
  it('verifies once, then answers from memory, for a good signature and a bad one alike', () => {
    const cache = new VerifiedCache();
    let calls = 0;
    const verify = (r: MutableRecord) => {
      calls++;
      return verifyMutable(r);
    };
    const r = record(1);
    expect(cache.check(r, verify)).toBe(true);
    expect(cache.check(r, verify)).toBe(true);
    expect(calls).toBe(1);
    expect(cache.hits).toBe(1);
    const bad = { ...r, sig: Uint8Array.from(r.sig, (b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(cache.check(bad, verify)).toBe(false);
    expect(cache.check(bad, verify)).toBe(false);
    expect(calls).toBe(2);
    expect(cache.hits).toBe(2);
    // The good one is still good, and another bad one is checked for itself.
    expect(cache.check(r, verify)).toBe(true);
    const bad2 = { ...r, sig: Uint8Array.from(r.sig, (b, i) => (i === 1 ? b ^ 1 : b)) };
    expect(cache.check(bad2, verify)).toBe(false);
    expect(calls).toBe(3);
  });

  it('failures have a smaller set of their own: a flood of forgeries never pushes out a good signature', () => {
    const cache = new VerifiedCache(8192);
    let calls = 0;
    const verify = (r: MutableRecord) => {
      calls++;
      return r.seq <= 100; // 1..100 good, the rest forged
    };
    for (let seq = 1; seq <= 100; seq++) expect(cache.check(fake(seq), verify)).toBe(true);
    for (let seq = 101; seq <= 101 + 8192; seq++) expect(cache.check(fake(seq), verify)).toBe(false);
    const before = calls;
    for (let seq = 1; seq <= 100; seq++) expect(cache.check(fake(seq), verify)).toBe(true);
    expect(calls).toBe(before); // every good one still remembered
    expect(cache.check(fake(101 + 8192), verify)).toBe(false); // the newest forgery: remembered
    expect(calls).toBe(before);
    expect(cache.check(fake(101), verify)).toBe(false); // the oldest: pushed out (8192 / 4 kept), checked again
    expect(calls).toBe(before + 1);
  });

  it('holds at most its capacity, the oldest going first; resize never goes below the default', () => {
    const cache = new VerifiedCache(8192);
    cache.resize(10); // below the default: stays 8192
    const records = Array.from({ length: 8200 }, (_, i) => fake(i + 1));
    let calls = 0;
    const verify = () => {
      calls++;
      return true;
    };
    for (const r of records) cache.check(r, verify);
    expect(calls).toBe(8200);
    cache.check(records[8199]!, verify); // newest: kept
    cache.check(records[0]!, verify); // oldest: evicted, verified again
    expect(calls).toBe(8201);
    cache.resize(20_000);
    for (const r of records.slice(0, 8200)) cache.check(r, verify);
    const before = calls;
    for (const r of records.slice(0, 8200)) cache.check(r, verify);
    expect(calls).toBe(before);
  });
});
