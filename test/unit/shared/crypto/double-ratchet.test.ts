/** Double Ratchet: API behaviour, input checks, tampering, the message wire form. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import {
  decodeMessage,
  encodeMessage,
  generateDh,
  MAX_CIPHERTEXT_BYTES,
  MAX_PLAINTEXT_BYTES,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitAlice,
  ratchetInitBob,
  type MessageHeader,
  type RatchetMessage,
  type RatchetState,
} from '../../../../shared/crypto/double-ratchet';
import { AD, codeOf, newSession, recv, send, snapshot } from '../../../helpers/ratchet';
import { LOW_ORDER } from '../../../helpers/x25519-low-order';

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function withHeader(m: RatchetMessage, h: Partial<MessageHeader>): RatchetMessage {
  return { header: { ...m.header, ...h }, ciphertext: m.ciphertext };
}

describe('Double Ratchet basics', () => {
  it('round trip both ways; inputs are never modified and states are frozen', () => {
    const s = newSession(1);
    const a0 = snapshot(s.alice);
    const r = ratchetEncrypt(s.alice, utf8.encode('hello'), AD);
    expect(snapshot(s.alice)).toBe(a0);
    expect(Object.isFrozen(r.state)).toBe(true);
    expect(r.state.ns).toBe(1);
    const b0 = snapshot(s.bob);
    const d = ratchetDecrypt(s.bob, r.message, AD, { randomBytes: s.rndB });
    expect(snapshot(s.bob)).toBe(b0);
    expect(utf8.decode(d.plaintext)).toBe('hello');
    s.alice = r.state;
    s.bob = d.state;
    expect(recv(s, 'alice', send(s, 'bob', 'hi Alice'))).toBe('hi Alice');
    expect(recv(s, 'bob', send(s, 'alice', ''))).toBe('');
    expect(recv(s, 'bob', send(s, 'alice', 'x'.repeat(MAX_PLAINTEXT_BYTES)))).toHaveLength(MAX_PLAINTEXT_BYTES);
  });

  it('header counters follow the spec: n per chain, pn = length of the previous sending chain', () => {
    const s = newSession(2);
    const a = [send(s, 'alice', '1'), send(s, 'alice', '2'), send(s, 'alice', '3')];
    expect(a.map((m) => [m.header.pn, m.header.n])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    for (const m of a) recv(s, 'bob', m);
    const b = send(s, 'bob', 'b');
    expect([b.header.pn, b.header.n]).toEqual([0, 0]);
    expect(bytesToHex(b.header.dh)).not.toBe(bytesToHex(a[0]!.header.dh));
    recv(s, 'alice', b);
    const a2 = send(s, 'alice', '4');
    expect([a2.header.pn, a2.header.n]).toEqual([3, 0]);
    expect(bytesToHex(a2.header.dh)).not.toBe(bytesToHex(a[0]!.header.dh));
  });

  it('encrypting twice from one state repeats the message key (why callers must persist the new state)', () => {
    const s = newSession(3);
    const x = ratchetEncrypt(s.alice, utf8.encode('same'), AD);
    const y = ratchetEncrypt(s.alice, utf8.encode('same'), AD);
    expect(bytesToHex(x.message.ciphertext)).toBe(bytesToHex(y.message.ciphertext));
  });

  it('Bob cannot send before his first message in; oversized plaintext is refused', () => {
    const s = newSession(4);
    expect(codeOf(() => ratchetEncrypt(s.bob, utf8.encode('too early'), AD))).toBe('NO_SENDING_CHAIN');
    expect(codeOf(() => ratchetEncrypt(s.alice, new Uint8Array(MAX_PLAINTEXT_BYTES + 1), AD))).toBe('BAD_INPUT');
  });

  it('init refuses malformed and low-order keys (BAD_KEY)', () => {
    const sk = new Uint8Array(32).fill(9);
    for (const hex of LOW_ORDER)
      expect(
        codeOf(() => ratchetInitAlice(sk, hexToBytes(hex))),
        hex,
      ).toBe('BAD_KEY');
    const good = generateDh().publicKey;
    expect(codeOf(() => ratchetInitAlice(sk.subarray(1), good))).toBe('BAD_KEY');
    expect(codeOf(() => ratchetInitAlice(sk, good.subarray(1)))).toBe('BAD_KEY');
    expect(codeOf(() => ratchetInitBob(sk, { secretKey: new Uint8Array(31), publicKey: good }))).toBe('BAD_KEY');
    expect(codeOf(() => generateDh(() => new Uint8Array(16)))).toBe('BAD_INPUT');
  });

  it('a header with a low-order DH key or out-of-range counters is BAD_HEADER, state unchanged', () => {
    const s = newSession(5);
    const m = send(s, 'alice', 'm');
    const before = snapshot(s.bob);
    for (const hex of LOW_ORDER)
      expect(
        codeOf(() => recv(s, 'bob', withHeader(m, { dh: hexToBytes(hex) }))),
        hex,
      ).toBe('BAD_HEADER');
    expect(codeOf(() => recv(s, 'bob', withHeader(m, { n: 0xffffffff })))).toBe('BAD_HEADER');
    expect(codeOf(() => recv(s, 'bob', withHeader(m, { n: -1 })))).toBe('BAD_HEADER');
    expect(codeOf(() => recv(s, 'bob', withHeader(m, { pn: 1.5 })))).toBe('BAD_HEADER');
    expect(codeOf(() => recv(s, 'bob', withHeader(m, { pn: 2 ** 32 })))).toBe('BAD_HEADER');
    expect(codeOf(() => recv(s, 'bob', withHeader(m, { dh: new Uint8Array(31) })))).toBe('BAD_HEADER');
    expect(snapshot(s.bob)).toBe(before);
    expect(recv(s, 'bob', m)).toBe('m');
  });

  it("a header naming Bob's initial ratchet key (which Bob never sends with) is BAD_HEADER for Alice", () => {
    const s = newSession(6);
    const bobInitialPub = s.alice.dhr!;
    const m = send(s, 'alice', 'm');
    const before = snapshot(s.alice);
    expect(codeOf(() => recv(s, 'alice', withHeader(m, { dh: bobInitialPub })))).toBe('BAD_HEADER');
    expect(snapshot(s.alice)).toBe(before);
  });
});

describe('Double Ratchet tampering: every rejected message leaves the state as it was', () => {
  /** Flips the bits of one field, checks each rejection code, then delivers the real message. */
  function tamperCase(s: ReturnType<typeof newSession>, to: 'alice' | 'bob', m: RatchetMessage, firstOfChain: boolean) {
    const state: RatchetState = s[to];
    const before = snapshot(state);
    const rnd = to === 'alice' ? s.rndA : s.rndB;
    const tally = new Map<string, number>();
    const attempt = (field: string, msg: RatchetMessage, ad: Uint8Array, allowed: string[]) => {
      const code = codeOf(() => ratchetDecrypt(state, msg, ad, { randomBytes: rnd }));
      expect(allowed, `${field}: ${code}`).toContain(code);
      tally.set(code, (tally.get(code) ?? 0) + 1);
    };
    const h = m.header;
    for (let bit = 0; bit < 256; bit++) attempt('dh', withHeader(m, { dh: flipBit(h.dh, bit) }), AD, ['DECRYPT_FAILED', 'BAD_HEADER']);
    for (let bit = 0; bit < 32; bit++) {
      // pn is only read when the message starts a new chain (SkipMessageKeys(state, header.pn)).
      const pnCodes = firstOfChain ? ['DECRYPT_FAILED', 'TOO_MANY_SKIPPED'] : ['DECRYPT_FAILED'];
      attempt('pn', withHeader(m, { pn: (h.pn ^ (1 << bit)) >>> 0 }), AD, pnCodes);
      // A smaller n in the current chain names a used key; a far larger one exceeds MAX_SKIP.
      attempt('n', withHeader(m, { n: (h.n ^ (1 << bit)) >>> 0 }), AD, ['DECRYPT_FAILED', 'TOO_MANY_SKIPPED', 'DUPLICATE', 'BAD_HEADER']);
    }
    const ct = m.ciphertext;
    // A forged first-of-chain message costs a trial DH ratchet step (3 X25519 operations) before
    // its MAC fails, so that case flips every 5th bit of the ciphertext, MAC and AD; the other
    // cases flip every bit.
    const stride = firstOfChain ? 5 : 1;
    for (let bit = 0; bit < ct.length * 8; bit += stride) {
      attempt(bit < (ct.length - 32) * 8 ? 'ciphertext' : 'mac', { header: h, ciphertext: flipBit(ct, bit) }, AD, ['DECRYPT_FAILED']);
    }
    for (let bit = 0; bit < AD.length * 8; bit += stride) attempt('ad', m, flipBit(AD, bit), ['DECRYPT_FAILED']);
    attempt('ad+1', m, Uint8Array.of(...AD, 0), ['DECRYPT_FAILED']);
    attempt('ad-1', m, AD.subarray(1), ['DECRYPT_FAILED']);
    attempt('mac cut', { header: h, ciphertext: ct.subarray(0, ct.length - 1) }, AD, ['DECRYPT_FAILED']);
    attempt('block cut', { header: h, ciphertext: ct.subarray(16) }, AD, ['DECRYPT_FAILED']);
    attempt('block added', { header: h, ciphertext: Uint8Array.of(...new Uint8Array(16), ...ct) }, AD, ['DECRYPT_FAILED']);
    expect(snapshot(state)).toBe(before);
    expect(tally.get('DECRYPT_FAILED')).toBeGreaterThan((ct.length * 8) / stride);
    return tally;
  }

  it('first message of a new chain (DH ratchet step) and a later message of the same chain', () => {
    const s = newSession(7);
    const m0 = send(s, 'alice', 'first of the chain');
    const m1 = send(s, 'alice', 'second'.repeat(20));
    const t0 = tamperCase(s, 'bob', m0, true);
    expect(t0.get('TOO_MANY_SKIPPED')).toBeGreaterThan(0); // high bits of pn / n
    expect(recv(s, 'bob', m0)).toBe('first of the chain');
    const t1 = tamperCase(s, 'bob', m1, false);
    expect(t1.get('DUPLICATE')).toBe(1); // n: 1 -> 0, already used
    expect(recv(s, 'bob', m1)).toBe('second'.repeat(20));
  });

  it('tampering with a message whose key waits in MKSKIPPED keeps the key', () => {
    const s = newSession(8);
    const early = send(s, 'alice', 'early');
    recv(s, 'bob', send(s, 'alice', 'late'));
    expect(s.bob.skipped.size).toBe(1);
    tamperCase(s, 'bob', early, false);
    expect(s.bob.skipped.size).toBe(1);
    expect(recv(s, 'bob', early)).toBe('early');
    expect(s.bob.skipped.size).toBe(0);
  });
});

