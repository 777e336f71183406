import type { DhtRecord } from '../records/types';

/** One record as persisted by a node (its own or a replica it holds for others). */
export interface PersistedRecord {
  /** Target, lower-case hex (40 chars). */
  readonly target: string;
  readonly record: DhtRecord;
  /** When this node accepted it (ms, Clock time). */
  readonly storedAt: number;
}

/**
 * Persistence for records and a few small metadata values (e.g. the owner's last seq).
 * The DHT keeps its working set in memory and writes through to this store, so the store may be
 * asynchronous (IndexedDB) without making the core async on every message.
 * Implementations: MemoryRecordStore (shared/records), IdbRecordStore (web/storage), a file store (node peer).
 */
export interface RecordStore {
  /** Everything persisted. Corrupt or foreign entries are skipped and counted, never thrown. */
  loadAll(): Promise<{ records: PersistedRecord[]; skipped: number }>;
  put(entry: PersistedRecord): Promise<void>;
  delete(target: string): Promise<void>;
  getMeta(key: string): Promise<Uint8Array | undefined>;
  setMeta(key: string, value: Uint8Array): Promise<void>;
}
