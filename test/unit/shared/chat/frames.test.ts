/**
 * shared/chat/frames.ts: every frame and session envelope survives a round trip; texts are cut into
 * parts that fit one app payload and one mailbox slot; the 64 KB text limit is a coded error at the
 * API; and the decoders are strict: truncation, trailing bytes, unknown kinds, lying lengths, bit
 * flips and random bytes give null (never a throw), and whatever they accept re-encodes to exactly
 * the bytes they were given.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES, PART_BYTES } from '../../../../shared/chat/constants';
import {
  decodeFrame,
  decodeSessionEnvelope,
  encodeFrame,
  encodeSessionEnvelope,
  ID_BYTES,
  isSessionEnvelope,
  MAX_BUNDLE,
  MAX_RECEIPT_IDS,
  textFrames,
  type Frame,
  type SessionEnvelope,
} from '../../../../shared/chat/frames';
import { MAX_RECORD_PLAINTEXT } from '../../../../shared/chat/sealed-record';
import { bytesEqual, bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import { encodeMessage, ratchetEncrypt } from '../../../../shared/crypto/double-ratchet';
import { SeededRng } from '../../../../shared/env/rng';
import { MAX_APP_PAYLOAD } from '../../../../shared/protocol/wire';
import { createPair } from '../../../helpers/chat-pair';
import { flipBit } from '../../../helpers/chat';
import { testSeed } from '../../../helpers/dht';
import { newSession } from '../../../helpers/ratchet';

const SEED = testSeed(1301);
const id = (b: number) => new Uint8Array(ID_BYTES).fill(b);
const bytes = (n: number, b = 0x61) => new Uint8Array(n).fill(b);
/** The largest count the decoder allows for a text of MAX_TEXT_BYTES. */
const MAX_COUNT = Math.ceil(MAX_TEXT_BYTES / PART_BYTES);

const FRAMES: Array<[string, Frame]> = [
  ['text, one part', { type: 'text', id: id(1), sentAt: 1_767_225_600_000, total: 5, index: 0, count: 1, part: utf8.encode('hello') }],
  [
    'text, a reply, middle part',
    { type: 'text', id: id(2), sentAt: 2 ** 53 - 1, replyTo: id(3), total: 3 * PART_BYTES, index: 1, count: 3, part: bytes(PART_BYTES) },
  ],
  ['text, empty part', { type: 'text', id: id(4), sentAt: 0, total: 0, index: 0, count: 1, part: new Uint8Array(0) }],
  ['text, an edit', { type: 'text', id: id(6), sentAt: 7, edits: id(1), total: 3, index: 0, count: 1, part: utf8.encode('new') }],
  ['text, a deletion', { type: 'text', id: id(7), sentAt: 8, edits: id(1), total: 0, index: 0, count: 1, part: new Uint8Array(0) }],
  [
    'text, an edited reply',
    { type: 'text', id: id(8), sentAt: 9, replyTo: id(2), edits: id(3), total: 2, index: 0, count: 1, part: utf8.encode('ok') },
  ],
  ['receipt delivered, no ids', { type: 'receipt', kind: 'delivered', ids: [] }],
  ['receipt delivered, one id', { type: 'receipt', kind: 'delivered', ids: [id(5)] }],
  ['receipt read, full', { type: 'receipt', kind: 'read', ids: Array.from({ length: MAX_RECEIPT_IDS }, (_, i) => id(i)) }],
  ['typing on', { type: 'typing', on: true }],
  ['typing off', { type: 'typing', on: false }],
  ['ready', { type: 'ready' }],
];

const ENVELOPES: Array<[string, SessionEnvelope]> = [
  ['hs1 bound', { kind: 'hs1', bound: true, msg: bytes(96, 1) }],
  ['hs1 unbound', { kind: 'hs1', bound: false, msg: bytes(1024, 2) }],
  ['hs2', { kind: 'hs2', msg: bytes(48, 3) }],
  ['hs2 empty', { kind: 'hs2', msg: new Uint8Array(0) }],
  ['msg', { kind: 'msg', sid: bytes(8, 4), msg: bytes(PART_BYTES + 512, 5) }],
  ['reset', { kind: 'reset' }],
  ['msgs of one', { kind: 'msgs', sid: bytes(8, 6), msgs: [bytes(200, 7)] }],
  ['msgs of MAX_BUNDLE', { kind: 'msgs', sid: bytes(8, 8), msgs: Array.from({ length: MAX_BUNDLE }, (_, i) => bytes(i + 1, 9 + i)) }],
];

