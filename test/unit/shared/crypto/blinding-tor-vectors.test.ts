/**
 * shared/crypto/blinding.ts against published vectors (test/vectors/tor-ed25519-blinding.json):
 * tor's ed25519_vectors.inc for the curve step (its blinding params are h itself, pre-SHA3), tor's
 * blinding_fail keys, and the full A.2 derivation vector arti's tests took from C tor.
 */
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  blindExpandedKeyWithFactor,
  blindingFactor,
  blindPublicKey,
  blindPublicKeyWithFactor,
  expandedKeyFromBytes,
  expandSeed,
  signBlinded,
} from '../../../../shared/crypto/blinding';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import vectors from '../../../vectors/tor-ed25519-blinding.json';

const hex = bytesToHex;
const SPKI_ED25519_PREFIX = hexToBytes('302a300506032b6570032100');
function opensslVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, pk)), format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
}

describe('tor ed25519_vectors.inc', () => {
  it('has the ten published cases, from the cited commit', () => {
    expect(vectors.cases).toHaveLength(10);
    expect(vectors.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(vectors.source.path).toBe('src/test/ed25519_vectors.inc');
  });

  vectors.cases.forEach((c, i) => {
    describe(`case ${i}`, () => {
      const seed = hexToBytes(c.seed);
      const param = hexToBytes(c.blindingParam);

      it("expands the seed to tor's a ‖ RH and public key", () => {
        const key = expandSeed(seed);
        expect(hex(concatBytes(key.scalar, key.prefix))).toBe(c.expandedSecretKey);
        expect(hex(key.publicKey)).toBe(c.publicKey);
        expect(hex(expandedKeyFromBytes(hexToBytes(c.expandedSecretKey)).publicKey)).toBe(c.publicKey);
      });

      it('signs with the expanded key exactly as tor does (self-signature)', () => {
        const key = expandedKeyFromBytes(hexToBytes(c.expandedSecretKey));
        const pk = hexToBytes(c.publicKey);
        expect(hex(signBlinded(pk, key))).toBe(c.selfSignature);
        expect(hex(ed25519.sign(pk, seed))).toBe(c.selfSignature);
      });

      it('blinds the public key: clamp(param)·A', () => {
        expect(hex(blindPublicKeyWithFactor(hexToBytes(c.publicKey), param))).toBe(c.blindedPublicKey);
      });

      it("blinds the secret key: clamp(param)·a mod ℓ ‖ RH', and a'·B = A'", () => {
        const blinded = blindExpandedKeyWithFactor(expandedKeyFromBytes(hexToBytes(c.expandedSecretKey)), param);
        expect(hex(concatBytes(blinded.scalar, blinded.prefix))).toBe(c.blindedSecretKey);
        expect(hex(blinded.publicKey)).toBe(c.blindedPublicKey);
      });

      it("a signature by the blinded key verifies under A' (noble and OpenSSL), not under A", () => {
        const blinded = blindExpandedKeyWithFactor(expandSeed(seed), param);
        const msg = utf8.encode("Eyes I dare not meet in dreams / In death's dream kingdom");
        const sig = signBlinded(msg, blinded);
        const bpk = hexToBytes(c.blindedPublicKey);
        expect(ed25519.verify(sig, msg, bpk)).toBe(true);
        expect(opensslVerify(sig, msg, bpk)).toBe(true);
        expect(ed25519.verify(sig, msg.subarray(0, msg.length - 1), bpk)).toBe(false);
        expect(ed25519.verify(sig, msg, hexToBytes(c.publicKey))).toBe(false);
      });
    });
  });

  it("cases 7-9 share a seed: different params give different keys but the same RH'", () => {
    const [c7, c8, c9] = vectors.cases.slice(7);
    const prefixes = [c7!, c8!, c9!].map((c) => c.blindedSecretKey.slice(64));
    expect(new Set(prefixes).size).toBe(1);
    expect(new Set([c7!, c8!, c9!].map((c) => c.blindedPublicKey)).size).toBe(3);
  });
});

describe('tor test_crypto_ed25519_blinding_fail keys', () => {
  const param = hexToBytes(vectors.publicKeyValidity.blindingParam);
  it('refuses a public key that is not on the curve', () => {
    expect(() => blindPublicKeyWithFactor(hexToBytes(vectors.publicKeyValidity.notOnCurve), param)).toThrow(RangeError);
  });
  it('accepts the on-curve key', () => {
    expect(blindPublicKeyWithFactor(hexToBytes(vectors.publicKeyValidity.onCurve), param)).toHaveLength(32);
  });
});

describe('full A.2 derivation (C tor vector from arti key_blinding_testvec)', () => {
  const v = vectors.fullDerivation;
  const A = hexToBytes(v.publicKey);
  const secret = hexToBytes(v.secret);

  it('the expanded key belongs to the identity key', () => {
    expect(hex(expandedKeyFromBytes(hexToBytes(v.expandedSecretKey)).publicKey)).toBe(v.publicKey);
  });

  it('h = SHA3-256(BLIND_STRING | A | s | B | N)', () => {
    expect(hex(blindingFactor(A, secret, v.periodNumber, v.periodLengthMinutes))).toBe(v.h);
  });

  it('h agrees with an independent SHA3-256 (OpenSSL) over the spelled-out input', () => {
    const n = Buffer.alloc(16);
    n.writeBigUInt64BE(BigInt(v.periodNumber), 0);
    n.writeBigUInt64BE(BigInt(v.periodLengthMinutes), 8);
    const basepoint =
      '(15112221349535400772501151409588531511454012693041857206046113283949847762202, ' +
      '46316835694926478169428394003475163141307993866256225615783033603165251855960)';
    const h = createHash('sha3-256')
      .update('Derive temporary signing key\0')
      .update(A)
      .update(secret)
      .update(basepoint)
      .update('key-blind')
      .update(n)
      .digest('hex');
    expect(h).toBe(v.h);
  });

  it('blinded public key and blinded secret key', () => {
    expect(hex(blindPublicKey(A, secret, v.periodNumber, v.periodLengthMinutes))).toBe(v.blindedPublicKey);
    const blinded = blindExpandedKeyWithFactor(expandedKeyFromBytes(hexToBytes(v.expandedSecretKey)), hexToBytes(v.h));
    expect(hex(concatBytes(blinded.scalar, blinded.prefix))).toBe(v.blindedSecretKey);
    expect(hex(blinded.publicKey)).toBe(v.blindedPublicKey);
  });

  it('the blinded key signs for the blinded public key', () => {
    const blinded = expandedKeyFromBytes(hexToBytes(v.blindedSecretKey));
    expect(hex(blinded.publicKey)).toBe(v.blindedPublicKey);
    const msg = utf8.encode('Here is a terribly important string to authenticate.');
    const sig = signBlinded(msg, blinded);
    expect(ed25519.verify(sig, msg, hexToBytes(v.blindedPublicKey))).toBe(true);
    expect(ed25519.verify(sig, utf8.encode('Hey, that is not what I signed!'), hexToBytes(v.blindedPublicKey))).toBe(false);
  });
});
