import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import type { PersistedRecord, RecordStore } from '../../../../shared/env/store';
import { immutableTarget, makeImmutable } from '../../../../shared/records/bep44';
import { MemoryRecordStore } from '../../../../shared/records/memory-store';
import { RecordTable } from '../../../../shared/records/record-table';
import type { DhtRecord, MutableRecord, StoreRefusal } from '../../../../shared/records/types';
import { STORE_REFUSALS } from '../../../../shared/records/types';
import { keyFromSeed, rec, targetOf } from '../../../helpers/records';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';

const MIN = 60_000;
const alice = keyFromSeed(1);
const mallory = keyFromSeed(2);

function seqOf(r: DhtRecord | undefined): number | undefined {
  return r?.type === 'mutable' ? r.seq : undefined;
}

describe('RecordTable storage rules', () => {
  it('stores, replaces with a higher seq, refreshes identical re-puts', () => {
    const t = new RecordTable({ clock: new VirtualClock() });
    const r1 = rec(alice, 1);
    expect(t.put(targetOf(r1), r1, { now: 0 })).toEqual({ ok: true, changed: true });
    expect(t.put(targetOf(r1), rec(alice, 1), { now: 10 })).toEqual({ ok: true, changed: false });
    expect(t.getEntry(targetOf(r1))?.lastRefreshed).toBe(10);
    expect(t.getEntry(targetOf(r1))?.storedAt).toBe(0);
    expect(t.put(targetOf(r1), rec(alice, 2), { now: 20 })).toEqual({ ok: true, changed: true });
    expect(seqOf(t.get(targetOf(r1)))).toBe(2);
    expect(t.has(bytesToHex(targetOf(r1)))).toBe(true);
    expect(t.size).toBe(1);
    expect(t.counters).toMatchObject({ added: 1, replaced: 1, refreshed: 1 });
  });

  it('refuses every bad write with its code, counts it, and changes nothing', async () => {
    const store = new MemoryRecordStore();
    const t = new RecordTable({ clock: new VirtualClock(), store }, { capacity: 1, maxPerKey: 1 });
    const r5 = rec(alice, 5, 'five');
    const target = targetOf(r5);
    expect(t.put(target, r5, { now: 0 }).ok).toBe(true);
    const before = t.getEntry(target);

    const forged: MutableRecord = { ...rec(mallory, 6, 'evil'), k: alice.publicKey };
    const other = rec(mallory, 1);
    const cases: Array<[StoreRefusal, Uint8Array | string, unknown, number?]> = [
      ['BAD_SIGNATURE', target, forged],
      ['BAD_SIGNATURE', target, { ...rec(alice, 6, 'six'), v: utf8.encode('siX') }],
      ['SEQ_TOO_LOW', target, rec(alice, 4)],
      ['SEQ_REUSED', target, rec(alice, 5, 'not five')],
      ['CAS_MISMATCH', target, rec(alice, 6), 4],
      ['VALUE_TOO_LARGE', target, { ...r5, v: new Uint8Array(1001) }],
      ['SALT_TOO_LARGE', target, { ...r5, salt: new Uint8Array(65) }],
      ['BAD_RECORD', target, { ...r5, seq: -1 }],
      ['BAD_RECORD', 'not-a-target', r5],
      ['BAD_RECORD', new Uint8Array(5), r5],
      ['TARGET_MISMATCH', target, other],
      ['STORE_FULL', targetOf(other), other],
    ];
    for (const [code, tgt, record, cas] of cases) {
      expect(t.put(tgt, record as DhtRecord, { cas, now: 1 }), code).toEqual({ ok: false, code });
    }
    expect(t.getEntry(target)).toEqual(before);
    expect(t.size).toBe(1);
    for (const code of STORE_REFUSALS) {
      const expected = cases.filter((c) => c[0] === code).length;
      expect(t.counters.refused[code], code).toBe(expected);
    }
    // Nothing refused reached persistence either.
    await t.flush();
    const { records } = await store.loadAll();
    expect(records).toHaveLength(1);
    expect(seqOf(records[0]!.record)).toBe(5);
  });

  it('compare-and-swap: matching cas replaces, stale cas is refused', () => {
    const t = new RecordTable({ clock: new VirtualClock() });
    const r1 = rec(alice, 1);
    const target = targetOf(r1);
    expect(t.put(target, r1, { cas: 7 }).ok).toBe(true); // nothing stored: cas has nothing to mismatch
    expect(t.put(target, rec(alice, 2), { cas: 1 })).toEqual({ ok: true, changed: true });
    expect(t.put(target, rec(alice, 3), { cas: 1 })).toEqual({ ok: false, code: 'CAS_MISMATCH' });
    expect(seqOf(t.get(target))).toBe(2);
    expect(t.put(target, rec(alice, 3), { cas: 2 })).toEqual({ ok: true, changed: true });
  });

  it('stores immutable records and refreshes identical ones', () => {
    const t = new RecordTable({ clock: new VirtualClock() });
    const im = makeImmutable(utf8.encode('immutable'));
    expect(t.put(immutableTarget(im.v), im)).toEqual({ ok: true, changed: true });
    expect(t.put(immutableTarget(im.v), makeImmutable(utf8.encode('immutable')))).toEqual({ ok: true, changed: false });
  });

  it('copies stored bytes so a caller mutating its record later changes nothing', () => {
    const t = new RecordTable({ clock: new VirtualClock() });
    const r = rec(alice, 1, 'abc');
    const v = r.v as Uint8Array;
    t.put(targetOf(r), r);
    v[0] = 0;
    expect(utf8.decode(t.get(targetOf(r))!.v)).toBe('abc');
  });
});

