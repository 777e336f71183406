import { describe, expect, it } from 'vitest';
import { MAX_KEEPER_WATCH } from '../../../../shared/chat/constants';
import { decodeEnvelope, encodeEnvelope } from '../../../../shared/chat/contact-wire';
import {
  decodeKeepRequest,
  decodeKeptReply,
  encodeKeepRequest,
  encodeKeptReply,
  keptFits,
  MAX_KEPT_PAYLOAD,
  type HeldMail,
} from '../../../../shared/chat/keeper-wire';
import { MAX_RECORD_PLAINTEXT } from '../../../../shared/chat/sealed-record';
import { SeededRng } from '../../../../shared/env/rng';
import { everyCut } from '../../../helpers/wire-cuts';

const rng = new SeededRng(8);
const request = { identityKey: rng.bytes(32), sentAt: 1_700_000_000_123, ack: 41, secrets: [rng.bytes(16), rng.bytes(16), rng.bytes(16)] };
const items: HeldMail[] = [
  { seq: 42, secret: request.secrets[0]!, plaintext: rng.bytes(700) },
  { seq: 43, secret: request.secrets[2]!, plaintext: rng.bytes(1) },
];
const reply = { sentAt: request.sentAt, more: true, items };

describe('keeper wire', () => {
  it('pulls and answers round trip, and ride keep / kept envelopes', () => {
    expect(decodeKeepRequest(encodeKeepRequest(request))).toEqual(request);
    expect(decodeKeepRequest(encodeKeepRequest({ ...request, secrets: [] }))).toEqual({ ...request, secrets: [] });
    expect(decodeKeptReply(encodeKeptReply(reply))).toEqual(reply);
    expect(decodeKeptReply(encodeKeptReply({ sentAt: 1, more: false, items: [] }))).toEqual({ sentAt: 1, more: false, items: [] });
    const sealed = rng.bytes(MAX_KEPT_PAYLOAD + 96);
    expect(decodeEnvelope(encodeEnvelope({ kind: 'kept', sealed }))).toEqual({ kind: 'kept', sealed });
    expect(decodeEnvelope(encodeEnvelope({ kind: 'keep', sealed: sealed.subarray(0, 200) }))?.kind).toBe('keep');
  });

  it('every truncation and a trailing byte are refused (null, never a throw)', () => {
    expect(everyCut(encodeKeepRequest(request), decodeKeepRequest)).toBe(0);
    expect(everyCut(encodeKeptReply(reply), decodeKeptReply)).toBe(0);
  });

  it('a wrong version, a bad flag or an oversized field is refused', () => {
    const r = encodeKeepRequest(request);
    expect(decodeKeepRequest(Uint8Array.of(2, ...r.subarray(1)))).toBeNull();
    const k = encodeKeptReply(reply);
    expect(decodeKeptReply(Uint8Array.of(2, ...k.subarray(1)))).toBeNull();
    const flag = k.slice();
    flag[9] = 2; // more is 0 or 1
    expect(decodeKeptReply(flag)).toBeNull();
    // A plaintext length over a record's plaintext.
    const long = k.slice();
    const lenAt = 1 + 8 + 1 + 2 + 4 + 16;
    long[lenAt] = (MAX_RECORD_PLAINTEXT + 1) >> 8;
    long[lenAt + 1] = (MAX_RECORD_PLAINTEXT + 1) & 0xff;
    expect(decodeKeptReply(long)).toBeNull();
    // A watch count over the bound.
    const many = r.slice();
    const nAt = 1 + 32 + 8 + 4;
    many[nAt] = (MAX_KEEPER_WATCH + 1) >> 8;
    many[nAt + 1] = (MAX_KEEPER_WATCH + 1) & 0xff;
    expect(decodeKeepRequest(many)).toBeNull();
  });

  it('the encoders refuse what the decoders would', () => {
    const secrets = Array.from({ length: MAX_KEEPER_WATCH + 1 }, () => rng.bytes(16));
    expect(() => encodeKeepRequest({ ...request, secrets })).toThrow(RangeError);
    expect(() => encodeKeepRequest({ ...request, secrets: [rng.bytes(15)] })).toThrow(RangeError);
    const full: HeldMail[] = Array.from({ length: 9 }, (_, i) => ({
      seq: i,
      secret: rng.bytes(16),
      plaintext: rng.bytes(MAX_RECORD_PLAINTEXT),
    }));
    expect(keptFits(full.slice(0, 8))).toBe(true);
    expect(keptFits(full)).toBe(false);
    expect(() => encodeKeptReply({ sentAt: 1, more: false, items: full })).toThrow(RangeError);
    expect(encodeKeptReply({ sentAt: 1, more: true, items: full.slice(0, 8) }).length).toBeLessThanOrEqual(MAX_KEPT_PAYLOAD);
  });
});
