import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../shared/crypto/bytes';
import { immutableTarget, makeImmutable } from '../../../../shared/records/bep44';
import { compareMutable, decideWrite, selectNewest, selectRecord, validateRecord } from '../../../../shared/records/policy';
import type { DhtRecord, MutableRecord } from '../../../../shared/records/types';
import { keyFromSeed, rec, targetOf } from '../../../helpers/records';

const alice = keyFromSeed(1);
const mallory = keyFromSeed(2);

describe('validateRecord', () => {
  it('accepts a valid mutable and immutable record', () => {
    const r = rec(alice, 3, 'hello', 'salt');
    expect(validateRecord(targetOf(r), r)).toEqual({ ok: true });
    const im = makeImmutable(utf8.encode('imm'));
    expect(validateRecord(immutableTarget(im.v), im)).toEqual({ ok: true });
  });

  it('refuses each kind of bad record with its code', () => {
    const r = rec(alice, 3, 'hello');
    const t = targetOf(r);
    const cases: Array<[string, Uint8Array, unknown]> = [
      ['BAD_SIGNATURE', t, { ...r, v: utf8.encode('hellO') }],
      ['BAD_SIGNATURE', t, { ...r, seq: 4 }],
      ['TARGET_MISMATCH', targetOf(rec(mallory, 1)), r],
      ['BAD_RECORD', new Uint8Array(19), r],
      ['BAD_RECORD', t, { ...r, k: new Uint8Array(31) }],
      ['BAD_RECORD', t, { ...r, sig: new Uint8Array(1) }],
      ['BAD_RECORD', t, { ...r, seq: -1 }],
      ['BAD_RECORD', t, { ...r, seq: 2 ** 53 }],
      ['BAD_RECORD', t, { ...r, seq: 0.5 }],
      ['BAD_RECORD', t, { ...r, type: 'other' }],
      ['BAD_RECORD', t, { ...r, salt: 'x' }],
      ['BAD_RECORD', t, null],
      ['VALUE_TOO_LARGE', t, { ...r, v: new Uint8Array(1001) }],
      ['SALT_TOO_LARGE', t, { ...r, salt: new Uint8Array(65) }],
      ['VALUE_TOO_LARGE', t, { type: 'immutable', v: new Uint8Array(1001) }],
      ['TARGET_MISMATCH', t, makeImmutable(utf8.encode('x'))],
    ];
    for (const [code, target, record] of cases) {
      expect(validateRecord(target, record as DhtRecord), code).toEqual({ ok: false, code });
    }
  });

  it('refuses a forgery under another key with a higher seq', () => {
    const honest = rec(alice, 5, 'real');
    const forged: MutableRecord = { ...rec(mallory, 99, 'fake'), k: alice.publicKey };
    expect(validateRecord(targetOf(honest), forged)).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
  });
});

describe('compareMutable / decideWrite', () => {
  const r5 = rec(alice, 5, 'five');
  it('higher seq wins, lower is SEQ_TOO_LOW, equal needs identical bytes', () => {
    expect(compareMutable(r5, rec(alice, 6))).toBe('newer');
    expect(compareMutable(r5, rec(alice, 4))).toBe('SEQ_TOO_LOW');
    expect(compareMutable(r5, rec(alice, 5, 'five'))).toBe('identical'); // Ed25519 is deterministic
    expect(compareMutable(r5, rec(alice, 5, 'other'))).toBe('SEQ_REUSED');
  });

  it('decideWrite applies cas only against an existing record', () => {
    expect(decideWrite(undefined, r5, 3)).toEqual({ ok: true, changed: true });
    expect(decideWrite(r5, rec(alice, 6), 5)).toEqual({ ok: true, changed: true });
    expect(decideWrite(r5, rec(alice, 6), 4)).toEqual({ ok: false, code: 'CAS_MISMATCH' });
    expect(decideWrite(r5, r5)).toEqual({ ok: true, changed: false });
    const im = makeImmutable(utf8.encode('a'));
    expect(decideWrite(im, makeImmutable(utf8.encode('a')))).toEqual({ ok: true, changed: false });
    expect(decideWrite(im, r5)).toEqual({ ok: false, code: 'BAD_RECORD' });
  });
});

describe('get selection', () => {
  const t = targetOf(rec(alice, 1));
  it('returns the highest valid seq, not the first answer, and counts agreement', () => {
    const r1 = rec(alice, 1);
    const r7 = rec(alice, 7);
    const forged: MutableRecord = { ...rec(mallory, 1000), k: alice.publicKey };
    const sel = selectNewest(t, [r1, undefined, forged, r7, r1, rec(alice, 7), undefined]);
    expect(sel.record?.type === 'mutable' && sel.record.seq).toBe(7);
    expect(sel.agreeing).toBe(2);
    expect(sel.stale).toBe(2);
    expect(sel.invalid).toBe(1);
    expect(sel.missing).toBe(2);
    expect(sel.verdicts).toEqual(['stale', 'missing', 'invalid', 'best', 'stale', 'best', 'missing']);
  });

  it('returns nothing when only forgeries answer', () => {
    const forged: MutableRecord = { ...rec(mallory, 1000), k: alice.publicKey };
    const sel = selectNewest(t, [forged, undefined]);
    expect(sel.record).toBeUndefined();
    expect(sel.agreeing).toBe(0);
  });

  it('equal-seq conflicts resolve the same way in any order', () => {
    const a = rec(alice, 9, 'a');
    const b = rec(alice, 9, 'b');
    expect(selectRecord(a, b)).toBe(selectRecord(b, a));
    expect(selectNewest(t, [a, b]).record).toBe(selectNewest(t, [b, a]).record);
  });
});