describe('RecordTable expiry and origin', () => {
  it('a replica copied from another holder keeps its age: it expires ttl after the owner last refreshed it', () => {
    const clock = new VirtualClock();
    const t = new RecordTable({ clock }, { ttlMs: 120 * MIN, protectMs: 60 * MIN });
    const r = rec(alice, 1, 'passed on');
    clock.warp(200 * MIN);
    // Handed over at 200 min, last refreshed by its owner at 150 min.
    expect(t.put(targetOf(r), r, { refreshedAt: 150 * MIN })).toEqual({ ok: true, changed: true });
    expect(t.getEntry(targetOf(r))?.lastRefreshed).toBe(150 * MIN);
    // An older copy of the same record does not make it older; a fresher one makes it younger.
    t.put(targetOf(r), r, { refreshedAt: 100 * MIN });
    expect(t.getEntry(targetOf(r))?.lastRefreshed).toBe(150 * MIN);
    expect(t.expire(269 * MIN)).toBe(0);
    clock.warp(270 * MIN);
    // Past its TTL it is gone for readers at once, and for the table at the next sweep.
    expect(t.has(targetOf(r))).toBe(false);
    expect(t.expire(270 * MIN)).toBe(1);
    // A copy that arrives already a whole TTL old is not stored.
    const old = rec(mallory, 1, 'too old');
    expect(t.put(targetOf(old), old, { refreshedAt: 150 * MIN })).toEqual({ ok: true, changed: false });
    expect(t.has(targetOf(old))).toBe(false);
    expect(t.counters.arrivedExpired).toBe(1);
    // The owner's own records are always fresh.
    expect(t.put(targetOf(old), old, { origin: 'own', refreshedAt: 0 }).ok).toBe(true);
    expect(t.getEntry(targetOf(old))?.lastRefreshed).toBe(270 * MIN);
  });

  it('expires replicas ttl after their last refresh; own records never expire', () => {
    const t = new RecordTable({ clock: new VirtualClock() }, { ttlMs: 120 * MIN, protectMs: 60 * MIN });
    const mine = rec(alice, 1, 'mine');
    const theirs = rec(mallory, 1, 'theirs');
    const refreshed = rec(keyFromSeed(3), 1);
    t.put(targetOf(mine), mine, { now: 0, origin: 'own' });
    t.put(targetOf(theirs), theirs, { now: 0 });
    t.put(targetOf(refreshed), refreshed, { now: 0 });
    t.put(targetOf(refreshed), refreshed, { now: 100 * MIN });
    expect(t.expire(119 * MIN)).toBe(0);
    expect(t.expire(120 * MIN)).toBe(1);
    expect(t.has(targetOf(theirs))).toBe(false);
    expect(t.has(targetOf(refreshed))).toBe(true);
    expect(t.expire(10_000 * MIN)).toBe(1);
    expect(t.getEntry(targetOf(mine))?.origin).toBe('own');
    expect(t.counters.expired).toBe(2);
  });

  it('a replica re-put as own is upgraded, and own is never downgraded', () => {
    const t = new RecordTable({ clock: new VirtualClock() });
    const r = rec(alice, 1);
    t.put(targetOf(r), r);
    expect(t.getEntry(targetOf(r))?.origin).toBe('replica');
    t.put(targetOf(r), r, { origin: 'own' });
    expect(t.getEntry(targetOf(r))?.origin).toBe('own');
    t.put(targetOf(r), rec(alice, 2));
    expect(t.getEntry(targetOf(r))?.origin).toBe('own');
    expect([t.ownCount, t.replicaCount]).toEqual([1, 0]);
  });

  it('bounds own records with maxOwn', () => {
    const t = new RecordTable({ clock: new VirtualClock() }, { maxOwn: 2 });
    for (const salt of ['a', 'b'])
      expect(t.put(targetOf(rec(alice, 1, 'x', salt)), rec(alice, 1, 'x', salt), { origin: 'own' }).ok).toBe(true);
    const c = rec(alice, 1, 'x', 'c');
    expect(t.put(targetOf(c), c, { origin: 'own' })).toEqual({ ok: false, code: 'STORE_FULL' });
  });
});

