import { describe, expect, it } from 'vitest';
import {
  decodeAccept,
  decodeEnvelope,
  decodePing,
  decodeRequest,
  encodeAccept,
  encodeEnvelope,
  encodePing,
  encodeRequest,
  requestStampResource,
} from '../../../../shared/chat/contact-wire';
import { SeededRng } from '../../../../shared/env/rng';
import { everyCut } from '../../../helpers/wire-cuts';

const rng = new SeededRng(5);
const request = {
  identityKey: rng.bytes(32),
  certificate: rng.bytes(137),
  name: 'Zoë 🐙',
  message: 'hi, it is me',
  presenceSecret: rng.bytes(32),
  inviteTag: rng.bytes(32),
};
const accept = { identityKey: rng.bytes(32), certificates: [rng.bytes(137), rng.bytes(137)], presenceSecret: rng.bytes(32) };

describe('contact wire', () => {
  it('requests, accepts and pings round trip', () => {
    expect(decodeRequest(encodeRequest(request))).toEqual(request);
    const { message: _m, ...noMessage } = request;
    expect(decodeRequest(encodeRequest(noMessage))).toEqual(noMessage);
    expect(decodeAccept(encodeAccept(accept))).toEqual(accept);
    const ping = { identityKey: request.identityKey, pong: true, sentAt: 1_700_000_000_123 };
    expect(decodePing(encodePing(ping))).toEqual(ping);
  });

  it('every truncation and a trailing byte are refused (null, never a throw)', () => {
    expect(everyCut(encodeRequest(request), decodeRequest)).toBe(0);
    expect(everyCut(encodeAccept(accept), decodeAccept)).toBe(0);
    expect(everyCut(encodePing({ identityKey: request.identityKey, pong: false, sentAt: 1 }), decodePing)).toBe(0);
    const env = encodeEnvelope({ kind: 'request', sealed: rng.bytes(300), stamp: { timestamp: 5, counter: 77 } });
    expect(everyCut(env, decodeEnvelope)).toBe(0);
  });

  it('a wrong version, unknown kind, bad UTF-8 or oversized field is refused', () => {
    const r = encodeRequest(request);
    expect(decodeRequest(Uint8Array.of(2, ...r.subarray(1)))).toBeNull();
    expect(decodeEnvelope(Uint8Array.of(0x7f, 0, 0))).toBeNull();
    const bad = encodeRequest({ ...request, name: 'ab' });
    const at = 1 + 32 + 2 + 137 + 1; // first byte of the name
    bad[at] = 0xff;
    expect(decodeRequest(bad)).toBeNull();
    expect(() => encodeRequest({ ...request, message: 'x'.repeat(301) })).toThrow(RangeError);
  });

  it('envelopes carry the stamp only on requests', () => {
    const sealed = rng.bytes(100);
    expect(decodeEnvelope(encodeEnvelope({ kind: 'request', sealed, stamp: { timestamp: 9, counter: 2 ** 40 } }))).toEqual({
      kind: 'request',
      sealed,
      stamp: { timestamp: 9, counter: 2 ** 40 },
    });
    expect(decodeEnvelope(encodeEnvelope({ kind: 'accept', sealed }))).toEqual({ kind: 'accept', sealed });
    expect(() => encodeEnvelope({ kind: 'request', sealed })).toThrow(TypeError);
  });

  it('the stamp resource binds the owner, the sealed bytes and the time', () => {
    const owner = rng.bytes(32);
    const s = rng.bytes(50);
    const base = requestStampResource(owner, s, 1);
    expect(requestStampResource(owner, s, 1)).toEqual(base);
    expect(requestStampResource(owner, s, 2)).not.toEqual(base);
    expect(requestStampResource(rng.bytes(32), s, 1)).not.toEqual(base);
    const s2 = Uint8Array.from(s);
    s2[0]! ^= 1;
    expect(requestStampResource(owner, s2, 1)).not.toEqual(base);
  });
});
