/**
 * The DH ratchet step's X25519 computed ahead (ratchetAhead) changes nothing but who computes it:
 * the same states and plaintexts as the plain ratchet from the same randomness, with WebCrypto's
 * X25519 (Node's, the one the browser runtime uses) and with implementations that fail or lie.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { ratchetAhead, type AsyncX25519 } from '../../../../shared/crypto/double-ratchet-ahead';
import {
  ratchetDecrypt,
  ratchetEncrypt,
  RatchetError,
  type RatchetMessage,
  type RatchetState,
} from '../../../../shared/crypto/double-ratchet';
import { SeededRng } from '../../../../shared/env/rng';
import { webCryptoX25519 } from '../../../../web/runtime/webcrypto-x25519';
import { AD, newSession, seededRandom, snapshot } from '../../../helpers/ratchet';

/** Counts calls; `mode` makes it fail or lie. */
function counting(inner: AsyncX25519, mode: 'ok' | 'reject' | 'lie' = 'ok') {
  const calls = { publicKey: 0, dh: 0 };
  const x: AsyncX25519 = {
    async publicKey(sk) {
      calls.publicKey++;
      if (mode === 'reject') throw new Error('refused');
      return inner.publicKey(sk);
    },
    async dh(sk, pk) {
      calls.dh++;
      if (mode === 'reject') throw new Error('refused');
      const out = await inner.dh(sk, pk);
      if (mode === 'lie') out[0]! ^= 1;
      return out;
    },
  };
  return { x, calls };
}

const nobleAsync: AsyncX25519 = {
  publicKey: async (sk) => x25519.getPublicKey(sk),
  dh: async (sk, pk) => x25519.getSharedSecret(sk, pk),
};

/** A conversation changing direction at random (many DH steps), decrypted plain or ahead. */
async function converse(seed: number, x?: AsyncX25519): Promise<string[]> {
  const s = newSession(seed);
  const rng = new SeededRng(seed ^ 0x5eed);
  const trace: string[] = [];
  const rnd = { alice: s.rndA, bob: s.rndB };
  let from: 'alice' | 'bob' = 'alice';
  for (let i = 0; i < 40; i++) {
    if (i > 0 && rng.next() < 0.5) from = from === 'alice' ? 'bob' : 'alice';
    const to = from === 'alice' ? 'bob' : 'alice';
    const e = ratchetEncrypt(s[from], utf8.encode(`m${i}`), AD);
    s[from] = e.state;
    const opts = x ? await ratchetAhead(s[to], e.message.header, x, rnd[to]) : { randomBytes: rnd[to] };
    const d = ratchetDecrypt(s[to], e.message, AD, opts);
    s[to] = d.state;
    trace.push(`${utf8.decode(d.plaintext)} ${snapshot(s.alice)} ${snapshot(s.bob)}`);
  }
  return trace;
}

describe('webCryptoX25519', () => {
  it('agrees with RFC 7748 section 6.1 and with noble on random keys', async () => {
    const x = webCryptoX25519();
    expect(x).toBeDefined();
    const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPublic = hexToBytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(bytesToHex(await x!.publicKey(alice))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(bytesToHex(await x!.dh(alice, bobPublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    const rng = new SeededRng(7);
    for (let i = 0; i < 20; i++) {
      const a = rng.bytes(32);
      const b = x25519.getPublicKey(rng.bytes(32));
      expect(bytesToHex(await x!.publicKey(a))).toBe(bytesToHex(x25519.getPublicKey(a)));
      expect(bytesToHex(await x!.dh(a, b))).toBe(bytesToHex(x25519.getSharedSecret(a, b)));
    }
  });

  it('refuses a low-order public key (the all-zero result)', async () => {
    const x = webCryptoX25519();
    await expect(x!.dh(new SeededRng(1).bytes(32), new Uint8Array(32))).rejects.toThrow();
  });

  it('is undefined without WebCrypto', async () => {
    expect(webCryptoX25519(null)).toBeUndefined();
  });
});

describe('ratchetAhead', () => {
  it('gives the plain ratchet states and plaintexts, with WebCrypto and with noble', async () => {
    for (const seed of [1, 2, 3]) {
      const plain = await converse(seed);
      expect(await converse(seed, webCryptoX25519()!)).toEqual(plain);
      expect(await converse(seed, nobleAsync)).toEqual(plain);
    }
  });

  it('computes the step ahead (one public key, two DH) and nothing when no step is taken', async () => {
    const s = newSession(4);
    const { x, calls } = counting(nobleAsync);
    const m1 = ratchetEncrypt(s.alice, utf8.encode('one'), AD);
    const m2 = ratchetEncrypt(m1.state, utf8.encode('two'), AD);
    const o1 = await ratchetAhead(s.bob, m1.message.header, x, s.rndB);
    expect(o1.known).toBeDefined();
    expect(calls).toEqual({ publicKey: 1, dh: 2 });
    const bob = ratchetDecrypt(s.bob, m1.message, AD, o1).state;
    // Same chain: no step, nothing computed; a copy already decrypted: nothing either.
    expect((await ratchetAhead(bob, m2.message.header, x, s.rndB)).known).toBeUndefined();
    expect((await ratchetAhead(bob, m1.message.header, x, s.rndB)).known).toBeUndefined();
    expect(calls).toEqual({ publicKey: 1, dh: 2 });
  });

  it('falls back to the ratchet itself when the implementation fails', async () => {
    const { x, calls } = counting(nobleAsync, 'reject');
    expect(await converse(5, x)).toEqual(await converse(5));
    expect(calls.dh).toBeGreaterThan(10);
  });

  it('a wrong result fails authentication and leaves the state as it was', async () => {
    const s = newSession(6);
    const m = ratchetEncrypt(s.alice, utf8.encode('hi'), AD);
    const before = snapshot(s.bob);
    const opts = await ratchetAhead(s.bob, m.message.header, counting(nobleAsync, 'lie').x, s.rndB);
    expect(() => ratchetDecrypt(s.bob, m.message, AD, opts)).toThrow(RatchetError);
    expect(snapshot(s.bob)).toBe(before);
    expect(utf8.decode(ratchetDecrypt(s.bob, m.message, AD, { randomBytes: seededRandom(9) }).plaintext)).toBe('hi');
  });

  it('a low-order ratchet key is BAD_HEADER, as without it', async () => {
    const s = newSession(8);
    const m = ratchetEncrypt(s.alice, utf8.encode('hi'), AD);
    const bad: RatchetMessage = { ...m.message, header: { ...m.message.header, dh: new Uint8Array(32) } };
    const code = async (opts: Parameters<typeof ratchetDecrypt>[3]) => {
      try {
        ratchetDecrypt(s.bob as RatchetState, bad, AD, opts);
        return 'NONE';
      } catch (e) {
        return e instanceof RatchetError ? e.code : String(e);
      }
    };
    const ahead = await ratchetAhead(s.bob, bad.header, webCryptoX25519()!, s.rndB);
    expect(await code(ahead)).toBe('BAD_HEADER');
    expect(await code({ randomBytes: s.rndB })).toBe('BAD_HEADER');
  });
});
