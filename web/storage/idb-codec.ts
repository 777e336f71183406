/**
 * How records and metadata are laid out in IndexedDB, and the strict decoder that reads them back.
 * Bytes are stored as lower-case hex so entries survive any structured-clone quirk and are readable
 * in devtools. Decoding never throws: anything malformed, foreign or from a future format is
 * `undefined` (the caller skips and counts it).
 */
import { bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import type { PersistedRecord } from '../../shared/env/store';
import { checkShape } from '../../shared/records/policy';
import type { Origin, PersistedEntry } from '../../shared/records/record-table';
import type { DhtRecord } from '../../shared/records/types';

export const RECORD_FORMAT = 'p2p-rec/1';
export const META_FORMAT = 'p2p-meta/1';
export const RECORD_KEY_PREFIX = 'r:';
export const META_KEY_PREFIX = 'm:';

export interface StoredRecordV1 {
  readonly f: typeof RECORD_FORMAT;
  readonly target: string;
  readonly storedAt: number;
  readonly lastRefreshed?: number;
  readonly origin?: Origin;
  readonly type: 'mutable' | 'immutable';
  readonly k?: string;
  readonly salt?: string;
  readonly seq?: number;
  readonly v: string;
  readonly sig?: string;
}

export interface StoredMetaV1 {
  readonly f: typeof META_FORMAT;
  readonly hex: string;
}

const HEX = /^(?:[0-9a-f]{2})*$/;
const TARGET_HEX = /^[0-9a-f]{40}$/;

function hex(x: unknown, maxBytes: number): Uint8Array | undefined {
  if (typeof x !== 'string' || x.length > maxBytes * 2 || !HEX.test(x)) return undefined;
  return hexToBytes(x);
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function encodeRecord(entry: PersistedRecord): StoredRecordV1 {
  const e = entry as PersistedEntry;
  const r = e.record;
  const base = {
    f: RECORD_FORMAT,
    target: e.target,
    storedAt: e.storedAt,
    ...(e.lastRefreshed !== undefined ? { lastRefreshed: e.lastRefreshed } : {}),
    ...(e.origin !== undefined ? { origin: e.origin } : {}),
  } as const;
  if (r.type === 'immutable') return { ...base, type: 'immutable', v: bytesToHex(r.v) };
  return {
    ...base,
    type: 'mutable',
    k: bytesToHex(r.k),
    salt: bytesToHex(r.salt),
    seq: r.seq,
    v: bytesToHex(r.v),
    sig: bytesToHex(r.sig),
  };
}

/**
 * Decode one stored value found under `key`. Checks the format tag, every field's type and size,
 * that the key names the same target, and that the record hashes to that target. The signature is
 * checked later by RecordTable.load.
 */
export function decodeRecord(key: unknown, value: unknown): PersistedEntry | undefined {
  if (typeof key !== 'string' || !key.startsWith(RECORD_KEY_PREFIX)) return undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<Record<keyof StoredRecordV1, unknown>>;
  if (s.f !== RECORD_FORMAT) return undefined;
  if (typeof s.target !== 'string' || !TARGET_HEX.test(s.target) || key !== RECORD_KEY_PREFIX + s.target) return undefined;
  if (!finite(s.storedAt)) return undefined;
  if (s.lastRefreshed !== undefined && !finite(s.lastRefreshed)) return undefined;
  if (s.origin !== undefined && s.origin !== 'own' && s.origin !== 'replica') return undefined;
  const v = hex(s.v, 1000);
  if (!v) return undefined;
  let record: DhtRecord;
  if (s.type === 'immutable') {
    record = { type: 'immutable', v };
  } else if (s.type === 'mutable') {
    const k = hex(s.k, 32);
    const salt = hex(s.salt, 64);
    const sig = hex(s.sig, 64);
    if (!k || !salt || !sig || typeof s.seq !== 'number') return undefined;
    record = { type: 'mutable', k, salt, seq: s.seq, v, sig };
  } else {
    return undefined;
  }
  if (!checkShape(hexToBytes(s.target), record).ok) return undefined;
  return {
    target: s.target,
    record,
    storedAt: s.storedAt,
    ...(s.lastRefreshed !== undefined ? { lastRefreshed: s.lastRefreshed as number } : {}),
    ...(s.origin !== undefined ? { origin: s.origin as Origin } : {}),
  };
}

export function encodeMeta(value: Uint8Array): StoredMetaV1 {
  return { f: META_FORMAT, hex: bytesToHex(value) };
}

/** Meta values are small; anything over 64 KiB is treated as corrupt. */
export function decodeMeta(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<Record<keyof StoredMetaV1, unknown>>;
  if (m.f !== META_FORMAT) return undefined;
  return hex(m.hex, 65536);
}
