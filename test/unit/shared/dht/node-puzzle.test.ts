import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../../shared/crypto/bytes';
import { generateKeyPair, nodeIdFromPublicKey } from '../../../../shared/crypto/ed25519';
import {
  generatePuzzleKeyPair,
  MAX_PUZZLE_BITS,
  puzzleBitsOf,
  solvesPuzzle,
  solvesPuzzleHex,
  tryPuzzleKeyPairs,
} from '../../../../shared/dht/node-puzzle';
import { SeededRng } from '../../../../shared/env/rng';

/** Leading zero bits of SHA-1(id), computed independently (node:crypto and a bit string). */
function reference(id: Uint8Array): number {
  const bits = [...createHash('sha1').update(id).digest()].map((b) => b.toString(2).padStart(8, '0')).join('');
  const first = bits.indexOf('1');
  return first === -1 ? 160 : first;
}

describe('node-id puzzle (S/Kademlia static puzzle over SHA-1)', () => {
  it('counts the leading zero bits of SHA-1(node id), as an independent count does', () => {
    const rng = new SeededRng(5);
    let seen = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = rng.bytes(20);
      const n = puzzleBitsOf(id);
      expect(n).toBe(reference(id));
      if (n >= 8) seen++;
    }
    expect(seen).toBeGreaterThan(0); // the loop met ids with a whole zero byte
  });

  it('frozen vectors (made with this code, checked by the independent count): ids and a seeded grind', () => {
    const vectors: Array<[string, number]> = [
      ['0000000000000000000000000000000000000000', 1],
      ['0000000000000000000000000000000000000003', 1],
      ['000000000000000000000000000000000000016c', 11],
      ['000000000000000000000000000000000000192d', 13],
      ['00000000000000000000000000000000000064fd', 16],
      ['000000000000000000000000000000000000ca55', 17],
    ];
    for (const [hex, bits] of vectors) {
      expect(puzzleBitsOf(hexToBytes(hex))).toBe(bits);
      expect(reference(hexToBytes(hex))).toBe(bits);
    }
    const rng = new SeededRng(7);
    const r = generatePuzzleKeyPair(8, () => generateKeyPair(rng.bytes(32)));
    expect(r.tries).toBe(213);
    expect(bytesToHex(r.keyPair.publicKey)).toBe('7ee844d7b57a1c12fb0fdcfa82fef85f59ebd0f7429be39d1c4aedbde637ff2c');
    expect(bytesToHex(nodeIdFromPublicKey(r.keyPair.publicKey))).toBe('c2290b1183f79474c0ed4db213e235edec8ce23e');
  });

  it('solvesPuzzle: every id at 0, only ids with enough zero bits above', () => {
    const rng = new SeededRng(6);
    for (let i = 0; i < 2_000; i++) {
      const id = rng.bytes(20);
      const n = puzzleBitsOf(id);
      expect(solvesPuzzle(id, 0)).toBe(true);
      expect(solvesPuzzle(id, n)).toBe(true);
      expect(solvesPuzzle(id, n + 1)).toBe(false);
      expect(solvesPuzzleHex(bytesToHex(id), n + 1)).toBe(false);
      expect(solvesPuzzleHex(bytesToHex(id), n)).toBe(true);
    }
  });

  it('solvesPuzzleHex fails anything that is not 40 lower-case hex digits (unless off)', () => {
    for (const bad of ['', 'zz'.repeat(20), 'ab'.repeat(19), 'AB'.repeat(20), `${'0'.repeat(40)}0`]) {
      expect(solvesPuzzleHex(bad, 1)).toBe(false);
      expect(solvesPuzzleHex(bad, 0)).toBe(true);
    }
  });

  it('generatePuzzleKeyPair returns a key whose node id solves it, and how many keys it took', () => {
    const rng = new SeededRng(7);
    let made = 0;
    const r = generatePuzzleKeyPair(8, () => {
      made++;
      return generateKeyPair(rng.bytes(32));
    });
    expect(r.tries).toBe(made);
    expect(puzzleBitsOf(nodeIdFromPublicKey(r.keyPair.publicKey))).toBeGreaterThanOrEqual(8);
    expect(generatePuzzleKeyPair(0).tries).toBe(1);
    for (const bad of [-1, 1.5, MAX_PUZZLE_BITS + 1, Number.NaN]) expect(() => generatePuzzleKeyPair(bad)).toThrow(RangeError);
  });

  it('tryPuzzleKeyPairs stops after max keys without one, and a sliced grind finds the same key as a whole one', () => {
    const gen = (seed: number) => {
      const rng = new SeededRng(seed);
      return () => generateKeyPair(rng.bytes(32));
    };
    const whole = generatePuzzleKeyPair(8, gen(7));
    const g = gen(7);
    let tried = 0;
    let found: ReturnType<typeof tryPuzzleKeyPairs> | undefined;
    while (!found?.keyPair) {
      found = tryPuzzleKeyPairs(8, 10, g);
      tried += found.tries;
      if (!found.keyPair) expect(found.tries).toBe(10);
    }
    expect(tried).toBe(whole.tries);
    expect(bytesToHex(found.keyPair.publicKey)).toBe(bytesToHex(whole.keyPair.publicKey));
  });
});