/** Decoding never throws; anything accepted re-encodes to exactly the input (one encoding per frame). */
function strictFrame(b: Uint8Array): Frame | null {
  const f = decodeFrame(b);
  if (f && !bytesEqual(encodeFrame(f), b)) throw new Error(`frame ${bytesToHex(b)} decodes but is not canonical`);
  return f;
}
function strictEnvelope(b: Uint8Array): SessionEnvelope | null {
  const e = decodeSessionEnvelope(b);
  if (e && !bytesEqual(encodeSessionEnvelope(e), b)) throw new Error(`envelope ${bytesToHex(b)} decodes but is not canonical`);
  return e;
}

describe('round trips', () => {
  it.each(FRAMES)('%s', (_, f) => {
    const b = encodeFrame(f);
    expect(decodeFrame(b)).toEqual(f);
    expect(isSessionEnvelope(b)).toBe(false);
  });

  it.each(ENVELOPES)('%s', (_, e) => {
    const b = encodeSessionEnvelope(e);
    expect(decodeSessionEnvelope(b)).toEqual(e);
    expect(isSessionEnvelope(b)).toBe(true);
  });

  it('an edit names the message it replaces after the reply-to (flags 2; 3 with both)', () => {
    const b = encodeFrame(FRAMES.find(([n]) => n === 'text, an edited reply')![1]);
    expect(b[25]).toBe(3);
    expect(b.subarray(26, 42)).toEqual(id(2));
    expect(b.subarray(42, 58)).toEqual(id(3));
    const flags4 = Uint8Array.from(b);
    flags4[25] = 4;
    expect(decodeFrame(flags4)).toBeNull();
  });

  it('the frame layout is the documented one (text with a reply)', () => {
    const f = FRAMES[1]![1] as Extract<Frame, { type: 'text' }>;
    const b = encodeFrame(f);
    // u8 1 | id 16 | u53 sentAt | u8 flags | replyTo 16 | u32 total | u16 index | u16 count | part
    expect(b.length).toBe(1 + 16 + 8 + 1 + 16 + 4 + 2 + 2 + PART_BYTES);
    expect(b[0]).toBe(1);
    expect(b[25]).toBe(1);
    expect(b.subarray(26, 42)).toEqual(id(3));
    expect(new DataView(b.buffer).getUint32(42)).toBe(3 * PART_BYTES);
  });
});

describe('texts in parts', () => {
  it.each([0, 1, PART_BYTES - 1, PART_BYTES, PART_BYTES + 1, 5000, MAX_TEXT_BYTES])('%i bytes', (n) => {
    const text = new SeededRng(SEED + n).bytes(n);
    const frames = textFrames(id(7), 1000, text, n % 2 ? { replyTo: id(8) } : n % 3 ? { edits: id(9) } : {});
    expect(frames).toHaveLength(Math.max(1, Math.ceil(n / PART_BYTES)));
    const parts: Uint8Array[] = [];
    frames.forEach((f, i) => {
      if (f.type !== 'text') throw new Error('not a text frame');
      expect(f.index).toBe(i);
      expect(f.count).toBe(frames.length);
      expect(f.total).toBe(n);
      expect(f.part.length).toBeLessThanOrEqual(PART_BYTES);
      expect(decodeFrame(encodeFrame(f))).toEqual(f);
      parts.push(f.part);
    });
    expect(Uint8Array.from(parts.flatMap((p) => [...p]))).toEqual(text);
  });

  it('the largest part, encrypted and enveloped, fits one app payload and one mailbox slot', () => {
    const s = newSession(SEED);
    const [largest] = textFrames(id(9), 2 ** 53 - 1, bytes(PART_BYTES), { replyTo: id(10), edits: id(11) });
    const wire = encodeMessage(ratchetEncrypt(s.alice, encodeFrame(largest!), utf8.encode('ad')).message);
    const env = encodeSessionEnvelope({ kind: 'msg', sid: bytes(8), msg: wire });
    expect(decodeSessionEnvelope(env)).toEqual({ kind: 'msg', sid: bytes(8), msg: wire });
    expect(env.length).toBeLessThanOrEqual(MAX_RECORD_PLAINTEXT);
    expect(env.length).toBeLessThanOrEqual(MAX_APP_PAYLOAD);
  });

  it('a full receipt fits one part', () => {
    const b = encodeFrame(FRAMES.find(([n]) => n === 'receipt read, full')![1]);
    expect(b.length).toBeLessThanOrEqual(PART_BYTES);
  });
});

