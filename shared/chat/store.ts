/**
 * Where the chat layer keeps its state (identity, contacts, requests, sessions, history, outbox):
 * an async key-value store of JSON values with atomic batches, injected like the DHT's
 * RecordStore. The browser backs it with IndexedDB (one transaction per batch), the headless peer
 * with a file, the simulator and tests with memory.
 *
 * Values are plain JSON (bytes as hex strings): they survive structured clone, JSON files and
 * backups alike. A batch is all or nothing, which is what lets a decrypted message and the
 * ratchet step that decrypted it be stored together or not at all.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A put, or a delete. `fresh`: the put creates a key that never existed (a staged store may then skip its delete). */
export type StoreOp = { key: string; value: JsonValue; fresh?: true } | { key: string; delete: true };

/** A range of a prefix: keys before `before`, and only the `last` of them. */
export interface ListOptions {
  before?: string;
  last?: number;
}

export interface ChatStore {
  get(key: string): Promise<JsonValue | undefined>;
  /** The entries whose key starts with `prefix` (within `opts`), in key order. */
  list(prefix: string, opts?: ListOptions): Promise<Array<[string, JsonValue]>>;
  /**
   * Apply every op or none. The values are taken as they are when `batch` is called (copied
   * before it returns), so a caller may change its objects afterwards.
   */
  batch(ops: StoreOp[]): Promise<void>;
}

/**
 * A plain object of JSON fields as a store value, without a copy (`batch` copies it): for records
 * the chat layer builds from JSON-safe fields only (strings, numbers, booleans, arrays of them).
 */
export function asJson<T extends object>(x: T): JsonValue {
  return x as unknown as JsonValue;
}

/** A store in memory (simulator, tests). Values are copied in and out, as a real store would. */
export class MemoryChatStore implements ChatStore {
  private readonly map = new Map<string, string>();
  /** Batches applied (tests). */
  writes = 0;
  /** Set to make the next batch fail (tests of crash and quota handling). */
  failNext: Error | undefined;

  async get(key: string): Promise<JsonValue | undefined> {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as JsonValue);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<Array<[string, JsonValue]>> {
    return inRange(
      [...this.map].filter(([k]) => k.startsWith(prefix)).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      opts,
    ).map(([k, v]) => [k, JSON.parse(v) as JsonValue]);
  }

  async batch(ops: StoreOp[]): Promise<void> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    const encoded = ops.map((op) => ('delete' in op ? ([op.key, undefined] as const) : ([op.key, JSON.stringify(op.value)] as const)));
    for (const [k, v] of encoded) {
      if (v === undefined) this.map.delete(k);
      else this.map.set(k, v);
    }
    this.writes++;
  }

  /** Every key (tests). */
  keys(): string[] {
    return [...this.map.keys()];
  }

  /** A deep copy, e.g. a disk image taken at a crash (tests). */
  snapshot(): MemoryChatStore {
    const s = new MemoryChatStore();
    for (const [k, v] of this.map) s.map.set(k, v);
    return s;
  }
}

/** Rows in key order cut to `opts` (stores without range reads use it). */
export function inRange<T>(sorted: Array<[string, T]>, opts: ListOptions): Array<[string, T]> {
  let end = sorted.length;
  if (opts.before !== undefined) {
    const before = opts.before;
    end = sorted.findIndex(([k]) => k >= before);
    if (end < 0) end = sorted.length;
  }
  return sorted.slice(opts.last !== undefined ? Math.max(0, end - opts.last) : 0, end);
}
