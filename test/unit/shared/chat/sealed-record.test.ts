/**
 * shared/chat/sealed-record.ts: records as storage nodes see them (stock BEP 44 verify, no trace of
 * the identity key), as readers open them, and every way a wrong or altered record fails: wrong
 * period, secret, kind, identity or slot, tampered fields, replays under another period's key.
 * The frozen vectors are in sealed-record.vectors.test.ts; unlinkability over 1,000 periods in
 * sealed-record-unlinkable.slow.test.ts.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { PERIOD_MINUTES, RECORD_PLAINTEXT_BYTES } from '../../../../shared/chat/constants';
import {
  MAX_RECORD_PLAINTEXT,
  SEALED_VALUE_BYTES,
  blindedKeyFor,
  blindedSigner,
  blindingSecret,
  buildSealedRecord,
  openSlotValue,
  openValue,
  readSealedRecord,
  requestSlotKey,
  sealSlotValue,
  sealValue,
  sealedRecordTarget,
  type SealedRecordRef,
} from '../../../../shared/chat/sealed-record';
import { blindPublicKey } from '../../../../shared/crypto/blinding';
import { bytesToHex, concatBytes, utf8 } from '../../../../shared/crypto/bytes';
import { publicKeyOf } from '../../../../shared/crypto/ed25519';
import { encodeSignable, mutableTarget, signMutable, signMutableWith, verifyMutable } from '../../../../shared/records/bep44';
import type { MutableRecord } from '../../../../shared/records/types';
import { expectChatError, flipBit } from '../../../helpers/chat';

const hex = bytesToHex;
const IK_SEED = new Uint8Array(32).fill(0x11);
const IK = publicKeyOf(IK_SEED);
const INVITE = new Uint8Array(16).fill(0x22);
const PRESENCE = new Uint8Array(32).fill(0x33);
const T = 487_000;
const PLAIN = utf8.encode('device certificates and node ids would be here');
const SEQ = T * 3600;
const fails = (fn: () => unknown) => expectChatError(fn, 'DECRYPT_FAILED');

const presenceRef: SealedRecordRef = { kind: 'presence', identityKey: IK, secret: PRESENCE, t: T };
const inviteRef: SealedRecordRef = { kind: 'invite', identityKey: IK, secret: INVITE, t: T };
const slotRef: SealedRecordRef = { kind: 'request', identityKey: IK, secret: INVITE, t: T, slot: 3 };
const presence = () => buildSealedRecord({ kind: 'presence', ikSeed: IK_SEED, secret: PRESENCE, t: T, plaintext: PLAIN, seq: SEQ });
const invite = () => buildSealedRecord({ kind: 'invite', ikSeed: IK_SEED, secret: INVITE, t: T, plaintext: PLAIN, seq: SEQ });
const slot = () => buildSealedRecord({ kind: 'request', identityKey: IK, secret: INVITE, t: T, slot: 3, plaintext: PLAIN, seq: SEQ });
const ALL: [string, () => MutableRecord, SealedRecordRef][] = [
  ['presence', presence, presenceRef],
  ['invite', invite, inviteRef],
  ['request', slot, slotRef],
];

describe('key derivation', () => {
  it('the blinded key is blindPublicKey(IK, s, t, 60) with s = HKDF-SHA256(secret, info "p2p-chat <kind>-blind v1")', () => {
    for (const [kind, secret] of [
      ['invite', INVITE],
      ['presence', PRESENCE],
    ] as const) {
      const s = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), `p2p-chat ${kind}-blind v1`, 32));
      expect(hex(blindingSecret(kind, secret))).toBe(hex(s));
      const k = blindedKeyFor(kind, IK, secret, T);
      expect(hex(k)).toBe(hex(blindPublicKey(IK, s, T, PERIOD_MINUTES)));
      expect(hex(blindedSigner(kind, IK_SEED, secret, T).publicKey)).toBe(hex(k));
    }
  });

  it('kinds are domain-separated: the same secret bytes never give the other kind s', () => {
    const inv = hex(blindingSecret('invite', INVITE));
    expect(inv).not.toBe(hex(new Uint8Array(hkdfSync('sha256', INVITE, new Uint8Array(0), 'p2p-chat presence-blind v1', 32))));
    const pres = hex(blindingSecret('presence', PRESENCE));
    expect(pres).not.toBe(hex(new Uint8Array(hkdfSync('sha256', PRESENCE, new Uint8Array(0), 'p2p-chat invite-blind v1', 32))));
    // The invite secret also keys the request slots: none of them is the invite record key.
    const slots = Array.from({ length: 8 }, (_, i) => hex(requestSlotKey(INVITE, IK, T, i).publicKey));
    expect(slots).not.toContain(hex(blindedKeyFor('invite', IK, INVITE, T)));
  });

  it('request slot keys: seed = HKDF-SHA256(invite secret, salt IK, info "p2p-chat request-slot v1" ‖ u64 t ‖ u8 slot)', () => {
    const info = concatBytes(utf8.encode('p2p-chat request-slot v1'), Uint8Array.of(0, 0, 0, 0, 0, 0x07, 0x6e, 0x58), Uint8Array.of(5));
    const seed = new Uint8Array(hkdfSync('sha256', INVITE, IK, info, 32));
    const kp = requestSlotKey(INVITE, IK, T, 5);
    expect(hex(kp.secretKey)).toBe(hex(seed));
    expect(hex(kp.publicKey)).toBe(hex(publicKeyOf(seed)));
    expect(hex(requestSlotKey(INVITE, IK, T, 5).publicKey)).toBe(hex(kp.publicKey)); // readers and writers agree
  });
});

describe('records as storage nodes see them', () => {
  for (const [name, build, ref] of ALL) {
    it(`${name}: stock BEP 44 verify, empty salt, target SHA-1(k), value ${SEALED_VALUE_BYTES} bytes`, () => {
      const r = build();
      expect(verifyMutable(r)).toBe(true);
      expect(r.salt.length).toBe(0);
      expect(r.seq).toBe(SEQ);
      expect(hex(sealedRecordTarget(ref))).toBe(hex(mutableTarget(r.k)));
      expect(hex(mutableTarget(r.k))).toBe(createHash('sha1').update(r.k).digest('hex'));
      expect(r.v.length).toBe(SEALED_VALUE_BYTES);
      expect(SEALED_VALUE_BYTES).toBe(24 + RECORD_PLAINTEXT_BYTES + 16);
      expect(utf8.encode(`${r.v.length}:`).length + r.v.length).toBeLessThanOrEqual(1000); // bencoded, too
      expect(hex(readSealedRecord(r, ref))).toBe(hex(PLAIN));
    });

    it(`${name}: k is not the identity key, and no field holds IK, SHA-1(IK) or SHA-256(IK) in raw, hex or base64`, () => {
      const r = build();
      expect(hex(r.k)).not.toBe(hex(IK));
      const needles = [IK, createHash('sha1').update(IK).digest(), createHash('sha256').update(IK).digest()].map((b) => Buffer.from(b));
      for (const field of [r.k, r.salt, r.v, r.sig].map((b) => Buffer.from(b))) {
        const fieldHex = field.toString('hex');
        const fieldText = field.toString('latin1');
        for (const n of needles) {
          for (let i = 0; i + 8 <= n.length; i++) {
            const window = n.subarray(i, i + 8);
            expect(field.includes(window)).toBe(false);
            expect(fieldHex.includes(window.toString('hex'))).toBe(false); // also at odd nibble offsets
          }
          for (const text of [n.toString('hex'), n.toString('base64'), n.toString('base64url')])
            expect(fieldText.includes(text)).toBe(false);
        }
      }
    });
  }

  it('plaintexts of every size give values of one size; two seals of one plaintext differ', () => {
    const sizes = [0, 1, 100, MAX_RECORD_PLAINTEXT].map((n) => sealValue('presence', PRESENCE, IK, T, new Uint8Array(n)).length);
    expect(new Set(sizes)).toEqual(new Set([SEALED_VALUE_BYTES]));
    expect(hex(sealValue('presence', PRESENCE, IK, T, PLAIN))).not.toBe(hex(sealValue('presence', PRESENCE, IK, T, PLAIN)));
    for (const n of [0, 1, MAX_RECORD_PLAINTEXT]) {
      const p = new Uint8Array(n).fill(n & 0xff);
      expect(hex(openValue('invite', INVITE, IK, T, sealValue('invite', INVITE, IK, T, p)))).toBe(hex(p));
      expect(hex(openSlotValue(INVITE, IK, T, 2, sealSlotValue(INVITE, IK, T, 2, p)))).toBe(hex(p));
    }
  });
});

describe('wrong or altered records fail, coded', () => {
  for (const [name, build, ref] of ALL) {
    it(`${name}: wrong period, secret, identity key or kind`, () => {
      const r = build();
      fails(() => readSealedRecord(r, { ...ref, t: T + 1 }));
      fails(() => readSealedRecord(r, { ...ref, t: T - 1 }));
      fails(() => readSealedRecord(r, { ...ref, secret: flipBit(ref.secret, 0) }));
      fails(() => readSealedRecord(r, { ...ref, identityKey: publicKeyOf(new Uint8Array(32).fill(0x12)) }));
      if (ref.kind === 'presence') fails(() => readSealedRecord(r, { ...ref, kind: 'invite', secret: INVITE }));
      else fails(() => readSealedRecord(r, ref.kind === 'invite' ? { ...ref, kind: 'request', slot: 0 } : { ...ref, kind: 'invite' }));
    });

    it(`${name}: tampered v, sig, seq or salt`, () => {
      const r = build();
      for (const bit of [0, 8 * 24, 8 * 500 + 3, 8 * r.v.length - 1]) {
        const bad = { ...r, v: flipBit(r.v, bit) };
        expect(verifyMutable(bad)).toBe(false);
        fails(() => readSealedRecord(bad, ref));
      }
      for (const bit of [0, 255, 256, 511]) {
        const bad = { ...r, sig: flipBit(r.sig, bit) };
        expect(verifyMutable(bad)).toBe(false);
        fails(() => readSealedRecord(bad, ref));
      }
      fails(() => readSealedRecord({ ...r, seq: r.seq + 1 }, ref));
      fails(() => readSealedRecord({ ...r, salt: Uint8Array.of(1) }, ref));
      fails(() => readSealedRecord({ ...r, v: r.v.subarray(0, 100) }, ref));
      fails(() => readSealedRecord({ ...r, k: r.k.subarray(0, 31) }, ref));
      fails(() => readSealedRecord({ ...r, sig: 'x' } as unknown as MutableRecord, ref));
      fails(() => readSealedRecord({ type: 'immutable', v: r.v } as unknown as MutableRecord, ref));
    });
  }

  it('a value re-signed under the next period key (or another slot) does not open: replays are bound to t and k', () => {
    const r = presence();
    const next = blindedSigner('presence', IK_SEED, PRESENCE, T + 1);
    const replay = signMutableWith({ publicKey: next.publicKey, sign: next.sign, seq: SEQ + 3600, value: r.v });
    expect(verifyMutable(replay)).toBe(true);
    fails(() => readSealedRecord(replay, { ...presenceRef, t: T + 1 }));
    // Any link holder can sign slot records, so this replay is one anybody with the link can try.
    const s = slot();
    for (const [t, i] of [
      [T + 1, 3],
      [T, 4],
    ]) {
      const copy = signMutable({ secretKey: requestSlotKey(INVITE, IK, t!, i!).secretKey, seq: SEQ, value: s.v });
      expect(verifyMutable(copy)).toBe(true);
      fails(() => readSealedRecord(copy, { ...slotRef, t: t!, slot: i! }));
    }
  });

  it("a value sealed by a secret holder but signed with another key is refused: only the owner's blinded key signs", () => {
    // A contact knows the presence secret (a link holder the invite secret), so it can seal a
    // valid value for the owner's record; a storage node could serve it under the owner's target.
    for (const [kind, secret] of [
      ['presence', PRESENCE],
      ['invite', INVITE],
    ] as const) {
      const forged = signMutable({ secretKey: new Uint8Array(32).fill(0x66), seq: SEQ, value: sealValue(kind, secret, IK, T, PLAIN) });
      expect(verifyMutable(forged)).toBe(true);
      fails(() => readSealedRecord(forged, { kind, identityKey: IK, secret, t: T }));
    }
  });

  it('values: wrong period, kind, secret, IK, slot; garbage and bad padding', () => {
    const v = sealValue('invite', INVITE, IK, T, PLAIN);
    fails(() => openValue('invite', INVITE, IK, T + 1, v));
    fails(() => openValue('invite', flipBit(INVITE, 7), IK, T, v));
    fails(() => openValue('invite', INVITE, publicKeyOf(new Uint8Array(32).fill(0x13)), T, v));
    fails(() => openSlotValue(INVITE, IK, T, 0, v));
    fails(() => openSlotValue(INVITE, IK, T, 1, sealSlotValue(INVITE, IK, T, 0, PLAIN)));
    for (const n of [0, 24, SEALED_VALUE_BYTES - 1, SEALED_VALUE_BYTES + 1])
      fails(() => openValue('invite', INVITE, IK, T, new Uint8Array(n)));
    // Authentic ciphertexts of malformed pads (only a key holder can make these) are refused too.
    const key = new Uint8Array(
      hkdfSync('sha256', INVITE, IK, concatBytes(utf8.encode('p2p-chat invite-value v1'), Uint8Array.of(0, 0, 0, 0, 0, 7, 0x6e, 0x58)), 32),
    );
    const ad = concatBytes(utf8.encode('p2p-chat invite-value v1'), blindedKeyFor('invite', IK, INVITE, T));
    const nonce = new Uint8Array(24).fill(4);
    const sealPad = (padded: Uint8Array) => concatBytes(nonce, xchacha20poly1305(key, nonce, ad).encrypt(padded));
    const good = new Uint8Array(RECORD_PLAINTEXT_BYTES);
    good.set([0, 1, 0x41], 0);
    expect(utf8.decode(openValue('invite', INVITE, IK, T, sealPad(good)))).toBe('A');
    const long = Uint8Array.from(good);
    long.set([(MAX_RECORD_PLAINTEXT + 1) >> 8, (MAX_RECORD_PLAINTEXT + 1) & 0xff], 0);
    fails(() => openValue('invite', INVITE, IK, T, sealPad(long)));
    const dirty = Uint8Array.from(good);
    dirty[RECORD_PLAINTEXT_BYTES - 1] = 1;
    fails(() => openValue('invite', INVITE, IK, T, sealPad(dirty)));
  });
});

describe('local misuse', () => {
  it('throws TypeError/RangeError, not ChatError', () => {
    expect(() => blindedKeyFor('presence', IK, INVITE, T)).toThrow(RangeError); // a 16-byte secret is an invite secret
    expect(() => blindedKeyFor('invite', IK, PRESENCE, T)).toThrow(RangeError);
    expect(() => blindedKeyFor('request' as 'invite', IK, INVITE, T)).toThrow(TypeError);
    expect(() => blindedKeyFor('invite', IK.subarray(1), INVITE, T)).toThrow(RangeError);
    for (const t of [-1, 1.5, 2 ** 53]) expect(() => blindedKeyFor('invite', IK, INVITE, t)).toThrow(RangeError);
    for (const s of [-1, 8, 0.5]) expect(() => requestSlotKey(INVITE, IK, T, s)).toThrow(RangeError);
    expect(() => sealValue('presence', PRESENCE, IK, T, new Uint8Array(MAX_RECORD_PLAINTEXT + 1))).toThrow(RangeError);
    expect(() => sealValue('presence', PRESENCE, IK, T, PLAIN, () => new Uint8Array(12))).toThrow(RangeError);
    expect(() => buildSealedRecord({ kind: 'presence', ikSeed: IK_SEED, secret: PRESENCE, t: T, plaintext: PLAIN, seq: -1 })).toThrow(
      RangeError,
    );
    expect(() => readSealedRecord(presence(), { ...presenceRef, secret: INVITE })).toThrow(RangeError);
  });

  it('the signable is the stock BEP 44 one (empty salt omitted)', () => {
    const r = invite();
    const head = `3:seqi${SEQ}e1:v940:`;
    expect(utf8.decode(encodeSignable(r.salt, r.seq, r.v).subarray(0, head.length))).toBe(head);
  });
});
