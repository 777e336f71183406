/**
 * The Noise DH functions for Curve25519 (spec 12.1) over @noble/curves x25519, with every
 * failure mapped to a NoiseError: small-order public keys (noble refuses them before its ladder
 * runs) and an all-zero result are INVALID_KEY.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesEqual } from './bytes';
import { curves } from './curves';
import { KEY_LEN, NoiseError } from './noise-state';

/** An X25519 key pair (32 bytes each). */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh X25519 key pair; pass `secretKey` (32 bytes) for a deterministic one. */
export function generateX25519KeyPair(secretKey?: Uint8Array): KeyPair {
  const sk = secretKey ? Uint8Array.from(secretKey) : x25519.utils.randomSecretKey();
  return { secretKey: sk, publicKey: curves().x25519PublicKey(sk) };
}

/**
 * Public keys derived from secret-key arrays already checked, so a long-lived static key (a
 * device key sealing every message) costs its scalar multiplication once. Keyed by the array
 * object; a caller that changes the bytes in place is checked against a stale value, so the
 * cached key is compared with a copy of the secret taken at check time.
 */
const checked = new WeakMap<Uint8Array, { secret: Uint8Array; publicKey: Uint8Array }>();

/** BAD_CONFIG unless both keys are 32 bytes and the public key is the secret key's. */
export function checkKeyPair(kp: KeyPair, what: string): void {
  if (kp.secretKey.length !== KEY_LEN || kp.publicKey.length !== KEY_LEN)
    throw new NoiseError('BAD_CONFIG', `${what} key pair must be 32-byte X25519 keys`);
  let known = checked.get(kp.secretKey);
  if (!known || !bytesEqual(known.secret, kp.secretKey)) {
    known = { secret: Uint8Array.from(kp.secretKey), publicKey: curves().x25519PublicKey(kp.secretKey) };
    checked.set(kp.secretKey, known);
  }
  if (!bytesEqual(known.publicKey, kp.publicKey)) throw new NoiseError('BAD_CONFIG', `${what} public key does not match its secret key`);
}

/** DH(key_pair, public_key). */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== KEY_LEN) throw new NoiseError('BAD_LENGTH', 'X25519 public key must be 32 bytes');
  let out: Uint8Array;
  try {
    out = curves().x25519(secretKey, publicKey);
  } catch {
    throw new NoiseError('INVALID_KEY', 'remote public key is of small order');
  }
  let acc = 0;
  for (const b of out) acc |= b;
  if (acc === 0) throw new NoiseError('INVALID_KEY', 'X25519 result is all zeros');
  return out;
}

/** Any scalar will do: noble rejects small-order points before multiplying. */
const CHECK_SCALAR = new Uint8Array(KEY_LEN).fill(0x5a);

/** INVALID_KEY for a small-order key, at the cost of one scalar multiplication. */
export function checkPublicKey(publicKey: Uint8Array): void {
  dh(CHECK_SCALAR, publicKey).fill(0);
}
