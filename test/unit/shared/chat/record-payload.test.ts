/**
 * shared/chat/record-payload.ts: the invite and presence plaintexts round trip, fit a sealed
 * record at their largest, and decoders reject (null, never a throw) every truncation, extension,
 * out-of-bounds count or length, duplicate and random garbage.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CERTIFICATE_BYTES, MAX_DEVICES } from '../../../../shared/chat/constants';
import {
  MAX_INVITE_PAYLOAD_BYTES,
  MAX_PRESENCE_PAYLOAD_BYTES,
  decodeInvitePayload,
  decodePresencePayload,
  encodeInvitePayload,
  encodePresencePayload,
  type PresencePayload,
} from '../../../../shared/chat/record-payload';
import { MAX_RECORD_PLAINTEXT } from '../../../../shared/chat/sealed-record';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';

const SEED = 2024;
const rng = new SeededRng(SEED);
const cert = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const nodeId = (fill: number) => bytesToHex(new Uint8Array(20).fill(fill));
const hexAll = (bs: readonly Uint8Array[]) => bs.map((b) => bytesToHex(b));

const LARGEST: PresencePayload = {
  certificates: Array.from({ length: MAX_DEVICES }, (_, i) => cert(MAX_CERTIFICATE_BYTES, i + 1)),
  online: Array.from({ length: MAX_DEVICES }, (_, i) => nodeId(i + 1)),
  updatedAt: Number.MAX_SAFE_INTEGER,
};
const SMALL: PresencePayload = { certificates: [cert(1, 9)], online: [], updatedAt: 0 };

describe('invite payload', () => {
  it('round trips, and its largest form fits a record', () => {
    for (const certificates of [[cert(1, 1)], LARGEST.certificates, [rng.bytes(170), rng.bytes(171)]]) {
      const bytes = encodeInvitePayload({ certificates });
      expect(hexAll(decodeInvitePayload(bytes)!.certificates)).toEqual(hexAll(certificates));
    }
    expect(encodeInvitePayload({ certificates: LARGEST.certificates }).length).toBe(MAX_INVITE_PAYLOAD_BYTES);
    expect(MAX_INVITE_PAYLOAD_BYTES).toBeLessThanOrEqual(MAX_RECORD_PLAINTEXT);
  });

  it('rejects every truncation and extension', () => {
    const bytes = encodeInvitePayload({ certificates: [cert(30, 1), cert(40, 2)] });
    for (let n = 0; n < bytes.length; n++) expect(decodeInvitePayload(bytes.subarray(0, n)), `${n} bytes`).toBeNull();
    for (const extra of [0, 1, 255]) expect(decodeInvitePayload(Uint8Array.of(...bytes, extra))).toBeNull();
  });

  it('rejects a bad version, count, length or a duplicate', () => {
    const ok = Uint8Array.of(1, 1, 2, 7, 7);
    expect(decodeInvitePayload(ok)).not.toBeNull();
    expect(decodeInvitePayload(Uint8Array.of(2, 1, 2, 7, 7))).toBeNull(); // version
    expect(decodeInvitePayload(Uint8Array.of(1, 0))).toBeNull(); // no certificate
    expect(
      decodeInvitePayload(Uint8Array.of(1, MAX_DEVICES + 1, ...Array.from({ length: MAX_DEVICES + 1 }, (_, i) => [1, i]).flat())),
    ).toBeNull();
    expect(decodeInvitePayload(Uint8Array.of(1, 1, 0))).toBeNull(); // empty certificate
    expect(decodeInvitePayload(Uint8Array.of(1, 1, MAX_CERTIFICATE_BYTES + 1, ...cert(MAX_CERTIFICATE_BYTES + 1, 3)))).toBeNull();
    expect(decodeInvitePayload(Uint8Array.of(1, 2, 1, 7, 1, 7))).toBeNull(); // duplicate
  });

  it('encoder refuses what the decoder would', () => {
    expect(() => encodeInvitePayload({ certificates: [] })).toThrow(RangeError);
    expect(() => encodeInvitePayload({ certificates: Array.from({ length: MAX_DEVICES + 1 }, (_, i) => cert(5, i)) })).toThrow(RangeError);
    expect(() => encodeInvitePayload({ certificates: [new Uint8Array(0)] })).toThrow(RangeError);
    expect(() => encodeInvitePayload({ certificates: [cert(MAX_CERTIFICATE_BYTES + 1, 1)] })).toThrow(RangeError);
    expect(() => encodeInvitePayload({ certificates: [cert(5, 1), cert(5, 1)] })).toThrow(RangeError);
    expect(() => encodeInvitePayload({ certificates: ['x' as unknown as Uint8Array] })).toThrow(TypeError);
  });
});

describe('presence payload', () => {
  const roundTrip = (p: PresencePayload) => {
    const back = decodePresencePayload(encodePresencePayload(p))!;
    expect(hexAll(back.certificates)).toEqual(hexAll(p.certificates));
    expect(back.online).toEqual(p.online);
    expect(back.updatedAt).toBe(p.updatedAt);
  };

  it('round trips, and its largest form (895 bytes) fits a record', () => {
    roundTrip(SMALL);
    roundTrip(LARGEST);
    roundTrip({ certificates: [rng.bytes(170)], online: [bytesToHex(rng.bytes(20))], updatedAt: 1_753_200_000_000 });
    expect(encodePresencePayload(LARGEST).length).toBe(MAX_PRESENCE_PAYLOAD_BYTES);
    expect(MAX_PRESENCE_PAYLOAD_BYTES).toBe(895);
    expect(MAX_PRESENCE_PAYLOAD_BYTES).toBeLessThanOrEqual(MAX_RECORD_PLAINTEXT);
  });

  it('rejects every truncation and extension', () => {
    for (const p of [SMALL, LARGEST]) {
      const bytes = encodePresencePayload(p);
      for (let n = 0; n < bytes.length; n++) expect(decodePresencePayload(bytes.subarray(0, n)), `${n} bytes`).toBeNull();
      expect(decodePresencePayload(Uint8Array.of(...bytes, 0))).toBeNull();
    }
  });

  it('rejects too many or duplicate node ids, and a time above 2^53 - 1', () => {
    const head = [1, 1, 1, 9];
    const time = [0, 0, 0, 0, 0, 0, 0, 0];
    const id = (b: number) => Array.from(cert(20, b));
    expect(decodePresencePayload(Uint8Array.of(...head, 1, ...id(1), ...time))).not.toBeNull();
    expect(decodePresencePayload(Uint8Array.of(...head, 2, ...id(1), ...id(1), ...time))).toBeNull();
    const five = Array.from({ length: MAX_DEVICES + 1 }, (_, i) => id(i + 1)).flat();
    expect(decodePresencePayload(Uint8Array.of(...head, MAX_DEVICES + 1, ...five, ...time))).toBeNull();
    expect(decodePresencePayload(Uint8Array.of(...head, 0, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))!.updatedAt).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(decodePresencePayload(Uint8Array.of(...head, 0, 0, 0x20, 0, 0, 0, 0, 0, 0))).toBeNull();
  });

  it('an invite payload is not a presence payload, nor the reverse', () => {
    const invite = encodeInvitePayload({ certificates: SMALL.certificates });
    expect(decodePresencePayload(invite)).toBeNull();
    expect(decodeInvitePayload(encodePresencePayload(SMALL))).toBeNull();
  });

  it(`random bytes never throw (seed ${SEED})`, () => {
    for (let i = 0; i < 1000; i++) {
      const b = rng.bytes(rng.int(120));
      if (i % 2) b[0] = 1; // past the version byte half the time
      expect(() => decodePresencePayload(b)).not.toThrow();
      expect(() => decodeInvitePayload(b)).not.toThrow();
    }
    expect(decodePresencePayload('x' as unknown as Uint8Array)).toBeNull();
  });

  it('encoder refuses bad node ids, counts and times', () => {
    const enc = (over: Partial<PresencePayload>) => () => encodePresencePayload({ ...SMALL, ...over });
    expect(enc({ online: [nodeId(0xab).toUpperCase()] })).toThrow(RangeError);
    expect(enc({ online: [nodeId(1).slice(2)] })).toThrow(RangeError);
    expect(enc({ online: [nodeId(1), nodeId(1)] })).toThrow(RangeError);
    expect(enc({ online: Array.from({ length: MAX_DEVICES + 1 }, (_, i) => nodeId(i)) })).toThrow(RangeError);
    for (const updatedAt of [-1, 1.5, 2 ** 53, Number.NaN]) expect(enc({ updatedAt })).toThrow(RangeError);
  });
});