describe('the 64 KB limit', () => {
  it('send refuses a text over MAX_TEXT_BYTES of UTF-8 with ChatError BAD_ARGUMENT, and accepts exactly the limit', async () => {
    const { alice, bob } = await createPair(SEED);
    alice.online.clear(); // nothing leaves: this is about the API's check
    const atLimit = 'ß'.repeat(MAX_TEXT_BYTES / 2); // 2 bytes each
    await expect(alice.talk.send(bob.id, atLimit)).resolves.toHaveProperty('messageId');
    const err = await alice.talk.send(bob.id, `${atLimit}a`).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ChatError', code: 'BAD_ARGUMENT' });
    const empty = await alice.talk.send(bob.id, '').catch((e: unknown) => e);
    expect(empty).toMatchObject({ name: 'ChatError', code: 'BAD_ARGUMENT' });
    const reply = await alice.talk.send(bob.id, 'x', { replyTo: 'not an id' }).catch((e: unknown) => e);
    expect(reply).toMatchObject({ name: 'ChatError', code: 'BAD_ARGUMENT' });
    expect((await alice.history(bob)).map((m) => m.text.length)).toEqual([MAX_TEXT_BYTES / 2]);
  });

  it('a text frame claiming more than MAX_TEXT_BYTES, or impossible part numbers, is refused', () => {
    const base = { type: 'text' as const, id: id(1), sentAt: 1, part: bytes(10) };
    const bad: Frame[] = [
      { ...base, total: MAX_TEXT_BYTES + 1, index: 0, count: 1 },
      { ...base, total: 10, index: 0, count: 0 },
      { ...base, total: 10, index: 1, count: 1 },
      { ...base, total: 10, index: 0, count: MAX_COUNT + 2 },
      { ...base, total: 10, index: 0, count: 1, part: bytes(PART_BYTES + 1) },
    ];
    for (const f of bad) expect(decodeFrame(encodeFrame(f)), JSON.stringify({ ...f, part: f.type === 'text' && f.part.length })).toBeNull();
    expect(decodeFrame(encodeFrame({ ...base, total: MAX_TEXT_BYTES, index: MAX_COUNT, count: MAX_COUNT + 1 }))).not.toBeNull();
  });
});

