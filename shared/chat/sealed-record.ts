/**
 * Sealed DHT records: the invite, presence and request-slot records of docs/chat-design.md
 * ("Periods and blinded records"). Each is an ordinary BEP 44 mutable item with an empty salt, so
 * storage nodes run their stock verify and seq rules, and each says nothing to whoever lacks the
 * secret: not whose it is, not what it holds, not even how much (fixed size).
 *
 * Record keys (t = period number, periods of PERIOD_MINUTES):
 *   invite    k = blind(IK, s, t), s = HKDF-SHA256(invite secret, info "p2p-chat invite-blind v1")
 *   presence  k = blind(IK, s, t), s = HKDF-SHA256(presence secret, info "p2p-chat presence-blind v1")
 *   request   k = Ed25519 key of seed = HKDF-SHA256(invite secret, salt = owner IK,
 *               info "p2p-chat request-slot v1" ‖ u64 t ‖ u8 slot)
 * blind() is Tor's key blinding (rend-spec-v3 A.2, shared/crypto/blinding.ts): the owner signs
 * with the blinded secret key, readers compute the public key only. HKDF without salt uses
 * RFC 5869's zero salt. The kinds' info strings differ, so one secret can never produce the other
 * kind's key. Every link holder derives the request-slot keys, readers and writers alike, so any
 * link holder can overwrite a slot; the requester republishes until answered, and rotating the
 * link ends it (the design accepts this).
 *
 * Value v (SEALED_VALUE_BYTES, 940):
 *   nonce (24, random) ‖ XChaCha20-Poly1305(key, nonce, pad(plaintext), AD = label ‖ k)
 *   key   = HKDF-SHA256(ikm = secret, salt = IK, info = label ‖ u64 t), label = "p2p-chat <kind>-value v1"
 *   pad   = u16 length ‖ plaintext ‖ zeros, RECORD_PLAINTEXT_BYTES in all
 * The AD binds the ciphertext to the record key: a value copied under another period's, kind's or
 * slot's key does not open.
 *
 * Errors: local misuse (a secret of the wrong length for its kind, a bad period, slot or seq, an
 * oversized plaintext) throws TypeError/RangeError. Remote bytes (a value, a record) fail only
 * with ChatError('DECRYPT_FAILED').
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes as cryptoRandomBytes } from '@noble/hashes/utils.js';
import { blindPublicKey, blindSecretKey, signBlinded } from '../crypto/blinding';
import { bytesEqual, bytesToHex, concatBytes, utf8 } from '../crypto/bytes';
import { generateKeyPair, type KeyPair, publicKeyOf } from '../crypto/ed25519';
import { mutableTarget, signMutable, signMutableWith } from '../records/bep44';
import { checkSignature } from '../records/policy';
import type { MutableRecord } from '../records/types';
import {
  INVITE_SECRET_BYTES,
  MAILBOX_SECRET_BYTES,
  MAILBOX_SLOTS,
  PERIOD_MINUTES,
  PRESENCE_SECRET_BYTES,
  RECORD_PLAINTEXT_BYTES,
  REQUEST_SLOTS,
} from './constants';
import { ChatError } from './errors';

/** Records keyed by a blinded identity key. */
export type BlindedKind = 'invite' | 'presence';
/** Records in numbered slots, keyed from a shared secret: requests to an owner, mail between two contacts. */
export type SlotKind = 'request' | 'mailbox';
export type RecordKind = BlindedKind | SlotKind;

const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Largest plaintext a record holds: the padded size less the u16 length prefix. */
export const MAX_RECORD_PLAINTEXT = RECORD_PLAINTEXT_BYTES - 2;
/** Every sealed value is exactly this long: nonce ‖ ciphertext ‖ tag. */
export const SEALED_VALUE_BYTES = NONCE_BYTES + RECORD_PLAINTEXT_BYTES + TAG_BYTES;

const BLIND_INFO: Readonly<Record<BlindedKind, Uint8Array>> = {
  invite: utf8.encode('p2p-chat invite-blind v1'),
  presence: utf8.encode('p2p-chat presence-blind v1'),
};
const VALUE_LABEL: Readonly<Record<RecordKind, Uint8Array>> = {
  invite: utf8.encode('p2p-chat invite-value v1'),
  presence: utf8.encode('p2p-chat presence-value v1'),
  request: utf8.encode('p2p-chat request-value v1'),
  mailbox: utf8.encode('p2p-chat mailbox-value v1'),
};
const SLOT_INFO: Readonly<Record<SlotKind, Uint8Array>> = {
  request: utf8.encode('p2p-chat request-slot v1'),
  mailbox: utf8.encode('p2p-chat mailbox-slot v1'),
};
const SLOT_COUNT: Readonly<Record<SlotKind, number>> = { request: REQUEST_SLOTS, mailbox: MAILBOX_SLOTS };
/** Invite and request records are keyed from the invite secret; presence from the presence secret. */
const SECRET_BYTES: Readonly<Record<RecordKind, number>> = {
  invite: INVITE_SECRET_BYTES,
  presence: PRESENCE_SECRET_BYTES,
  request: INVITE_SECRET_BYTES,
  mailbox: MAILBOX_SECRET_BYTES,
};

