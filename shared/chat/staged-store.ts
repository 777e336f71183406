/**
 * Write-behind over a ChatStore, with a write-ahead log. A batch is applied at once to everything
 * this store reads back, and committed behind: the batches issued while a commit runs share the
 * next one (group commit), which writes them as ONE log record (`wal/<n>`, last value per key).
 * A batch's promise settles when its log record is committed, so whoever must not act before a
 * write is durable (an ack, a ciphertext leaving) awaits it, and whoever only orders work (a
 * contact's ratchet queue) goes on at once.
 *
 * Why a log: a store such as IndexedDB pays per record written (about 0.17 ms a put in Chromium,
 * against 9 ms for one 160 KB record), and a message touches about six keys. A checkpoint later
 * writes each key's last value once and deletes the log records it covers, in one transaction:
 * a message delivered before it costs its outbox entry nothing. It runs when the log grows past
 * CHECKPOINT (or when the owner calls `checkpoint()`, e.g. on its maintenance tick). `open()`
 * replays the log left by a crash, so state is exactly what was committed.
 *
 * Reads see, in order: what is applied and not yet checkpointed, then keys under a resident
 * prefix (loaded whole once, then kept: a miss there, such as a new message id, costs no read
 * queued behind a running commit), then a bounded cache of recent values, then the store beneath.
 * The store beneath must read in transaction order (IndexedDB does: a read issued before a commit
 * sees the state before it and settles first). Values are kept as JSON text and parsed on every
 * read, so callers get copies. Log keys are never listed.
 *
 * A failed commit fails every batch not yet committed (later ones may build on it), forgets what
 * they applied, and the store refuses batches (ChatError STORAGE) until `recover()`: the owner
 * reloads what it keeps in memory from the store, then recovers (`onFailure`). A failed
 * checkpoint loses nothing (the log stays) and is tried again later.
 */
import { ChatError } from './errors';
import type { ChatStore, JsonValue, ListOptions, StoreOp } from './store';

/** Recent values kept beyond the log and resident prefixes. */
const CACHE_ENTRIES = 4096;
/** A checkpoint runs once the log holds this many records, or this many keys wait in memory. */
export const CHECKPOINT = { records: 256, keys: 16_384 } as const;
const WAL = 'wal/';

type Text = string | null; // JSON text, or null for deleted

interface Entry {
  text: Text;
  /** The batch that wrote it. */
  seq: number;
}

interface LogRecord {
  n: number;
  entries: Array<[string, Text]>;
}

