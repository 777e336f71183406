/**
 * The one place that decides whether a record is valid and which of two records wins
 * (libp2p validators/selectors, BEP 44 storage rules, OpenDHT's edit policy).
 *
 * Everything here takes remote input and never throws: a bad record yields a StoreRefusal code.
 */
import { VerifiedCache } from './verified-cache';
import { bytesEqual } from '../crypto/bytes';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TARGET_BYTES, isValidSeq, recordTarget, verifyMutable } from './bep44';
import type { DhtRecord, MutableRecord, StoreRefusal } from './types';
import { RECORD_LIMITS } from './types';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly code: StoreRefusal };

const OK: Verdict = { ok: true };
const refuse = (code: StoreRefusal): Verdict => ({ ok: false, code });

function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

/**
 * Cheap structural checks, no signature work: shape (BAD_RECORD), sizes (VALUE_TOO_LARGE,
 * SALT_TOO_LARGE) and that `target` is the record's own target (TARGET_MISMATCH).
 */
export function checkShape(target: Uint8Array, record: DhtRecord): Verdict {
  try {
    return shapeOf(target, record);
  } catch {
    return refuse('BAD_RECORD'); // hostile objects (throwing getters) from a decoder bug
  }
}

function shapeOf(target: Uint8Array, record: DhtRecord): Verdict {
  if (!isBytes(target) || target.length !== TARGET_BYTES) return refuse('BAD_RECORD');
  if (typeof record !== 'object' || record === null) return refuse('BAD_RECORD');
  const r = record as Partial<MutableRecord> & { type?: unknown };
  if (!isBytes(r.v)) return refuse('BAD_RECORD');
  if (r.type === 'mutable') {
    if (!isBytes(r.k) || r.k.length !== PUBLIC_KEY_BYTES) return refuse('BAD_RECORD');
    if (!isBytes(r.sig) || r.sig.length !== SIGNATURE_BYTES) return refuse('BAD_RECORD');
    if (!isBytes(r.salt)) return refuse('BAD_RECORD');
    if (!isValidSeq(r.seq)) return refuse('BAD_RECORD');
    if (r.salt.length > RECORD_LIMITS.maxSaltBytes) return refuse('SALT_TOO_LARGE');
  } else if (r.type !== 'immutable') {
    return refuse('BAD_RECORD');
  }
  if (r.v.length > RECORD_LIMITS.maxValueBytes) return refuse('VALUE_TOO_LARGE');
  if (!bytesEqual(recordTarget(record), target)) return refuse('TARGET_MISMATCH');
  return OK;
}

/** Signatures checked by this process (one node in a tab; shared by the simulator's nodes, which changes only its speed). */
const verified = new VerifiedCache();

/**
 * Size the signature cache (a pure memo: only speed changes). The simulator runs n nodes in
 * one process and sizes it as n tabs' caches together would hold.
 */
export function sizeSignatureCache(entries: number): void {
  verified.resize(entries);
}

/** Signature check (mutable) — the expensive part. Immutable records are self-certifying by target. */
export function checkSignature(record: DhtRecord): Verdict {
  if (record.type === 'immutable') return OK;
  return verified.check(record, verifyMutable) ? OK : refuse('BAD_SIGNATURE');
}

/** Full validation of a record claimed to live at `target`: shape, sizes, target, signature. */
export function validateRecord(target: Uint8Array, record: DhtRecord): Verdict {
  const shape = checkShape(target, record);
  return shape.ok ? checkSignature(record) : shape;
}

/** Byte-identical records (same type and every field equal). */
/** A deep copy, so a stored record never aliases a caller's or a frame's buffers. */
export function copyRecord(r: DhtRecord): DhtRecord {
  if (r.type === 'immutable') return { type: 'immutable', v: Uint8Array.from(r.v) };
  return {
    type: 'mutable',
    k: Uint8Array.from(r.k),
    salt: Uint8Array.from(r.salt),
    seq: r.seq,
    v: Uint8Array.from(r.v),
    sig: Uint8Array.from(r.sig),
  };
}

export function sameRecord(a: DhtRecord, b: DhtRecord): boolean {
  if (a.type === 'immutable' || b.type === 'immutable') return a.type === b.type && bytesEqual(a.v, b.v);
  return a.seq === b.seq && bytesEqual(a.k, b.k) && bytesEqual(a.salt, b.salt) && bytesEqual(a.v, b.v) && bytesEqual(a.sig, b.sig);
}

