/**
 * BEP 44 items: targets, the bencoded signable, signing and verification.
 * Crypto comes from shared/crypto (noble); only the bencoded string layout is written here.
 *
 * Local API misuse (wrong types, out-of-range seq, oversized salt/value) throws TypeError/RangeError.
 * `verifyMutable` is the remote-input path and never throws: anything malformed verifies as false.
 */
import { bytesEqual, concatBytes, utf8 } from '../crypto/bytes';
import { generateKeyPair, sha1, sign, verify } from '../crypto/ed25519';
import type { DhtRecord, ImmutableRecord, MutableRecord } from './types';
import { RECORD_LIMITS } from './types';

const EMPTY = new Uint8Array(0);
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const SECRET_KEY_BYTES = 32;
export const TARGET_BYTES = 20;

function assertBytes(name: string, b: unknown, max?: number, exact?: number): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (exact !== undefined && b.length !== exact) throw new RangeError(`${name} must be ${exact} bytes, got ${b.length}`);
  if (max !== undefined && b.length > max) throw new RangeError(`${name} must be at most ${max} bytes, got ${b.length}`);
}

function assertSeq(seq: unknown): asserts seq is number {
  if (typeof seq !== 'number' || !Number.isInteger(seq)) throw new TypeError('seq must be an integer');
  if (seq < 0 || seq > RECORD_LIMITS.maxSeq) throw new RangeError(`seq must be in 0..${RECORD_LIMITS.maxSeq}`);
}

/** True when `seq` is an integer in 0..2^53-1. */
export function isValidSeq(seq: unknown): seq is number {
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 && seq <= RECORD_LIMITS.maxSeq;
}

/** Bencoded byte string: `<len>:<bytes>`. */
function bstring(b: Uint8Array): Uint8Array {
  return concatBytes(utf8.encode(`${b.length}:`), b);
}

/**
 * The exact BEP 44 signable: `4:salt<len>:<salt>` (only when salt is non-empty), then
 * `3:seqi<seq>e1:v<len>:<v>`. `v` is our raw value, bencoded here as a byte string.
 */
export function encodeSignable(salt: Uint8Array | undefined, seq: number, v: Uint8Array): Uint8Array {
  const s = salt ?? EMPTY;
  assertBytes('salt', s, RECORD_LIMITS.maxSaltBytes);
  assertSeq(seq);
  assertBytes('v', v, RECORD_LIMITS.maxValueBytes);
  const parts: Uint8Array[] = [];
  if (s.length > 0) parts.push(utf8.encode('4:salt'), bstring(s));
  parts.push(utf8.encode(`3:seqi${seq}e1:v`), bstring(v));
  return concatBytes(...parts);
}

/** Target of a mutable item: SHA-1(k ‖ salt); an empty or missing salt means SHA-1(k). */
export function mutableTarget(publicKey: Uint8Array, salt?: Uint8Array): Uint8Array {
  assertBytes('publicKey', publicKey, undefined, PUBLIC_KEY_BYTES);
  const s = salt ?? EMPTY;
  assertBytes('salt', s, RECORD_LIMITS.maxSaltBytes);
  return sha1(concatBytes(publicKey, s));
}

/**
 * Target of an immutable item: SHA-1(v) over the bytes as given. (BEP 44 hashes the bencoded value;
 * pass the bencoded bytes as `v` to reproduce a mainline target.)
 */
export function immutableTarget(v: Uint8Array): Uint8Array {
  assertBytes('v', v, RECORD_LIMITS.maxValueBytes);
  return sha1(v);
}

/** The target a record is stored under. Throws on a malformed record (local use). */
export function recordTarget(record: DhtRecord): Uint8Array {
  return record.type === 'mutable' ? mutableTarget(record.k, record.salt) : immutableTarget(record.v);
}

/**
 * The 32-byte seed from a secret key given either as the seed itself (noble, shared/crypto) or as
 * the 64-byte seed ‖ publicKey form (libsodium, tweetnacl); the latter must be self-consistent.
 * The ref10 "expanded" 64-byte form (BEP 44's published test key) has no seed and is refused.
 */
