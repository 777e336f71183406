import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import { immutableTarget, makeImmutable } from '../../../../shared/records/bep44';
import { RecordTable, type PersistedEntry } from '../../../../shared/records/record-table';
import { SeqCounter } from '../../../../shared/records/seq-floor';
import { encodeRecord } from '../../../../web/storage/idb-codec';
import { IdbRecordStore } from '../../../../web/storage/idb-record-store';
import { keyFromSeed, rec, targetOf } from '../../../helpers/records';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';

let dbCounter = 0;
/** A fresh profile per test so databases never leak between tests. */
function profile(): string {
  return `test-${process.pid}-${dbCounter++}`;
}
const quiet = { onWarning: () => undefined };

describe('IdbRecordStore', () => {
  it('round-trips mutable and immutable records with their optional fields', async () => {
    const store = new IdbRecordStore(profile(), quiet);
    const m = rec(keyFromSeed(1), 42, 'hello', 'salty');
    const im = makeImmutable(utf8.encode('immutable bytes'));
    const e1: PersistedEntry = { target: bytesToHex(targetOf(m)), record: m, storedAt: 5, lastRefreshed: 9, origin: 'own' };
    const e2: PersistedEntry = { target: bytesToHex(immutableTarget(im.v)), record: im, storedAt: 7 };
    await store.put(e1);
    await store.put(e2);
    const { records, skipped } = await store.loadAll();
    expect(skipped).toBe(0);
    const byTarget = new Map(records.map((r) => [r.target, r]));
    expect(byTarget.get(e1.target)).toEqual(e1);
    expect(byTarget.get(e2.target)).toEqual(e2);
    await store.delete(e2.target);
    expect((await store.loadAll()).records).toHaveLength(1);
  });

  it('stores meta values and survives a "reload" (new instance, same profile)', async () => {
    const name = profile();
    const a = new IdbRecordStore(name, quiet);
    const r = rec(keyFromSeed(2), 1);
    await a.put({ target: bytesToHex(targetOf(r)), record: r, storedAt: 1 });
    await a.setMeta('seq::', new Uint8Array([1, 2, 3]));
    const b = new IdbRecordStore(name, quiet);
    await b.open(); // opened ahead of use (at start, side by side with the other databases)
    expect((await b.loadAll()).records).toHaveLength(1);
    expect(await b.getMeta('seq::')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await b.getMeta('missing')).toBeUndefined();
    // Another profile is a separate database.
    expect((await new IdbRecordStore(profile(), quiet).loadAll()).records).toHaveLength(0);
  });

  it('skips corrupt and foreign entries with a counted warning, never throwing', async () => {
    const name = profile();
    const store = new IdbRecordStore(name, { onWarning: (m) => warnings.push(m) });
    const warnings: string[] = [];
    const good = rec(keyFromSeed(3), 1, 'good');
    const goodTarget = bytesToHex(targetOf(good));
    await store.put({ target: goodTarget, record: good, storedAt: 1 });

    const raw = createStore(store.dbName, 'records');
    const other = rec(keyFromSeed(4), 1);
    const otherTarget = bytesToHex(targetOf(other));
    const valid = encodeRecord({ target: otherTarget, record: other, storedAt: 1 });
    const third = rec(keyFromSeed(7), 1);
    const thirdTarget = bytesToHex(targetOf(third));
    const corrupt: Array<[IDBValidKey, unknown]> = [
      [`r:${thirdTarget}`, { ...encodeRecord({ target: thirdTarget, record: third, storedAt: 1 }), v: 'zz' }], // not hex
      [`r:${otherTarget.replace(/^./, 'f')}`, valid], // key names another target
      [`r:${otherTarget}x`, { ...valid, k: valid.k!.slice(2) }],
      ['r:bad', 'just a string'],
      ['r:null', null],
      ['r:fut', { ...valid, f: 'p2p-rec/9' }],
      ['r:seq', { ...valid, seq: -4 }],
      ['r:big', { ...valid, v: 'ab'.repeat(1001) }],
      ['foreign-key', { hello: 1 }],
      [12345, 'numeric key'],
      ['m:seq::bad', { f: 'p2p-meta/1', hex: 'xyz' }],
    ];
    for (const [k, v] of corrupt) await set(k, v, raw);
    // A flipped bit in an immutable payload changes its hash: caught by the store's target check.
    const im = makeImmutable(utf8.encode('imm'));
    const imTarget = bytesToHex(immutableTarget(im.v));
    const imValid = encodeRecord({ target: imTarget, record: im, storedAt: 1 });
    await set(`r:${imTarget}`, { ...imValid, v: imValid.v.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, raw);
    // A flipped bit in a mutable value keeps its target: structurally fine, caught by the table's signature check.
    await set(`r:${otherTarget}`, { ...valid, v: valid.v.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, raw);

    const { records, skipped } = await store.loadAll();
    expect(records.map((r) => r.target).sort()).toEqual([goodTarget, otherTarget].sort());
    expect(skipped).toBe(corrupt.length - 1 /* meta is not a record */ + 1 /* immutable flip */);
    expect(store.warnings).toBe(skipped);
    expect(warnings).toHaveLength(skipped);
    const table = new RecordTable({ clock: new VirtualClock(0), store });
    expect(await table.load()).toEqual({ loaded: 1, skipped: skipped + 1 });
    expect(table.has(goodTarget)).toBe(true);
    expect(table.has(otherTarget)).toBe(false);
    expect(await store.getMeta('seq::bad')).toBeUndefined();
    expect(store.warnings).toBe(2 * skipped + 1); // the table's load counted them again, plus this meta
  });

  it('a RecordTable warms from it after a reload, and the seq counter continues', async () => {
    const name = profile();
    const clock = new VirtualClock(1_000);
    const owner = keyFromSeed(5);
    const t1 = new RecordTable({ clock, store: new IdbRecordStore(name, quiet) });
    const seq1 = new SeqCounter({ store: new IdbRecordStore(name, quiet), clock });
    const s = await seq1.next();
    const mine = rec(owner, s, 'my contact info');
    const theirs = rec(keyFromSeed(6), 3, 'theirs');
    t1.put(targetOf(mine), mine, { origin: 'own' });
    t1.put(targetOf(theirs), theirs);
    await t1.flush();

    // "reload": everything new, same profile
    const store2 = new IdbRecordStore(name, quiet);
    const t2 = new RecordTable({ clock, store: store2 });
    expect(await t2.load()).toEqual({ loaded: 2, skipped: 0 });
    expect(t2.getEntry(targetOf(mine))?.origin).toBe('own');
    expect(t2.get(targetOf(theirs))).toEqual(theirs);
    const seq2 = new SeqCounter({ store: store2, clock });
    expect(await seq2.next()).toBe(s + 1);
  });
});