/** How `incoming` relates to `current` for the same target. */
export type Comparison = 'newer' | 'identical' | 'SEQ_TOO_LOW' | 'SEQ_REUSED';

/**
 * Higher seq wins. At equal seq only byte-identical data is the same record; anything else at
 * that seq is SEQ_REUSED (the stored one stays).
 */
export function compareMutable(current: MutableRecord, incoming: MutableRecord): Comparison {
  if (incoming.seq > current.seq) return 'newer';
  if (incoming.seq < current.seq) return 'SEQ_TOO_LOW';
  return sameRecord(current, incoming) ? 'identical' : 'SEQ_REUSED';
}

export type WriteDecision = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly code: StoreRefusal };

/**
 * Storage rule for a write of an already shape-checked `incoming` over `current` (if any).
 * `cas` is the seq the writer expects to be stored; it is only checked against an existing
 * mutable record (BEP 44 / libtorrent: nothing stored means nothing to mismatch).
 * Does not check the signature: callers verify it only when the write would change state.
 */
export function decideWrite(current: DhtRecord | undefined, incoming: DhtRecord, cas?: number): WriteDecision {
  if (!current) return { ok: true, changed: true };
  if (current.type !== incoming.type) return { ok: false, code: 'BAD_RECORD' };
  if (current.type === 'immutable' || incoming.type === 'immutable') {
    // Same target ⇒ same SHA-1 ⇒ same bytes (shape check ran); a re-put is a refresh.
    return sameRecord(current, incoming) ? { ok: true, changed: false } : { ok: false, code: 'TARGET_MISMATCH' };
  }
  if (cas !== undefined && cas !== current.seq) return { ok: false, code: 'CAS_MISMATCH' };
  const c = compareMutable(current, incoming);
  if (c === 'newer') return { ok: true, changed: true };
  if (c === 'identical') return { ok: true, changed: false };
  return { ok: false, code: c };
}

/**
 * Selector for gets: the better of two valid records for the same target. Higher seq wins; at
 * equal seq with different bytes (only the key owner can produce that) the lexicographically
 * larger signature wins, so every node picks the same one.
 */
export function selectRecord<T extends DhtRecord>(a: T, b: T): T {
  if (a.type !== 'mutable' || b.type !== 'mutable') return a;
  if (a.seq !== b.seq) return a.seq > b.seq ? a : b;
  for (let i = 0; i < SIGNATURE_BYTES; i++) {
    if (a.sig[i] !== b.sig[i]) return a.sig[i]! > b.sig[i]! ? a : b;
  }
  return a;
}

export type CandidateVerdict = 'best' | 'stale' | 'missing' | 'invalid';

export interface Selection {
  /** The winner, or undefined if no candidate was valid. */
  readonly record: DhtRecord | undefined;
  /** Candidates byte-identical to the winner (how many replicas agreed). */
  readonly agreeing: number;
  /** Valid candidates older than the winner (read-repair targets). */
  readonly stale: number;
  /** Candidates refused by validateRecord (forged, malformed, wrong target). */
  readonly invalid: number;
  /** Candidates that were `undefined` (the holder had nothing). */
  readonly missing: number;
  /** Per candidate, aligned with the input: read-repair goes to 'stale', 'missing' (and 'invalid'). */
  readonly verdicts: readonly CandidateVerdict[];
}

/**
 * Pick the newest valid record among answers for `target` (the get path). Invalid answers are
 * dropped (counted in `invalid`), never selected.
 */
export function selectNewest(target: Uint8Array, candidates: readonly (DhtRecord | undefined)[]): Selection {
  const valid: boolean[] = candidates.map((c) => c !== undefined && validateRecord(target, c).ok);
  let best: DhtRecord | undefined;
  candidates.forEach((c, i) => {
    if (c && valid[i]) best = best ? selectRecord(best, c) : c;
  });
  let agreeing = 0;
  let stale = 0;
  let invalid = 0;
  let missing = 0;
  const verdicts = candidates.map((c, i): CandidateVerdict => {
    if (!c) {
      missing++;
      return 'missing';
    }
    if (!valid[i]) {
      invalid++;
      return 'invalid';
    }
    if (best && sameRecord(best, c)) {
      agreeing++;
      return 'best';
    }
    stale++;
    return 'stale';
  });
  return { record: best, agreeing, stale, invalid, missing, verdicts };
}
