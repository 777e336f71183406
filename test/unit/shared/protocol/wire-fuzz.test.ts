/**
 * Decoder fuzzing: > 100k seeded cases. Every input must either decode to a message that
 * re-encodes to exactly the same bytes, or throw a WireError with a known code. Anything else
 * (another exception type, a partially valid message, a hang) fails with the seed and case.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, MAX_FRAME_BYTES, MAX_NODES, MAX_RELAY_PAYLOAD, type Message } from '../../../../shared/protocol/wire';
import { WireError, type WireErrorCode } from '../../../../shared/protocol/wire-error';
import { RECORD_LIMITS } from '../../../../shared/records/types';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { SeededRng, testSeed } from '../../../helpers/dht';
import { randomMessage } from '../../../helpers/wire-gen';
import { IdList } from '../../../../shared/protocol/id-list';

const SEED = testSeed(0xf022);
const KNOWN: ReadonlySet<WireErrorCode> = new Set([
  'TRUNCATED',
  'BAD_VERSION',
  'UNKNOWN_TYPE',
  'LENGTH_OUT_OF_RANGE',
  'TRAILING_BYTES',
  'BAD_VALUE',
  'FRAME_TOO_LARGE',
]);

type Outcome = { ok: true; msg: Message } | { ok: false; code: WireErrorCode };

/** Decode one input; fail loudly (with the seed) on anything but a consistent message or a WireError. */
function check(frame: Uint8Array, where: string): Outcome {
  let msg: Message;
  try {
    msg = decode(frame);
  } catch (e) {
    if (!(e instanceof WireError))
      throw new Error(`${where}: decode threw a non-WireError ${String(e)} for ${bytesToHex(frame.slice(0, 64))}`);
    if (!KNOWN.has(e.code)) throw new Error(`${where}: unknown WireError code ${e.code}`);
    return { ok: false, code: e.code };
  }
  let again: Uint8Array;
  try {
    again = encode(msg);
  } catch (e) {
    throw new Error(`${where}: a decoded message failed to re-encode: ${String(e)}`);
  }
  if (bytesToHex(again) !== bytesToHex(frame))
    throw new Error(`${where}: decode/encode not consistent for ${bytesToHex(frame.slice(0, 64))}`);
  return { ok: true, msg };
}

function expectCode(o: Outcome, code: WireErrorCode, where: string): void {
  if (o.ok || o.code !== code) throw new Error(`${where}: expected ${code}, got ${o.ok ? `a ${o.msg.type} message` : o.code}`);
}

/** Small valid frames of every type (small records/payloads keep per-length truncation cheap). */
function validFrames(rng: SeededRng, n: number): Uint8Array[] {
  return Array.from({ length: n }, () => encode(randomMessage(rng, undefined, true)));
}

