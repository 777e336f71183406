/**
 * X25519 through WebCrypto (the "Secure Curves" algorithms; Chromium, Firefox, Safari and Node 20
 * have it): native code in place of the BigInt ladder, for the Double Ratchet's DH step
 * (double-ratchet-ahead.ts). A raw 32-byte secret goes in as PKCS#8 (RFC 8410: the fixed prefix
 * of an X25519 OneAsymmetricKey, then the key); its public key comes back as the JWK's `x`.
 */
import type { AsyncX25519 } from '../../shared/crypto/double-ratchet-ahead';

/** DER of PrivateKeyInfo { version 0, AlgorithmIdentifier { id-X25519 1.3.101.110 }, OCTET STRING { OCTET STRING (32) } }. */
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);
const ALGORITHM = { name: 'X25519' };

function pkcs8(secretKey: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(PKCS8_PREFIX.length + 32);
  out.set(PKCS8_PREFIX);
  out.set(secretKey, PKCS8_PREFIX.length);
  return out;
}

function fromBase64Url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * WebCrypto's X25519, or undefined without WebCrypto. Not probed (no work at start-up): where
 * `subtle` lacks X25519 every call rejects, and the ratchet computes the step itself.
 */
export function webCryptoX25519(subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): AsyncX25519 | undefined {
  if (!subtle) return undefined;
  return {
    async publicKey(secretKey) {
      const key = await subtle.importKey('pkcs8', pkcs8(secretKey), ALGORITHM, true, ['deriveBits']);
      const jwk = await subtle.exportKey('jwk', key);
      if (typeof jwk.x !== 'string') throw new Error('X25519 JWK without x');
      return fromBase64Url(jwk.x);
    },
    async dh(secretKey, publicKey) {
      const [priv, pub] = await Promise.all([
        subtle.importKey('pkcs8', pkcs8(secretKey), ALGORITHM, false, ['deriveBits']),
        subtle.importKey('raw', Uint8Array.from(publicKey), ALGORITHM, false, []),
      ]);
      return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, priv, 256));
    },
  };
}
