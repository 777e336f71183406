/**
 * shared/crypto/blinding.ts: our frozen full-derivation vectors (test/vectors/blinding.json), the
 * properties private presence relies on, tampering, BEP 44 records signed by a blinded key, and
 * input validation. Published vectors are in blinding-tor-vectors.test.ts.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import {
  blindExpandedKeyWithFactor,
  blindingFactor,
  blindPublicKey,
  blindPublicKeyWithFactor,
  blindSecretKey,
  expandedKeyFromBytes,
  expandSeed,
  signBlinded,
  type ExpandedSecretKey,
} from '../../../../shared/crypto/blinding';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';
import { signMutable, signMutableWith, verifyMutable } from '../../../../shared/records/bep44';
import frozen from '../../../vectors/blinding.json';

const hex = bytesToHex;
const DAY = 1440;
const SPKI_ED25519_PREFIX = hexToBytes('302a300506032b6570032100');
function opensslVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, pk)), format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
}
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

describe('frozen vectors (test/vectors/blinding.json)', () => {
  const message = hexToBytes(frozen.message);
  it('covers several periods and secrets', () => {
    expect(frozen.vectors.length).toBeGreaterThanOrEqual(6);
  });
  for (const v of frozen.vectors) {
    it(v.name, () => {
      const seed = hexToBytes(v.seed);
      const secret = hexToBytes(v.secret);
      const A = expandSeed(seed).publicKey;
      expect(hex(A)).toBe(v.publicKey);
      expect(hex(blindingFactor(A, secret, v.periodNumber, v.periodLengthMinutes))).toBe(v.h);
      expect(hex(blindPublicKey(A, secret, v.periodNumber, v.periodLengthMinutes))).toBe(v.blindedPublicKey);
      const key = blindSecretKey(seed, secret, v.periodNumber, v.periodLengthMinutes);
      expect(hex(key.scalar)).toBe(v.blindedScalar);
      expect(hex(key.prefix)).toBe(v.blindedPrefix);
      expect(hex(key.publicKey)).toBe(v.blindedPublicKey);
      expect(hex(signBlinded(message, key))).toBe(v.signature);
      expect(ed25519.verify(hexToBytes(v.signature), message, key.publicKey)).toBe(true);

      const record = {
        k: key.publicKey,
        salt: hexToBytes(v.record.salt),
        seq: v.record.seq,
        v: hexToBytes(v.record.v),
        sig: hexToBytes(v.record.sig),
      };
      expect(verifyMutable(record)).toBe(true);
      const again = signMutableWith({
        publicKey: key.publicKey,
        sign: (m) => signBlinded(m, key),
        salt: record.salt,
        seq: record.seq,
        value: record.v,
      });
      expect(hex(again.sig)).toBe(v.record.sig);
    });
  }
});

describe('properties (seeded random keys)', () => {
  const SEED = 4444;
  const rng = new SeededRng(SEED);
  const cases = Array.from({ length: 12 }, () => ({
    seed: rng.bytes(32),
    secret: rng.bytes(rng.int(65)),
    period: rng.int(2 ** 31),
    length: 1 + rng.int(DAY * 7),
    msg: rng.bytes(rng.int(200)),
  }));

  it(`blindPublicKey(A) equals the public key of blindSecretKey(a) (seed ${SEED})`, () => {
    for (const c of cases) {
      const A = expandSeed(c.seed).publicKey;
      const key = blindSecretKey(c.seed, c.secret, c.period, c.length);
      expect(hex(blindPublicKey(A, c.secret, c.period, c.length))).toBe(hex(key.publicKey));
      expect(hex(ed25519.getPublicKey(c.seed))).toBe(hex(A));
    }
  });

  it('blinded signatures verify with noble and OpenSSL, and the blinded key is not A', () => {
    for (const c of cases) {
      const key = blindSecretKey(c.seed, c.secret, c.period, c.length);
      const sig = signBlinded(c.msg, key);
      expect(ed25519.verify(sig, c.msg, key.publicKey)).toBe(true);
      expect(ed25519.verify(sig, c.msg, key.publicKey, { zip215: false })).toBe(true);
      expect(opensslVerify(sig, c.msg, key.publicKey)).toBe(true);
      expect(hex(key.publicKey)).not.toBe(hex(expandSeed(c.seed).publicKey));
    }
  });

  it('signBlinded with an unblinded expanded key is byte-identical to RFC 8032 signing (noble)', () => {
    for (const c of cases) {
      expect(hex(signBlinded(c.msg, expandSeed(c.seed)))).toBe(hex(ed25519.sign(c.msg, c.seed)));
    }
  });

  it('another period, another secret or another period length gives an unrelated key', () => {
    for (const c of cases.slice(0, 4)) {
      const base = hex(blindSecretKey(c.seed, c.secret, c.period, c.length).publicKey);
      const others = [
        blindSecretKey(c.seed, c.secret, c.period + 1, c.length),
        blindSecretKey(c.seed, flipBit(concatBytes(c.secret, Uint8Array.of(0)), 0), c.period, c.length),
        blindSecretKey(c.seed, c.secret, c.period, c.length + 1),
      ].map((k) => hex(k.publicKey));
      expect(new Set([base, ...others]).size).toBe(4);
    }
  });

  it('the same inputs always give the same key (contacts and owner agree)', () => {
    const c = cases[0]!;
    const k1 = blindSecretKey(c.seed, c.secret, c.period, c.length);
    const k2 = blindSecretKey(Uint8Array.from(c.seed), Uint8Array.from(c.secret), c.period, c.length);
    expect(hex(concatBytes(k1.scalar, k1.prefix, k1.publicKey))).toBe(hex(concatBytes(k2.scalar, k2.prefix, k2.publicKey)));
  });

  it('h·A is the integer product: a torsion component of A is cleared, as in tor', () => {
    const c = cases[1]!;
    const A = ed25519.Point.fromBytes(expandSeed(c.seed).publicKey);
    const h = blindingFactor(A.toBytes(), c.secret, c.period, c.length);
    const clean = blindPublicKeyWithFactor(A.toBytes(), h);
    const clamped = Uint8Array.from(h);
    clamped[0]! &= 248;
    clamped[31] = (clamped[31]! & 63) | 64;
    const reference = A.multiplyUnsafe(ed25519.Point.Fn.create(bytesToNumberLE(clamped))).toBytes();
    expect(hex(clean)).toBe(hex(reference));
    const torsion = ED25519_TORSION_SUBGROUP.map((t) => {
      try {
        return ed25519.Point.fromBytes(hexToBytes(t));
      } catch {
        return undefined;
      }
    }).filter((t) => t !== undefined && !t.is0());
    expect(torsion.length).toBeGreaterThanOrEqual(5);
    for (const T of torsion) {
      const dirty = A.add(T!).toBytes();
      expect(hex(dirty)).not.toBe(hex(A.toBytes()));
      expect(hex(blindPublicKeyWithFactor(dirty, h))).toBe(hex(clean));
    }
  });
});

describe('tampering', () => {
  const seed = hexToBytes(frozen.vectors[1]!.seed);
  const secret = hexToBytes(frozen.vectors[1]!.secret);
  const period = frozen.vectors[1]!.periodNumber;
  const key = blindSecretKey(seed, secret, period, DAY);
  const msg = utf8.encode('online until 18:00');
  const sig = signBlinded(msg, key);

  it('the untampered signature verifies (control)', () => {
    expect(ed25519.verify(sig, msg, key.publicKey)).toBe(true);
  });
  it('a flipped bit in the message fails', () => {
    for (const bit of [0, 7, 8 * msg.length - 1]) expect(ed25519.verify(sig, flipBit(msg, bit), key.publicKey)).toBe(false);
  });
  it('a flipped bit in the signature fails (R and S halves)', () => {
    for (const bit of [0, 100, 255, 256, 300, 500]) expect(ed25519.verify(flipBit(sig, bit), msg, key.publicKey)).toBe(false);
  });
  it('a flipped bit in the blinded public key fails', () => {
    for (const bit of [0, 128, 254]) expect(ed25519.verify(sig, msg, flipBit(key.publicKey, bit))).toBe(false);
  });
  it("period t's signature does not verify under period t+1's key, nor under t-1's", () => {
    expect(ed25519.verify(sig, msg, blindPublicKey(expandSeed(seed).publicKey, secret, period + 1, DAY))).toBe(false);
    expect(ed25519.verify(sig, msg, blindPublicKey(expandSeed(seed).publicKey, secret, period - 1, DAY))).toBe(false);
  });
  it("the identity key's signature does not verify under the blinded key, nor the reverse", () => {
    const ikSig = ed25519.sign(msg, seed);
    expect(ed25519.verify(ikSig, msg, expandSeed(seed).publicKey)).toBe(true);
    expect(ed25519.verify(ikSig, msg, key.publicKey)).toBe(false);
    expect(ed25519.verify(sig, msg, expandSeed(seed).publicKey)).toBe(false);
  });
  it('a key blinded with the wrong secret does not verify', () => {
    const wrong = blindPublicKey(expandSeed(seed).publicKey, flipBit(secret, 3), period, DAY);
    expect(ed25519.verify(sig, msg, wrong)).toBe(false);
  });
});

describe('BEP 44 records signed by a blinded key', () => {
  const seed = new SeededRng(77).bytes(32);
  const secret = utf8.encode('shared with contacts');
  const key = blindSecretKey(seed, secret, 20000, DAY);
  const record = signMutableWith({
    publicKey: key.publicKey,
    sign: (m) => signBlinded(m, key),
    salt: utf8.encode('presence'),
    seq: 3,
    value: utf8.encode('here'),
  });

  it('verifies through verifyMutable, with k = the blinded key', () => {
    expect(record.type).toBe('mutable');
    expect(hex(record.k)).toBe(hex(key.publicKey));
    expect(verifyMutable(record)).toBe(true);
  });
  it('matches signMutable for an ordinary seed key (same signable, same signature)', () => {
    const plain = signMutable({ secretKey: seed, salt: record.salt, seq: 3, value: record.v });
    const viaWith = signMutableWith({ publicKey: plain.k, sign: (m) => ed25519.sign(m, seed), salt: record.salt, seq: 3, value: record.v });
    expect(hex(viaWith.sig)).toBe(hex(plain.sig));
  });
  it('tampered fields fail verifyMutable', () => {
    expect(verifyMutable({ ...record, v: utf8.encode('gone') })).toBe(false);
    expect(verifyMutable({ ...record, seq: 4 })).toBe(false);
    expect(verifyMutable({ ...record, salt: utf8.encode('presencf') })).toBe(false);
    expect(verifyMutable({ ...record, sig: flipBit(record.sig, 9) })).toBe(false);
    expect(verifyMutable({ ...record, k: blindPublicKey(expandSeed(seed).publicKey, secret, 20001, DAY) })).toBe(false);
    expect(verifyMutable({ ...record, k: expandSeed(seed).publicKey })).toBe(false);
  });
  it('signMutableWith refuses a bad public key or signature length, and copies its inputs', () => {
    const args = { publicKey: key.publicKey, sign: (m: Uint8Array) => signBlinded(m, key), seq: 1, value: utf8.encode('x') };
    expect(() => signMutableWith({ ...args, publicKey: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => signMutableWith({ ...args, sign: () => new Uint8Array(63) })).toThrow(RangeError);
    expect(() => signMutableWith({ ...args, seq: -1 })).toThrow(RangeError);
    const value = utf8.encode('y');
    const r = signMutableWith({ ...args, value });
    value[0] = 0;
    expect(verifyMutable(r)).toBe(true);
  });
});

describe('input validation', () => {
  const seed = new SeededRng(5).bytes(32);
  const A = expandSeed(seed).publicKey;
  const key = blindSecretKey(seed, new Uint8Array(0), 1, DAY);
  const h = new Uint8Array(32).fill(7);

  it('lengths', () => {
    expect(() => blindPublicKey(A.subarray(0, 31), new Uint8Array(0), 1, DAY)).toThrow(RangeError);
    expect(() => blindSecretKey(new Uint8Array(64), new Uint8Array(0), 1, DAY)).toThrow(RangeError);
    expect(() => blindPublicKeyWithFactor(A, new Uint8Array(31))).toThrow(RangeError);
    expect(() => blindExpandedKeyWithFactor({ ...key, prefix: new Uint8Array(33) }, h)).toThrow(RangeError);
    expect(() => expandedKeyFromBytes(new Uint8Array(32))).toThrow(RangeError);
    expect(() => signBlinded(new Uint8Array(1), { ...key, scalar: new Uint8Array(31) })).toThrow(RangeError);
  });
  it('types', () => {
    const notBytes = [1, 2, 3] as unknown as Uint8Array;
    expect(() => blindPublicKey(notBytes, new Uint8Array(0), 1, DAY)).toThrow(TypeError);
    expect(() => blindPublicKey(A, notBytes, 1, DAY)).toThrow(TypeError);
    expect(() => signBlinded(notBytes, key)).toThrow(TypeError);
    expect(() => blindPublicKey(A, new Uint8Array(0), '1' as unknown as number, DAY)).toThrow(TypeError);
  });
  it('period number: a non-negative safe integer; period length: a positive one', () => {
    for (const p of [1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => blindingFactor(A, new Uint8Array(0), p, DAY)).toThrow(TypeError);
    for (const p of [-1, 2 ** 53]) expect(() => blindingFactor(A, new Uint8Array(0), p, DAY)).toThrow(RangeError);
    expect(() => blindingFactor(A, new Uint8Array(0), 1, 0)).toThrow(RangeError);
    expect(blindingFactor(A, new Uint8Array(0), 0, 1)).toHaveLength(32);
    expect(blindingFactor(A, new Uint8Array(0), Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toHaveLength(32);
  });
  it('small-order and non-canonical public keys are refused', () => {
    for (const t of ED25519_TORSION_SUBGROUP) expect(() => blindPublicKeyWithFactor(hexToBytes(t), h)).toThrow(RangeError);
    const yTooBig = hexToBytes('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'); // y = p
    expect(() => blindPublicKeyWithFactor(yTooBig, h)).toThrow(RangeError);
  });
  it('a zero scalar is refused', () => {
    expect(() => expandedKeyFromBytes(new Uint8Array(64))).toThrow(RangeError);
    const ell = hexToBytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    expect(() => blindExpandedKeyWithFactor({ scalar: ell, prefix: key.prefix, publicKey: key.publicKey }, h)).toThrow(RangeError);
  });
  it('signBlinded refuses a publicKey that is not a·B (double public key oracle)', () => {
    const msg = utf8.encode('m');
    const other: ExpandedSecretKey = { ...key, publicKey: A };
    expect(() => signBlinded(msg, other)).toThrow(RangeError);
    expect(() => signBlinded(msg, { ...key, publicKey: flipBit(key.publicKey, 0) })).toThrow(RangeError);
    expect(ed25519.verify(signBlinded(msg, key), msg, key.publicKey)).toBe(true);
  });
});
