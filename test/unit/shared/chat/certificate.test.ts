/**
 * shared/chat/certificate.ts: round trip, the documented layout and signature checked with Node's
 * Ed25519 (a second implementation), and refusals: every bit flip, wrong identity keys, every
 * truncation and extension, a forged small-order signer, fields re-signed out of range, garbage.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  CERTIFICATE_BYTES,
  CertificateCache,
  encodeCertificate,
  issueCertificate,
  parseCertificate,
  verifyCertificate,
} from '../../../../shared/chat/certificate';
import { concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';
import { chatCode, flipBit, seededRandom } from '../../../helpers/chat';

const DOMAIN = utf8.encode('p2p-chat device-cert v1\0');
const random = seededRandom(4242);
const seed = random(32);
const ik = ed25519.getPublicKey(seed);
const deviceKey = x25519.getPublicKey(random(32));
const nodeId = random(20);
const issuedAt = 1_767_225_600_123;
const cert = issueCertificate(seed, { deviceKey, nodeId, issuedAt });

const PKCS8_ED25519_PREFIX = hexToBytes('302e020100300506032b657004220420');
const SPKI_ED25519_PREFIX = hexToBytes('302a300506032b6570032100');
/** Node's (OpenSSL's) Ed25519, to sign test certificates without our code. */
function opensslSign(message: Uint8Array, secretSeed: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, secretSeed)), format: 'der', type: 'pkcs8' });
  return new Uint8Array(nodeSign(null, message, key));
}
function opensslVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, publicKey)), format: 'der', type: 'spki' });
  return nodeVerify(null, message, key, signature);
}

/** A certificate body laid out by hand: version | IK | DK | node id | u64 BE issuedAt. */
function bodyOf(version: number, key: Uint8Array, issuedHigh: number, issuedLow: number): Uint8Array {
  const time = new Uint8Array(8);
  new DataView(time.buffer).setUint32(0, issuedHigh);
  new DataView(time.buffer).setUint32(4, issuedLow);
  return concatBytes(Uint8Array.of(version), key, deviceKey, nodeId, time);
}

describe('issue and parse', () => {
  it('round-trips every field', () => {
    expect(cert.length).toBe(CERTIFICATE_BYTES);
    const parsed = parseCertificate(cert);
    expect(parsed).not.toBeNull();
    expect(parsed!.identityKey).toEqual(ik);
    expect(parsed!.deviceKey).toEqual(deviceKey);
    expect(parsed!.nodeId).toEqual(nodeId);
    expect(parsed!.issuedAt).toBe(issuedAt);
    expect(encodeCertificate(parsed!)).toEqual(cert);
  });

  it('is the documented layout, signed over the domain label and the body (checked with OpenSSL)', () => {
    const body = bodyOf(1, ik, Math.floor(issuedAt / 2 ** 32), issuedAt % 2 ** 32);
    expect(CERTIFICATE_BYTES).toBe(1 + 32 + 32 + 20 + 8 + 64);
    expect(cert.subarray(0, body.length)).toEqual(body);
    const signature = cert.subarray(body.length);
    expect(opensslVerify(signature, concatBytes(DOMAIN, body), ik)).toBe(true);
    expect(opensslVerify(signature, body, ik)).toBe(false);
  });

  it('accepts a certificate signed by OpenSSL over the same bytes', () => {
    const body = bodyOf(1, ik, 0, 12345);
    const parsed = parseCertificate(concatBytes(body, opensslSign(concatBytes(DOMAIN, body), seed)));
    expect(parsed?.issuedAt).toBe(12345);
  });

  it.each([0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER])('round-trips issuedAt %d', (t) => {
    expect(parseCertificate(issueCertificate(seed, { deviceKey, nodeId, issuedAt: t }))?.issuedAt).toBe(t);
  });

  it('parses a certificate inside a larger buffer (non-zero byteOffset)', () => {
    const big = new Uint8Array(cert.length + 13);
    big.set(cert, 7);
    expect(parseCertificate(big.subarray(7, 7 + cert.length))?.issuedAt).toBe(issuedAt);
  });

  it('returns copies: changing the input afterwards does not change the parsed certificate', () => {
    const bytes = Uint8Array.from(cert);
    const parsed = parseCertificate(bytes)!;
    bytes.fill(0);
    expect(encodeCertificate(parsed)).toEqual(cert);
  });
});

