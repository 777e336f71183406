/**
 * shared/chat/safety-number.ts: frozen vectors (test/vectors/safety-number.json), a cross-check
 * against an independent implementation (node:crypto SHA-512, BigInt), and the properties the
 * comparison relies on: format, symmetry, determinism, and a different number for any changed key.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { safetyNumber, safetyNumberQrPayload } from '../../../../shared/chat/safety-number';
import { hexToBytes } from '../../../../shared/crypto/bytes';
import { chatCode, flipBit, seededRandom } from '../../../helpers/chat';
import frozen from '../../../vectors/safety-number.json';

const FORMAT = /^\d{5}( \d{5}){11}$/;

/** The documented construction, written again with Node's hash, Buffer.compare and BigInt. */
function reference(a: Uint8Array, b: Uint8Array): string {
  const [lo, hi] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
  const h = createHash('sha512').update('p2p-chat safety-number v1\0').update(lo).update(hi).digest();
  const groups: string[] = [];
  for (let i = 0; i < 12; i++) {
    const chunk = BigInt(`0x${h.subarray(5 * i, 5 * i + 5).toString('hex')}`);
    groups.push((chunk % 100000n).toString().padStart(5, '0'));
  }
  return groups.join(' ');
}

const random = seededRandom(5150);
const keyPair = (): [Uint8Array, Uint8Array] => [ed25519.getPublicKey(random(32)), ed25519.getPublicKey(random(32))];

describe('frozen vectors (test/vectors/safety-number.json)', () => {
  it('has the two vectors, one given in descending key order', () => {
    expect(frozen.vectors.length).toBe(2);
    expect(frozen.vectors.some((v) => v.identityKeyA > v.identityKeyB)).toBe(true);
  });
  for (const v of frozen.vectors) {
    it(v.name, () => {
      const a = hexToBytes(v.identityKeyA);
      const b = hexToBytes(v.identityKeyB);
      expect(safetyNumber(a, b)).toBe(v.safetyNumber);
      expect(safetyNumber(b, a)).toBe(v.safetyNumber);
      expect(safetyNumberQrPayload(a, b)).toBe(v.qrPayload);
      expect(reference(a, b)).toBe(v.safetyNumber);
    });
  }
});

describe('safetyNumber', () => {
  it('matches the independent implementation on 100 seeded pairs (seed 5150)', () => {
    for (let i = 0; i < 100; i++) {
      const [a, b] = keyPair();
      expect(safetyNumber(a, b)).toBe(reference(a, b));
    }
  });

  it('sorts keys as unsigned bytes (0x7f before 0x80) and by the first differing byte', () => {
    const base = random(32);
    const cases: Array<[number, number, number]> = [
      [0, 0x7f, 0x80],
      [0, 0x00, 0xff],
      [31, 0x01, 0x02],
      [16, 0x80, 0x7f],
    ];
    for (const [at, x, y] of cases) {
      const a = Uint8Array.from(base);
      const b = Uint8Array.from(base);
      a[at] = x;
      b[at] = y;
      expect(safetyNumber(a, b)).toBe(reference(a, b));
      expect(safetyNumber(b, a)).toBe(reference(a, b));
    }
  });

  it('is 12 groups of 5 digits, symmetric and deterministic', () => {
    for (let i = 0; i < 50; i++) {
      const [a, b] = keyPair();
      const n = safetyNumber(a, b);
      expect(n).toMatch(FORMAT);
      expect(safetyNumber(b, a)).toBe(n);
      expect(safetyNumber(Uint8Array.from(a), Uint8Array.from(b))).toBe(n);
    }
  });

  it('differs for every single bit flip of either key', () => {
    const [a, b] = keyPair();
    const n = safetyNumber(a, b);
    const seen = new Set([n]);
    for (let bit = 0; bit < 256; bit++) {
      seen.add(safetyNumber(flipBit(a, bit), b));
      seen.add(safetyNumber(a, flipBit(b, bit)));
    }
    expect(seen.size).toBe(1 + 2 * 256);
  });

  it('differs when one contact is replaced by another', () => {
    const [a, b] = keyPair();
    const [c] = keyPair();
    expect(safetyNumber(a, b)).not.toBe(safetyNumber(a, c));
  });

  it('uses every digit value in every group position over many pairs (no stuck digits)', () => {
    const digits = Array.from({ length: 60 }, () => new Set<string>());
    for (let i = 0; i < 200; i++) {
      const [a, b] = keyPair();
      const qr = safetyNumberQrPayload(a, b);
      for (let j = 0; j < qr.length; j++) digits[j]!.add(qr[j]!);
    }
    for (const s of digits) expect(s.size).toBe(10);
  });

  it('refuses keys that are not 32 bytes (BAD_ARGUMENT)', () => {
    const [a, b] = keyPair();
    expect(chatCode(() => safetyNumber(a.subarray(1), b))).toBe('BAD_ARGUMENT');
    expect(chatCode(() => safetyNumberQrPayload(a, new Uint8Array(33)))).toBe('BAD_ARGUMENT');
  });
});

describe('safetyNumberQrPayload', () => {
  it('is the same 60 digits without spaces', () => {
    const [a, b] = keyPair();
    const qr = safetyNumberQrPayload(a, b);
    expect(qr).toMatch(/^\d{60}$/);
    expect(qr).toBe(safetyNumber(a, b).replaceAll(' ', ''));
    expect(safetyNumberQrPayload(b, a)).toBe(qr);
  });
});
