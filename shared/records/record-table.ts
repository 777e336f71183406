/**
 * A node's in-memory working set of records: the BEP 44 storage rules, a bounded capacity with an
 * eviction policy, expiry, and write-through to an injected RecordStore.
 *
 * Synchronous on the hot path; persistence is fire-and-forget (errors counted, `flush()` awaits).
 *
 * Check order for `put` (the first failing check's code is returned; a refused write changes nothing):
 *   1. shape, sizes, target        BAD_RECORD, SALT_TOO_LARGE, VALUE_TOO_LARGE, TARGET_MISMATCH
 *   2. against the stored record   CAS_MISMATCH, SEQ_TOO_LOW, SEQ_REUSED (identical ⇒ refresh)
 *   3. room for a new target       STORE_FULL
 *   4. signature                   BAD_SIGNATURE
 * Cheap checks go first so junk and floods cost no Ed25519 verification; nothing is stored or
 * evicted unless the signature verified.
 *
 * Eviction policy (why a flood of attacker keys cannot push out fresh honest records):
 *   - Own records (origin 'own') are never evicted or expired; they have their own bound (maxOwn).
 *   - A replica is evictable only when it has not been refreshed for `protectMs` (stale or expired);
 *     a full table picks the least recently refreshed evictable replica, and if none is evictable
 *     the new target is refused with STORE_FULL. Honest owners and replicating neighbours refresh
 *     well within `protectMs`, so new keys can only take the room of records nobody refreshes.
 *   - Each key owner (k) may hold at most `maxPerKey` replicas (all salts), so one key cannot fill
 *     the table; updates to a target already stored never need room and are never refused as full.
 * An attacker with many keys can at worst fill the free/stale room with its own records (and must
 * keep re-sending them to keep them), which makes later *new* targets see STORE_FULL until they age
 * out; it cannot displace anything refreshed within `protectMs`. Rate limiting per sender is the
 * network layer's job (RATE_LIMITED).
 */
import { RECORD_TABLE_DEFAULTS } from './constants';
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import type { Clock } from '../env/clock';
import { systemClock } from '../env/clock';
import type { PersistedRecord, RecordStore } from '../env/store';
import { checkShape, checkSignature, copyRecord, decideWrite } from './policy';
import { entryFromPersisted, TARGET_HEX } from './persisted-entry';
import type { DhtRecord, StoreRefusal } from './types';
import { STORE_REFUSALS } from './types';

export type {
  Origin,
  TableEntry,
  PersistedEntry,
  RecordTableInit,
  RecordTableComponents,
  PutOptions,
  PutResult,
  RecordTableCounters,
} from './record-table-types';
import type {
  Origin,
  TableEntry,
  PersistedEntry,
  RecordTableInit,
  RecordTableComponents,
  PutOptions,
  PutResult,
  RecordTableCounters,
} from './record-table-types';

function toKey(target: Uint8Array | string): string | undefined {
  if (typeof target === 'string') return TARGET_HEX.test(target) ? target : undefined;
  if (target instanceof Uint8Array && target.length === 20) return bytesToHex(target);
  return undefined;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return v;
}

export class RecordTable {
  readonly capacity: number;
  readonly maxOwn: number;
  readonly maxPerKey: number;
  readonly ttlMs: number;
  readonly protectMs: number;
  readonly persistRefreshMs: number;
  readonly counters: RecordTableCounters;

  /** Insertion order == refresh order (every write re-inserts), so the first replica is the stalest. */
  private readonly map = new Map<string, TableEntry>();
  private readonly perKey = new Map<string, number>();
  private replicas = 0;
  private owns = 0;
  private readonly pending = new Set<Promise<void>>();
  /** lastRefreshed as last written to the store, per target. */
  private readonly persistedRefresh = new Map<string, number>();
  private readonly clock: Clock;
  private readonly store: RecordStore | undefined;
  private readonly onPersistError: ((err: unknown) => void) | undefined;

  constructor(components: RecordTableComponents = {}, init: RecordTableInit = {}) {
    this.clock = components.clock ?? systemClock;
    this.store = components.store;
    this.onPersistError = components.onPersistError;
    this.capacity = positiveInt('capacity', init.capacity ?? RECORD_TABLE_DEFAULTS.capacity);
    this.maxOwn = positiveInt('maxOwn', init.maxOwn ?? RECORD_TABLE_DEFAULTS.maxOwn);
    this.maxPerKey = positiveInt('maxPerKey', init.maxPerKey ?? RECORD_TABLE_DEFAULTS.maxPerKey);
    this.ttlMs = positiveInt('ttlMs', init.ttlMs ?? RECORD_TABLE_DEFAULTS.ttlMs);
    this.protectMs = positiveInt('protectMs', init.protectMs ?? RECORD_TABLE_DEFAULTS.protectMs);
    if (this.protectMs > this.ttlMs) throw new RangeError('protectMs must be <= ttlMs');
    this.persistRefreshMs = positiveInt(
      'persistRefreshMs',
      init.persistRefreshMs ?? Math.floor(this.ttlMs / RECORD_TABLE_DEFAULTS.persistRefreshDivisor),
    );
    const refused = {} as Record<StoreRefusal, number>;
    for (const code of STORE_REFUSALS) refused[code] = 0;
    this.counters = {
      added: 0,
      replaced: 0,
      refreshed: 0,
      refused,
      evicted: 0,
      expired: 0,
      arrivedExpired: 0,
      persistErrors: 0,
      loaded: 0,
      loadSkipped: 0,
    };
  }