function assertBytes(name: string, b: unknown, exact: number): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (b.length !== exact) throw new RangeError(`${name} must be ${exact} bytes, got ${b.length}`);
}

function assertKind(kind: unknown, kinds: readonly RecordKind[]): asserts kind is RecordKind {
  if (!kinds.includes(kind as RecordKind)) throw new TypeError(`kind must be one of ${kinds.join(', ')}`);
}

function checkSecretAndPeriod(kind: RecordKind, secret: Uint8Array, t: number): void {
  assertBytes(`${kind} secret`, secret, SECRET_BYTES[kind]);
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > Number.MAX_SAFE_INTEGER)
    throw new RangeError(`period must be an integer in 0..2^53-1, got ${t}`);
}

function checkInputs(kind: RecordKind, secret: Uint8Array, identityKey: Uint8Array, t: number): void {
  checkSecretAndPeriod(kind, secret, t);
  assertBytes('identityKey', identityKey, 32);
}

function checkSlot(slot: number, kind: SlotKind = 'request'): void {
  const n = SLOT_COUNT[kind];
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= n)
    throw new RangeError(`slot must be an integer in 0..${n - 1}, got ${slot}`);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

function fail(why: string): never {
  throw new ChatError('DECRYPT_FAILED', why);
}

/** The blinding secret s of a kind: HKDF-SHA256(secret, no salt, info "p2p-chat <kind>-blind v1"), 32 bytes. */
export function blindingSecret(kind: BlindedKind, secret: Uint8Array): Uint8Array {
  assertKind(kind, ['invite', 'presence']);
  assertBytes(`${kind} secret`, secret, SECRET_BYTES[kind]);
  return hkdf(sha256, secret, undefined, BLIND_INFO[kind], KEY_BYTES);
}

/** The record key of `identityKey`'s `kind` record for period t: what a reader computes. */
export function blindedKeyFor(kind: BlindedKind, identityKey: Uint8Array, secret: Uint8Array, t: number): Uint8Array {
  assertKind(kind, ['invite', 'presence']);
  checkInputs(kind, secret, identityKey, t);
  const key = `${kind}:${bytesToHex(identityKey)}:${bytesToHex(secret)}:${t}`;
  const known = blindMemo.get(key);
  if (known) return Uint8Array.from(known);
  const k = blindPublicKey(identityKey, blindingSecret(kind, secret), t, PERIOD_MINUTES);
  if (blindMemo.size >= memoMax) blindMemo.delete(blindMemo.keys().next().value as string);
  blindMemo.set(key, Uint8Array.from(k));
  return k;
}

/** The owner's side: the blinded public key and a BEP 44 signer for it. */
export interface BlindedSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** The blinded key of the identity seed `ikSeed` for the kind and period, and its signer. */
export function blindedSigner(kind: BlindedKind, ikSeed: Uint8Array, secret: Uint8Array, t: number): BlindedSigner {
  assertKind(kind, ['invite', 'presence']);
  assertBytes('ikSeed', ikSeed, 32);
  checkSecretAndPeriod(kind, secret, t);
  const key = blindSecretKey(ikSeed, blindingSecret(kind, secret), t, PERIOD_MINUTES);
  return { publicKey: Uint8Array.from(key.publicKey), sign: (message) => signBlinded(message, key) };
}

/** The Ed25519 key pair of request slot `slot` of `ownerIk` in period t; every link holder derives it. */
export function requestSlotKey(inviteSecret: Uint8Array, ownerIk: Uint8Array, t: number, slot: number): KeyPair {
  return slotKey('request', inviteSecret, ownerIk, t, slot);
}

/**
 * The key pair of slot `slot` of `kind` in period t: seed = HKDF-SHA256(secret, salt = IK,
 * info = "p2p-chat <kind>-slot v1" ‖ u64 t ‖ u8 slot). For mailbox slots the secret is the
 * pair's per-direction mailbox secret and the IK the receiver's.
 */
export function slotKey(kind: SlotKind, secret: Uint8Array, identityKey: Uint8Array, t: number, slot: number): KeyPair {
  checkInputs(kind, secret, identityKey, t);
  checkSlot(slot, kind);
  const seed = hkdf(sha256, secret, identityKey, concatBytes(SLOT_INFO[kind], u64(t), Uint8Array.of(slot)), KEY_BYTES);
  const memo = keyMemo.get(bytesToHex(seed));
  if (memo) return memo;
  const kp = generateKeyPair(seed);
  remember(bytesToHex(seed), kp);
  return kp;
}

