/**
 * The core's Curve25519 functions (shared/crypto/curves.ts) over Node's crypto (OpenSSL), for the
 * simulator only: the same RFC 7748 and RFC 8032 functions as @noble/curves, about ten times
 * faster on one core. test/sim/native-curves.test.ts checks them against noble output for
 * output, tampering included, and that a seeded chat simulation gives the same result on both.
 *
 * One difference, named: OpenSSL verifies Ed25519 by RFC 8032's strict rules even where the core
 * asks for ZIP-215's (BEP 44 records). The two differ only on non-canonical encodings and
 * small-order components, which no honest signer produces and the simulator's attackers do not
 * try (their forgeries are well-formed signatures by the wrong key). A signature that OpenSSL
 * accepts, ZIP-215 accepts too.
 */
import { createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto';
import type { Curves } from '../../shared/crypto/curves';

type Curve = 'Ed25519' | 'X25519';

/** A JWK's x for a private key is ignored on import (Node derives the public key from d). */
const UNUSED_X = Buffer.alloc(32).toString('base64url');

/** Key objects by curve, kind and bytes: the same keys sign, verify and agree again and again. Bounded. */
class KeyObjects {
  private readonly map = new Map<string, KeyObject>();
  constructor(private readonly max: number) {}
  get(crv: Curve, secret: boolean, key: Uint8Array): KeyObject {
    if (!(key instanceof Uint8Array) || key.length !== 32) throw new RangeError('keys are 32 bytes');
    const b64 = Buffer.from(key.buffer, key.byteOffset, 32).toString('base64url');
    const id = crv + (secret ? 'd' : 'x') + b64;
    let k = this.map.get(id);
    if (!k) {
      // JWK import: several times faster than DER in Node 20 (no OpenSSL decoder lookup).
      k = secret
        ? createPrivateKey({ key: { kty: 'OKP', crv, d: b64, x: UNUSED_X }, format: 'jwk' })
        : createPublicKey({ key: { kty: 'OKP', crv, x: b64 }, format: 'jwk' });
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(id, k);
    }
    return k;
  }
}

const rawPublic = (k: KeyObject) => new Uint8Array(Buffer.from(createPublicKey(k).export({ format: 'jwk' }).x ?? '', 'base64url'));

/** Node's implementation; `cacheKeys` bounds the key objects kept. */
export function nativeCurves(cacheKeys = 65_536): Curves {
  const keys = new KeyObjects(cacheKeys);
  return {
    x25519: (secretKey, publicKey) =>
      new Uint8Array(diffieHellman({ privateKey: keys.get('X25519', true, secretKey), publicKey: keys.get('X25519', false, publicKey) })),
    x25519PublicKey: (secretKey) => rawPublic(keys.get('X25519', true, secretKey)),
    ed25519PublicKey: (seed) => rawPublic(keys.get('Ed25519', true, seed)),
    ed25519Sign: (message, seed) => new Uint8Array(sign(null, message, keys.get('Ed25519', true, seed))),
    ed25519Verify: (signature, message, publicKey) =>
      signature.length === 64 && verify(null, message, keys.get('Ed25519', false, publicKey), signature),
  };
}