function seedOf(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array)) throw new TypeError('secretKey must be a Uint8Array');
  if (secretKey.length === SECRET_KEY_BYTES) return secretKey;
  if (secretKey.length === 64) {
    const seed = secretKey.subarray(0, 32);
    const { publicKey } = generateKeyPair(seed);
    if (bytesEqual(publicKey, secretKey.subarray(32))) return seed;
    throw new RangeError('64-byte secretKey must be seed ‖ publicKey');
  }
  throw new RangeError(`secretKey must be 32 bytes (or 64: seed ‖ publicKey), got ${secretKey.length}`);
}

export interface SignMutableArgs {
  /** 32-byte Ed25519 seed (shared/crypto's secretKey), or 64-byte seed ‖ publicKey. */
  readonly secretKey: Uint8Array;
  readonly salt?: Uint8Array;
  readonly seq: number;
  readonly value: Uint8Array;
}

/** Sign a mutable item. The returned record owns copies of all byte arrays. */
export function signMutable(args: SignMutableArgs): MutableRecord {
  const seed = seedOf(args.secretKey);
  const salt = Uint8Array.from(args.salt ?? EMPTY);
  const v = Uint8Array.from(args.value);
  const signable = encodeSignable(salt, args.seq, v);
  const { publicKey } = generateKeyPair(seed);
  const sig = sign(signable, seed);
  return { type: 'mutable', k: publicKey, salt, seq: args.seq, v, sig };
}

export interface SignMutableWithArgs {
  /** 32-byte Ed25519 public key the record is stored under (`k`). */
  readonly publicKey: Uint8Array;
  /** Signs the BEP 44 signable; must return a 64-byte Ed25519 signature valid under `publicKey`. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  readonly salt?: Uint8Array;
  readonly seq: number;
  readonly value: Uint8Array;
}

/**
 * Sign a mutable item with a key held elsewhere (e.g. a blinded key, shared/crypto/blinding.ts).
 * The signature is not checked here; a wrong one fails `verifyMutable` like any forged record.
 */
export function signMutableWith(args: SignMutableWithArgs): MutableRecord {
  assertBytes('publicKey', args.publicKey, undefined, PUBLIC_KEY_BYTES);
  if (typeof args.sign !== 'function') throw new TypeError('sign must be a function');
  const salt = Uint8Array.from(args.salt ?? EMPTY);
  const v = Uint8Array.from(args.value);
  const signable = encodeSignable(salt, args.seq, v);
  const sig = args.sign(signable);
  assertBytes('signature', sig, undefined, SIGNATURE_BYTES);
  return { type: 'mutable', k: Uint8Array.from(args.publicKey), salt, seq: args.seq, v, sig: Uint8Array.from(sig) };
}

export interface VerifyMutableArgs {
  readonly k: Uint8Array;
  readonly salt?: Uint8Array;
  readonly seq: number;
  readonly v: Uint8Array;
  readonly sig: Uint8Array;
}

/** Verify a mutable item's signature. Never throws: malformed input is simply `false`. */
export function verifyMutable(args: VerifyMutableArgs): boolean {
  try {
    const { k, seq, v, sig } = args;
    const salt = args.salt ?? EMPTY;
    if (!(k instanceof Uint8Array) || k.length !== PUBLIC_KEY_BYTES) return false;
    if (!(sig instanceof Uint8Array) || sig.length !== SIGNATURE_BYTES) return false;
    if (!(salt instanceof Uint8Array) || salt.length > RECORD_LIMITS.maxSaltBytes) return false;
    if (!(v instanceof Uint8Array) || v.length > RECORD_LIMITS.maxValueBytes) return false;
    if (!isValidSeq(seq)) return false;
    return verify(sig, encodeSignable(salt, seq, v), k);
  } catch {
    return false;
  }
}

/** An immutable record for `v` (copied). */
export function makeImmutable(v: Uint8Array): ImmutableRecord {
  assertBytes('v', v, RECORD_LIMITS.maxValueBytes);
  return { type: 'immutable', v: Uint8Array.from(v) };
}
