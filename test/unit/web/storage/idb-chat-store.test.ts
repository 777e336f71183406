import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbChatStore } from '../../../../web/storage/idb-chat-store';

let n = 0;
const fresh = () => new IdbChatStore(`chat-test-${++n}`);

describe('IdbChatStore', () => {
  it('puts, gets and lists by prefix in key order; values are copies', async () => {
    const s = fresh();
    await s.batch([
      { key: 'contact/b', value: { name: 'B' } },
      { key: 'contact/a', value: { name: 'A', n: [1, 2] } },
      { key: 'msg/a/1', value: 'hello' },
    ]);
    expect(await s.get('contact/a')).toEqual({ name: 'A', n: [1, 2] });
    expect((await s.list('contact/')).map(([k]) => k)).toEqual(['contact/a', 'contact/b']);
    expect(await s.list('nothing/')).toEqual([]);
    const v = (await s.get('contact/a')) as { name: string };
    v.name = 'changed';
    expect(await s.get('contact/a')).toEqual({ name: 'A', n: [1, 2] });
  });

  it('opened ahead of use, it reads what an earlier instance wrote', async () => {
    const a = fresh();
    await a.batch([{ key: 'identity', value: { name: 'A' } }]);
    const b = new IdbChatStore(a.dbName.replace(/^p2p-chat:|:chat$/g, ''));
    await b.open();
    expect(await b.get('identity')).toEqual({ name: 'A' });
  });

  it('a batch applies puts and deletes together', async () => {
    const s = fresh();
    await s.batch([{ key: 'x', value: 1 }]);
    await s.batch([
      { key: 'x', delete: true },
      { key: 'y', value: 2 },
    ]);
    expect(await s.get('x')).toBeUndefined();
    expect(await s.get('y')).toBe(2);
  });

  it('batches issued together share transactions and land in the order issued', async () => {
    const s = fresh();
    const tx = { n: 0 };
    const real = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      tx.n++;
      return real.apply(this, args);
    } as IDBDatabase['transaction'];
    try {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          s.batch([
            { key: 'last', value: i },
            { key: `k/${i}`, value: i },
          ]),
        ),
      );
    } finally {
      IDBDatabase.prototype.transaction = real;
    }
    expect(tx.n).toBeLessThan(10); // one a batch would be 100
    expect(await s.get('last')).toBe(99);
    expect((await s.list('k/')).length).toBe(100);
  });

  it('a batch that fails applies nothing (one transaction)', async () => {
    const s = fresh();
    await s.batch([{ key: 'keep', value: 'old' }]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // JSON encoding of the second op throws before anything is written
    await expect(
      s.batch([
        { key: 'keep', value: 'new' },
        { key: 'bad', value: cyclic as never },
      ]),
    ).rejects.toThrow();
    expect(await s.get('keep')).toBe('old');
    expect(await s.get('bad')).toBeUndefined();
  });

  it('survives reopening the same profile', async () => {
    const name = `chat-test-reopen-${++n}`;
    await new IdbChatStore(name).batch([{ key: 'identity', value: { ik: 'ab' } }]);
    expect(await new IdbChatStore(name).get('identity')).toEqual({ ik: 'ab' });
  });
});
