import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import vectors from '../../../vectors/bep44.json';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { generateKeyPair } from '../../../../shared/crypto/ed25519';
import { SeededRng } from '../../../../shared/env/rng';
import {
  encodeSignable,
  immutableTarget,
  makeImmutable,
  mutableTarget,
  recordTarget,
  signMutable,
  verifyMutable,
} from '../../../../shared/records/bep44';
import type { MutableRecord } from '../../../../shared/records/types';

const SEED = Number(process.env.TEST_SEED ?? 44044);
function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  return out;
}

describe('BEP 44 published vectors', () => {
  for (const vec of vectors.mutable) {
    describe(vec.name, () => {
      const k = hexToBytes(vec.publicKey);
      const salt = utf8.encode(vec.salt);
      const v = utf8.encode(vec.value);
      const sig = hexToBytes(vec.signature);

      it('encodes the exact signable', () => {
        expect(utf8.decode(encodeSignable(salt, vec.seq, v))).toBe(vec.signable);
        if (vec.salt === '') expect(utf8.decode(encodeSignable(undefined, vec.seq, v))).toBe(vec.signable);
      });

      it('computes the published target', () => {
        expect(bytesToHex(mutableTarget(k, salt))).toBe(vec.target);
        const rec: MutableRecord = { type: 'mutable', k, salt, seq: vec.seq, v, sig };
        expect(bytesToHex(recordTarget(rec))).toBe(vec.target);
        if (vec.salt === '') expect(bytesToHex(mutableTarget(k))).toBe(vec.target);
      });

      it('verifies the published signature', () => {
        expect(verifyMutable({ k, salt, seq: vec.seq, v, sig })).toBe(true);
      });

      it('the published expanded key matches the published public key', () => {
        // ref10 expanded key: first 32 bytes are the clamped scalar a; A = a·B.
        const scalar = bytesToNumberLE(hexToBytes(vec.privateKeyExpanded).subarray(0, 32)) % ed25519.Point.Fn.ORDER;
        expect(bytesToHex(ed25519.Point.BASE.multiply(scalar).toBytes())).toBe(vec.publicKey);
      });

      it('fails for every single-bit flip of sig (all 512 bits)', () => {
        for (let bit = 0; bit < 512; bit++) {
          expect(verifyMutable({ k, salt, seq: vec.seq, v, sig: flipBit(sig, bit) }), `sig bit ${bit}`).toBe(false);
        }
      });

      it('fails for every single-bit flip of k (all 256 bits)', () => {
        for (let bit = 0; bit < 256; bit++) {
          expect(verifyMutable({ k: flipBit(k, bit), salt, seq: vec.seq, v, sig }), `k bit ${bit}`).toBe(false);
        }
      });

      it('fails for every single-bit flip of v and salt, and any change of seq', () => {
        for (let bit = 0; bit < v.length * 8; bit++) {
          expect(verifyMutable({ k, salt, seq: vec.seq, v: flipBit(v, bit), sig }), `v bit ${bit}`).toBe(false);
        }
        for (let bit = 0; bit < salt.length * 8; bit++) {
          expect(verifyMutable({ k, salt: flipBit(salt, bit), seq: vec.seq, v, sig }), `salt bit ${bit}`).toBe(false);
        }
        for (let bit = 0; bit < 53; bit++) {
          const seq = flipSeq(vec.seq, bit);
          expect(verifyMutable({ k, salt, seq, v, sig }), `seq bit ${bit}`).toBe(false);
        }
        // Dropping or adding a salt changes the signable too.
        expect(verifyMutable({ k, salt: vec.salt ? new Uint8Array(0) : utf8.encode('x'), seq: vec.seq, v, sig })).toBe(false);
      });
    });
  }

  it('immutable target vector (SHA-1 of the bytes)', () => {
    for (const vec of vectors.immutable) {
      expect(bytesToHex(immutableTarget(utf8.encode(vec.valueBencoded)))).toBe(vec.target);
      expect(bytesToHex(recordTarget(makeImmutable(utf8.encode(vec.valueBencoded))))).toBe(vec.target);
    }
  });
});

/** seq with bit `bit` flipped, without 32-bit truncation. */
function flipSeq(seq: number, bit: number): number {
  const p = 2 ** bit;
  return Math.floor(seq / p) % 2 === 1 ? seq - p : seq + p;
}

