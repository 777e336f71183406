/** Hostile or mismatched input to the Noise handshake: every failure coded, and final. */
import { describe, expect, it } from 'vitest';
import { hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { Handshake, MAX_MESSAGE_LEN, generateX25519KeyPair, type Pattern } from '../../../../shared/crypto/noise';
import { CASES, I_S, PROLOGUE, R_S, advanceTo, expectDead, expectNoise, flipBit, pair, payloadOf } from '../../../helpers/noise';
import { LOW_ORDER } from '../../../helpers/x25519-low-order';

describe('tampered handshake messages', () => {
  for (const [pattern, idx] of CASES) {
    for (const where of ['start', 'middle', 'end'] as const) {
      it(`${pattern} message ${idx}, bit flipped at the ${where}`, () => {
        const [init, resp] = pair(pattern);
        const [tx, rx] = advanceTo(init, resp, idx);
        const genuine = tx.writeMessage(payloadOf(idx));
        const byte = where === 'start' ? 0 : where === 'middle' ? genuine.length >> 1 : genuine.length - 1;
        const bad = flipBit(genuine, byte, where === 'end' ? 7 : 0);
        if (pattern === 'XX' && idx === 0) {
          // Nothing in XX message 1 is authenticated: the responder accepts it, but the altered
          // bytes are in its handshake hash, so the initiator rejects the reply.
          rx.readMessage(bad);
          const reply = rx.writeMessage(payloadOf(1));
          expectNoise(() => tx.readMessage(reply), 'DECRYPT_FAILED');
          expectDead(tx, reply);
        } else {
          expectNoise(() => rx.readMessage(bad), 'DECRYPT_FAILED');
          expectDead(rx, genuine);
        }
      });
    }
  }
});

describe('truncated handshake messages', () => {
  // Minimum sizes from the patterns: e = 32, s = 32 (+16 once keyed), payload tag 16 once keyed.
  const MIN: Record<string, number> = { IK0: 96, IK1: 48, XX0: 32, XX1: 96, XX2: 64, X0: 96 };
  for (const [pattern, idx] of CASES) {
    it(`${pattern} message ${idx}`, () => {
      const min = MIN[`${pattern}${idx}`]!;
      for (const cut of [0, 1, 31, 32, min - 1, min, -1]) {
        if (cut < 0 && cut + min < 0) continue;
        const [init, resp] = pair(pattern);
        const [tx, rx] = advanceTo(init, resp, idx);
        const genuine = tx.writeMessage(payloadOf(idx));
        const short = cut < 0 ? genuine.subarray(0, genuine.length + cut) : genuine.subarray(0, cut);
        if (short.length < min) {
          expectNoise(() => rx.readMessage(short), 'BAD_LENGTH');
          expectDead(rx, genuine);
        } else if (pattern === 'XX' && idx === 0) {
          rx.readMessage(short); // unauthenticated payload: caught one message later
          expectNoise(() => tx.readMessage(rx.writeMessage(payloadOf(1))), 'DECRYPT_FAILED');
          expect(tx.failed).toBe(true);
        } else {
          expectNoise(() => rx.readMessage(short), 'DECRYPT_FAILED');
          expectDead(rx, genuine);
        }
      }
    });
  }
});

describe('mismatched configuration', () => {
  it('IK: a different prologue fails at the first message', () => {
    const [init, resp] = pair('IK', { rPrologue: utf8.encode('p2p-chat test!') });
    const m0 = init.writeMessage(payloadOf(0));
    expectNoise(() => resp.readMessage(m0), 'DECRYPT_FAILED');
    expectDead(resp, m0);
  });

  it('XX: a different prologue fails at the second message', () => {
    const [init, resp] = pair('XX', { iPrologue: new Uint8Array(0) });
    resp.readMessage(init.writeMessage(payloadOf(0)));
    const m1 = resp.writeMessage(payloadOf(1));
    expectNoise(() => init.readMessage(m1), 'DECRYPT_FAILED');
    expectDead(init, m1);
  });

  it('IK: an initiator holding the wrong responder static key fails at the responder', () => {
    const wrong = generateX25519KeyPair(new Uint8Array(32).fill(7)).publicKey;
    const [init, resp] = pair('IK', { rs: wrong });
    const m0 = init.writeMessage(payloadOf(0));
    expectNoise(() => resp.readMessage(m0), 'DECRYPT_FAILED');
    expect(resp.remoteStaticKey).toBeUndefined();
    expectDead(resp, m0);
  });

  it('rejects missing, superfluous or mismatched keys', () => {
    const base = { prologue: PROLOGUE, s: I_S };
    expectNoise(() => new Handshake({ ...base, pattern: 'IK', initiator: true }), 'BAD_CONFIG');
    expectNoise(() => new Handshake({ ...base, pattern: 'IK', initiator: false, rs: R_S.publicKey }), 'BAD_CONFIG');
    expectNoise(() => new Handshake({ ...base, pattern: 'XX', initiator: true, rs: R_S.publicKey }), 'BAD_CONFIG');
    expectNoise(() => new Handshake({ ...base, pattern: 'IK', initiator: true, rs: new Uint8Array(31) }), 'BAD_CONFIG');
    const mixed = { publicKey: R_S.publicKey, secretKey: I_S.secretKey };
    expectNoise(() => new Handshake({ prologue: PROLOGUE, pattern: 'XX', initiator: true, s: mixed }), 'BAD_CONFIG');
  });
});

describe('small-order public keys', () => {
  for (const [pattern, idx] of [
    ['IK', 0],
    ['XX', 0],
    ['XX', 1],
    ['IK', 1],
    ['X', 0],
  ] as [Pattern, number][]) {
    it(`${pattern} message ${idx}: a small-order remote ephemeral is refused by readMessage`, () => {
      for (const hex of LOW_ORDER) {
        const [init, resp] = pair(pattern);
        const [tx, rx] = advanceTo(init, resp, idx);
        const genuine = tx.writeMessage(payloadOf(idx));
        const bad = Uint8Array.from(genuine);
        bad.set(hexToBytes(hex), 0); // every first message of these patterns starts with e
        expectNoise(() => rx.readMessage(bad), 'INVALID_KEY');
        expectDead(rx, genuine);
      }
    });
  }

  it('IK: an initiator given a small-order responder key fails on write', () => {
    const [init] = pair('IK', { rs: hexToBytes(LOW_ORDER[2]!) });
    expectNoise(() => init.writeMessage(payloadOf(0)), 'INVALID_KEY');
    expect(init.failed).toBe(true);
  });
});

describe('message size limit (65535)', () => {
  it('refuses to write a larger handshake message, without breaking the handshake', () => {
    for (const pattern of ['IK', 'XX', 'X'] as Pattern[]) {
      const [init, resp] = pair(pattern);
      const overhead = pattern === 'XX' ? 32 : 96; // first message without payload
      expectNoise(() => init.writeMessage(new Uint8Array(MAX_MESSAGE_LEN - overhead + 1)), 'MESSAGE_TOO_LARGE');
      expect(init.failed).toBe(false);
      const m0 = init.writeMessage(new Uint8Array(MAX_MESSAGE_LEN - overhead).fill(3));
      expect(m0.length).toBe(MAX_MESSAGE_LEN);
      expect(resp.readMessage(m0).length).toBe(MAX_MESSAGE_LEN - overhead);
    }
  });

  it('refuses to read a larger handshake message', () => {
    const [init, resp] = pair('XX');
    const big = new Uint8Array(MAX_MESSAGE_LEN + 1);
    big.set(init.writeMessage(payloadOf(0)));
    expectNoise(() => resp.readMessage(big), 'MESSAGE_TOO_LARGE');
    expect(resp.failed).toBe(true);
  });

  it('bounds transport messages too', () => {
    const [init, resp] = pair('IK');
    advanceTo(init, resp, 2);
    const a = init.split();
    const b = resp.split();
    expectNoise(() => a.send.encrypt(new Uint8Array(MAX_MESSAGE_LEN - 15)), 'MESSAGE_TOO_LARGE');
    expect(b.recv.decrypt(a.send.encrypt(new Uint8Array(MAX_MESSAGE_LEN - 16))).length).toBe(MAX_MESSAGE_LEN - 16);
    expectNoise(() => b.recv.decrypt(new Uint8Array(MAX_MESSAGE_LEN + 1)), 'MESSAGE_TOO_LARGE');
  });
});