  get size(): number {
    return this.map.size;
  }
  get ownCount(): number {
    return this.owns;
  }
  get replicaCount(): number {
    return this.replicas;
  }

  has(target: Uint8Array | string): boolean {
    return this.getEntry(target) !== undefined;
  }

  get(target: Uint8Array | string): DhtRecord | undefined {
    return this.getEntry(target)?.record;
  }

  /** The entry at `target`; a replica past its TTL counts as gone even before the next expire(). */
  getEntry(target: Uint8Array | string): TableEntry | undefined {
    const key = toKey(target);
    const e = key === undefined ? undefined : this.map.get(key);
    return e && e.origin === 'replica' && this.clock.now() - e.lastRefreshed >= this.ttlMs ? undefined : e;
  }

  /** All entries, stalest refresh first. Do not mutate the table while iterating. */
  entries(): IterableIterator<TableEntry> {
    return this.map.values();
  }

  /** Store `record` at `target` under the storage rules. Never throws on remote input. */
  put(target: Uint8Array | string, record: DhtRecord, opts: PutOptions = {}): PutResult {
    const now = opts.now ?? this.clock.now();
    const origin: Origin = opts.origin ?? 'replica';
    const refreshedAt = Math.min(now, opts.refreshedAt ?? now);
    const key = toKey(target);
    if (key === undefined) return this.refuse('BAD_RECORD');
    const shape = checkShape(typeof target === 'string' ? hexToBytes(target) : target, record);
    if (!shape.ok) return this.refuse(shape.code);

    const cur = this.map.get(key);
    if (origin === 'replica' && cur?.origin !== 'own' && now - refreshedAt >= this.ttlMs) {
      // A copy its owner has not refreshed for a whole TTL: expired on arrival. Not an error for
      // the sender (it may simply not have swept yet); nothing is stored or changed.
      this.counters.arrivedExpired++;
      return { ok: true, changed: false };
    }
    const decision = decideWrite(cur?.record, record, opts.cas);
    if (!decision.ok) return this.refuse(decision.code);

    if (cur && !decision.changed) {
      const upgraded = cur.origin === 'own' || origin === 'own' ? 'own' : 'replica';
      if (upgraded !== cur.origin && this.owns >= this.maxOwn) return this.refuse('STORE_FULL');
      const persisted = this.persistedRefresh.get(key) ?? cur.lastRefreshed;
      this.remove(key, cur);
      const entry: TableEntry = { ...cur, lastRefreshed: Math.max(cur.lastRefreshed, refreshedAt), origin: upgraded };
      this.insert(entry);
      this.counters.refreshed++;
      if (upgraded !== cur.origin || entry.lastRefreshed - persisted >= this.persistRefreshMs) this.persistPut(entry);
      else this.persistedRefresh.set(key, persisted);
      return { ok: true, changed: false };
    }

    const newOrigin: Origin = cur?.origin === 'own' || origin === 'own' ? 'own' : 'replica';
    let victim: TableEntry | undefined;
    if (!cur || cur.origin !== newOrigin) {
      const room = this.findRoom(record, newOrigin, now);
      if (room === 'full') return this.refuse('STORE_FULL');
      victim = room;
    }

    const sig = checkSignature(record);
    if (!sig.ok) return this.refuse(sig.code);

    if (victim) {
      this.remove(victim.target, victim);
      this.counters.evicted++;
      this.persistDelete(victim.target);
    }
    if (cur) this.remove(key, cur);
    const entry: TableEntry = {
      target: key,
      record: copyRecord(record),
      storedAt: now,
      lastRefreshed: newOrigin === 'own' ? now : refreshedAt,
      origin: newOrigin,
    };
    this.insert(entry);
    if (cur) this.counters.replaced++;
    else this.counters.added++;
    this.persistPut(entry);
    return { ok: true, changed: true };
  }

  /** Remove a target (e.g. the owner withdraws a record). Returns whether it was there. */
  delete(target: Uint8Array | string): boolean {
    const key = toKey(target);
    const cur = key === undefined ? undefined : this.map.get(key);
    if (!cur || key === undefined) return false;
    this.remove(key, cur);
    this.persistDelete(key);
    return true;
  }

  /** Drop replicas not refreshed for ttlMs. Own records never expire. Returns how many were dropped. */
  expire(now: number = this.clock.now()): number {
    const dead: TableEntry[] = [];
    for (const e of this.map.values()) if (e.origin === 'replica' && now - e.lastRefreshed >= this.ttlMs) dead.push(e);
    for (const e of dead) {
      this.remove(e.target, e);
      this.persistDelete(e.target);
    }
    this.counters.expired += dead.length;
    return dead.length;
  }