describe('tampering', () => {
  const all = (): Array<[string, Uint8Array, (b: Uint8Array) => unknown]> => [
    ...FRAMES.map(([n, f]): [string, Uint8Array, (b: Uint8Array) => unknown] => [n, encodeFrame(f), strictFrame]),
    ...ENVELOPES.map(([n, e]): [string, Uint8Array, (b: Uint8Array) => unknown] => [n, encodeSessionEnvelope(e), strictEnvelope]),
  ];

  it('every truncation is refused (text frames: the part is what remains, so only up to the part)', () => {
    for (const [name, b, decode] of all()) {
      const fixed = name.startsWith('text') ? b.length - (decodeFrame(b) as Extract<Frame, { type: 'text' }>).part.length : b.length;
      for (let n = 0; n < fixed; n++) expect(decode(b.subarray(0, n)), `${name} cut to ${n}`).toBeNull();
    }
  });

  it('trailing bytes are refused (a text frame takes them into its part, which then no longer matches its total)', () => {
    for (const [name, b, decode] of all()) {
      const longer = Uint8Array.of(...b, 0);
      if (!name.startsWith('text')) {
        expect(decode(longer), name).toBeNull();
        continue;
      }
      const f = decodeFrame(longer) as Extract<Frame, { type: 'text' }> | null;
      if (f) expect(f.part.length, name).toBe((decodeFrame(b) as Extract<Frame, { type: 'text' }>).part.length + 1);
    }
  });

  it('unknown kinds are refused; only 0x10..0x14 are session envelopes', () => {
    for (let k = 0; k < 256; k++) {
      const b = Uint8Array.of(k, 0, 0, 0);
      if (k < 1 || k > 4) expect(decodeFrame(Uint8Array.of(k)), `frame kind ${k}`).toBeNull();
      if (k < 0x10 || k > 0x14) expect(decodeSessionEnvelope(b), `envelope code ${k}`).toBeNull();
      expect(isSessionEnvelope(b)).toBe(k >= 0x10 && k <= 0x14);
    }
    expect(isSessionEnvelope(new Uint8Array(0))).toBe(false);
    expect(decodeFrame(Uint8Array.of(2, 3, 0, 0))).toBeNull(); // receipt kind 3
    expect(decodeFrame(Uint8Array.of(2, 0, 0, 0))).toBeNull(); // receipt kind 0
    expect(decodeFrame(Uint8Array.of(3, 2))).toBeNull(); // typing 2
    expect(decodeSessionEnvelope(Uint8Array.of(0x10, 2, 0, 0))).toBeNull(); // hs1 bound 2
    expect(decodeSessionEnvelope(Uint8Array.of(0x14, 1, 2, 3, 4, 5, 6, 7, 8, 0))).toBeNull(); // a bundle of none
    expect(decodeSessionEnvelope(Uint8Array.of(0x14, 1, 2, 3, 4, 5, 6, 7, 8, MAX_BUNDLE + 1, 0, 0))).toBeNull(); // over MAX_BUNDLE
    expect(() => encodeSessionEnvelope({ kind: 'msgs', sid: bytes(8, 1), msgs: [] })).toThrow(RangeError);
  });

  it('lengths that lie are refused', () => {
    const receipt = encodeFrame({ type: 'receipt', kind: 'read', ids: [id(1), id(2)] });
    const said = (b: Uint8Array, at: number, n: number) => {
      const c = Uint8Array.from(b);
      new DataView(c.buffer).setUint16(at, n);
      return c;
    };
    expect(decodeFrame(said(receipt, 2, 3))).toBeNull(); // says 3 ids, holds 2
    expect(decodeFrame(said(receipt, 2, 1))).toBeNull(); // says 1, holds 2
    expect(decodeFrame(said(encodeFrame({ type: 'receipt', kind: 'read', ids: [] }), 2, MAX_RECEIPT_IDS + 1))).toBeNull();
    const over = new Uint8Array(3 + (MAX_RECEIPT_IDS + 1) * ID_BYTES);
    over.set([2, 1, 0, MAX_RECEIPT_IDS + 1]);
    expect(decodeFrame(over)).toBeNull(); // more ids than a receipt may carry, even when present
    const hs1 = encodeSessionEnvelope({ kind: 'hs1', bound: false, msg: bytes(20) });
    expect(decodeSessionEnvelope(said(hs1, 2, 21))).toBeNull();
    expect(decodeSessionEnvelope(said(hs1, 2, 19))).toBeNull();
    const hs2 = encodeSessionEnvelope({ kind: 'hs2', msg: bytes(20) });
    expect(decodeSessionEnvelope(said(hs2, 1, 21))).toBeNull();
    const msg = encodeSessionEnvelope({ kind: 'msg', sid: bytes(8), msg: bytes(20) });
    expect(decodeSessionEnvelope(said(msg, 9, 19))).toBeNull();
    expect(decodeSessionEnvelope(said(msg, 9, 0xffff))).toBeNull();
    // Over the bounds even when the bytes are there.
    expect(decodeSessionEnvelope(encodeSessionEnvelope({ kind: 'hs1', bound: false, msg: bytes(1025) }))).toBeNull();
    expect(decodeSessionEnvelope(encodeSessionEnvelope({ kind: 'msg', sid: bytes(8), msg: bytes(PART_BYTES + 513) }))).toBeNull();
    // A sentAt above 2^53 - 1.
    const text = encodeFrame(FRAMES[0]![1]);
    const big = Uint8Array.from(text);
    big[17] = 0x00;
    big[18] = 0x20; // high word 0x00200000 = 2^21
    expect(decodeFrame(big)).toBeNull();
  });

  it('every single bit flip decodes to null or to a frame that is exactly the flipped bytes', () => {
    let refused = 0;
    let accepted = 0;
    for (const [, b, decode] of all()) {
      for (let bit = 0; bit < Math.min(b.length, 64) * 8; bit++) {
        if (decode(flipBit(b, bit))) accepted++;
        else refused++;
      }
    }
    // Both happen: flips in kinds and lengths are refused, flips in ids and payloads are not the
    // decoder's business (the ratchet's MAC covers them).
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  it(`random bytes never throw (seed ${SEED})`, () => {
    const rng = new SeededRng(SEED);
    for (let i = 0; i < 3000; i++) {
      const b = rng.bytes(rng.int(120));
      if (b.length > 0 && i % 2) b[0] = 1 + rng.int(4);
      if (b.length > 0 && i % 3 === 0) b[0] = 0x10 + rng.int(4);
      strictFrame(b);
      strictEnvelope(b);
    }
  });
});