interface Waiter {
  seq: number;
  ops: StoreOp[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Resident {
  map?: Map<string, string>;
  loading: Promise<Map<string, string>>;
}

export interface StagedStoreOptions {
  /** The resident prefix a key belongs to (loaded whole on first read), if any. */
  resident?: (key: string) => string | undefined;
  /**
   * Awaited before a commit that starts from idle, so that the batches issued in the same turn
   * (a message, then the ratchet step that encrypts it) share its transaction: e.g. one macrotask.
   */
  gather?: () => Promise<void>;
}

const walKey = (n: number): string => `${WAL}${String(n).padStart(12, '0')}`;
const isWal = (key: string): boolean => key.startsWith(WAL);

export class StagedStore implements ChatStore {
  /** Batches issued; the last one in the log. */
  private seq = 0;
  private logged = 0;
  /** Log records written and not yet checkpointed. */
  private readonly logs: LogRecord[] = [];
  /** Fresh keys written since their creation only to the log (none in the store beneath). */
  private readonly unwritten = new Set<string>();
  private nextLog = 1;
  /** Every key written and not yet checkpointed: its newest value. */
  private readonly overlay = new Map<string, Entry>();
  private readonly cache = new Map<string, Text>();
  private readonly residents = new Map<string, Resident>();
  private readonly waiting: Waiter[] = [];
  private running = false;
  private wantCheckpoint = false;
  /** Told when the writer has nothing left to do (drain). */
  private readonly idle: Array<() => void> = [];
  /** Reading the log again after a failure: reads wait for it. */
  private reopening: Promise<void> | undefined;
  private failed_: unknown;
  /** Told of a failed commit, once batches are refused; call `recover()` when reloaded. */
  onFailure: ((e: unknown) => void) | undefined;
  /** Transactions beneath: log records and checkpoints (tests, stats). */
  readonly stats = { commits: 0, checkpoints: 0, checkpointErrors: 0 };

  constructor(
    readonly inner: ChatStore,
    private readonly opts: StagedStoreOptions = {},
  ) {}

  /** Replay the log a crash left (before any other use). */
  async open(): Promise<void> {
    this.overlay.clear();
    this.logs.length = 0;
    this.unwritten.clear();
    for (const [key, v] of await this.inner.list(WAL)) {
      const n = Number(key.slice(WAL.length));
      const seq = ++this.seq;
      const entries: Array<[string, Text]> = [];
      if (Array.isArray(v))
        for (const e of v) if (Array.isArray(e) && typeof e[0] === 'string') entries.push([e[0], typeof e[1] === 'string' ? e[1] : null]);
      for (const [k, text] of entries) this.overlay.set(k, { text, seq });
      this.logs.push({ n, entries });
      this.nextLog = Math.max(this.nextLog, n + 1);
    }
    this.logged = this.seq;
  }

  /** Whether batches are refused since a failed commit (until `recover()`). */
  get failed(): boolean {
    return this.failed_ !== undefined;
  }

  /** Apply `ops` now; the promise settles when they are committed. Rejects (STORAGE) after a failure, until recovered. */
  batch(ops: StoreOp[]): Promise<void> {
    if (this.failed_ !== undefined) return Promise.reject(new ChatError('STORAGE', 'an earlier write failed; reloading'));
    const seq = ++this.seq;
    for (const op of ops) {
      if (isWal(op.key)) throw new ChatError('BAD_ARGUMENT', `${WAL} keys are the store's own`);
      const text = 'delete' in op ? null : JSON.stringify(op.value);
      // A key created here (never in the store beneath) and deleted before a checkpoint costs nothing there.
      if ('fresh' in op && op.fresh && !this.overlay.has(op.key)) this.unwritten.add(op.key);
      this.overlay.set(op.key, { text, seq });
      const group = this.opts.resident?.(op.key);
      const r = group === undefined ? undefined : this.residents.get(group)?.map;
      if (r && text === null) r.delete(op.key);
      else if (r && text !== null) r.set(op.key, text);
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ seq, ops, resolve, reject });
      this.run();
    });
  }

  async get(key: string): Promise<JsonValue | undefined> {
    if (this.reopening) await this.reopening;
    const known = await this.known(key);
    if (known !== undefined) return parse(known);
    const before = this.seq;
    const v = await this.inner.get(key);
    // Anything written meanwhile is newer than what the store beneath answered.
    const e = this.overlay.get(key);
    const now = e ? e.text : this.cache.get(key);
    if (now !== undefined) return parse(now);
    if (this.seq === before) this.remember(key, v === undefined ? null : JSON.stringify(v));
    return v;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<Array<[string, JsonValue]>> {
    if (this.reopening) await this.reopening;
    let extra = 0;
    for (const k of this.overlay.keys()) if (k.startsWith(prefix)) extra++;
    const innerOpts = opts.last !== undefined ? { ...opts, last: opts.last + extra } : opts;
    const rows = new Map<string, JsonValue>((await this.inner.list(prefix, innerOpts)).filter(([k]) => !isWal(k)));
    for (const [k, e] of this.overlay) {
      if (!k.startsWith(prefix) || (opts.before !== undefined && k >= opts.before)) continue;
      if (e.text === null) rows.delete(k);
      else rows.set(k, JSON.parse(e.text) as JsonValue);
    }
    const out = [...rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return opts.last !== undefined ? out.slice(Math.max(0, out.length - opts.last)) : out;
  }

  /** Write what the log holds to its keys (after the commits waiting now). */
  checkpoint(): void {
    if (this.logs.length === 0 || this.failed_ !== undefined) return;
    this.wantCheckpoint = true;
    this.run();
  }

  /** Accept batches again after a failure (the owner has reloaded its state from the store). */
  recover(): void {
    this.failed_ = undefined;
  }

  /** Everything issued so far is committed (or failed), and checkpointed if asked. */
  drain(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** What we know of `key` without the store beneath: JSON text, null (absent), or undefined. */
  private async known(key: string): Promise<Text | undefined> {
    const e = this.overlay.get(key);
    if (e) return e.text;
    const group = this.opts.resident?.(key);
    if (group !== undefined) return (await this.resident(group)).get(key) ?? null;
    return this.cache.get(key);
  }

  private resident(group: string): Promise<Map<string, string>> {
    const have = this.residents.get(group);
    if (have) return have.map ? Promise.resolve(have.map) : have.loading;
    const r: Resident = { loading: Promise.resolve(new Map()) };
    r.loading = this.inner.list(group).then(
      (rows) => {
        const map = new Map(rows.map(([k, v]) => [k, JSON.stringify(v)] as [string, string]));
        // Newer than the store beneath: everything not yet checkpointed (what was written while loading too).
        for (const [k, e] of this.overlay) {
          if (!k.startsWith(group) || this.opts.resident?.(k) !== group) continue;
          if (e.text === null) map.delete(k);
          else map.set(k, e.text);
        }
        if (this.residents.get(group) === r) r.map = map; // else dropped by a failure: not kept
        return map;
      },
      (e: unknown) => {
        if (this.residents.get(group) === r) this.residents.delete(group);
        throw e;
      },
    );
    this.residents.set(group, r);
    return r.loading;
  }

  private remember(key: string, text: Text): void {
    if (this.opts.resident?.(key) !== undefined) return;
    this.cache.delete(key);
    this.cache.set(key, text);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** The one writer beneath: log records for what waits, then a checkpoint when one is due. */
  private run(): void {
    if (this.running) return;
    this.running = true;
    void this.work().finally(() => {
      this.running = false;
      if (this.waiting.length > 0 || this.wantCheckpoint) this.run();
      else for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private async work(): Promise<void> {
    if (this.opts.gather && this.waiting.length > 0) await this.opts.gather();
    for (;;) {
      if (this.waiting.length > 0) {
        if (!(await this.commit())) return;
        if (this.logs.length >= CHECKPOINT.records || this.overlay.size >= CHECKPOINT.keys) this.wantCheckpoint = true;
      } else if (this.wantCheckpoint) {
        this.wantCheckpoint = false;
        await this.writeCheckpoint();
      } else return;
    }
  }

  /** One log record for every batch waiting; false after a failure. */
  private async commit(): Promise<boolean> {
    const group = this.waiting.splice(0);
    const last = group[group.length - 1]!.seq;
    // Each key's newest value: nothing was issued since the splice, so the overlay's is this group's.
    const keys = new Set<string>();
    for (const w of group) for (const op of w.ops) keys.add(op.key);
    const record: Array<[string, Text]> = [...keys].map((k) => [k, this.overlay.get(k)?.text ?? null]);
    if (record.length === 0) {
      this.logged = last;
      for (const w of group) w.resolve();
      return true;
    }
    const n = this.nextLog++;
    try {
      await this.inner.batch([{ key: walKey(n), value: record }]);
    } catch (e) {
      this.fail(e, group);
      return false;
    }
    this.stats.commits++;
    this.logs.push({ n, entries: record });
    this.logged = last;
    for (const w of group) w.resolve();
    return true;
  }

  private async writeCheckpoint(): Promise<void> {
    const upto = this.logged;
    const logs = this.logs.slice();
    if (logs.length === 0) return;
    // Each key as the log has it (not as memory has it now: a later batch may not be logged yet).
    const merged = new Map<string, Text>();
    for (const r of logs) for (const [k, t] of r.entries) merged.set(k, t);
    const ops: StoreOp[] = [];
    for (const [k, t] of merged) {
      if (t === null && this.unwritten.has(k)) continue; // created and deleted in the log only
      ops.push(t === null ? { key: k, delete: true } : { key: k, value: JSON.parse(t) as JsonValue });
    }
    for (const r of logs) ops.push({ key: walKey(r.n), delete: true });
    try {
      await this.inner.batch(ops);
    } catch {
      this.stats.checkpointErrors++;
      return;
    }
    this.stats.checkpoints++;
    this.logs.splice(0, logs.length);
    for (const k of merged.keys()) this.unwritten.delete(k);
    for (const [k, e] of this.overlay) {
      if (e.seq > upto) continue;
      this.overlay.delete(k);
      this.remember(k, e.text);
    }
  }

  private fail(e: unknown, group: Waiter[]): void {
    this.failed_ = e;
    const all = [...group, ...this.waiting.splice(0)];
    // Forget what the failed batches applied: back to the store beneath and its log, read again.
    this.cache.clear();
    this.residents.clear();
    this.reopening = this.open().catch(() => undefined);
    for (const w of all) w.reject(e);
    void this.reopening.then(() => {
      this.reopening = undefined;
      this.onFailure?.(e);
    });
  }
}

function parse(text: Text): JsonValue | undefined {
  return text === null ? undefined : (JSON.parse(text) as JsonValue);
}

/**
 * The chat layer's staging of `store`, opened: each conversation's id index (`mid/<contact>/`)
 * resident; `gather` as in StagedStoreOptions.
 */
export async function stagedStore(store: ChatStore, gather?: () => Promise<void>): Promise<StagedStore> {
  if (store instanceof StagedStore) return store;
  const s = new StagedStore(store, {
    resident: (key) => (key.startsWith('mid/') ? key.slice(0, key.indexOf('/', 4) + 1) : undefined),
    ...(gather ? { gather } : {}),
  });
  await s.open();
  return s;
}
