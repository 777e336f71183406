/** The record table's options, entries, results and counters (record-table.ts). */
import type { Clock } from '../env/clock';
import type { PersistedRecord, RecordStore } from '../env/store';
import type { DhtRecord, StoreRefusal } from './types';

export type Origin = 'own' | 'replica';

export interface TableEntry {
  /** Target, lower-case hex (40 chars). */
  readonly target: string;
  readonly record: DhtRecord;
  /** When this record (these bytes) was accepted (ms, Clock time). */
  readonly storedAt: number;
  /** Last time anyone re-put this record or a newer one (ms). Expiry and eviction use this. */
  readonly lastRefreshed: number;
  readonly origin: Origin;
}

/**
 * What the table writes to its RecordStore: the RecordStore's PersistedRecord plus two optional
 * fields. Our stores (memory, IndexedDB) keep them; a store that drops them makes reloaded records
 * replicas refreshed at storedAt.
 */
export type PersistedEntry = PersistedRecord & { readonly lastRefreshed?: number; readonly origin?: Origin };

export interface RecordTableInit {
  /** Max replicas held for others. @default 4096 */
  readonly capacity?: number;
  /** Max own records. @default 1024 */
  readonly maxOwn?: number;
  /** Max replicas per key owner (k), over all salts. @default 64 */
  readonly maxPerKey?: number;
  /** Replicas expire this long after their last refresh. @default 7_200_000 (2 h, as BEP 44) */
  readonly ttlMs?: number;
  /** Replicas refreshed within this window are never evicted. Must be <= ttlMs. @default 3_600_000 (1 h) */
  readonly protectMs?: number;
  /**
   * An identical re-put only bumps lastRefreshed in memory; it is written through once it is this
   * much newer than the persisted value, so a reload keeps refreshed replicas without a disk write
   * per refresh. @default ttlMs / 8 (15 min)
   */
  readonly persistRefreshMs?: number;
}

export interface RecordTableComponents {
  /** Time source when `now` is not passed. @default systemClock */
  readonly clock?: Clock;
  /** Write-through persistence. */
  readonly store?: RecordStore;
  /** Called with each persistence error (after counting it). */
  readonly onPersistError?: (err: unknown) => void;
}

export interface PutOptions {
  /** Compare-and-swap: the seq the writer expects to be stored now. */
  readonly cas?: number;
  /** Current time (ms); defaults to the clock. */
  readonly now?: number;
  /** 'own' for the node owner's records. @default 'replica' */
  readonly origin?: Origin;
  /**
   * When the owner last refreshed this copy (ms, ≤ now): a replica copied from another holder
   * (handoff, read-repair) keeps its age, so an ownerless record still expires ttlMs after its
   * owner's last republish instead of living on from copy to copy. @default now
   */
  readonly refreshedAt?: number;
}

export type PutResult = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly code: StoreRefusal };

export interface RecordTableCounters {
  /** New targets stored. */
  added: number;
  /** Stored targets replaced by a newer seq. */
  replaced: number;
  /** Identical re-puts (lastRefreshed bumped). */
  refreshed: number;
  /** Refused writes, by code. */
  readonly refused: Record<StoreRefusal, number>;
  evicted: number;
  expired: number;
  /** Replica copies that arrived already older than ttlMs (not stored). */
  arrivedExpired: number;
  /** RecordStore put/delete/loadAll failures. */
  persistErrors: number;
  /** Entries loaded from the RecordStore at start-up. */
  loaded: number;
  /** Persisted entries skipped at load: corrupt, foreign, invalid or failing verification. */
  loadSkipped: number;
}
