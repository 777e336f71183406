import { describe, expect, it } from 'vitest';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import cacophony from '../../../vectors/noise-cacophony.json';
import snow from '../../../vectors/noise-snow.json';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { CipherState, Handshake, PATTERNS, generateX25519KeyPair, type Pattern } from '../../../../shared/crypto/noise';
import { BLAKE2b } from '../../../../shared/crypto/noise-blake2b';
import { SHA256 } from '../../../../shared/crypto/noise-state';
import { I_S, PROLOGUE, R_S, advanceTo, expectNoise, flipBit, kp, pair, payloadOf } from '../../../helpers/noise';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_static: string;
  /** Absent for one-way patterns: the responder never sends. */
  resp_ephemeral?: string;
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

function replay(v: Vector): number {
  const m = /^Noise_(IK|XX|X)_25519_ChaChaPoly_(SHA256|BLAKE2b)$/.exec(v.protocol_name);
  if (!m) throw new Error(`unexpected protocol ${v.protocol_name}`);
  const pattern = m[1] as Pattern;
  const hash = m[2] === 'SHA256' ? SHA256 : BLAKE2b;
  const initS = kp(v.init_static);
  const respS = kp(v.resp_static);
  const init = new Handshake({
    pattern,
    initiator: true,
    prologue: hexToBytes(v.init_prologue),
    s: initS,
    e: kp(v.init_ephemeral),
    ...(v.init_remote_static ? { rs: hexToBytes(v.init_remote_static) } : {}),
    hash,
  });
  // The responder draws its ephemeral through randomBytes, to exercise that path too; a one-way
  // responder has none and must never draw one.
  const respE = v.resp_ephemeral === undefined ? undefined : hexToBytes(v.resp_ephemeral);
  const resp = new Handshake({
    pattern,
    initiator: false,
    prologue: hexToBytes(v.resp_prologue),
    s: respS,
    randomBytes: (n) => {
      if (!respE || n !== 32) throw new Error(`unexpected draw of ${n} bytes`);
      return Uint8Array.from(respE);
    },
    hash,
  });
  const oneWay = PATTERNS[pattern].oneWay;
  expect(respE === undefined).toBe(oneWay);
  expect(init.protocolName).toBe(v.protocol_name);
  expect(resp.protocolName).toBe(v.protocol_name);

  const hsCount = PATTERNS[pattern].messages.length;
  expect(v.messages.length).toBeGreaterThan(hsCount);
  let checked = 0;
  for (let i = 0; i < hsCount; i++) {
    const msg = v.messages[i]!;
    const [tx, rx] = i % 2 === 0 ? [init, resp] : [resp, init];
    expect(tx.complete).toBe(false);
    const ct = tx.writeMessage(hexToBytes(msg.payload));
    expect(bytesToHex(ct), `${v.protocol_name} message ${i}`).toBe(msg.ciphertext);
    expect(bytesToHex(rx.readMessage(ct))).toBe(msg.payload);
    checked++;
  }
  expect(init.complete && resp.complete).toBe(true);
  expect(bytesToHex(init.handshakeHash)).toBe(bytesToHex(resp.handshakeHash));
  expect(init.handshakeHash.length).toBe(hash.hashLen);
  if (v.handshake_hash) expect(bytesToHex(init.handshakeHash)).toBe(v.handshake_hash);
  expect(bytesToHex(init.remoteStaticKey!)).toBe(bytesToHex(respS.publicKey));
  expect(bytesToHex(resp.remoteStaticKey!)).toBe(bytesToHex(initS.publicKey));

  const i2r = init.split();
  const r2i = resp.split();
  for (let i = hsCount; i < v.messages.length; i++) {
    const msg = v.messages[i]!;
    // Spec 7.4: after a one-way pattern every transport message goes initiator -> responder.
    const [tx, rx] = oneWay || i % 2 === 0 ? [i2r, r2i] : [r2i, i2r];
    const ct = tx.send.encrypt(hexToBytes(msg.payload));
    expect(bytesToHex(ct), `${v.protocol_name} transport message ${i}`).toBe(msg.ciphertext);
    expect(bytesToHex(rx.recv.decrypt(ct))).toBe(msg.payload);
    checked++;
  }
  return checked;
}

