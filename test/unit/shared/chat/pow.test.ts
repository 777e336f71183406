/**
 * shared/chat/pow.ts: the stamp hash against Node's SHA-256 over the documented input, minting
 * (first good counter, difficulty exact, slices resume), checking (difficulty, changed resource,
 * counters past 2^32 and at the 2^53 bound, bad input), and one stamp at POW_BITS.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { POW_BITS } from '../../../../shared/chat/constants';
import { checkStamp, leadingZeroBits, MAX_STAMP_COUNTER, mintStamp, stampHash, stampResource } from '../../../../shared/chat/pow';
import { concatBytes, utf8 } from '../../../../shared/crypto/bytes';
import { chatCode, flipBit, seededRandom } from '../../../helpers/chat';

const DOMAIN = utf8.encode('p2p-chat hashcash v1\0');
const random = seededRandom(1800);
const owner = random(32);
const requester = random(32);
const resource = stampResource(owner, requester, 1_767_225_600_000);

function u64be(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
}

/** Node's SHA-256 over domain | resource | u64 BE counter: the construction, written independently. */
function nodeStampHash(res: Uint8Array, counter: number): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(concatBytes(DOMAIN, res, u64be(BigInt(counter))))
      .digest(),
  );
}

describe('stampResource', () => {
  it('is owner IK | requester IK | u64 BE timestamp', () => {
    const t = 2 ** 40 + 7;
    expect(stampResource(owner, requester, t)).toEqual(concatBytes(owner, requester, u64be(BigInt(t))));
  });

  it.each([
    ['a short owner key', () => stampResource(owner.subarray(1), requester, 0)],
    ['a long requester key', () => stampResource(owner, new Uint8Array(33), 0)],
    ['a negative timestamp', () => stampResource(owner, requester, -1)],
    ['a fractional timestamp', () => stampResource(owner, requester, 0.5)],
  ])('refuses %s (BAD_ARGUMENT)', (_what, fn) => {
    expect(chatCode(fn)).toBe('BAD_ARGUMENT');
  });
});

describe('stampHash', () => {
  it.each([0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48 + 3, MAX_STAMP_COUNTER])(
    'matches Node SHA-256 at counter %d',
    (c) => {
      expect(stampHash(resource, c)).toEqual(nodeStampHash(resource, c));
    },
  );

  it('matches Node for resources of many lengths (block boundaries of the midstate)', () => {
    for (let n = 0; n <= 140; n++) {
      const res = random(n);
      expect(stampHash(res, n * 1000), `${n} bytes`).toEqual(nodeStampHash(res, n * 1000));
    }
  });

  it('counters past 2^32 do not wrap', () => {
    for (const k of [0, 1, 12345]) expect(stampHash(resource, 2 ** 32 + k)).not.toEqual(stampHash(resource, k));
  });
});

describe('leadingZeroBits', () => {
  it.each([
    [[0x80], 0],
    [[0x40], 1],
    [[0x01], 7],
    [[0x00, 0xff], 8],
    [[0x00, 0x00, 0x10], 19],
    [[0x00, 0x00], 16],
  ])('%j → %d', (bytes, n) => {
    expect(leadingZeroBits(Uint8Array.from(bytes))).toBe(n);
  });
});

