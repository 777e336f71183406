/**
 * Ed25519 key blinding exactly as Tor v3 onion services do it (rend-spec-v3, Appendix A.2,
 * "Tor's key derivation scheme"), as a thin layer over @noble/curves point and scalar arithmetic.
 *
 * Use: private presence. A person's identity key IK (seed a, public A) is blinded per time period
 * with a secret their contacts know; the blinded public key A' is the `k` of an ordinary BEP 44
 * mutable record, signed with the blinded private key. The signature is plain Ed25519, so any
 * stock verifier (noble's `ed25519.verify`, our `verifyMutable`) accepts it; without the secret
 * nobody can link A' to A or to another period's A'.
 *
 *   h   = SHA3-256(BLIND_STRING | A | s | B | N)                      (then clamped, below)
 *         BLIND_STRING = "Derive temporary signing key" | INT_1(0)
 *         B = the basepoint string Tor hashes, N = "key-blind" | INT_8(period) | INT_8(length)
 *   A'  = h·A                                                         (public side)
 *   a'  = h·a mod ℓ,  RH' = SHA-512("Derive temporary signing key hash input" | RH)[:32]
 *
 * (a, RH) is the RFC 8032 expanded secret key: SHA-512(seed) = a ‖ RH, a clamped. Signing with
 * (a', RH') is RFC 8032 §5.1.6 signing with an expanded key; noble 2.x only signs from a seed,
 * so the standard steps are written out here over noble's `Point` and mod-ℓ arithmetic.
 *
 * Rules:
 * - Nothing beyond A.2 and RFC 8032 is invented. `h·A` is the integer product with the clamped h
 *   (as tor's ref10 computes it, so a key with a torsion component blinds like tor's C code);
 *   a' is stored reduced mod ℓ, as tor stores it.
 * - Tor's vectors (test/vectors/tor-ed25519-blinding.json) give `h` directly; the `...WithFactor`
 *   functions are that curve step alone, `blindingFactor` is the SHA3 step alone.
 * - `signBlinded` derives the public key from the scalar itself and refuses a key whose
 *   `publicKey` disagrees: signing one message under two public keys with the same (a, RH)
 *   would reveal a (the "double public key" oracle).
 * - Local misuse (wrong lengths, bad period numbers, a public key that is not a curve point or has
 *   small order) throws TypeError/RangeError. Bigint arithmetic is not constant-time; neither is
 *   noble's own signing (same caveat as shared/crypto/ed25519.ts).
 * - Platform-neutral: no DOM, no Node APIs.
 */
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { bytesEqual, concatBytes, utf8 } from './bytes';

/** An RFC 8032 expanded secret key (tor's 64-byte `a ‖ RH` form) with its public key. */
export interface ExpandedSecretKey {
  /** 32-byte little-endian scalar a (clamped from a seed, or reduced mod ℓ once blinded). */
  readonly scalar: Uint8Array;
  /** 32-byte nonce prefix RH. */
  readonly prefix: Uint8Array;
  /** 32-byte Ed25519 public key a·B. */
  readonly publicKey: Uint8Array;
}

/** A blinded key (a', RH', A') is an expanded secret key like any other. */
export type BlindedSecretKey = ExpandedSecretKey;

const Point = ed25519.Point;
const Fn = Point.Fn;
const _L = Fn.ORDER;
const BYTES = 32;

const BLIND_STRING = concatBytes(utf8.encode('Derive temporary signing key'), Uint8Array.of(0));
const RH_BLIND_STRING = utf8.encode('Derive temporary signing key hash input');
/** The Ed25519 basepoint as the decimal (x, y) string tor hashes (hs_common.c). */
export const ED25519_BASEPOINT_STRING =
  '(15112221349535400772501151409588531511454012693041857206046113283949847762202, ' +
  '46316835694926478169428394003475163141307993866256225615783033603165251855960)';
const BASEPOINT_BYTES = utf8.encode(ED25519_BASEPOINT_STRING);
const KEY_BLIND = utf8.encode('key-blind');

function assertBytes(name: string, b: unknown, exact?: number): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (exact !== undefined && b.length !== exact) throw new RangeError(`${name} must be ${exact} bytes, got ${b.length}`);
}

function assertUint64(name: string, n: unknown, min: number): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`${name} must be an integer`);
  if (n < min || n > Number.MAX_SAFE_INTEGER) throw new RangeError(`${name} must be in ${min}..2^53-1, got ${n}`);
}

