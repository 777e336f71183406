import { describe, expect, it } from 'vitest';
import cacophony from '../../vectors/noise-cacophony.json';
import snow from '../../vectors/noise-snow.json';
import { bytesToHex, hexToBytes, utf8 } from '../../../shared/crypto/bytes';
import {
  CipherState,
  Handshake,
  MAX_MESSAGE_LEN,
  NoiseError,
  PATTERNS,
  generateX25519KeyPair,
  type KeyPair,
  type NoiseErrorCode,
  type Pattern,
} from '../../../shared/crypto/noise';
import { BLAKE2b } from '../../../shared/crypto/noise-blake2b';
import { SHA256 } from '../../../shared/crypto/noise-state';

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_static: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

const kp = (hex: string): KeyPair => generateX25519KeyPair(hexToBytes(hex));

function expectNoise(fn: () => unknown, code: NoiseErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected NoiseError ${code}`).toBeInstanceOf(NoiseError);
  expect((thrown as NoiseError).code).toBe(code);
}

function flipBit(b: Uint8Array, byte: number, bit: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[byte] = out[byte]! ^ (1 << bit);
  return out;
}

/** Replays one vector through both sides; returns the number of messages checked. */
function replay(v: Vector): number {
  const m = /^Noise_(IK|XX)_25519_ChaChaPoly_(SHA256|BLAKE2b)$/.exec(v.protocol_name);
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
  // The responder draws its ephemeral through randomBytes, to exercise that path too.
  const respE = hexToBytes(v.resp_ephemeral);
  const resp = new Handshake({
    pattern,
    initiator: false,
    prologue: hexToBytes(v.resp_prologue),
    s: respS,
    randomBytes: (n) => (n === 32 ? Uint8Array.from(respE) : new Uint8Array(n)),
    hash,
  });
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
    const [tx, rx] = i % 2 === 0 ? [i2r, r2i] : [r2i, i2r];
    const ct = tx.send.encrypt(hexToBytes(msg.payload));
    expect(bytesToHex(ct), `${v.protocol_name} transport message ${i}`).toBe(msg.ciphertext);
    expect(bytesToHex(rx.recv.decrypt(ct))).toBe(msg.payload);
    checked++;
  }
  return checked;
}

const WANTED = [
  'Noise_IK_25519_ChaChaPoly_SHA256',
  'Noise_XX_25519_ChaChaPoly_SHA256',
  'Noise_IK_25519_ChaChaPoly_BLAKE2b',
  'Noise_XX_25519_ChaChaPoly_BLAKE2b',
];

describe.each([
  ['cacophony', cacophony],
  ['snow', snow],
])('Noise test vectors: %s', (_name, file) => {
  const vectors = file.vectors as Vector[];

  it('holds exactly one vector per wanted protocol, with a source', () => {
    expect(file.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(vectors.map((v) => v.protocol_name).sort()).toEqual([...WANTED].sort());
  });

  for (const v of vectors) {
    it(`${v.protocol_name}: every handshake and transport message byte-exact`, () => {
      expect(replay(v)).toBe(v.messages.length);
    });
  }
});

// --- Behaviour beyond the vectors ---------------------------------------------------------------

const I_S = kp('e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1');
const R_S = kp('4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893');
const I_E = kp('893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a');
const R_E = kp('bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b');
const PROLOGUE = utf8.encode('p2p-chat test');
const payloadOf = (i: number): Uint8Array => utf8.encode(`payload of message ${i}`);

function pair(
  pattern: Pattern,
  over: { iPrologue?: Uint8Array; rPrologue?: Uint8Array; rs?: Uint8Array; fixed?: boolean } = {},
): [Handshake, Handshake] {
  const fixed = over.fixed ?? true;
  const init = new Handshake({
    pattern,
    initiator: true,
    prologue: over.iPrologue ?? PROLOGUE,
    s: I_S,
    ...(fixed ? { e: I_E } : {}),
    ...(pattern === 'IK' ? { rs: over.rs ?? R_S.publicKey } : {}),
  });
  const resp = new Handshake({
    pattern,
    initiator: false,
    prologue: over.rPrologue ?? PROLOGUE,
    s: R_S,
    ...(fixed ? { e: R_E } : {}),
  });
  return [init, resp];
}

/** Runs messages 0..upTo-1 honestly; returns [sender, receiver] of message upTo. */
function advanceTo(init: Handshake, resp: Handshake, upTo: number): [Handshake, Handshake] {
  for (let i = 0; i < upTo; i++) {
    const [tx, rx] = i % 2 === 0 ? [init, resp] : [resp, init];
    rx.readMessage(tx.writeMessage(payloadOf(i)));
  }
  return upTo % 2 === 0 ? [init, resp] : [resp, init];
}

/** After a failure the handshake is dead: every call throws WRONG_STATE. */
function expectDead(h: Handshake, genuine: Uint8Array): void {
  expect(h.failed).toBe(true);
  expect(h.complete).toBe(false);
  expectNoise(() => h.readMessage(genuine), 'WRONG_STATE');
  expectNoise(() => h.writeMessage(payloadOf(9)), 'WRONG_STATE');
  expectNoise(() => h.split(), 'WRONG_STATE');
  expectNoise(() => h.handshakeHash, 'WRONG_STATE');
}

const CASES: [Pattern, number][] = [
  ['IK', 0],
  ['IK', 1],
  ['XX', 0],
  ['XX', 1],
  ['XX', 2],
];

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
  const MIN: Record<string, number> = { IK0: 96, IK1: 48, XX0: 32, XX1: 96, XX2: 64 };
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

// Small-order X25519 u-coordinates (the blocklist of libsodium / cr.yp.to/ecdh.html#validate): 0, 1,
// the two order-8 points, p - 1, p, p + 1, and the same with the ignored top bit set.
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

describe('small-order public keys', () => {
  for (const [pattern, idx] of [['IK', 0], ['XX', 0], ['XX', 1], ['IK', 1]] as [Pattern, number][]) {
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
    for (const pattern of ['IK', 'XX'] as Pattern[]) {
      const [init, resp] = pair(pattern);
      const overhead = pattern === 'IK' ? 96 : 32; // first message without payload
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

describe('transport', () => {
  function session(pattern: Pattern) {
    const [init, resp] = pair(pattern, { fixed: false });
    advanceTo(init, resp, PATTERNS[pattern].messages.length);
    expect(bytesToHex(init.handshakeHash)).toBe(bytesToHex(resp.handshakeHash));
    return { a: init.split(), b: resp.split() };
  }

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
