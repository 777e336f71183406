/** Reading a stored entry back: anything malformed, forged or inconsistent is skipped, never thrown. */
import { hexToBytes } from '../crypto/bytes';
import { copyRecord, validateRecord } from './policy';
import type { Origin, PersistedEntry, TableEntry } from './record-table-types';

export const TARGET_HEX = /^[0-9a-f]{40}$/;

/** The table entry for a persisted one, or undefined when it does not validate. */
export function entryFromPersisted(p: PersistedEntry): TableEntry | undefined {
  try {
    if (typeof p !== 'object' || p === null) return undefined;
    if (typeof p.target !== 'string' || !TARGET_HEX.test(p.target)) return undefined;
    if (typeof p.storedAt !== 'number' || !Number.isFinite(p.storedAt)) return undefined;
    if (!validateRecord(hexToBytes(p.target), p.record).ok) return undefined;
    const lastRefreshed = typeof p.lastRefreshed === 'number' && Number.isFinite(p.lastRefreshed) ? p.lastRefreshed : p.storedAt;
    const origin: Origin = p.origin === 'own' ? 'own' : 'replica';
    return { target: p.target, record: copyRecord(p.record), storedAt: p.storedAt, lastRefreshed, origin };
  } catch {
    return undefined;
  }
}
