import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  decode,
  encode,
  isRequest,
  MAX_FRAME_BYTES,
  MAX_NODES,
  WIRE_ERROR_CODES,
  WIRE_VERSION,
  type Message,
} from '../../../../shared/protocol/wire';
import { WireError } from '../../../../shared/protocol/wire-error';
import { bytesToHex, hexToBytes } from '../../../../shared/crypto/bytes';
import { SeededRng, testSeed } from '../../../helpers/dht';
import { fromJson, MESSAGE_TYPES, randomMessage, toJson } from '../../../helpers/wire-gen';
import { IdList } from '../../../../shared/protocol/id-list';

const SEED = testSeed(0x3172e);

interface Vectors {
  errorCodes: string[];
  valid: { name: string; message: Record<string, unknown>; hex: string }[];
  invalid: { name: string; hex: string; code: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../../vectors/wire-messages.json', import.meta.url), 'utf8')) as Vectors;

describe('wire codec: known-answer vectors (test/vectors/wire-messages.json)', () => {
  it('covers every message type', () => {
    expect(new Set(vectors.valid.map((v) => v.message.type))).toEqual(new Set(MESSAGE_TYPES));
    expect(vectors.errorCodes).toEqual([...WIRE_ERROR_CODES]);
    expect(WIRE_VERSION).toBe(1);
  });

  for (const v of vectors.valid) {
    it(`encodes and decodes: ${v.name}`, () => {
      const msg = fromJson(v.message);
      expect(bytesToHex(encode(msg))).toBe(v.hex);
      expect(toJson(decode(hexToBytes(v.hex)))).toEqual(v.message);
    });
  }

  for (const v of vectors.invalid) {
    it(`rejects with ${v.code}: ${v.name}`, () => {
      let err: unknown;
      try {
        decode(hexToBytes(v.hex));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).code).toBe(v.code);
      expect((err as WireError).name).toBe('WireError');
    });
  }
});

describe('wire codec: round trips', () => {
  it('every message type round-trips with random contents (seeded), and re-encodes to the same bytes', () => {
    const rng = new SeededRng(SEED);
    const perType = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const m = randomMessage(rng, MESSAGE_TYPES[i % MESSAGE_TYPES.length]!);
      const frame = encode(m);
      const msg = `seed=${SEED} i=${i} type=${m.type}`;
      expect(frame.length, msg).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      const back = decode(frame);
      expect(toJson(back), msg).toEqual(toJson(m));
      expect(bytesToHex(encode(back)), msg).toBe(bytesToHex(frame));
      perType.set(m.type, (perType.get(m.type) ?? 0) + 1);
    }
    expect(perType.size).toBe(MESSAGE_TYPES.length);
  });

  it('records: mutable and immutable, with and without cas, at the size limits', () => {
    const big: Message = {
      type: 'store',
      rid: 1,
      target: new Uint8Array(20).fill(7),
      cas: Number.MAX_SAFE_INTEGER,
      record: {
        type: 'mutable',
        k: new Uint8Array(32).fill(1),
        salt: new Uint8Array(64).fill(2),
        seq: Number.MAX_SAFE_INTEGER,
        v: new Uint8Array(1000).fill(3),
        sig: new Uint8Array(64).fill(4),
      },
    };
    expect(toJson(decode(encode(big)))).toEqual(toJson(big));
    const imm: Message = {
      type: 'value',
      rid: 2,
      record: { type: 'immutable', v: new Uint8Array(1000).fill(9) },
      nodes: IdList.of(Array.from({ length: MAX_NODES }, (_, i) => new Uint8Array(20).fill(i))),
    };
    expect(toJson(decode(encode(imm)))).toEqual(toJson(imm));
  });

  it('the largest valid frame (route with a full payload) stays within MAX_FRAME_BYTES', () => {
    const m: Message = { type: 'route', rid: 3, target: new Uint8Array(20), ttl: 255, payload: new Uint8Array(6000).fill(5) };
    const f = encode(m);
    expect(f.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(toJson(decode(f))).toEqual(toJson(m));
  });

  it('decoded byte fields are copies: mutating the frame afterwards does not change the message', () => {
    const m: Message = { type: 'nodes', rid: 4, nodes: IdList.of([new Uint8Array(20).fill(1), new Uint8Array(20).fill(2)]) };
    const f = encode(m);
    const back = decode(f) as Extract<Message, { type: 'nodes' }>;
    f.fill(0xee);
    expect(toJson(back)).toEqual(toJson(m));
  });

  it('a nodes reply carries at most MAX_NODES ids (the encoder caps, the decoder accepts exactly that many)', () => {
    const ids = Array.from({ length: MAX_NODES + 5 }, (_, i) => new Uint8Array(20).fill(i));
    const back = decode(encode({ type: 'nodes', rid: 5, nodes: IdList.of(ids) })) as Extract<Message, { type: 'nodes' }>;
    expect(back.nodes.length).toBe(MAX_NODES);
    expect(toJson(back.nodes)).toEqual(toJson(ids.slice(0, MAX_NODES)));
  });

  it('isRequest splits requests from responses', () => {
    const rng = new SeededRng(SEED + 1);
    const req = MESSAGE_TYPES.filter((t) => isRequest(randomMessage(rng, t, true)));
    expect(req.sort()).toEqual(['app', 'find_node', 'find_value', 'link', 'ping', 'route', 'store', 'tunnel']);
  });
});
