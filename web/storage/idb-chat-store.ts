/**
 * The chat layer's store (shared/chat/store.ts) over IndexedDB, one database per profile
 * (`p2p-chat:<profile>:chat`). A batch is one readwrite transaction: all its puts and deletes
 * land together or not at all, which is what keeps a decrypted message and its ratchet step
 * together across a crash. Values are stored as JSON text, the same bytes a backup holds.
 */
import { createStore, get, type UseStore } from 'idb-keyval';
import type { ChatStore, JsonValue, StoreOp } from '../../shared/chat/store';
import { DEFAULT_DB_PREFIX, assertProfile } from './profile';

function promisify<T>(req: IDBRequest<T> | IDBTransaction): Promise<T> {
  return new Promise((resolve, reject) => {
    if (req instanceof IDBTransaction) {
      req.oncomplete = () => resolve(undefined as T);
      req.onabort = req.onerror = () => reject(req.error ?? new Error('transaction aborted'));
    } else {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }
  });
}

export class IdbChatStore implements ChatStore {
  readonly dbName: string;
  private readonly store: UseStore;

  constructor(profile = 'default', opts: { dbPrefix?: string } = {}) {
    this.dbName = `${opts.dbPrefix ?? DEFAULT_DB_PREFIX}${assertProfile(profile)}:chat`;
    this.store = createStore(this.dbName, 'chat');
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const raw = await get<unknown>(key, this.store);
    return typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : undefined;
  }

  list(prefix: string): Promise<Array<[string, JsonValue]>> {
    return this.store('readonly', async (s) => {
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      const [keys, values] = await Promise.all([promisify(s.getAllKeys(range)), promisify(s.getAll(range))]);
      const out: Array<[string, JsonValue]> = [];
      keys.forEach((k, i) => {
        const v = values[i];
        if (typeof k === 'string' && typeof v === 'string') out.push([k, JSON.parse(v) as JsonValue]);
      });
      return out;
    });
  }

  async batch(ops: StoreOp[]): Promise<void> {
    const encoded = ops.map((op) => ('delete' in op ? { key: op.key } : { key: op.key, text: JSON.stringify(op.value) }));
    return this.store('readwrite', (s) => {
      for (const op of encoded) {
        if (op.text === undefined) s.delete(op.key);
        else s.put(op.text, op.key);
      }
      return promisify(s.transaction);
    });
  }
}