describe('message wire form', () => {
  it('round trips and is strict', () => {
    const s = newSession(9);
    const m = send(s, 'alice', 'wire');
    const w = encodeMessage(m);
    expect(w.length).toBe(1 + 40 + 16 + 32);
    const d = decodeMessage(w);
    expect(bytesToHex(encodeMessage(d))).toBe(bytesToHex(w));
    w[1] ^= 1; // decoded values are copies, not views of the input
    expect(bytesToHex(d.header.dh)).toBe(bytesToHex(m.header.dh));
    w[1] ^= 1;
    expect(recv(s, 'bob', d)).toBe('wire');

    const bad = (b: Uint8Array) => codeOf(() => decodeMessage(b));
    for (let len = 0; len < w.length; len++) expect(bad(w.subarray(0, len)), `length ${len}`).toBe('BAD_MESSAGE');
    expect(bad(Uint8Array.of(...w, 0))).toBe('BAD_MESSAGE');
    expect(bad(Uint8Array.of(2, ...w.subarray(1)))).toBe('BAD_MESSAGE');
    expect(bad(Uint8Array.of(0, ...w.subarray(1)))).toBe('BAD_MESSAGE');
    const maxN = Uint8Array.from(w);
    maxN.set([0xff, 0xff, 0xff, 0xff], 37);
    expect(bad(maxN)).toBe('BAD_MESSAGE');
    maxN[40] = 0xfe;
    expect(bad(maxN)).toBe('NONE');
    const huge = new Uint8Array(1 + 40 + MAX_CIPHERTEXT_BYTES + 16);
    huge[0] = 1;
    expect(bad(huge)).toBe('BAD_MESSAGE');
    expect(bad(huge.subarray(0, 1 + 40 + MAX_CIPHERTEXT_BYTES))).toBe('NONE');
    expect(codeOf(() => encodeMessage({ header: m.header, ciphertext: new Uint8Array(40) }))).toBe('BAD_INPUT');
    expect(codeOf(() => encodeMessage(withHeader(m, { n: 2 ** 32 })))).toBe('BAD_HEADER');
  });
});

describe('no aliasing between messages, inputs and states', () => {
  it('wiping a sent message or a received header after use does not touch either state', () => {
    const s = newSession(10);
    const m = send(s, 'alice', 'one');
    const aliceBefore = snapshot(s.alice);
    const header = { ...m.header, dh: Uint8Array.from(m.header.dh) };
    expect(recv(s, 'bob', { header, ciphertext: m.ciphertext })).toBe('one');
    const bobBefore = snapshot(s.bob);
    m.header.dh.fill(0);
    header.dh.fill(0);
    m.ciphertext.fill(0);
    expect(snapshot(s.alice)).toBe(aliceBefore);
    expect(snapshot(s.bob)).toBe(bobBefore);
    expect(recv(s, 'bob', send(s, 'alice', 'two'))).toBe('two');
  });
});
