import { describe, expect, it } from 'vitest';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8 } from '../../shared/crypto/bytes';
import { SeededRng } from '../../shared/env/rng';
import { IkScanner } from './scenarios/ik-scanner';

describe('IkScanner (the leak detector of the presence scenario)', () => {
  const rng = new SeededRng(3);
  const iks = Array.from({ length: 50 }, () => rng.bytes(32));
  const scanner = new IkScanner(iks);
  const embed = (inner: Uint8Array, at: number, len = 600) => {
    const b = rng.bytes(len);
    b.set(inner, at);
    return b;
  };

  it('finds an IK at any offset as raw bytes, hex, base64, base64url, SHA-1 and SHA-256', () => {
    const ik = iks[17]!;
    const b64 = btoa(String.fromCharCode(...ik));
    const forms = [
      ik,
      utf8.encode(bytesToHex(ik)),
      utf8.encode(b64),
      utf8.encode(b64.replace(/\+/g, '-').replace(/\//g, '_')),
      sha1(ik),
      sha256(ik),
    ];
    for (const f of forms) for (const at of [0, 1, 7, 333, 600 - f.length]) expect(scanner.scan(embed(f, at))).toContain(17);
  });

  it('finds nothing in random bytes or in a near miss', () => {
    expect(scanner.scan(rng.bytes(100_000))).toEqual([]);
    const near = Uint8Array.from(iks[3]!);
    near[31]! ^= 1;
    expect(scanner.scan(embed(near, 10))).toEqual([]);
    expect(scanner.scan(iks[3]!.subarray(0, 7))).toEqual([]);
  });
});