describe('refusals (parse returns null, never throws)', () => {
  it('every single bit flip', () => {
    for (let bit = 0; bit < cert.length * 8; bit++) {
      expect(parseCertificate(flipBit(cert, bit)), `bit ${bit}`).toBeNull();
    }
  });

  it('every truncation and extensions of 1..64 bytes', () => {
    for (let n = 0; n < cert.length; n++) expect(parseCertificate(cert.subarray(0, n)), `${n} bytes`).toBeNull();
    for (let n = 1; n <= 64; n++) expect(parseCertificate(concatBytes(cert, new Uint8Array(n))), `+${n} bytes`).toBeNull();
  });

  it('a certificate whose IK field names another key', () => {
    const otherIk = ed25519.getPublicKey(random(32));
    const forged = Uint8Array.from(cert);
    forged.set(otherIk, 1);
    expect(parseCertificate(forged)).toBeNull();
  });

  it('verifyCertificate: only under the expected identity key', () => {
    const otherIk = ed25519.getPublicKey(random(32));
    expect(verifyCertificate(cert, ik)?.issuedAt).toBe(issuedAt);
    expect(verifyCertificate(cert, otherIk)).toBeNull();
    expect(verifyCertificate(cert, ik.subarray(1))).toBeNull();
  });

  it('the same fields signed without the domain label', () => {
    const body = cert.subarray(0, CERTIFICATE_BYTES - 64);
    expect(parseCertificate(concatBytes(body, ed25519.sign(body, seed)))).toBeNull();
  });

  it('version 2, correctly signed', () => {
    const body = bodyOf(2, ik, 0, 1);
    expect(parseCertificate(concatBytes(body, opensslSign(concatBytes(DOMAIN, body), seed)))).toBeNull();
  });

  it('issuedAt over Number.MAX_SAFE_INTEGER, correctly signed', () => {
    for (const [high, low] of [
      [2 ** 21, 0],
      [2 ** 32 - 1, 2 ** 32 - 1],
    ] as const) {
      const body = bodyOf(1, ik, high, low);
      expect(parseCertificate(concatBytes(body, opensslSign(concatBytes(DOMAIN, body), seed)))).toBeNull();
    }
  });

  it('a small-order identity key, whose "signature" anyone can make', () => {
    // With A the identity point, [S]B = R + [k]A holds for R = [r]B, S = r, whatever the message.
    const identityPoint = hexToBytes(`01${'00'.repeat(31)}`);
    const r = 123456789n;
    const R = ed25519.Point.BASE.multiply(r).toBytes();
    const S = new Uint8Array(32);
    new DataView(S.buffer).setUint32(0, Number(r), true);
    const body = bodyOf(1, identityPoint, 0, 1);
    const forged = concatBytes(body, R, S);
    // The forgery passes a ZIP-215 verifier (noble's ed25519 default), so the key itself must be refused.
    expect(ed25519.verify(concatBytes(R, S), concatBytes(DOMAIN, body), identityPoint, { zip215: true })).toBe(true);
    expect(parseCertificate(forged)).toBeNull();
  });

  it('seeded random garbage of every length around the real one (seed 99)', () => {
    const rng = new SeededRng(99);
    for (let i = 0; i < 300; i++) {
      const bytes = rng.bytes(i % 3 === 0 ? CERTIFICATE_BYTES : rng.int(400));
      if (i % 2 === 0 && bytes.length > 0) bytes[0] = 1;
      expect(parseCertificate(bytes)).toBeNull();
    }
  });
});

describe('issueCertificate refuses bad fields (BAD_ARGUMENT)', () => {
  it.each([
    ['a 31-byte seed', seed.subarray(1), { deviceKey, nodeId, issuedAt }],
    ['a 33-byte device key', seed, { deviceKey: new Uint8Array(33), nodeId, issuedAt }],
    ['a 32-byte node id', seed, { deviceKey, nodeId: new Uint8Array(32), issuedAt }],
    ['a negative issuedAt', seed, { deviceKey, nodeId, issuedAt: -1 }],
    ['a fractional issuedAt', seed, { deviceKey, nodeId, issuedAt: 1.5 }],
    ['NaN issuedAt', seed, { deviceKey, nodeId, issuedAt: Number.NaN }],
    ['issuedAt over MAX_SAFE_INTEGER', seed, { deviceKey, nodeId, issuedAt: 2 ** 53 }],
  ])('%s', (_what, s, fields) => {
    expect(chatCode(() => issueCertificate(s, fields))).toBe('BAD_ARGUMENT');
  });
});

describe('CertificateCache', () => {
  it('verifies a certificate once, whichever identity it is checked against, and answers as parseCertificate would', () => {
    let parsed = 0;
    const cache = new CertificateCache(1024, (bytes) => {
      parsed++;
      return parseCertificate(bytes);
    });
    const others = Array.from({ length: 20 }, () => ed25519.getPublicKey(random(32)));
    // A session's certificate is tried against each contact in turn (messenger certOf).
    for (const other of others) expect(cache.check(cert, other)).toBeNull();
    expect(cache.check(cert, ik)?.nodeId).toEqual(nodeId);
    expect(cache.check(cert, ik, deviceKey)?.deviceKey).toEqual(deviceKey);
    expect(cache.check(cert, ik, x25519.getPublicKey(random(32)))).toBeNull();
    expect(parsed).toBe(1);
    // A tampered one fails, once, and stays failed; the genuine one is unaffected.
    const bad = flipBit(cert, 8 * 10);
    expect(cache.check(bad, ik)).toBeNull();
    expect(cache.check(bad, ik)).toBeNull();
    expect(parsed).toBe(2);
    expect(cache.check(cert, ik)).not.toBeNull();
  });
});
