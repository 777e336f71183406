/**
 * The chat layer's store (shared/chat/store.ts) over IndexedDB, one database per profile
 * (`p2p-chat:<profile>:chat`). A batch is one readwrite transaction: all its puts and deletes
 * land together or not at all, which is what keeps a decrypted message and its ratchet step
 * together across a crash. Values are stored as JSON text, the same bytes a backup holds.
 *
 * Group commit: a batch starts its transaction at once when none is running; batches issued while
 * one runs (many sends at once, a burst of receipts) share the next, in the order issued, and each
 * caller resolves when its transaction commits. Merging keeps every batch atomic (inside a larger
 * all-or-nothing) and the commit order, adds no wait when idle, and saves a transaction per batch
 * under load. A failed transaction rejects every batch in it; nothing of them is written.
 */
import { createStore, get, type UseStore } from 'idb-keyval';
import type { ChatStore, JsonValue, ListOptions, StoreOp } from '../../shared/chat/store';
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

type Encoded = { key: string; text?: string };

export class IdbChatStore implements ChatStore {
  readonly dbName: string;
  private readonly store: UseStore;
  private readonly waiting: Array<{ ops: Encoded[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  private committing = false;

  constructor(profile = 'default', opts: { dbPrefix?: string } = {}) {
    this.dbName = `${opts.dbPrefix ?? DEFAULT_DB_PREFIX}${assertProfile(profile)}:chat`;
    this.store = createStore(this.dbName, 'chat');
  }

  /** Open the database now (else the first use opens it), e.g. side by side with others at start. */
  async open(): Promise<void> {
    await this.store('readonly', () => undefined);
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const raw = await get<unknown>(key, this.store);
    return typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : undefined;
  }

  list(prefix: string, opts: ListOptions = {}): Promise<Array<[string, JsonValue]>> {
    const end = `${prefix}\uffff`;
    const before = opts.before !== undefined && opts.before < end ? opts.before : undefined;
    if (before !== undefined && before <= prefix) return Promise.resolve([]);
    return this.store('readonly', async (s) => {
      const range = IDBKeyRange.bound(prefix, before ?? end, false, before !== undefined);
      const out: Array<[string, JsonValue]> = [];
      const add = (k: IDBValidKey, v: unknown) => {
        if (typeof k === 'string' && typeof v === 'string') out.push([k, JSON.parse(v) as JsonValue]);
      };
      if (opts.last === undefined) {
        const [keys, values] = await Promise.all([promisify(s.getAllKeys(range)), promisify(s.getAll(range))]);
        for (let i = 0; i < keys.length; i++) add(keys[i]!, values[i]);
        return out;
      }
      // The last `last` entries: a cursor walking back from the end of the range.
      const want = opts.last;
      await new Promise<void>((resolve, reject) => {
        const req = s.openCursor(range, 'prev');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const c = req.result;
          if (!c || out.length >= want) return resolve();
          add(c.key, c.value);
          c.continue();
        };
      });
      return out.reverse();
    });
  }

  async batch(ops: StoreOp[]): Promise<void> {
    const encoded: Encoded[] = ops.map((op) => ('delete' in op ? { key: op.key } : { key: op.key, text: JSON.stringify(op.value) }));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ ops: encoded, resolve, reject });
      if (!this.committing) this.commit();
    });
  }

  /** One transaction for everything waiting; the batches that arrive meanwhile wait for the next. */
  private commit(): void {
    const group = this.waiting.splice(0);
    if (group.length === 0) {
      this.committing = false;
      return;
    }
    this.committing = true;
    this.store('readwrite', (s) => {
      for (const b of group) {
        for (const op of b.ops) {
          if (op.text === undefined) s.delete(op.key);
          else s.put(op.text, op.key);
        }
      }
      return promisify(s.transaction);
    }).then(
      () => {
        for (const b of group) b.resolve();
        this.commit();
      },
      (e: unknown) => {
        for (const b of group) b.reject(e);
        this.commit();
      },
    );
  }
}