function int8(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/** Clamp a 32-byte value like an Ed25519 scalar and read it as a little-endian integer. */
function clampedInteger(h: Uint8Array): bigint {
  const c = Uint8Array.from(h);
  c[0] = c[0]! & 248;
  c[31] = (c[31]! & 63) | 64;
  return bytesToNumberLE(c);
}

function decodePublicKey(publicKey: Uint8Array): EdwardsPoint {
  let A: EdwardsPoint;
  try {
    A = Point.fromBytes(publicKey);
  } catch {
    throw new RangeError('publicKey is not a valid Ed25519 point');
  }
  if (A.isSmallOrder()) throw new RangeError('publicKey has small order');
  return A;
}

/** a mod ℓ from a 32-byte little-endian scalar; zero is refused (its public key is the identity). */
function scalarOf(scalar: Uint8Array): bigint {
  const a = Fn.create(bytesToNumberLE(scalar));
  if (a === 0n) throw new RangeError('scalar is 0 mod ℓ');
  return a;
}

function publicKeyOfScalar(a: bigint): Uint8Array {
  return Point.BASE.multiply(a).toBytes();
}

/**
 * The blinding factor h of A.2 before clamping: SHA3-256(BLIND_STRING | A | s | B | N), with
 * N = "key-blind" | INT_8(periodNumber) | INT_8(periodLengthMinutes). An empty secret is no secret.
 */
export function blindingFactor(publicKey: Uint8Array, secret: Uint8Array, periodNumber: number, periodLengthMinutes: number): Uint8Array {
  assertBytes('publicKey', publicKey, BYTES);
  assertBytes('secret', secret);
  assertUint64('periodNumber', periodNumber, 0);
  assertUint64('periodLengthMinutes', periodLengthMinutes, 1);
  return sha3_256(concatBytes(BLIND_STRING, publicKey, secret, BASEPOINT_BYTES, KEY_BLIND, int8(periodNumber), int8(periodLengthMinutes)));
}

/**
 * The public half of the curve step: A' = clamp(h)·A. The clamped h is a multiple of 8 below
 * 2^255, so h·A = (h/8)·(8A) with h/8 < ℓ: the exact integer product, torsion included.
 */
export function blindPublicKeyWithFactor(publicKey: Uint8Array, h: Uint8Array): Uint8Array {
  assertBytes('publicKey', publicKey, BYTES);
  assertBytes('h', h, BYTES);
  const A = decodePublicKey(publicKey);
  return A.clearCofactor()
    .multiply(clampedInteger(h) >> 3n)
    .toBytes();
}

/** The secret half of the curve step: a' = clamp(h)·a mod ℓ, RH' from RH, and A' = a'·B. */
export function blindExpandedKeyWithFactor(key: ExpandedSecretKey, h: Uint8Array): BlindedSecretKey {
  assertBytes('key.scalar', key.scalar, BYTES);
  assertBytes('key.prefix', key.prefix, BYTES);
  assertBytes('h', h, BYTES);
  const a = Fn.mul(scalarOf(key.scalar), Fn.create(clampedInteger(h)));
  const prefix = sha512(concatBytes(RH_BLIND_STRING, key.prefix)).slice(0, BYTES);
  return { scalar: numberToBytesLE(a, BYTES), prefix, publicKey: publicKeyOfScalar(a) };
}

/** RFC 8032 §5.1.5: SHA-512(seed) = a ‖ RH with a clamped (kept unreduced, as tor stores it). */
export function expandSeed(seed: Uint8Array): ExpandedSecretKey {
  assertBytes('seed', seed, BYTES);
  const { head, prefix, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  return { scalar: Uint8Array.from(head), prefix: Uint8Array.from(prefix), publicKey: Uint8Array.from(pointBytes) };
}

/** An expanded key from tor's 64-byte `a ‖ RH` form (no seed exists for it); derives a·B. */
export function expandedKeyFromBytes(bytes: Uint8Array): ExpandedSecretKey {
  assertBytes('expanded key', bytes, 2 * BYTES);
  const scalar = bytes.slice(0, BYTES);
  return { scalar, prefix: bytes.slice(BYTES), publicKey: publicKeyOfScalar(scalarOf(scalar)) };
}

/** A' for `publicKey` in the given period: what a contact who knows `secret` computes. */
export function blindPublicKey(publicKey: Uint8Array, secret: Uint8Array, periodNumber: number, periodLengthMinutes: number): Uint8Array {
  return blindPublicKeyWithFactor(publicKey, blindingFactor(publicKey, secret, periodNumber, periodLengthMinutes));
}

/** (a', RH', A') for the identity `seed` in the given period: what the key's owner signs with. */
export function blindSecretKey(seed: Uint8Array, secret: Uint8Array, periodNumber: number, periodLengthMinutes: number): BlindedSecretKey {
  const key = expandSeed(seed);
  return blindExpandedKeyWithFactor(key, blindingFactor(key.publicKey, secret, periodNumber, periodLengthMinutes));
}

/**
 * RFC 8032 §5.1.6 with an expanded key: r = SHA-512(RH ‖ M) mod ℓ, R = r·B,
 * S = r + SHA-512(R ‖ A ‖ M)·a mod ℓ; returns R ‖ S (64 bytes). Works for any expanded key
 * (blinded or not). Throws RangeError if `key.publicKey` is not a·B.
 */
export function signBlinded(message: Uint8Array, key: ExpandedSecretKey): Uint8Array {
  assertBytes('message', message);
  assertBytes('key.scalar', key.scalar, BYTES);
  assertBytes('key.prefix', key.prefix, BYTES);
  assertBytes('key.publicKey', key.publicKey, BYTES);
  const a = scalarOf(key.scalar);
  const A = publicKeyOfScalar(a);
  if (!bytesEqual(A, key.publicKey)) throw new RangeError('key.publicKey does not match key.scalar');
  const r = Fn.create(bytesToNumberLE(sha512(concatBytes(key.prefix, message))));
  const R = Point.BASE.multiply(r).toBytes();
  const k = Fn.create(bytesToNumberLE(sha512(concatBytes(R, A, message))));
  const S = Fn.add(r, Fn.mul(k, a));
  return concatBytes(R, numberToBytesLE(S, BYTES));
}
