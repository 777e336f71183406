/**
 * The simulator's Curve25519 (Node's crypto) against the page's (@noble/curves): the same output
 * for the same input, the same refusals, and the same seeded chat simulation.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../shared/crypto/bytes';
import { type Curves, curves, nobleCurves, withCurves } from '../../shared/crypto/curves';
import { type Rng, SeededRng } from '../../shared/env/rng';
import { nativeCurves } from './native-curves';
import { runChat } from './scenarios/chat';
import { testSeed } from '../helpers/dht';
import { LOW_ORDER } from '../helpers/x25519-low-order';

const SEED = testSeed(5);
const native = nativeCurves(64);
const bytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const outcome = (f: () => unknown) => {
  try {
    const r = f();
    return r instanceof Uint8Array ? hex(r) : r;
  } catch {
    return 'throws';
  }
};

/** Every small-order u, then non-canonical ones (RFC 7748 §5: u ≥ p is taken mod p; the top bit is ignored). */
const SPECIAL_U = [
  ...LOW_ORDER,
  'f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0900000000000000000000000000000000000000000000000000000000000080',
];

describe('native curves (the simulator) against noble (the page)', () => {
  it('agree on keys, signatures, verification and X25519 for random inputs', () => {
    const rng = new SeededRng(SEED);
    for (let i = 0; i < 100; i++) {
      const why = `seed ${SEED}, case ${i}`;
      const seed = bytes(rng, 32);
      const message = bytes(rng, rng.int(300));
      const pub = nobleCurves.ed25519PublicKey(seed);
      expect(hex(native.ed25519PublicKey(seed)), why).toBe(hex(pub));
      const sig = nobleCurves.ed25519Sign(message, seed);
      expect(hex(native.ed25519Sign(message, seed)), why).toBe(hex(sig));
      for (const strict of [false, true]) expect(native.ed25519Verify(sig, message, pub, strict), why).toBe(true);
      const a = bytes(rng, 32);
      const b = bytes(rng, 32);
      const B = nobleCurves.x25519PublicKey(b);
      expect(hex(native.x25519PublicKey(a)), why).toBe(hex(nobleCurves.x25519PublicKey(a)));
      expect(hex(native.x25519(a, B)), why).toBe(hex(nobleCurves.x25519(a, B)));
      expect(hex(native.x25519(b, native.x25519PublicKey(a))), why).toBe(hex(native.x25519(a, B)));
    }
  });

  it('refuse every tampered signature, message and key alike', () => {
    const rng = new SeededRng(SEED + 1);
    const seed = bytes(rng, 32);
    const message = bytes(rng, 120);
    const pub = nobleCurves.ed25519PublicKey(seed);
    const sig = nobleCurves.ed25519Sign(message, seed);
    const flip = (b: Uint8Array, bit: number) => {
      const c = Uint8Array.from(b);
      c[bit >> 3] = c[bit >> 3]! ^ (1 << (bit & 7));
      return c;
    };
    let refused = 0;
    for (let bit = 0; bit < 512; bit += 7) {
      for (const strict of [false, true]) {
        const tampered: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
          [flip(sig, bit), message, pub],
          [sig, flip(message, bit % (message.length * 8)), pub],
          [sig, message, flip(pub, bit % 256)],
        ];
        for (const [s, m, k] of tampered) {
          const want = outcome(() => nobleCurves.ed25519Verify(s, m, k, strict));
          expect(want === false || want === 'throws', `bit ${bit}`).toBe(true);
          expect(
            outcome(() => native.ed25519Verify(s, m, k, strict)),
            `bit ${bit}`,
          ).not.toBe(true);
          refused++;
        }
      }
    }
    expect(refused).toBe(3 * 2 * 74);
    expect(native.ed25519Verify(sig.subarray(0, 63), message, pub, false)).toBe(false);
  });

  it('refuse small-order X25519 keys and reduce non-canonical ones alike', () => {
    const rng = new SeededRng(SEED + 2);
    const secret = bytes(rng, 32);
    let refusedByBoth = 0;
    for (const u of SPECIAL_U) {
      const want = outcome(() => nobleCurves.x25519(secret, hexToBytes(u)));
      expect(
        outcome(() => native.x25519(secret, hexToBytes(u))),
        u,
      ).toBe(want);
      if (want === 'throws') refusedByBoth++;
    }
    expect(refusedByBoth).toBe(LOW_ORDER.length);
    expect(() => native.x25519(secret, new Uint8Array(31))).toThrow();
  });

  it('are installed only for the call that asks (withCurves), even when it throws', async () => {
    await expect(
      withCurves(native, async () => {
        expect(curves()).toBe(native);
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect(curves()).toBe(nobleCurves);
  });

  it('give a seeded chat simulation the same result, and leave noble installed', { timeout: 300_000 }, async () => {
    const run = async (c: Curves) => JSON.stringify(await withCurves(c, () => runChat({ seed: SEED, nodes: 120, users: 10, hours: 0.25 })));
    const a = await run(nobleCurves);
    const b = await run(native);
    expect(b, `seed ${SEED}`).toBe(a);
    expect(JSON.parse(a).sent, `seed ${SEED}: ${a}`).toBeGreaterThan(0);
    expect(curves()).toBe(nobleCurves);
  });
});
