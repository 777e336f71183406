/**
 * shared/chat/staged-store.ts: batches applied at once and committed behind in one log record per
 * group; checkpoints; replay after a crash at any write; failure and recovery; range reads.
 */
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../../../shared/chat/errors';
import { StagedStore, stagedStore } from '../../../../shared/chat/staged-store';
import { MemoryChatStore, type JsonValue, type StoreOp } from '../../../../shared/chat/store';
import { SeededRng } from '../../../../shared/env/rng';
import { testSeed } from '../../../helpers/dht';

/** A store beneath whose writes wait until released (or fail), and which counts its reads. */
class GatedStore extends MemoryChatStore {
  gated = false;
  failWrites = false;
  gets = 0;
  /** Ops written beneath to the keys themselves (checkpoints; log records not counted). */
  readonly written: StoreOp[] = [];
  private readonly held: Array<() => void> = [];

  override async get(key: string): Promise<JsonValue | undefined> {
    this.gets++;
    return super.get(key);
  }

  override async batch(ops: StoreOp[]): Promise<void> {
    if (this.gated) await new Promise<void>((r) => this.held.push(r));
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.written.push(...ops.filter((op) => !op.key.startsWith('wal/')));
    return super.batch(ops);
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

const turn = () => new Promise((r) => setImmediate(r));
const put = (key: string, value: JsonValue): StoreOp => ({ key, value });

describe('StagedStore', () => {
  it('reads see a batch at once; its promise settles when committed; batches issued meanwhile share one record', async () => {
    const inner = new GatedStore();
    const s = await stagedStore(inner);
    inner.gated = true;
    let done = 0;
    const first = s.batch([put('a', 1)]).then(() => done++);
    const rest = [2, 3, 4].map((v) => s.batch([put('a', v), put(`k${v}`, v)]).then(() => done++));
    expect(await s.get('a')).toBe(4);
    expect((await s.list('k')).map(([k]) => k)).toEqual(['k2', 'k3', 'k4']);
    await turn();
    expect(done).toBe(0);
    inner.release();
    await first;
    expect(done).toBe(1);
    await turn();
    inner.release();
    await Promise.all(rest);
    expect(s.stats.commits).toBe(2); // the first alone, the three others in one record
    expect(inner.keys().filter((k) => k.startsWith('wal/'))).toHaveLength(2);
  });

  it('with gather, a batch issued while the first waits to start shares its record (and waits for it)', async () => {
    const inner = new GatedStore();
    let open: (() => void) | undefined;
    const s = await stagedStore(inner, () => new Promise<void>((r) => (open = r)));
    let done = 0;
    const first = s.batch([put('m', 1)]).then(() => done++);
    await turn();
    // The first has not started its commit: the second (e.g. the ratchet step) joins it.
    const second = s.batch([put('r', 2)]).then(() => done++);
    expect(s.stats.commits).toBe(0);
    open!();
    await Promise.all([first, second]);
    expect(done).toBe(2);
    expect(s.stats.commits).toBe(1);
    expect(inner.keys().filter((k) => k.startsWith('wal/'))).toHaveLength(1);
    // Without gather the first starts at once and the second takes its own record.
    const beneath = new GatedStore();
    const t = await stagedStore(beneath);
    beneath.gated = true;
    const m = t.batch([put('m', 1)]);
    await turn();
    const r = t.batch([put('r', 2)]);
    beneath.release();
    await m;
    await turn();
    beneath.release();
    await r;
    expect(t.stats.commits).toBe(2);
  });

  it('a checkpoint writes each key once and drops the log; reads and lists are unchanged', async () => {
    const inner = new GatedStore();
    const s = await stagedStore(inner);
    for (let i = 0; i < 5; i++) await s.batch([put('x', i), put(`m/${i}`, i)]);
    await s.batch([{ key: 'm/2', delete: true }]);
    const before = await s.list('');
    s.checkpoint();
    await s.drain();
    expect(s.stats.checkpoints).toBe(1);
    expect(inner.keys().some((k) => k.startsWith('wal/'))).toBe(false);
    expect(await inner.get('x')).toBe(4);
    expect(inner.written.filter((op) => op.key === 'x')).toHaveLength(1);
    expect(await s.list('')).toEqual(before);
    expect(await inner.list('')).toEqual(before);
  });

  it('a fresh key created and deleted before a checkpoint never reaches the store beneath', async () => {
    const inner = new GatedStore();
    const s = await stagedStore(inner);
    await s.batch([{ key: 'out/1', value: 'x', fresh: true }, put('kept', 1)]);
    await s.batch([put('out/1', 'y')]);
    await s.batch([{ key: 'out/1', delete: true }]);
    s.checkpoint();
    await s.drain();
    expect(inner.written.map((op) => op.key).filter((k) => !k.startsWith('wal/'))).toEqual(['kept']);
    // Once checkpointed, a fresh key's delete is written.
    await s.batch([{ key: 'out/2', value: 'x', fresh: true }]);
    s.checkpoint();
    await s.drain();
    await s.batch([{ key: 'out/2', delete: true }]);
    s.checkpoint();
    await s.drain();
    expect(inner.written.filter((op) => op.key === 'out/2').map((op) => 'delete' in op)).toEqual([false, true]);
    expect(await inner.get('out/2')).toBeUndefined();
  });

  it('a checkpoint writes what the log holds, not a newer value still waiting for its record', async () => {
    const inner = new GatedStore();
    const s = await stagedStore(inner);
    await s.batch([put('k', 'logged')]);
    inner.gated = true;
    s.checkpoint();
    await turn(); // the checkpoint is being written
    const newer = s.batch([put('k', 'newer')]); // applied, and queued behind the checkpoint
    expect(await s.get('k')).toBe('newer');
    inner.release(); // the checkpoint
    for (let i = 0; i < 5; i++) await turn();
    expect(s.stats.checkpoints).toBe(1);
    // A crash now: the disk must hold the logged value (its record is gone with the checkpoint).
    const disk = inner.snapshot();
    expect(await (await stagedStore(disk)).get('k')).toBe('logged');
    inner.release();
    await newer;
    expect(await (await stagedStore(inner.snapshot())).get('k')).toBe('newer');
  });

  it('replay after a crash at any write: exactly the batches committed, each whole', async () => {
    const seed = testSeed(4242);
    const rng = new SeededRng(seed);
    for (let round = 0; round < 40; round++) {
      const inner = new GatedStore();
      const s = await stagedStore(inner);
      const model = new Map<string, JsonValue>();
      const snapshots: Array<Map<string, JsonValue>> = [new Map()];
      const disks: MemoryChatStore[] = [inner.snapshot()];
      for (let b = 0; b < 30; b++) {
        const ops: StoreOp[] = [];
        for (let i = 0; i <= rng.int(4); i++) {
          const key = `k${rng.int(12)}`;
          ops.push(rng.int(5) === 0 ? { key, delete: true } : put(key, rng.int(1000)));
        }
        for (const op of ops)
          if ('delete' in op) model.delete(op.key);
          else model.set(op.key, op.value);
        const p = s.batch(ops);
        if (rng.int(3) === 0) s.checkpoint();
        if (rng.int(2) === 0) {
          await p;
          await s.drain();
        }
        snapshots.push(new Map(model));
        disks.push(inner.snapshot());
      }
      await s.drain();
      // Every disk image ever taken replays to one of the states the batches passed through.
      for (const disk of disks) {
        const state = new Map(await (await stagedStore(disk)).list(''));
        expect(
          snapshots.some((m) => m.size === state.size && [...m].every(([k, v]) => state.get(k) === v)),
          `seed ${seed} round ${round}`,
        ).toBe(true);
      }
      expect(new Map(await (await stagedStore(inner.snapshot())).list(''))).toEqual(model);
    }
  });

  it('a failed commit fails what waits, forgets what it applied, refuses writes until recovered', async () => {
    const inner = new GatedStore();
    const s = await stagedStore(inner);
    await s.batch([put('a', 1)]);
    let told = 0;
    s.onFailure = () => told++;
    inner.gated = true;
    const failing = s.batch([put('a', 2)]);
    const later = s.batch([put('b', 3)]);
    await turn(); // the first one is being written
    inner.failWrites = true;
    inner.release();
    await expect(failing).rejects.toThrow('QuotaExceededError');
    await expect(later).rejects.toThrow('QuotaExceededError');
    expect(s.failed).toBe(true);
    expect(await s.get('a')).toBe(1);
    expect(await s.get('b')).toBeUndefined();
    expect(told).toBe(1);
    await expect(s.batch([put('c', 1)])).rejects.toThrow(ChatError);
    inner.failWrites = false;
    inner.gated = false;
    s.recover();
    await s.batch([put('c', 4)]);
    expect(await (await stagedStore(inner.snapshot())).list('')).toEqual([
      ['a', 1],
      ['c', 4],
    ]);
  });

  it('ranges merge what waits (puts and deletes) and never show the log', async () => {
    const inner = new MemoryChatStore();
    await inner.batch([put('m/1', 1), put('m/2', 2), put('m/3', 3), put('m/4', 4)]);
    const s = await stagedStore(inner);
    await s.batch([put('m/5', 5), { key: 'm/3', delete: true }, put('m/0', 0)]);
    expect(await s.list('m/', { last: 2 })).toEqual([
      ['m/4', 4],
      ['m/5', 5],
    ]);
    expect(await s.list('m/', { before: 'm/4', last: 2 })).toEqual([
      ['m/1', 1],
      ['m/2', 2],
    ]);
    expect(await s.list('m/', { before: 'm/2' })).toEqual([
      ['m/0', 0],
      ['m/1', 1],
    ]);
    expect((await s.list('')).some(([k]) => k.startsWith('wal/'))).toBe(false);
    expect(() => s.batch([put('wal/1', 1)])).toThrow(ChatError);
  });

  it('a miss under a resident prefix costs no read beneath', async () => {
    const inner = new GatedStore();
    await inner.batch([put('mid/c1/a', 'x')]);
    const s = new StagedStore(inner, { resident: (k) => (k.startsWith('mid/') ? k.slice(0, k.indexOf('/', 4) + 1) : undefined) });
    await s.open();
    expect(await s.get('mid/c1/a')).toBe('x');
    const gets = inner.gets;
    for (let i = 0; i < 10; i++) expect(await s.get(`mid/c1/new${i}`)).toBeUndefined();
    await s.batch([put('mid/c1/b', 'y')]);
    expect(await s.get('mid/c1/b')).toBe('y');
    expect(inner.gets).toBe(gets);
  });
});