describe('wire decoder fuzzing (seeded, > 100k cases)', () => {
  const total = { cases: 0, decoded: 0, rejected: 0 };

  it('random bytes (half of them behind a valid header)', () => {
    const rng = new SeededRng(SEED);
    for (let i = 0; i < 40_000; i++) {
      const n = rng.int(4) === 0 ? rng.int(400) : rng.int(48);
      const f = rng.bytes(n);
      if (i % 2 === 0 && n >= 2) {
        f[0] = 0x10;
        f[1] = 1 + rng.int(11);
      }
      const o = check(f, `seed=${SEED} random i=${i}`);
      total.cases++;
      o.ok ? total.decoded++ : total.rejected++;
    }
  });

  it('truncations of valid frames at every length are TRUNCATED', () => {
    const rng = new SeededRng(SEED + 1);
    let cases = 0;
    for (const [j, f] of validFrames(rng, 600).entries()) {
      for (let len = 0; len < f.length; len++) {
        expectCode(
          check(f.subarray(0, len), `seed=${SEED + 1} frame=${j} len=${len}`),
          'TRUNCATED',
          `seed=${SEED + 1} frame=${j} len=${len}`,
        );
        cases++;
      }
    }
    total.cases += cases;
    total.rejected += cases;
    expect(cases).toBeGreaterThan(20_000);
  });

  it('bit flips of valid frames decode consistently or are rejected', () => {
    const rng = new SeededRng(SEED + 2);
    const frames = validFrames(rng, 500);
    let decoded = 0;
    for (let i = 0; i < 25_000; i++) {
      const f = frames[i % frames.length]!.slice();
      const flips = 1 + rng.int(3);
      for (let b = 0; b < flips; b++) f[rng.int(f.length)] ^= 1 << rng.int(8);
      const o = check(f, `seed=${SEED + 2} flip i=${i}`);
      if (o.ok) decoded++;
      total.cases++;
    }
    // Flips inside ids and payloads keep a frame valid; flips in headers and lengths do not.
    expect(decoded).toBeGreaterThan(1000);
    expect(decoded).toBeLessThan(25_000);
  });

  it('oversized and overlong length fields: LENGTH_OUT_OF_RANGE above the bound, TRUNCATED within it', () => {
    const rng = new SeededRng(SEED + 3);
    type Case = { name: string; frame: () => Uint8Array; at: number; width: 1 | 2; max: number };
    const id = () => rng.bytes(20);
    const cases: Case[] = [
      { name: 'nodes count', frame: () => encode({ type: 'nodes', rid: 1, nodes: IdList.of([id()]) }), at: 6, width: 1, max: MAX_NODES },
      {
        name: 'value nodes count',
        frame: () => encode({ type: 'value', rid: 1, nodes: IdList.of([id()]) }),
        at: 7,
        width: 1,
        max: MAX_NODES,
      },
      {
        name: 'route payload',
        frame: () => encode({ type: 'route', rid: 1, target: id(), ttl: 3, payload: rng.bytes(5) }),
        at: 27,
        width: 2,
        max: MAX_RELAY_PAYLOAD,
      },
      {
        name: 'immutable value',
        frame: () => encode({ type: 'store', rid: 1, target: id(), record: { type: 'immutable', v: rng.bytes(5) } }),
        at: 28,
        width: 2,
        max: RECORD_LIMITS.maxValueBytes,
      },
      {
        name: 'mutable salt',
        frame: () =>
          encode({
            type: 'store',
            rid: 1,
            target: id(),
            record: { type: 'mutable', k: rng.bytes(32), salt: rng.bytes(3), seq: 1, v: rng.bytes(4), sig: rng.bytes(64) },
          }),
        at: 60,
        width: 1,
        max: RECORD_LIMITS.maxSaltBytes,
      },
      {
        name: 'mutable value',
        frame: () =>
          encode({
            type: 'value',
            rid: 1,
            nodes: IdList.of([]),
            record: { type: 'mutable', k: rng.bytes(32), salt: new Uint8Array(0), seq: 1, v: rng.bytes(4), sig: rng.bytes(64) },
          }),
        at: 6 + 1 + 1 + 32 + 1 + 8,
        width: 2,
        max: RECORD_LIMITS.maxValueBytes,
      },
    ];
    let n = 0;
    for (let i = 0; i < 6000; i++) {
      const c = cases[i % cases.length]!;
      const f = c.frame();
      const limit = c.width === 1 ? 0xff : 0xffff;
      const over = rng.int(2) === 0;
      const v = over ? c.max + 1 + rng.int(limit - c.max) : c.max - rng.int(Math.min(c.max, 40) / 2);
      if (c.width === 1) f[c.at] = v;
      else {
        f[c.at] = v >> 8;
        f[c.at + 1] = v & 0xff;
      }
      const where = `seed=${SEED + 3} ${c.name} i=${i} len=${v}`;
      const o = check(f, where);
      if (over) expectCode(o, 'LENGTH_OUT_OF_RANGE', where);
      // Within the bound the length is accepted and runs past the (short) data. A salt is followed
      // by more fields, so there the misparse may fail on any later field (check() already
      // guaranteed a WireError or a consistent message).
      else if (c.name !== 'mutable salt') expectCode(o, 'TRUNCATED', where);
      n++;
    }
    total.cases += n;
  });

  it('wrong versions, unknown types, trailing bytes and oversized frames', () => {
    const rng = new SeededRng(SEED + 4);
    const frames = validFrames(rng, 300);
    let n = 0;
    for (let i = 0; i < 12_000; i++) {
      const f = frames[i % frames.length]!;
      const kind = i % 4;
      const where = `seed=${SEED + 4} i=${i} kind=${kind}`;
      if (kind === 0) {
        const g = f.slice();
        do g[0] = rng.int(256);
        while (g[0] === 0x10);
        expectCode(check(g, where), 'BAD_VERSION', where);
      } else if (kind === 1) {
        const g = f.slice();
        const t = rng.int(256 - 17);
        g[1] = t === 0 ? 0 : t + 17; // 0 or 18..255 (1..17 are the known types)
        expectCode(check(g, where), 'UNKNOWN_TYPE', where);
      } else if (kind === 2) {
        const extra = rng.bytes(1 + rng.int(16));
        const g = new Uint8Array(f.length + extra.length);
        g.set(f);
        g.set(extra, f.length);
        expectCode(check(g, where), 'TRAILING_BYTES', where);
      } else {
        const g = new Uint8Array(MAX_FRAME_BYTES + 1 + rng.int(4000));
        g.set(f);
        expectCode(check(g, where), 'FRAME_TOO_LARGE', where);
      }
      n++;
    }
    total.cases += n;
  });

  it('ran more than 100k cases in all', () => {
    expect(total.cases, `seed=${SEED}`).toBeGreaterThanOrEqual(100_000);
    expect(total.rejected).toBeGreaterThan(0);
    expect(total.decoded).toBeGreaterThan(0);
  });
});
