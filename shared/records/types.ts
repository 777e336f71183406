/**
 * DHT record shapes, in the form of BitTorrent BEP 44 items.
 * All byte fields are Uint8Array. A record's target (20 bytes) is:
 *   mutable:   SHA-1(k ‖ salt)
 *   immutable: SHA-1(v)
 */
export interface MutableRecord {
  readonly type: 'mutable';
  /** Ed25519 public key, 32 bytes. */
  readonly k: Uint8Array;
  /** 0..64 bytes; empty means "no salt". */
  readonly salt: Uint8Array;
  /** Integer 0..2^53-1. */
  readonly seq: number;
  /** 0..1000 bytes. */
  readonly v: Uint8Array;
  /** Ed25519 signature over the BEP 44 signable, 64 bytes. */
  readonly sig: Uint8Array;
}

export interface ImmutableRecord {
  readonly type: 'immutable';
  readonly v: Uint8Array;
}

export type DhtRecord = MutableRecord | ImmutableRecord;

/** Limits from BEP 44 (value, salt) plus our own bounds. */
export const RECORD_LIMITS = {
  maxValueBytes: 1000,
  maxSaltBytes: 64,
  maxSeq: Number.MAX_SAFE_INTEGER,
} as const;

/**
 * Why a node refused a STORE. Sent back to the writer on the wire and counted locally.
 * Nothing already stored is changed by a refused write.
 */
export type StoreRefusal =
  | 'BAD_SIGNATURE'
  | 'SEQ_TOO_LOW'
  | 'SEQ_REUSED'
  | 'CAS_MISMATCH'
  | 'VALUE_TOO_LARGE'
  | 'SALT_TOO_LARGE'
  | 'BAD_RECORD'
  | 'TARGET_MISMATCH'
  | 'STORE_FULL'
  | 'RATE_LIMITED';

export const STORE_REFUSALS: readonly StoreRefusal[] = [
  'BAD_SIGNATURE',
  'SEQ_TOO_LOW',
  'SEQ_REUSED',
  'CAS_MISMATCH',
  'VALUE_TOO_LARGE',
  'SALT_TOO_LARGE',
  'BAD_RECORD',
  'TARGET_MISMATCH',
  'STORE_FULL',
  'RATE_LIMITED',
];