const INTERACTIVE = ['IK', 'XX'].flatMap((p) => ['SHA256', 'BLAKE2b'].map((h) => `Noise_${p}_25519_ChaChaPoly_${h}`));
const ONE_WAY = ['SHA256', 'BLAKE2b'].map((h) => `Noise_X_25519_ChaChaPoly_${h}`);

describe.each([
  // The one-way X vectors were extracted from cacophony only.
  ['cacophony', cacophony, [...INTERACTIVE, ...ONE_WAY]],
  ['snow', snow, INTERACTIVE],
])('Noise test vectors: %s', (_name, file, wanted) => {
  const vectors = file.vectors as Vector[];

  it('holds exactly one vector per wanted protocol, with a source', () => {
    expect(file.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(vectors.map((v) => v.protocol_name).sort()).toEqual([...wanted].sort());
  });

  for (const v of vectors) {
    it(`${v.protocol_name}: every handshake and transport message byte-exact`, () => {
      expect(replay(v)).toBe(v.messages.length);
    });
  }
});

describe('static keys', () => {
  it('XX reveals each side the other static key, when its message arrives', () => {
    const [init, resp] = pair('XX', { fixed: false });
    expect(init.remoteStaticKey).toBeUndefined();
    resp.readMessage(init.writeMessage(payloadOf(0)));
    expect(resp.remoteStaticKey).toBeUndefined();
    init.readMessage(resp.writeMessage(payloadOf(1)));
    expect(bytesToHex(init.remoteStaticKey!)).toBe(bytesToHex(R_S.publicKey));
    expect(resp.remoteStaticKey).toBeUndefined();
    resp.readMessage(init.writeMessage(payloadOf(2)));
    expect(bytesToHex(resp.remoteStaticKey!)).toBe(bytesToHex(I_S.publicKey));
  });

  it('IK: the responder learns the initiator static key from message 1', () => {
    const [init, resp] = pair('IK', { fixed: false });
    expect(bytesToHex(resp.readMessage(init.writeMessage(payloadOf(0))))).toBe(bytesToHex(payloadOf(0)));
    expect(bytesToHex(resp.remoteStaticKey!)).toBe(bytesToHex(I_S.publicKey));
  });
});

describe('transport', () => {
  function session(pattern: Pattern) {
    const [init, resp] = pair(pattern, { fixed: false });
    advanceTo(init, resp, PATTERNS[pattern].messages.length);
    expect(bytesToHex(init.handshakeHash)).toBe(bytesToHex(resp.handshakeHash));
    return { a: init.split(), b: resp.split() };
  }

  it('splitKeys() gives the raw keys split() would have used, the same on both sides, once', () => {
    const [i1, r1] = pair('IK', { fixed: true });
    advanceTo(i1, r1, 2);
    const [i2, r2] = pair('IK', { fixed: true });
    advanceTo(i2, r2, 2);
    const viaSplit = i1.split();
    const keys = i2.splitKeys();
    expect(r2.splitKeys()).toEqual(keys);
    const msg = utf8.encode('same key');
    expect(bytesToHex(new CipherState(keys.initiatorToResponder).encrypt(msg))).toBe(bytesToHex(viaSplit.send.encrypt(msg)));
    expect(bytesToHex(new CipherState(keys.responderToInitiator).encrypt(msg))).toBe(bytesToHex(r1.split().send.encrypt(msg)));
    expectNoise(() => i2.splitKeys(), 'WRONG_STATE');
    expectNoise(() => i2.split(), 'WRONG_STATE');
  });

  it('random ephemerals: both directions work, and two sessions never share keys', () => {
    for (const pattern of ['IK', 'XX'] as Pattern[]) {
      const s1 = session(pattern);
      const s2 = session(pattern);
      const msg = utf8.encode('hello');
      const c1 = s1.a.send.encrypt(msg);
      expect(utf8.decode(s1.b.recv.decrypt(c1))).toBe('hello');
      expect(utf8.decode(s1.a.recv.decrypt(s1.b.send.encrypt(msg)))).toBe('hello');
      expect(bytesToHex(s2.a.send.encrypt(msg))).not.toBe(bytesToHex(c1));
    }
  });

  it('replay and reordering fail (the nonce is implicit); a failure does not advance the nonce', () => {
    const { a, b } = session('XX');
    const m1 = a.send.encrypt(utf8.encode('one'));
    const m2 = a.send.encrypt(utf8.encode('two'));
    expectNoise(() => b.recv.decrypt(m2), 'DECRYPT_FAILED'); // reordered
    expect(b.recv.nonce).toBe(0);
    expect(utf8.decode(b.recv.decrypt(m1))).toBe('one');
    expectNoise(() => b.recv.decrypt(m1), 'DECRYPT_FAILED'); // replayed
    expect(b.recv.nonce).toBe(1);
    expect(utf8.decode(b.recv.decrypt(m2))).toBe('two');
    expectNoise(() => b.recv.decrypt(flipBit(a.send.encrypt(utf8.encode('x')), 0, 0)), 'DECRYPT_FAILED');
    expectNoise(() => b.recv.decrypt(new Uint8Array(15)), 'BAD_LENGTH');
  });

  it('rekey: works when both sides rekey, fails when only one does', () => {
    const { a, b } = session('IK');
    a.send.rekey();
    b.recv.rekey();
    expect(utf8.decode(b.recv.decrypt(a.send.encrypt(utf8.encode('after rekey'))))).toBe('after rekey');
    a.send.rekey();
    expectNoise(() => b.recv.decrypt(a.send.encrypt(utf8.encode('x'))), 'DECRYPT_FAILED');
    expectNoise(() => new CipherState().rekey(), 'WRONG_STATE');
  });
});

describe('CipherState against @noble directly', () => {
  const K = hexToBytes('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const nonce = (n: number) => hexToBytes(`00000000${n.toString(16).padStart(2, '0')}00000000000000`);
  const ad = utf8.encode('ad');
  const pt = utf8.encode('plaintext');

  it('nonce = 4 zero bytes + 64-bit little-endian counter; REKEY uses nonce 2^64-1 and keeps n', () => {
    const cs = new CipherState(K);
    for (let n = 0; n < 3; n++)
      expect(bytesToHex(cs.encryptWithAd(ad, pt))).toBe(bytesToHex(chacha20poly1305(K, nonce(n), ad).encrypt(pt)));
    cs.rekey();
    expect(cs.nonce).toBe(3);
    const maxNonce = hexToBytes('00000000ffffffffffffffff');
    const k2 = chacha20poly1305(K, maxNonce, new Uint8Array(0)).encrypt(new Uint8Array(32)).subarray(0, 32);
    expect(bytesToHex(cs.encryptWithAd(ad, pt))).toBe(bytesToHex(chacha20poly1305(k2, nonce(3), ad).encrypt(pt)));
  });

  it('without a key, EncryptWithAd/DecryptWithAd pass plaintext through', () => {
    const cs = new CipherState();
    expect(cs.hasKey()).toBe(false);
    expect(bytesToHex(cs.encryptWithAd(ad, pt))).toBe(bytesToHex(pt));
    expect(bytesToHex(cs.decryptWithAd(ad, pt))).toBe(bytesToHex(pt));
  });
});

describe('state machine', () => {
  it('refuses calls out of turn without failing, and split/hash before completion', () => {
    const [init, resp] = pair('XX');
    expectNoise(() => resp.writeMessage(payloadOf(0)), 'WRONG_STATE');
    expectNoise(() => init.readMessage(new Uint8Array(64)), 'WRONG_STATE');
    expect(init.failed || resp.failed).toBe(false);
    expectNoise(() => init.split(), 'WRONG_STATE');
    expectNoise(() => init.handshakeHash, 'WRONG_STATE');
    advanceTo(init, resp, 3);
    expectNoise(() => init.writeMessage(payloadOf(3)), 'WRONG_STATE');
    expectNoise(() => resp.readMessage(new Uint8Array(64)), 'WRONG_STATE');
    init.split();
    expectNoise(() => init.split(), 'WRONG_STATE');
    expect(init.handshakeHash.length).toBe(32);
  });

  it('ephemeral keys come from randomBytes', () => {
    const draws: number[] = [];
    const rng = (n: number) => {
      draws.push(n);
      return new Uint8Array(n).fill(draws.length);
    };
    const a = new Handshake({ pattern: 'XX', initiator: true, prologue: PROLOGUE, s: I_S, randomBytes: rng });
    const m0 = a.writeMessage();
    expect(draws).toEqual([32]);
    expect(bytesToHex(m0)).toBe(bytesToHex(generateX25519KeyPair(new Uint8Array(32).fill(1)).publicKey));
  });
});
