/**
 * The Curve25519 functions the core calls, in one place: X25519 (RFC 7748) and Ed25519 from a
 * seed (RFC 8032). They are @noble/curves' unless a host installs another implementation of the
 * same functions with `useCurves`. Only the simulator does: it runs a thousand users in one Node
 * process, where noble's bigint arithmetic was a third of the CPU, and installs Node's (OpenSSL)
 * implementation (test/sim/native-curves.ts, checked against noble output for output). The page
 * and the headless peer never call `useCurves`.
 *
 * Tor's key blinding (blinding.ts) stays on noble's point and scalar arithmetic: no stock API
 * signs with a bare scalar.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';

export interface Curves {
  /** X25519(secretKey, publicKey). Throws on a small-order public key or an all-zero result. */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** X25519(secretKey, 9): the public key of an X25519 secret key. */
  x25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /** The Ed25519 public key of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** The RFC 8032 signature (deterministic) of `message` by the 32-byte seed. */
  ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /**
   * Whether `signature` is `publicKey`'s over `message`: RFC 8032's strict rules (one encoding)
   * when `strict`, else ZIP-215's (noble's default, what BEP 44 records use). May throw on
   * malformed input; callers treat a throw as false.
   */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, strict: boolean): boolean;
}

export const nobleCurves: Curves = {
  x25519: (secretKey, publicKey) => x25519.getSharedSecret(secretKey, publicKey),
  x25519PublicKey: (secretKey) => x25519.getPublicKey(secretKey),
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (message, seed) => ed25519.sign(message, seed),
  ed25519Verify: (signature, message, publicKey, strict) => ed25519.verify(signature, message, publicKey, { zip215: !strict }),
};

let current: Curves = nobleCurves;

/** The implementation in use. */
export function curves(): Curves {
  return current;
}

/** Install another implementation of the same functions (the simulator's); returns the previous one. */
export function useCurves(next: Curves): Curves {
  const previous = current;
  current = next;
  return previous;
}

/** Run `f` with `c` installed, then put the previous implementation back (however `f` ends). */
export async function withCurves<T>(c: Curves, f: () => Promise<T>): Promise<T> {
  const previous = useCurves(c);
  try {
    return await f();
  } finally {
    useCurves(previous);
  }
}
