/**
 * shared/chat/seal.ts: one Noise X message to a device key. Byte-exact against cacophony's X vector,
 * round trips, and every failure of `open` coded as DECRYPT_FAILED (tampering, truncation, wrong
 * recipient or prologue, garbage); local misuse of `seal` is a TypeError/RangeError.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SEALED_PAYLOAD, SEAL_OVERHEAD, open, seal } from '../../../../shared/chat/seal';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { generateX25519KeyPair } from '../../../../shared/crypto/noise';
import { SeededRng } from '../../../../shared/env/rng';
import { expectChatError, flipBit } from '../../../helpers/chat';
import cacophony from '../../../vectors/noise-cacophony.json';

const hex = bytesToHex;
const SENDER = generateX25519KeyPair(new Uint8Array(32).fill(1));
const RECIPIENT = generateX25519KeyPair(new Uint8Array(32).fill(2));
const PROLOGUE = utf8.encode('p2p-chat request v1');

const expectDecryptFailed = (fn: () => unknown) => expectChatError(fn, 'DECRYPT_FAILED');

const sealed = (payload: Uint8Array) => seal(payload, { sender: SENDER, recipient: RECIPIENT.publicKey, prologue: PROLOGUE });
const opened = (message: Uint8Array) => open(message, { recipient: RECIPIENT, prologue: PROLOGUE });

describe('seal / open', () => {
  it("is cacophony's Noise_X_25519_ChaChaPoly_SHA256 first message, byte for byte", () => {
    const v = cacophony.vectors.find((x) => x.protocol_name === 'Noise_X_25519_ChaChaPoly_SHA256')!;
    const msg = v.messages[0]!;
    const e = hexToBytes(v.init_ephemeral);
    const out = seal(hexToBytes(msg.payload), {
      sender: generateX25519KeyPair(hexToBytes(v.init_static)),
      recipient: hexToBytes(v.init_remote_static!),
      prologue: hexToBytes(v.init_prologue),
      randomBytes: () => Uint8Array.from(e),
    });
    expect(hex(out)).toBe(msg.ciphertext);
    const back = open(out, { recipient: generateX25519KeyPair(hexToBytes(v.resp_static)), prologue: hexToBytes(v.resp_prologue) });
    expect(hex(back.payload)).toBe(msg.payload);
    expect(hex(back.senderKey)).toBe(hex(generateX25519KeyPair(hexToBytes(v.init_static)).publicKey));
  });

  it('round trips payloads of any size, reveals the sender key, and adds SEAL_OVERHEAD bytes', () => {
    const rng = new SeededRng(7);
    for (const n of [0, 1, 95, 96, 1000, 4096, MAX_SEALED_PAYLOAD]) {
      const payload = rng.bytes(n);
      const m = sealed(payload);
      expect(m.length).toBe(n + SEAL_OVERHEAD);
      const { senderKey, payload: back } = opened(m);
      expect(hex(back)).toBe(hex(payload));
      expect(hex(senderKey)).toBe(hex(SENDER.publicKey));
    }
  });

  it('uses a fresh ephemeral each time: two seals of one payload differ', () => {
    const p = utf8.encode('same payload');
    expect(hex(sealed(p))).not.toBe(hex(sealed(p)));
  });

  it('a bit flip anywhere fails with DECRYPT_FAILED', () => {
    const m = sealed(utf8.encode('hello, owner'));
    for (let i = 0; i < m.length; i++) {
      const bad = flipBit(m, 8 * i + (i % 8));
      expectDecryptFailed(() => opened(bad));
    }
  });

  it('every truncation and any appended byte fail with DECRYPT_FAILED', () => {
    const m = sealed(utf8.encode('hello, owner'));
    for (let n = 0; n < m.length; n++) expectDecryptFailed(() => opened(m.subarray(0, n)));
    const longer = new Uint8Array(m.length + 1);
    longer.set(m);
    expectDecryptFailed(() => opened(longer));
  });

  it('the wrong recipient or prologue fails with DECRYPT_FAILED', () => {
    const m = sealed(utf8.encode('for the owner only'));
    const other = generateX25519KeyPair(new Uint8Array(32).fill(3));
    expectDecryptFailed(() => open(m, { recipient: other, prologue: PROLOGUE }));
    expectDecryptFailed(() => open(m, { recipient: RECIPIENT, prologue: utf8.encode('p2p-chat accept v1') }));
    expectDecryptFailed(() => open(m, { recipient: RECIPIENT, prologue: new Uint8Array(0) }));
  });

  it('garbage is DECRYPT_FAILED, never another error', () => {
    const rng = new SeededRng(11);
    for (const n of [0, 32, 95, 96, 200, 65535, 65536]) expectDecryptFailed(() => opened(rng.bytes(n)));
    expectDecryptFailed(() => opened('not bytes' as unknown as Uint8Array));
    // A small-order "ephemeral" is refused too.
    const m = sealed(utf8.encode('x'));
    m.fill(0, 0, 32);
    expectDecryptFailed(() => opened(m));
  });

  it('local misuse throws RangeError/TypeError from seal, and from open for a bad key pair', () => {
    const p = utf8.encode('x');
    expect(() =>
      seal(new Uint8Array(MAX_SEALED_PAYLOAD + 1), { sender: SENDER, recipient: RECIPIENT.publicKey, prologue: PROLOGUE }),
    ).toThrow(RangeError);
    expect(() => seal(p, { sender: SENDER, recipient: new Uint8Array(31), prologue: PROLOGUE })).toThrow(RangeError);
    expect(() => seal(p, { sender: SENDER, recipient: new Uint8Array(32), prologue: PROLOGUE })).toThrow(RangeError); // small order
    const mixed = { publicKey: RECIPIENT.publicKey, secretKey: SENDER.secretKey };
    expect(() => seal(p, { sender: mixed, recipient: RECIPIENT.publicKey, prologue: PROLOGUE })).toThrow(RangeError);
    expect(() => open(sealed(p), { recipient: mixed, prologue: PROLOGUE })).toThrow(RangeError);
    expect(() => seal('x' as unknown as Uint8Array, { sender: SENDER, recipient: RECIPIENT.publicKey, prologue: PROLOGUE })).toThrow(
      TypeError,
    );
  });
});