describe('RecordTable eviction policy', () => {
  const SEED = 7;
  it(`a flood of attacker keys cannot push out fresh honest records (seed ${SEED})`, () => {
    const clock = new VirtualClock();
    const t = new RecordTable({ clock }, { capacity: 50, ttlMs: 120 * MIN, protectMs: 60 * MIN });
    const honest = Array.from({ length: 40 }, (_, i) => rec(keyFromSeed(1000 + i), 1, `honest ${i}`));
    for (const r of honest) expect(t.put(targetOf(r), r, { now: 0 }).ok).toBe(true);

    let attackerStored = 0;
    let attackerFull = 0;
    let n = 0;
    // Three simulated hours; the attacker sends 10 fresh keys each minute; honest owners republish every 30 min.
    for (let minute = 1; minute <= 180; minute++) {
      const now = minute * MIN;
      for (let i = 0; i < 10; i++) {
        const r = rec(keyFromSeed(SEED * 1_000_000 + n++), 1, 'flood');
        const res = t.put(targetOf(r), r, { now });
        if (res.ok) attackerStored++;
        else if (res.code === 'STORE_FULL') attackerFull++;
      }
      if (minute % 30 === 0) for (const r of honest) t.put(targetOf(r), r, { now });
      t.expire(now);
      for (const r of honest) expect(t.has(targetOf(r)), `honest record lost at minute ${minute}`).toBe(true);
    }
    expect(t.replicaCount).toBeLessThanOrEqual(50);
    console.log(`flood: stored=${attackerStored} full=${attackerFull}`);
    expect(attackerFull).toBeGreaterThan(1500);
    // The attacker only ever got the free room (10 slots) plus room that aged out of its own records.
    expect(attackerStored).toBeLessThan(100);
    expect(t.counters.refused.STORE_FULL).toBe(attackerFull);
  });

  it('evicts the least recently refreshed replica once it is past protectMs', () => {
    const t = new RecordTable({ clock: new VirtualClock() }, { capacity: 3, ttlMs: 120 * MIN, protectMs: 60 * MIN });
    const [a, b, c, d] = [10, 11, 12, 13].map((s) => rec(keyFromSeed(s), 1));
    t.put(targetOf(a!), a!, { now: 0 });
    t.put(targetOf(b!), b!, { now: 1 });
    t.put(targetOf(c!), c!, { now: 2 });
    t.put(targetOf(a!), a!, { now: 3 }); // a refreshed: b is now the stalest
    expect(t.put(targetOf(d!), d!, { now: 30 * MIN })).toEqual({ ok: false, code: 'STORE_FULL' });
    expect(t.put(targetOf(d!), d!, { now: 61 * MIN })).toEqual({ ok: true, changed: true });
    expect(t.has(targetOf(b!))).toBe(false);
    expect([a, c, d].every((r) => t.has(targetOf(r!)))).toBe(true);
    expect(t.counters.evicted).toBe(1);
  });

  it('a forged record never evicts anything', () => {
    const t = new RecordTable({ clock: new VirtualClock() }, { capacity: 1, ttlMs: 2, protectMs: 1 });
    const a = rec(alice, 1);
    t.put(targetOf(a), a, { now: 0 });
    const forged: MutableRecord = { ...rec(mallory, 1), k: keyFromSeed(99).publicKey };
    expect(t.put(targetOf(forged), forged, { now: 1 })).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
    expect(t.has(targetOf(a))).toBe(true);
    expect(t.counters.evicted).toBe(0);
  });

  it('limits replicas per key owner (salts cannot fill the table)', () => {
    const t = new RecordTable({ clock: new VirtualClock() }, { capacity: 100, maxPerKey: 3 });
    const results = ['a', 'b', 'c', 'd', 'e'].map((s) => t.put(targetOf(rec(mallory, 1, 'x', s)), rec(mallory, 1, 'x', s)));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    // updates to a target already held are never refused as full
    expect(t.put(targetOf(rec(mallory, 2, 'y', 'a')), rec(mallory, 2, 'y', 'a')).ok).toBe(true);
    expect(t.put(targetOf(rec(alice, 1)), rec(alice, 1)).ok).toBe(true);
  });
});

