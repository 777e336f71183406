/** Thin wrappers over @noble: Ed25519 signatures and the node-id derivation. No primitives here. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { curves } from './curves';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from './bytes';

export interface KeyPair {
  /** 32-byte Ed25519 seed (the secret key in noble's terms). */
  readonly secretKey: Uint8Array;
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** A fresh key pair; pass `seed` (32 bytes) for a deterministic one (simulator, tests). */
export function generateKeyPair(seed?: Uint8Array): KeyPair {
  const secretKey = seed ? Uint8Array.from(seed) : ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: curves().ed25519PublicKey(secretKey) };
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return curves().ed25519PublicKey(secretKey);
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return curves().ed25519Sign(message, secretKey);
}

/** Never throws: malformed keys or signatures verify as false. */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return curves().ed25519Verify(signature, message, publicKey, false);
  } catch {
    return false;
  }
}

/** A node's 160-bit DHT id is SHA-1 of its Ed25519 public key (the BEP 5/44 id space). */
export function nodeIdFromPublicKey(publicKey: Uint8Array): Uint8Array {
  return sha1(publicKey);
}

export function nodeIdHexFromPublicKey(publicKey: Uint8Array): string {
  return bytesToHex(sha1(publicKey));
}

export { sha1 };