/**
 * Slot keys and blinded keys derived recently (a reader polls the same slots every period, and a
 * record's key is derived again to check it): each costs a scalar multiplication. Pure memo,
 * bounded; keyed by the seed or by every input.
 */
const keyMemo = new Map<string, KeyPair>();
const blindMemo = new Map<string, Uint8Array>();
const MEMO_MAX = 4096;
let memoMax = MEMO_MAX;
function remember(key: string, kp: KeyPair): void {
  if (keyMemo.size >= memoMax) keyMemo.delete(keyMemo.keys().next().value as string);
  keyMemo.set(key, kp);
}

/**
 * Let each key memo hold at least `entries` (it never shrinks below what it was). A tab's one user
 * needs the default; the simulator runs many users in one process and grows it with them.
 */
export function growKeyMemos(entries: number): void {
  memoMax = Math.max(memoMax, Math.floor(entries));
}

function valueKey(kind: RecordKind, secret: Uint8Array, identityKey: Uint8Array, t: number): Uint8Array {
  return hkdf(sha256, secret, identityKey, concatBytes(VALUE_LABEL[kind], u64(t)), KEY_BYTES);
}

function sealWith(
  kind: RecordKind,
  key: Uint8Array,
  recordKey: Uint8Array,
  plaintext: Uint8Array,
  rng?: (n: number) => Uint8Array,
): Uint8Array {
  if (!(plaintext instanceof Uint8Array)) throw new TypeError('plaintext must be a Uint8Array');
  if (plaintext.length > MAX_RECORD_PLAINTEXT)
    throw new RangeError(`plaintext is ${plaintext.length} bytes, at most ${MAX_RECORD_PLAINTEXT}`);
  const nonce = (rng ?? cryptoRandomBytes)(NONCE_BYTES);
  assertBytes('nonce from randomBytes', nonce, NONCE_BYTES);
  const padded = new Uint8Array(RECORD_PLAINTEXT_BYTES);
  new DataView(padded.buffer).setUint16(0, plaintext.length, false);
  padded.set(plaintext, 2);
  const ct = xchacha20poly1305(key, nonce, concatBytes(VALUE_LABEL[kind], recordKey)).encrypt(padded);
  return concatBytes(nonce, ct);
}

function openWith(kind: RecordKind, key: Uint8Array, recordKey: Uint8Array, value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== SEALED_VALUE_BYTES) fail(`a sealed value is ${SEALED_VALUE_BYTES} bytes`);
  let padded: Uint8Array;
  try {
    const ad = concatBytes(VALUE_LABEL[kind], recordKey);
    padded = xchacha20poly1305(key, value.subarray(0, NONCE_BYTES), ad).decrypt(value.subarray(NONCE_BYTES));
  } catch {
    fail('sealed value did not authenticate');
  }
  const len = (padded[0]! << 8) | padded[1]!;
  if (len > MAX_RECORD_PLAINTEXT || padded.subarray(2 + len).some((b) => b !== 0)) fail('bad padding');
  return padded.slice(2, 2 + len);
}

/** nonce ‖ XChaCha20-Poly1305 of the padded plaintext, for `identityKey`'s `kind` record of period t. */
export function sealValue(
  kind: BlindedKind,
  secret: Uint8Array,
  identityKey: Uint8Array,
  t: number,
  plaintext: Uint8Array,
  randomBytes?: (n: number) => Uint8Array,
): Uint8Array {
  const k = blindedKeyFor(kind, identityKey, secret, t);
  return sealWith(kind, valueKey(kind, secret, identityKey, t), k, plaintext, randomBytes);
}

/** The plaintext of a value sealed by `sealValue` with the same inputs; ChatError('DECRYPT_FAILED') otherwise. */
export function openValue(kind: BlindedKind, secret: Uint8Array, identityKey: Uint8Array, t: number, value: Uint8Array): Uint8Array {
  const k = blindedKeyFor(kind, identityKey, secret, t);
  return openWith(kind, valueKey(kind, secret, identityKey, t), k, value);
}

/** `sealValue` for request slot `slot` of `ownerIk` (keyed from the invite secret, bound to the slot key). */
export function sealSlotValue(
  inviteSecret: Uint8Array,
  ownerIk: Uint8Array,
  t: number,
  slot: number,
  plaintext: Uint8Array,
  randomBytes?: (n: number) => Uint8Array,
): Uint8Array {
  const { publicKey } = requestSlotKey(inviteSecret, ownerIk, t, slot);
  return sealWith('request', valueKey('request', inviteSecret, ownerIk, t), publicKey, plaintext, randomBytes);
}

