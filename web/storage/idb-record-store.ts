/**
 * RecordStore over IndexedDB (idb-keyval). One database per profile (`?profile=NAME` gives each
 * tab-profile its own records), one object store, keys `r:<target hex>` for records and
 * `m:<key>` for metadata. Corrupt or foreign entries are skipped with a counted warning; they
 * never make start-up fail.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import type { PersistedRecord, RecordStore } from '../../shared/env/store';
import { DEFAULT_DB_PREFIX, assertProfile } from './profile';
import { META_KEY_PREFIX, RECORD_KEY_PREFIX, decodeMeta, decodeRecord, encodeMeta, encodeRecord } from './idb-codec';

export interface IdbRecordStoreOptions {
  /** Database name prefix. @default 'p2p-chat:' */
  readonly dbPrefix?: string;
  /** Called for each skipped entry. @default console.warn */
  readonly onWarning?: (message: string, key: unknown) => void;
}

export class IdbRecordStore implements RecordStore {
  readonly dbName: string;
  /** Entries skipped as corrupt or foreign (records and meta), over this instance's lifetime. */
  warnings = 0;
  private readonly store: UseStore;
  private readonly onWarning: (message: string, key: unknown) => void;

  constructor(profile = 'default', opts: IdbRecordStoreOptions = {}) {
    this.dbName = `${opts.dbPrefix ?? DEFAULT_DB_PREFIX}${assertProfile(profile)}:records`;
    this.store = createStore(this.dbName, 'records');
    this.onWarning = opts.onWarning ?? ((m, k) => console.warn(`[IdbRecordStore ${this.dbName}] ${m}`, k));
  }

  /** Open the database now (else the first use opens it), e.g. side by side with others at start. */
  async open(): Promise<void> {
    await this.store('readonly', () => undefined);
  }

  async loadAll(): Promise<{ records: PersistedRecord[]; skipped: number }> {
    const all = await entries<IDBValidKey, unknown>(this.store);
    const records: PersistedRecord[] = [];
    let skipped = 0;
    for (const [key, value] of all) {
      if (typeof key === 'string' && key.startsWith(META_KEY_PREFIX)) continue;
      const rec = decodeRecord(key, value);
      if (rec) {
        records.push(rec);
      } else {
        skipped++;
        this.warn('skipped a corrupt or foreign record entry', key);
      }
    }
    return { records, skipped };
  }

  async put(entry: PersistedRecord): Promise<void> {
    await set(RECORD_KEY_PREFIX + entry.target, encodeRecord(entry), this.store);
  }

  async delete(target: string): Promise<void> {
    await del(RECORD_KEY_PREFIX + target, this.store);
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const raw = await get<unknown>(META_KEY_PREFIX + key, this.store);
    if (raw === undefined) return undefined;
    const value = decodeMeta(raw);
    if (!value) this.warn('skipped a corrupt meta entry', key);
    return value;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    await set(META_KEY_PREFIX + key, encodeMeta(value), this.store);
  }

  private warn(message: string, key: unknown): void {
    this.warnings++;
    try {
      this.onWarning(message, key);
    } catch {
      // a throwing observer must not break loading
    }
  }
}
