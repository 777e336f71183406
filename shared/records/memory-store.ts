/**
 * In-memory RecordStore for the simulator, Node peers and tests. Copies on the way in and out, so
 * nothing a caller mutates later changes what is "persisted". Keeps the optional PersistedEntry
 * fields (origin, lastRefreshed).
 */
import type { PersistedRecord, RecordStore } from '../env/store';
import { copyRecord } from './policy';

function copyEntry(e: PersistedRecord): PersistedRecord {
  return { ...e, record: copyRecord(e.record) };
}

export class MemoryRecordStore implements RecordStore {
  private readonly records = new Map<string, PersistedRecord>();
  private readonly meta = new Map<string, Uint8Array>();

  async loadAll(): Promise<{ records: PersistedRecord[]; skipped: number }> {
    return { records: [...this.records.values()].map(copyEntry), skipped: 0 };
  }

  async put(entry: PersistedRecord): Promise<void> {
    this.records.set(entry.target, copyEntry(entry));
  }

  async delete(target: string): Promise<void> {
    this.records.delete(target);
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const v = this.meta.get(key);
    return v ? Uint8Array.from(v) : undefined;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    this.meta.set(key, Uint8Array.from(value));
  }

  /** Number of persisted records (tests, diagnostics). */
  get size(): number {
    return this.records.size;
  }

  /** A deep copy: a "backup" that can later be restored as a separate store. */
  snapshot(): MemoryRecordStore {
    const s = new MemoryRecordStore();
    for (const [k, v] of this.records) s.records.set(k, copyEntry(v));
    for (const [k, v] of this.meta) s.meta.set(k, Uint8Array.from(v));
    return s;
  }
}
