/**
 * The one-way pattern X (`<- s ... -> e, es, s, ss`): what it hides and authenticates, what it
 * refuses, and that only the first CipherState exists after it. Byte-exact vectors are replayed
 * in noise.test.ts; generic tampering and truncation (CASES) in noise-attacks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import { DiscardedCipherState, Handshake, generateX25519KeyPair } from '../../../../shared/crypto/noise';
import { I_S, PROLOGUE, R_S, expectDead, expectNoise, flipBit, pair, payloadOf } from '../../../helpers/noise';

const hex = bytesToHex;

describe('Noise X', () => {
  it('one message; the responder learns the sender static key from it, and both hashes agree', () => {
    const [init, resp] = pair('X', { fixed: false });
    expect(init.isMyTurn).toBe(true);
    expect(resp.isMyTurn).toBe(false);
    expect(resp.remoteStaticKey).toBeUndefined();
    const m = init.writeMessage(payloadOf(0));
    expect(init.complete).toBe(true);
    expect(m.length).toBe(96 + payloadOf(0).length); // e 32, enc(s) 48, payload + tag 16
    expect(hex(resp.readMessage(m))).toBe(hex(payloadOf(0)));
    expect(resp.complete).toBe(true);
    expect(hex(resp.remoteStaticKey!)).toBe(hex(I_S.publicKey));
    expect(hex(init.handshakeHash)).toBe(hex(resp.handshakeHash));
    expect(init.protocolName).toBe('Noise_X_25519_ChaChaPoly_SHA256');
  });

  it('the sender static key and the payload are not in the clear', () => {
    const [init] = pair('X', { fixed: false });
    const payload = utf8.encode('a secret request payload');
    const m = hex(init.writeMessage(payload));
    expect(m).not.toContain(hex(I_S.publicKey));
    expect(m).not.toContain(hex(payload));
  });

  it('a bit flip anywhere in the message fails with DECRYPT_FAILED and kills the responder', () => {
    const [init] = pair('X');
    const genuine = init.writeMessage(payloadOf(0));
    for (let byte = 0; byte < genuine.length; byte++) {
      const [, resp] = pair('X');
      const bad = flipBit(genuine, byte, byte % 8);
      expectNoise(() => resp.readMessage(bad), 'DECRYPT_FAILED');
      expectDead(resp, genuine);
    }
  });

  it('a message sealed to another responder key fails, and reveals no sender key', () => {
    const other = generateX25519KeyPair(new Uint8Array(32).fill(9));
    const [init, resp] = pair('X', { rs: other.publicKey });
    const m = init.writeMessage(payloadOf(0));
    expectNoise(() => resp.readMessage(m), 'DECRYPT_FAILED');
    expect(resp.remoteStaticKey).toBeUndefined();
    // The intended responder reads it.
    const right = new Handshake({ pattern: 'X', initiator: false, prologue: PROLOGUE, s: other });
    expect(hex(right.readMessage(m))).toBe(hex(payloadOf(0)));
  });

  it('a different prologue fails', () => {
    const [init, resp] = pair('X', { rPrologue: utf8.encode('another context') });
    expectNoise(() => resp.readMessage(init.writeMessage(payloadOf(0))), 'DECRYPT_FAILED');
  });

  it('is replayable: the same message opens again at a fresh responder (callers check freshness)', () => {
    const [init, a] = pair('X', { fixed: false });
    const m = init.writeMessage(payloadOf(0));
    const [, b] = pair('X');
    expect(hex(a.readMessage(m))).toBe(hex(b.readMessage(m)));
  });

  it('the responder cannot write and the initiator cannot read', () => {
    const [init, resp] = pair('X');
    expectNoise(() => resp.writeMessage(payloadOf(0)), 'WRONG_STATE');
    expectNoise(() => init.readMessage(new Uint8Array(96)), 'WRONG_STATE');
    expect(init.failed || resp.failed).toBe(false);
  });

  it('split: initiator send -> responder recv works; the discarded directions refuse every use', () => {
    const [init, resp] = pair('X', { fixed: false });
    resp.readMessage(init.writeMessage(payloadOf(0)));
    const a = init.split();
    const b = resp.split();
    for (let i = 0; i < 3; i++) expect(utf8.decode(b.recv.decrypt(a.send.encrypt(utf8.encode(`m${i}`))))).toBe(`m${i}`);
    for (const none of [a.recv, b.send]) {
      expect(none).toBeInstanceOf(DiscardedCipherState);
      expect(none.hasKey()).toBe(false);
      expectNoise(() => none.encrypt(utf8.encode('x')), 'WRONG_STATE');
      expectNoise(() => none.decrypt(new Uint8Array(32)), 'WRONG_STATE');
      expectNoise(() => none.rekey(), 'WRONG_STATE');
      expectNoise(() => none.initializeKey(new Uint8Array(32)), 'WRONG_STATE');
    }
  });

  it('needs the responder key at the initiator, and refuses it at the responder', () => {
    const base = { prologue: PROLOGUE, pattern: 'X' as const };
    expectNoise(() => new Handshake({ ...base, initiator: true, s: I_S }), 'BAD_CONFIG');
    expectNoise(() => new Handshake({ ...base, initiator: false, s: R_S, rs: I_S.publicKey }), 'BAD_CONFIG');
  });
});