/** `openValue` for request slot `slot` of `ownerIk`. */
export function openSlotValue(inviteSecret: Uint8Array, ownerIk: Uint8Array, t: number, slot: number, value: Uint8Array): Uint8Array {
  const { publicKey } = requestSlotKey(inviteSecret, ownerIk, t, slot);
  return openWith('request', valueKey('request', inviteSecret, ownerIk, t), publicKey, value);
}

/** Which record: kind, whose (identity public key), which secret, which period (and slot, for requests). */
export type SealedRecordRef =
  | { readonly kind: BlindedKind; readonly identityKey: Uint8Array; readonly secret: Uint8Array; readonly t: number }
  | { readonly kind: SlotKind; readonly identityKey: Uint8Array; readonly secret: Uint8Array; readonly t: number; readonly slot: number };

/** The record's `k`: the blinded key, or the slot key. */
export function sealedRecordKey(ref: SealedRecordRef): Uint8Array {
  assertKind(ref.kind, ['invite', 'presence', 'request', 'mailbox']);
  if (ref.kind === 'request' || ref.kind === 'mailbox') return slotKey(ref.kind, ref.secret, ref.identityKey, ref.t, ref.slot).publicKey;
  return blindedKeyFor(ref.kind, ref.identityKey, ref.secret, ref.t);
}

/** Where the record lives in the DHT: mutableTarget(k) (empty salt). */
export function sealedRecordTarget(ref: SealedRecordRef): Uint8Array {
  return mutableTarget(sealedRecordKey(ref));
}

interface BuildCommon {
  readonly secret: Uint8Array;
  readonly t: number;
  readonly plaintext: Uint8Array;
  /** BEP 44 seq: the publish time in seconds. */
  readonly seq: number;
  /** Source of the 24-byte nonce; defaults to crypto.getRandomValues. Tests and vectors only. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

/** The owner builds invite and presence records from its identity seed; a requester builds a slot record. */
export type BuildSealedRecordArgs =
  | (BuildCommon & { readonly kind: BlindedKind; readonly ikSeed: Uint8Array })
  | (BuildCommon & { readonly kind: SlotKind; readonly identityKey: Uint8Array; readonly slot: number });

function isSlotArgs(a: BuildSealedRecordArgs): a is Extract<BuildSealedRecordArgs, { kind: SlotKind }> {
  return a.kind === 'request' || a.kind === 'mailbox';
}

/** A signed BEP 44 mutable record (empty salt) holding the sealed plaintext. */
export function buildSealedRecord(args: BuildSealedRecordArgs): MutableRecord {
  assertKind(args.kind, ['invite', 'presence', 'request', 'mailbox']);
  if (isSlotArgs(args)) {
    const kp = slotKey(args.kind, args.secret, args.identityKey, args.t, args.slot);
    const key = valueKey(args.kind, args.secret, args.identityKey, args.t);
    const value = sealWith(args.kind, key, kp.publicKey, args.plaintext, args.randomBytes);
    return signMutable({ secretKey: kp.secretKey, seq: args.seq, value });
  }
  const signer = blindedSigner(args.kind, args.ikSeed, args.secret, args.t);
  const key = valueKey(args.kind, args.secret, publicKeyOf(args.ikSeed), args.t);
  const value = sealWith(args.kind, key, signer.publicKey, args.plaintext, args.randomBytes);
  return signMutableWith({ publicKey: signer.publicKey, sign: signer.sign, seq: args.seq, value });
}

/**
 * The plaintext of a record fetched from the DHT, after checking that its k is the key `ref`
 * expects, its salt is empty and its signature verifies; ChatError('DECRYPT_FAILED') otherwise.
 * The k check is what makes the owner the only writer: every holder of the secret can seal a value
 * that opens, but only the owner can sign under the blinded key (a storage node could otherwise
 * serve a contact's forgery, signed with any key, under the owner's target).
 */
export function readSealedRecord(record: MutableRecord, ref: SealedRecordRef): Uint8Array {
  const expected = sealedRecordKey(ref);
  const key = valueKey(ref.kind, ref.secret, ref.identityKey, ref.t);
  try {
    if (record?.type !== 'mutable' || !(record.k instanceof Uint8Array) || !bytesEqual(record.k, expected))
      fail('not the expected record key');
    if (!(record.salt instanceof Uint8Array) || record.salt.length !== 0) fail('a sealed record has no salt');
    if (!checkSignature(record).ok) fail('bad signature'); // the values layer checked it: from memory
    return openWith(ref.kind, key, expected, record.v);
  } catch (err) {
    if (err instanceof ChatError) throw err;
    fail('malformed record');
  }
}
