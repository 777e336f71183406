import { describe, expect, it } from 'vitest';
import {
  bitAt,
  bitsAt,
  commonPrefixLength,
  compareDistance,
  distance,
  distancePrefix32,
  idToHex,
  isNodeId,
  randomId,
  randomIdAtLevel,
} from '../../../../shared/dht/node-id';
import { ID_BITS } from '../../../../shared/dht/constants';
import { idOf, SeededRng, testSeed } from '../../../helpers/dht';

const SEED = testSeed(0x1d5);

/** Reference implementations over bit strings (slow, obviously right). */
function bits(id: Uint8Array): string {
  return [...id].map((b) => b.toString(2).padStart(8, '0')).join('');
}
function refCpl(a: Uint8Array, b: Uint8Array): number {
  const x = bits(a);
  const y = bits(b);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return i;
}
function refDistance(a: Uint8Array, b: Uint8Array): bigint {
  return BigInt(`0x${idToHex(distance(a, b))}`);
}

describe('node ids', () => {
  it('isNodeId accepts exactly 20 bytes', () => {
    expect(isNodeId(new Uint8Array(20))).toBe(true);
    expect(isNodeId(new Uint8Array(19))).toBe(false);
    expect(isNodeId(new Uint8Array(32))).toBe(false);
  });

  it('commonPrefixLength on fixed cases', () => {
    const z = idOf('');
    expect(commonPrefixLength(z, z)).toBe(160);
    expect(commonPrefixLength(z, idOf('80'))).toBe(0);
    expect(commonPrefixLength(z, idOf('40'))).toBe(1);
    expect(commonPrefixLength(z, idOf('01'))).toBe(7);
    expect(commonPrefixLength(z, idOf('0080'))).toBe(8);
    const last = new Uint8Array(20);
    last[19] = 1;
    expect(commonPrefixLength(z, last)).toBe(159);
  });

  it('commonPrefixLength, compareDistance and distancePrefix32 agree with bit-string references', () => {
    const rng = new SeededRng(SEED);
    for (let i = 0; i < 2000; i++) {
      const a = randomId(rng);
      const b = randomId(rng);
      const t = randomId(rng);
      // Force long shared prefixes often.
      const share = rng.int(21);
      b.set(a.subarray(0, share));
      if (rng.int(4) === 0) t.set(a.subarray(0, rng.int(21)));
      const msg = `seed=${SEED} i=${i}`;
      expect(commonPrefixLength(a, b), msg).toBe(refCpl(a, b));
      expect(commonPrefixLength(a, b), msg).toBe(commonPrefixLength(b, a));
      const da = refDistance(a, t);
      const db = refDistance(b, t);
      expect(Math.sign(compareDistance(a, b, t)), msg).toBe(da < db ? -1 : da > db ? 1 : 0);
      expect(Math.sign(compareDistance(b, a, t)), msg).toBe(-Math.sign(compareDistance(a, b, t)) || 0);
      expect(distancePrefix32(a, t), msg).toBe(Number(da >> 128n));
      expect(distancePrefix32(a, t), msg).toBeGreaterThanOrEqual(0);
    }
  });

  it('XOR is a metric: d(a,a)=0, symmetric, and the triangle inequality holds', () => {
    const rng = new SeededRng(SEED + 1);
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [randomId(rng), randomId(rng), randomId(rng)];
      expect(refDistance(a, a)).toBe(0n);
      expect(refDistance(a, b)).toBe(refDistance(b, a));
      expect(refDistance(a, c) <= refDistance(a, b) + refDistance(b, c), `seed=${SEED + 1}`).toBe(true);
      expect(compareDistance(a, a, b)).toBe(0);
    }
  });

  it('distancePrefix32 is unsigned even when the top bit is set', () => {
    expect(distancePrefix32(idOf('ffffffff'), idOf(''))).toBe(0xffffffff);
    expect(distancePrefix32(idOf('80000001'), idOf('00000001'))).toBe(0x80000000);
  });

  it('bitAt and bitsAt read big-endian bit positions', () => {
    const id = idOf('a5c3'); // 1010 0101 1100 0011
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => bitAt(id, i))).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    expect(bitsAt(id, 0, 3)).toBe(0b101);
    expect(bitsAt(id, 5, 5)).toBe(0b10111); // crosses the byte boundary
    expect(bitsAt(id, 8, 8)).toBe(0xc3);
    expect(bitsAt(id, 3, 0)).toBe(0);
    const rng = new SeededRng(SEED + 2);
    for (let i = 0; i < 500; i++) {
      const x = randomId(rng);
      const from = rng.int(ID_BITS - 8);
      const s = 1 + rng.int(8);
      expect(bitsAt(x, from, s), `seed=${SEED + 2}`).toBe(parseInt(bits(x).slice(from, from + s), 2));
    }
  });

  it('randomIdAtLevel shares exactly cpl bits with self and sets the sub bits', () => {
    const rng = new SeededRng(SEED + 3);
    for (let i = 0; i < 2000; i++) {
      const self = randomId(rng);
      const cpl = rng.int(ID_BITS);
      const s = rng.int(Math.min(4, ID_BITS - cpl - 1) + 1);
      const sub = rng.int(1 << s);
      const id = randomIdAtLevel(self, cpl, rng, s, sub);
      const msg = `seed=${SEED + 3} i=${i} cpl=${cpl} s=${s}`;
      expect(id.length).toBe(20);
      expect(commonPrefixLength(self, id), msg).toBe(cpl);
      expect(bitsAt(id, cpl + 1, s), msg).toBe(sub);
    }
  });

  it('randomIdAtLevel is random beyond the fixed bits', () => {
    const rng = new SeededRng(SEED + 4);
    const self = randomId(rng);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(idToHex(randomIdAtLevel(self, 10, rng, 2, 1)));
    expect(seen.size).toBe(50);
  });
});