describe('RecordTable persistence', () => {
  it('writes through, and a new table warms from the store (origin and refresh kept)', async () => {
    const store = new MemoryRecordStore();
    const clock = new VirtualClock(1000);
    const t = new RecordTable({ clock, store });
    const mine = rec(alice, 3, 'mine');
    const theirs = rec(mallory, 8, 'theirs');
    t.put(targetOf(mine), mine, { origin: 'own' });
    t.put(targetOf(theirs), rec(mallory, 7));
    t.put(targetOf(theirs), theirs);
    await t.flush();
    expect(store.size).toBe(2);

    const t2 = new RecordTable({ clock, store });
    expect(await t2.load()).toEqual({ loaded: 2, skipped: 0 });
    expect(seqOf(t2.get(targetOf(theirs)))).toBe(8);
    expect(t2.getEntry(targetOf(mine))?.origin).toBe('own');
    expect(t2.getEntry(targetOf(theirs))?.origin).toBe('replica');
    expect(t2.counters.loaded).toBe(2);

    t2.delete(targetOf(theirs));
    t2.expire(1000 + 10 * 120 * MIN);
    await t2.flush();
    expect(store.size).toBe(1);
  });

  it('a replica kept alive by refreshes survives a reload, without a disk write per refresh', async () => {
    const store = new MemoryRecordStore();
    let writes = 0;
    const counting: RecordStore = {
      loadAll: () => store.loadAll(),
      put: (e) => {
        writes++;
        return store.put(e);
      },
      delete: (tg) => store.delete(tg),
      getMeta: (k) => store.getMeta(k),
      setMeta: (k, v) => store.setMeta(k, v),
    };
    const init = { ttlMs: 120 * MIN, protectMs: 60 * MIN, persistRefreshMs: 15 * MIN };
    const t = new RecordTable({ clock: new VirtualClock(), store: counting }, init);
    const r = rec(mallory, 1);
    t.put(targetOf(r), r, { now: 0 });
    for (let m = 1; m <= 300; m++) t.put(targetOf(r), r, { now: m * MIN }); // refreshed every minute for 5 h
    await t.flush();
    expect(writes).toBe(1 + 300 / 15);
    const t2 = new RecordTable({ clock: new VirtualClock(), store }, init);
    expect(await t2.load(301 * MIN)).toEqual({ loaded: 1, skipped: 0 });
    expect(t2.getEntry(targetOf(r))?.lastRefreshed).toBe(300 * MIN);
  });

  it('skips corrupt, foreign, forged and expired entries at load, counting them', async () => {
    const good = rec(alice, 1);
    const forged: MutableRecord = { ...rec(mallory, 9), k: alice.publicKey };
    const goodEntry: PersistedRecord = { target: bytesToHex(targetOf(good)), record: good, storedAt: 0 };
    const entries: unknown[] = [
      goodEntry,
      { target: bytesToHex(targetOf(good)), record: forged, storedAt: 0 },
      { target: 'zz', record: good, storedAt: 0 },
      { target: bytesToHex(targetOf(good)), record: { type: 'mutable' }, storedAt: 0 },
      { target: bytesToHex(targetOf(good)), record: good, storedAt: 'yesterday' },
      { hello: 'foreign' },
      null,
      42,
    ];
    const deleted: string[] = [];
    const expiredReplica = rec(keyFromSeed(5), 1);
    entries.push({ target: bytesToHex(targetOf(expiredReplica)), record: expiredReplica, storedAt: -10 * 120 * MIN });
    const store: RecordStore = {
      loadAll: async () => ({ records: entries as PersistedRecord[], skipped: 3 }),
      put: async () => undefined,
      delete: async (tg) => void deleted.push(tg),
      getMeta: async () => undefined,
      setMeta: async () => undefined,
    };
    const t = new RecordTable({ clock: new VirtualClock(0), store });
    expect(await t.load()).toEqual({ loaded: 1, skipped: 3 + 7 });
    expect(t.counters.loadSkipped).toBe(10);
    expect(t.counters.expired).toBe(1);
    expect(seqOf(t.get(targetOf(good)))).toBe(1);
    await t.flush();
    expect(deleted).toEqual([bytesToHex(targetOf(expiredReplica))]);
  });

  it('counts persistence errors without breaking the hot path', async () => {
    const errors: unknown[] = [];
    const failing: RecordStore = {
      loadAll: async () => {
        throw new Error('disk gone');
      },
      put: async () => {
        throw new Error('quota');
      },
      delete: () => {
        throw new Error('sync throw');
      },
      getMeta: async () => undefined,
      setMeta: async () => undefined,
    };
    const t = new RecordTable({ clock: new VirtualClock(), store: failing, onPersistError: (e) => errors.push(e) });
    const r = rec(alice, 1);
    expect(t.put(targetOf(r), r).ok).toBe(true);
    expect(t.delete(targetOf(r))).toBe(true);
    expect(await t.load()).toEqual({ loaded: 0, skipped: 0 });
    await t.flush();
    expect(t.counters.persistErrors).toBe(3);
    expect(errors).toHaveLength(3);
  });
});