describe('sign / verify round trips (seeded keys)', () => {
  const rng = new SeededRng(SEED);
  console.log(`bep44 property seed=${SEED}`);

  it('round-trips with and without salt, for edge sizes and seqs', () => {
    const kp = generateKeyPair(rng.bytes(32));
    const cases: Array<[Uint8Array | undefined, number, Uint8Array]> = [
      [undefined, 0, new Uint8Array(0)],
      [new Uint8Array(0), 1, utf8.encode('hi')],
      [rng.bytes(64), Number.MAX_SAFE_INTEGER, rng.bytes(1000)],
      [rng.bytes(1), 123456789, rng.bytes(1)],
    ];
    for (const [salt, seq, value] of cases) {
      const rec = signMutable({ secretKey: kp.secretKey, salt, seq, value });
      expect(rec.type).toBe('mutable');
      expect(bytesToHex(rec.k)).toBe(bytesToHex(kp.publicKey));
      expect(rec.salt.length).toBe(salt?.length ?? 0);
      expect(verifyMutable(rec)).toBe(true);
      expect(bytesToHex(recordTarget(rec))).toBe(bytesToHex(mutableTarget(kp.publicKey, salt)));
    }
  });

  it('random single-bit flips of sig/k/v/salt/seq all fail (property, 200 cases)', () => {
    for (let i = 0; i < 200; i++) {
      const kp = generateKeyPair(rng.bytes(32));
      const salt = rng.bytes(1 + rng.int(64));
      const value = rng.bytes(1 + rng.int(1000));
      const seq = rng.int(2 ** 31);
      const rec = signMutable({ secretKey: kp.secretKey, salt, seq, value });
      expect(verifyMutable(rec)).toBe(true);
      const field = rng.int(5);
      const ctx = `case ${i} field ${field} (seed ${SEED})`;
      if (field === 0) expect(verifyMutable({ ...rec, sig: flipBit(rec.sig, rng.int(512)) }), ctx).toBe(false);
      if (field === 1) expect(verifyMutable({ ...rec, k: flipBit(rec.k, rng.int(256)) }), ctx).toBe(false);
      if (field === 2) expect(verifyMutable({ ...rec, v: flipBit(rec.v, rng.int(rec.v.length * 8)) }), ctx).toBe(false);
      if (field === 3) expect(verifyMutable({ ...rec, salt: flipBit(rec.salt, rng.int(rec.salt.length * 8)) }), ctx).toBe(false);
      if (field === 4) expect(verifyMutable({ ...rec, seq: flipSeq(rec.seq, rng.int(53)) }), ctx).toBe(false);
    }
  });

  it('a signature by another key does not verify', () => {
    const a = generateKeyPair(rng.bytes(32));
    const b = generateKeyPair(rng.bytes(32));
    const rec = signMutable({ secretKey: a.secretKey, seq: 5, value: utf8.encode('x') });
    expect(verifyMutable({ ...rec, k: b.publicKey })).toBe(false);
  });
});

describe('API bounds', () => {
  const kp = generateKeyPair(new Uint8Array(32).fill(7));

  it('throws TypeError/RangeError on local misuse', () => {
    expect(() => signMutable({ secretKey: kp.secretKey, seq: -1, value: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => signMutable({ secretKey: kp.secretKey, seq: 1.5, value: new Uint8Array(1) })).toThrow(TypeError);
    expect(() => signMutable({ secretKey: kp.secretKey, seq: 2 ** 53, value: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => signMutable({ secretKey: kp.secretKey, seq: 1, value: new Uint8Array(1001) })).toThrow(RangeError);
    expect(() => signMutable({ secretKey: kp.secretKey, salt: new Uint8Array(65), seq: 1, value: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => signMutable({ secretKey: new Uint8Array(31), seq: 1, value: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => mutableTarget(new Uint8Array(31))).toThrow(RangeError);
    expect(() => mutableTarget('k' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => encodeSignable(undefined, 1, 'v' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => immutableTarget(new Uint8Array(1001))).toThrow(RangeError);
  });

  it('accepts a 64-byte seed ‖ publicKey secret key, refuses an inconsistent or expanded one', () => {
    const full = new Uint8Array([...kp.secretKey, ...kp.publicKey]);
    const a = signMutable({ secretKey: full, seq: 1, value: utf8.encode('x') });
    const b = signMutable({ secretKey: kp.secretKey, seq: 1, value: utf8.encode('x') });
    expect(bytesToHex(a.sig)).toBe(bytesToHex(b.sig));
    const wrong = Uint8Array.from(full);
    wrong[63] = wrong[63]! ^ 1;
    expect(() => signMutable({ secretKey: wrong, seq: 1, value: utf8.encode('x') })).toThrow(RangeError);
    const expanded = hexToBytes(vectors.mutable[0]!.privateKeyExpanded);
    expect(() => signMutable({ secretKey: expanded, seq: 1, value: utf8.encode('x') })).toThrow(RangeError);
  });

  it('verifyMutable never throws on garbage', () => {
    const rec = signMutable({ secretKey: kp.secretKey, seq: 1, value: new Uint8Array(3) });
    const bad: unknown[] = [
      { ...rec, seq: -1 },
      { ...rec, seq: 1.5 },
      { ...rec, seq: 2 ** 53 },
      { ...rec, seq: '1' },
      { ...rec, k: new Uint8Array(31) },
      { ...rec, k: null },
      { ...rec, sig: new Uint8Array(63) },
      { ...rec, v: new Uint8Array(1001) },
      { ...rec, v: [1, 2, 3] },
      { ...rec, salt: new Uint8Array(65) },
      { ...rec, salt: 'salt' },
      { ...rec, sig: new Uint8Array(64).fill(0xff) },
      { ...rec, k: new Uint8Array(32).fill(0xff) },
    ];
    for (const b of bad) expect(verifyMutable(b as Parameters<typeof verifyMutable>[0])).toBe(false);
    expect(verifyMutable(null as unknown as Parameters<typeof verifyMutable>[0])).toBe(false);
  });
});