  /**
   * Warm the table from the RecordStore at start-up. Invalid entries (bad shape, wrong target,
   * failing signature) are skipped and counted; expired replicas are dropped from the store; the
   * bounds apply as for puts. Never throws: a failing store counts a persistError.
   */
  async load(now: number = this.clock.now()): Promise<{ loaded: number; skipped: number }> {
    if (!this.store) return { loaded: 0, skipped: 0 };
    let persisted: PersistedRecord[];
    let skipped = 0;
    try {
      const res = await this.store.loadAll();
      persisted = res.records;
      skipped += res.skipped;
    } catch (err) {
      this.persistFailed(err);
      return { loaded: 0, skipped: 0 };
    }
    const candidates: TableEntry[] = [];
    for (const p of persisted as PersistedEntry[]) {
      const entry = entryFromPersisted(p);
      if (!entry) {
        skipped++;
        continue;
      }
      if (entry.origin === 'replica' && now - entry.lastRefreshed >= this.ttlMs) {
        this.counters.expired++;
        this.persistDelete(entry.target);
        continue;
      }
      candidates.push(entry);
    }
    candidates.sort((a, b) => a.lastRefreshed - b.lastRefreshed || (a.target < b.target ? -1 : 1));
    let loaded = 0;
    for (const e of candidates) {
      const cur = this.map.get(e.target);
      if (cur) {
        const d = decideWrite(cur.record, e.record);
        if (!d.ok || !d.changed) continue;
        this.remove(e.target, cur);
      } else {
        const room = this.findRoom(e.record, e.origin, now);
        if (room === 'full') {
          this.persistDelete(e.target);
          this.counters.evicted++;
          continue;
        }
        if (room) {
          this.remove(room.target, room);
          this.persistDelete(room.target);
          this.counters.evicted++;
        }
      }
      this.insert(e);
      loaded++;
    }
    this.counters.loaded += loaded;
    this.counters.loadSkipped += skipped;
    return { loaded, skipped };
  }

  /** Resolves when every write-through issued so far has settled. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // ---- internals ----

  private refuse(code: StoreRefusal): PutResult {
    this.counters.refused[code]++;
    return { ok: false, code };
  }

  private ownerOf(record: DhtRecord): string | undefined {
    return record.type === 'mutable' ? bytesToHex(record.k) : undefined;
  }

  /** undefined: there is room; an entry: evict it first; 'full': refuse. */
  private findRoom(record: DhtRecord, origin: Origin, now: number): TableEntry | undefined | 'full' {
    if (origin === 'own') return this.owns < this.maxOwn ? undefined : 'full';
    const owner = this.ownerOf(record);
    if (owner !== undefined && (this.perKey.get(owner) ?? 0) >= this.maxPerKey) return 'full';
    if (this.replicas < this.capacity) return undefined;
    // The first replica in map order is the least recently refreshed one.
    for (const e of this.map.values()) {
      if (e.origin !== 'replica') continue;
      return now - e.lastRefreshed >= this.protectMs ? e : 'full';
    }
    return 'full';
  }

  private insert(e: TableEntry): void {
    this.map.set(e.target, e);
    if (e.origin === 'own') {
      this.owns++;
      return;
    }
    this.replicas++;
    const owner = this.ownerOf(e.record);
    if (owner !== undefined) this.perKey.set(owner, (this.perKey.get(owner) ?? 0) + 1);
  }

  private remove(key: string, e: TableEntry): void {
    this.map.delete(key);
    this.persistedRefresh.delete(key);
    if (e.origin === 'own') {
      this.owns--;
      return;
    }
    this.replicas--;
    const owner = this.ownerOf(e.record);
    if (owner === undefined) return;
    const n = (this.perKey.get(owner) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(owner);
    else this.perKey.set(owner, n);
  }

  private persistPut(e: TableEntry): void {
    const store = this.store;
    if (!store) return;
    this.persistedRefresh.set(e.target, e.lastRefreshed);
    const entry: PersistedEntry = {
      target: e.target,
      record: e.record,
      storedAt: e.storedAt,
      lastRefreshed: e.lastRefreshed,
      origin: e.origin,
    };
    this.track(() => store.put(entry));
  }

  private persistDelete(target: string): void {
    const store = this.store;
    if (!store) return;
    this.track(() => store.delete(target));
  }

  private track(op: () => Promise<void>): void {
    let p: Promise<void>;
    try {
      p = op();
    } catch (err) {
      this.persistFailed(err);
      return;
    }
    const tracked = p.then(
      () => undefined,
      (err: unknown) => this.persistFailed(err),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private persistFailed(err: unknown): void {
    this.counters.persistErrors++;
    try {
      this.onPersistError?.(err);
    } catch {
      // a throwing observer must not break the table
    }
  }
}
