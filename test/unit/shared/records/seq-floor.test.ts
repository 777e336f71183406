import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../shared/crypto/bytes';
import { MemoryRecordStore } from '../../../../shared/records/memory-store';
import { SeqCounter, decodeSeq, encodeSeq, nextSeq } from '../../../../shared/records/seq-floor';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';

const MAX = Number.MAX_SAFE_INTEGER;

describe('nextSeq', () => {
  it('is max(last + 1, floor(now_ms))', () => {
    expect(nextSeq(undefined, 0)).toBe(0);
    expect(nextSeq(undefined, 1_700_000_000_123.9)).toBe(1_700_000_000_123);
    expect(nextSeq(5, 3)).toBe(6);
    expect(nextSeq(5, 1000)).toBe(1000);
    expect(nextSeq(2_000_000_000_000, 1_700_000_000_000)).toBe(2_000_000_000_001); // clock went backwards
    expect(nextSeq(undefined, -5)).toBe(0);
  });

  it('stays within 2^53-1 and refuses to wrap', () => {
    expect(nextSeq(MAX - 1, 0)).toBe(MAX);
    expect(nextSeq(undefined, 1e300)).toBe(MAX);
    expect(() => nextSeq(MAX, 0)).toThrow(RangeError);
    expect(() => nextSeq(-1, 0)).toThrow(RangeError);
    expect(() => nextSeq(1.5, 0)).toThrow(RangeError);
    expect(() => nextSeq(1, Number.NaN)).toThrow(TypeError);
  });

  it('encodes seqs as 8 bytes and rejects corrupt values', () => {
    for (const s of [0, 1, 2 ** 32 - 1, 2 ** 32, 1_700_000_000_000, MAX]) expect(decodeSeq(encodeSeq(s))).toBe(s);
    expect(decodeSeq(new Uint8Array(7))).toBeUndefined();
    expect(decodeSeq(new Uint8Array(8).fill(0xff))).toBeUndefined();
    expect(decodeSeq(undefined)).toBeUndefined();
  });
});

describe('SeqCounter', () => {
  it('is strictly increasing per salt and persists each value', async () => {
    const store = new MemoryRecordStore();
    const clock = new VirtualClock(1000);
    const c = new SeqCounter({ store, clock });
    const a = [await c.next(), await c.next(), await c.next()];
    expect(a).toEqual([1000, 1001, 1002]);
    expect(await c.next(utf8.encode('other'))).toBe(1000);
    expect(decodeSeq(await store.getMeta(c.metaKey()))).toBe(1002);
  });

  it('concurrent next() calls never return the same seq', async () => {
    const c = new SeqCounter({ store: new MemoryRecordStore(), clock: new VirtualClock(0) });
    const seqs = await Promise.all(Array.from({ length: 50 }, () => c.next()));
    expect(new Set(seqs).size).toBe(50);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('never goes backwards across a reload, even if the clock does', async () => {
    const store = new MemoryRecordStore();
    const clock = new VirtualClock(5000);
    const c1 = new SeqCounter({ store, clock });
    await c1.next();
    await c1.next();
    const last = await c1.next(); // 5002
    clock.warp(10); // the clock was reset
    const c2 = new SeqCounter({ store, clock }); // "reload": new instance, same store
    expect(await c2.next()).toBe(last + 1);
  });

  it('never goes backwards after a restore from an old backup', async () => {
    const store = new MemoryRecordStore();
    const clock = new VirtualClock(1_700_000_000_000);
    const c1 = new SeqCounter({ store, clock });
    await c1.next();
    const backup = store.snapshot(); // taken here
    const published: number[] = [];
    for (let i = 0; i < 100; i++) {
      clock.runFor(60_000); // one publish a minute for 100 minutes
      published.push(await c1.next());
    }
    clock.runFor(1); // restore right after
    const restored = new SeqCounter({ store: backup, clock });
    const next = await restored.next();
    expect(next).toBeGreaterThan(Math.max(...published));
  });

  it('observe raises the floor (network seq after restore) but never lowers it', async () => {
    const store = new MemoryRecordStore();
    const c = new SeqCounter({ store, clock: new VirtualClock(0) });
    await c.observe(undefined, 500);
    await c.observe(undefined, 100);
    expect(await c.peek()).toBe(500);
    expect(await c.next()).toBe(501);
  });

  it('treats corrupt meta as absent (time floor) and counts it', async () => {
    const store = new MemoryRecordStore();
    const c = new SeqCounter({ store, clock: new VirtualClock(777) });
    await store.setMeta(c.metaKey(), utf8.encode('garbage'));
    expect(await c.next()).toBe(777);
    expect(c.corruptMeta).toBe(1);
  });

  it('namespaces keep counters of different keys apart', async () => {
    const store = new MemoryRecordStore();
    const a = new SeqCounter({ store, clock: new VirtualClock(0) }, 'aa');
    const b = new SeqCounter({ store, clock: new VirtualClock(0) }, 'bb');
    await a.next();
    await a.next();
    expect(await b.next()).toBe(0);
  });
});