describe('mintStamp', () => {
  it('returns the first counter whose hash has the bits, and exactly as many hashes as it tried', () => {
    for (const bits of [1, 4, 8, 10]) {
      const stamp = mintStamp(resource, bits, { startCounter: 1000 })!;
      expect(stamp.hashes).toBe(stamp.counter - 1000 + 1);
      for (let c = 1000; c < stamp.counter; c++) expect(leadingZeroBits(nodeStampHash(resource, c))).toBeLessThan(bits);
      expect(leadingZeroBits(nodeStampHash(resource, stamp.counter))).toBeGreaterThanOrEqual(bits);
    }
  });

  it('a stamp checks at its exact number of zero bits and not one more', () => {
    for (let i = 0; i < 32; i++) {
      const res = random(72);
      const stamp = mintStamp(res, 8)!;
      const zeros = leadingZeroBits(stampHash(res, stamp.counter));
      expect(zeros).toBeGreaterThanOrEqual(8);
      for (let bits = 0; bits <= zeros; bits++) expect(checkStamp(res, stamp.counter, bits)).toBe(true);
      expect(checkStamp(res, stamp.counter, zeros + 1)).toBe(false);
    }
  });

  it('a stamp of 8 bits rarely passes 12 (64 stamps: expected 4, refused if 20 or more) and costs ~2^8 hashes', () => {
    let passes = 0;
    let hashes = 0;
    for (let i = 0; i < 64; i++) {
      const res = random(72);
      const stamp = mintStamp(res, 8)!;
      hashes += stamp.hashes;
      if (checkStamp(res, stamp.counter, 12)) passes++;
    }
    expect(passes).toBeLessThan(20);
    expect(hashes / 64).toBeGreaterThan(128);
    expect(hashes / 64).toBeLessThan(512);
  });

  it('bits = 0: the start counter is a stamp', () => {
    expect(mintStamp(resource, 0, { startCounter: 77 })).toEqual({ counter: 77, hashes: 1 });
  });

  it('minting in slices finds the same counter as one run', () => {
    const whole = mintStamp(resource, 12)!;
    let start = 0;
    let found: number | undefined;
    while (found === undefined) {
      const slice = mintStamp(resource, 12, { startCounter: start, maxIterations: 500 });
      if (slice) found = slice.counter;
      else start += 500;
    }
    expect(found).toBe(whole.counter);
    expect(mintStamp(resource, 12, { maxIterations: whole.counter })).toBeNull();
    expect(mintStamp(resource, 12, { maxIterations: 0 })).toBeNull();
  });

  it('finds and checks stamps across 2^32', () => {
    const start = 2 ** 32 - 2000;
    let counter = start;
    let crossed = 0;
    while (crossed < 3) {
      const stamp = mintStamp(resource, 8, { startCounter: counter })!;
      expect(checkStamp(resource, stamp.counter, 8)).toBe(true);
      expect(leadingZeroBits(nodeStampHash(resource, stamp.counter))).toBeGreaterThanOrEqual(8);
      if (stamp.counter >= 2 ** 32) crossed++;
      counter = stamp.counter + 1;
    }
  });

  it('stops at MAX_STAMP_COUNTER instead of running past it', () => {
    expect(mintStamp(resource, 32, { startCounter: MAX_STAMP_COUNTER - 5 })).toBeNull();
    expect(mintStamp(resource, 0, { startCounter: MAX_STAMP_COUNTER })).toEqual({ counter: MAX_STAMP_COUNTER, hashes: 1 });
  });

  it.each([
    ['bits -1', () => mintStamp(resource, -1)],
    ['bits 257', () => mintStamp(resource, 257)],
    ['bits 1.5', () => mintStamp(resource, 1.5)],
    ['a negative start', () => mintStamp(resource, 1, { startCounter: -1 })],
    ['a start past 2^53', () => mintStamp(resource, 1, { startCounter: 2 ** 53 })],
    ['a fractional maxIterations', () => mintStamp(resource, 1, { maxIterations: 0.5 })],
  ])('refuses %s (BAD_ARGUMENT)', (_what, fn) => {
    expect(chatCode(fn)).toBe('BAD_ARGUMENT');
  });
});

describe('checkStamp', () => {
  const stamp = mintStamp(resource, 16)!;

  it('accepts the minted stamp', () => {
    expect(checkStamp(resource, stamp.counter, 16)).toBe(true);
  });

  it('refuses the stamp for every single-bit change of the resource', () => {
    for (let bit = 0; bit < resource.length * 8; bit++)
      expect(checkStamp(flipBit(resource, bit), stamp.counter, 16), `bit ${bit}`).toBe(false);
  });

  it('refuses it for another owner, another requester, another time, or swapped keys', () => {
    expect(checkStamp(stampResource(random(32), requester, 1_767_225_600_000), stamp.counter, 16)).toBe(false);
    expect(checkStamp(stampResource(owner, random(32), 1_767_225_600_000), stamp.counter, 16)).toBe(false);
    expect(checkStamp(stampResource(owner, requester, 1_767_225_600_001), stamp.counter, 16)).toBe(false);
    expect(checkStamp(stampResource(requester, owner, 1_767_225_600_000), stamp.counter, 16)).toBe(false);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('returns false for counter %d without throwing', (c) => {
    expect(checkStamp(resource, c, 0)).toBe(false);
  });

  it('refuses a bad difficulty (BAD_ARGUMENT): a negative one must not pass everything', () => {
    expect(chatCode(() => checkStamp(resource, stamp.counter, -1))).toBe('BAD_ARGUMENT');
    expect(chatCode(() => checkStamp(resource, stamp.counter, 300))).toBe('BAD_ARGUMENT');
  });

  it(`mints and checks one stamp at POW_BITS (${POW_BITS})`, () => {
    const res = stampResource(owner, requester, 1_700_000_000_000);
    const s = mintStamp(res, POW_BITS)!;
    expect(checkStamp(res, s.counter, POW_BITS)).toBe(true);
    expect(leadingZeroBits(nodeStampHash(res, s.counter))).toBeGreaterThanOrEqual(POW_BITS);
  });
});
