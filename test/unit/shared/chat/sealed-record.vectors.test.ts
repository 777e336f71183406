/**
 * Frozen vectors (test/vectors/sealed-records.json, made by test/tools/make-sealed-record-vectors.ts)
 * recomputed byte for byte, and every step cross-checked against an independent implementation:
 * node:crypto (OpenSSL) for HKDF-SHA256, XChaCha20-Poly1305 (HChaCha20 taken from OpenSSL's raw
 * ChaCha20 block, then its IETF ChaCha20-Poly1305), Ed25519 and SHA-1. Node APIs are fine in tests.
 */
import { createCipheriv, createHash, createPublicKey, hkdfSync, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PERIOD_MINUTES, RECORD_PLAINTEXT_BYTES } from '../../../../shared/chat/constants';
import {
  type BuildSealedRecordArgs,
  blindingSecret,
  buildSealedRecord,
  readSealedRecord,
  requestSlotKey,
  type SealedRecordRef,
  sealedRecordTarget,
} from '../../../../shared/chat/sealed-record';
import { blindPublicKey } from '../../../../shared/crypto/blinding';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { publicKeyOf } from '../../../../shared/crypto/ed25519';
import { encodeSignable } from '../../../../shared/records/bep44';
import frozen from '../../../vectors/sealed-records.json';

const hex = bytesToHex;
const IK_SEED = hexToBytes(frozen.identitySeed);
const IK = hexToBytes(frozen.identityKey);
const SPKI_ED25519_PREFIX = hexToBytes('302a300506032b6570032100');

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false);
  return b;
}

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha §2.2) from OpenSSL: its raw ChaCha20 takes a 16-byte IV as
 * state words 12..15, and one keystream block is rounds(state) + state; HChaCha20 is words 0..3
 * and 12..15 of rounds(state), so subtract the input state back out.
 */
function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const block = createCipheriv('chacha20', key, nonce16).update(new Uint8Array(64));
  const state = new Uint32Array(16);
  state.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  const kv = new DataView(key.buffer, key.byteOffset, 32);
  for (let i = 0; i < 8; i++) state[4 + i] = kv.getUint32(4 * i, true);
  const nv = new DataView(nonce16.buffer, nonce16.byteOffset, 16);
  for (let i = 0; i < 4; i++) state[12 + i] = nv.getUint32(4 * i, true);
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => {
    ov.setUint32(4 * i, (block.readUInt32LE(4 * w) - state[w]!) >>> 0, true);
  });
  return out;
}

/** XChaCha20-Poly1305 (IETF) over OpenSSL's chacha20-poly1305: ciphertext ‖ tag. */
function opensslXChaCha(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const c = createCipheriv('chacha20-poly1305', subkey, concatBytes(new Uint8Array(4), nonce.subarray(16)), { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  return concatBytes(c.update(plaintext), c.final(), c.getAuthTag());
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array) => new Uint8Array(hkdfSync('sha256', ikm, salt, info, 32));

describe('sealed-record vectors (test/vectors/sealed-records.json)', () => {
  it('HChaCha20 from OpenSSL matches the draft-irtf-cfrg-xchacha §2.2.1 test vector', () => {
    const key = hexToBytes('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const nonce = hexToBytes('000000090000004a0000000031415927');
    expect(hex(hchacha20(key, nonce))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
  });

  it('holds one vector per case, with the identity key of its seed', () => {
    expect(frozen.vectors.map((v) => v.kind)).toEqual(['invite', 'presence', 'presence', 'request', 'request']);
    expect(hex(publicKeyOf(IK_SEED))).toBe(frozen.identityKey);
  });

  for (const v of frozen.vectors) {
    it(`${v.name}: recomputed byte for byte`, () => {
      const secret = hexToBytes(v.secret);
      const plaintext = hexToBytes(v.plaintext);
      const nonce = hexToBytes(v.nonce);
      const common = { secret, t: v.t, plaintext, seq: v.seq, randomBytes: () => Uint8Array.from(nonce) };
      let args: BuildSealedRecordArgs;
      let ref: SealedRecordRef;
      if (v.kind === 'request') {
        args = { ...common, kind: 'request', identityKey: IK, slot: v.slot! };
        ref = { kind: 'request', identityKey: IK, secret, t: v.t, slot: v.slot! };
        expect(hex(requestSlotKey(secret, IK, v.t, v.slot!).secretKey)).toBe(v.slotSeed);
      } else {
        const kind = v.kind as 'invite' | 'presence';
        args = { ...common, kind, ikSeed: IK_SEED };
        ref = { kind, identityKey: IK, secret, t: v.t };
        expect(hex(blindingSecret(kind, secret))).toBe(v.blindingSecret);
      }
      const r = buildSealedRecord(args);
      expect(hex(r.k)).toBe(v.k);
      expect(hex(r.v)).toBe(v.v);
      expect(hex(r.sig)).toBe(v.sig);
      expect(r.seq).toBe(v.seq);
      expect(hex(sealedRecordTarget(ref))).toBe(v.target);
      expect(hex(readSealedRecord(r, ref))).toBe(v.plaintext);
    });

    it(`${v.name}: every step agrees with node:crypto`, () => {
      const secret = hexToBytes(v.secret);
      const k = hexToBytes(v.k);
      const info = concatBytes(utf8.encode(`p2p-chat ${v.kind}-value v1`), u64(v.t));
      const valueKey = hkdf(secret, IK, info);
      expect(hex(valueKey)).toBe(v.valueKey);
      if (v.kind === 'request') {
        const seed = hkdf(secret, IK, concatBytes(utf8.encode('p2p-chat request-slot v1'), u64(v.t), Uint8Array.of(v.slot!)));
        expect(hex(seed)).toBe(v.slotSeed);
        expect(hex(publicKeyOf(seed))).toBe(v.k);
      } else {
        const s = hkdf(secret, new Uint8Array(0), utf8.encode(`p2p-chat ${v.kind}-blind v1`));
        expect(hex(s)).toBe(v.blindingSecret);
        expect(hex(blindPublicKey(IK, s, v.t, PERIOD_MINUTES))).toBe(v.k);
      }
      const plaintext = hexToBytes(v.plaintext);
      const padded = new Uint8Array(RECORD_PLAINTEXT_BYTES);
      padded.set([plaintext.length >> 8, plaintext.length & 0xff]);
      padded.set(plaintext, 2);
      const nonce = hexToBytes(v.nonce);
      const ad = concatBytes(utf8.encode(`p2p-chat ${v.kind}-value v1`), k);
      expect(hex(concatBytes(nonce, opensslXChaCha(valueKey, nonce, ad, padded)))).toBe(v.v);
      const spki = createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, k)), format: 'der', type: 'spki' });
      expect(nodeVerify(null, encodeSignable(new Uint8Array(0), v.seq, hexToBytes(v.v)), spki, hexToBytes(v.sig))).toBe(true);
      expect(createHash('sha1').update(k).digest('hex')).toBe(v.target);
    });
  }
});
