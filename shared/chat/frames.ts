/**
 * What travels inside the Double Ratchet between two contacts, and the session envelopes around
 * it. A text message is cut into parts of at most PART_BYTES, so every ratchet message fits one
 * app payload and one mailbox slot alike; the receiver puts the parts back together.
 *
 *   text     u8 1 | id 16 | u53 sentAt | u8 flags (1: reply, 2: edit) | [replyTo 16] | [edits 16] | u32 total | u16 index | u16 count | part
 *            (an edit replaces the text of the sender's earlier message `edits`; an empty one deletes it)
 *   receipt  u8 2 | u8 kind (1 delivered, 2 read) | u16 n | n × id 16
 *   typing   u8 3 | u8 on
 *   ready    u8 4                        (the initiator's first message: the responder may now send)
 *
 * Session envelopes (app payloads, after the contact envelopes of contact-wire.ts):
 *   0x10 hs1  u8 bound | u16 n | Noise message 1          (answered by hs2 in the ack)
 *   0x11 hs2  u16 n | Noise message 2
 *   0x12 msg  sid 8 | u16 n | ratchet message             (answered by an optional msg in the ack)
 *   0x13 reset                                            (ack: "no such session here, start anew")
 *   0x14 msgs sid 8 | u8 k | k × (u16 n | ratchet message) (a bundle: 1..MAX_BUNDLE in order; ack: msgs or none)
 * Decoders are strict and bounded and return null on bad input.
 */
import { utf8 } from '../crypto/bytes';
import { decodeOrNull, Reader, Writer } from '../protocol/byte-io';
import { MAX_TEXT_BYTES, PART_BYTES } from './constants';
import { ChatError } from './errors';

export const ID_BYTES = 16;
/** Ids per receipt frame (a receipt fits one part). */
export const MAX_RECEIPT_IDS = 32;

export type Frame =
  | {
      type: 'text';
      id: Uint8Array;
      sentAt: number;
      replyTo?: Uint8Array;
      /** The sender's earlier message this replaces (its new text; empty: deleted). */
      edits?: Uint8Array;
      total: number;
      index: number;
      count: number;
      part: Uint8Array;
    }
  | { type: 'receipt'; kind: 'delivered' | 'read'; ids: Uint8Array[] }
  | { type: 'typing'; on: boolean }
  | { type: 'ready' };

export type SessionEnvelope =
  | { kind: 'hs1'; bound: boolean; msg: Uint8Array }
  | { kind: 'hs2'; msg: Uint8Array }
  | { kind: 'msg'; sid: Uint8Array; msg: Uint8Array }
  | { kind: 'reset' }
  | { kind: 'msgs'; sid: Uint8Array; msgs: Uint8Array[] };

/** The ratchet messages an envelope carries: one (`msg`), a bundle (`msgs`), or none. */
export function messagesOf(env: SessionEnvelope | null | undefined): Uint8Array[] {
  return env?.kind === 'msg' ? [env.msg] : env?.kind === 'msgs' ? env.msgs : [];
}

/** Ratchet messages per bundle at most (and the bundle within one app payload). */
export const MAX_BUNDLE = 64;

const CODES = { hs1: 0x10, hs2: 0x11, msg: 0x12, reset: 0x13, msgs: 0x14 } as const;
const MAX_NOISE = 1024;
const MAX_RATCHET = PART_BYTES + 512;

export function encodeFrame(f: Frame): Uint8Array {
  const w = new Writer(PART_BYTES + 64);
  switch (f.type) {
    case 'text':
      w.u8(1)
        .bytes(f.id)
        .u53(f.sentAt)
        .u8((f.replyTo ? 1 : 0) | (f.edits ? 2 : 0));
      if (f.replyTo) w.bytes(f.replyTo);
      if (f.edits) w.bytes(f.edits);
      return w.u32(f.total).u16(f.index).u16(f.count).bytes(f.part).copy();
    case 'receipt':
      w.u8(2)
        .u8(f.kind === 'delivered' ? 1 : 2)
        .u16(f.ids.length);
      for (const id of f.ids) w.bytes(id);
      return w.copy();
    case 'typing':
      return w
        .u8(3)
        .u8(f.on ? 1 : 0)
        .copy();
    case 'ready':
      return w.u8(4).copy();
  }
}

export function decodeFrame(b: Uint8Array): Frame | null {
  return decodeOrNull(() => {
    const r = new Reader(b);
    const t = r.u8();
    let f: Frame | null = null;
    if (t === 1) {
      const id = r.bytes(ID_BYTES);
      const sentAt = r.u53();
      const flags = r.u8();
      if (flags > 3) return null;
      const replyTo = flags & 1 ? r.bytes(ID_BYTES) : undefined;
      const edits = flags & 2 ? r.bytes(ID_BYTES) : undefined;
      const total = r.u32();
      const index = r.u16();
      const count = r.u16();
      const part = r.bytes(r.remaining);
      if (
        total > MAX_TEXT_BYTES ||
        count === 0 ||
        index >= count ||
        part.length > PART_BYTES ||
        count > Math.ceil(MAX_TEXT_BYTES / PART_BYTES) + 1
      )
        return null;
      f = { type: 'text', id, sentAt, ...(replyTo ? { replyTo } : {}), ...(edits ? { edits } : {}), total, index, count, part };
    } else if (t === 2) {
      const k = r.u8();
      if (k !== 1 && k !== 2) return null;
      const n = r.length(2, MAX_RECEIPT_IDS, 'ids');
      const ids: Uint8Array[] = [];
      for (let i = 0; i < n; i++) ids.push(r.bytes(ID_BYTES));
      f = { type: 'receipt', kind: k === 1 ? 'delivered' : 'read', ids };
    } else if (t === 3) {
      const on = r.u8();
      if (on > 1) return null;
      f = { type: 'typing', on: on === 1 };
    } else if (t === 4) {
      f = { type: 'ready' };
    }
    r.end();
    return f;
  });
}

/** Whether `x` is a message id: 32 lower-case hex digits (16 random bytes). */
export function isMessageId(x: unknown): x is string {
  return typeof x === 'string' && /^[0-9a-f]{32}$/.test(x);
}

/** A text someone sends, as UTF-8, checked (BAD_ARGUMENT: empty, over MAX_TEXT_BYTES, or a reply-to that is no message id). */
export function outgoingText(text: unknown, replyTo: unknown): Uint8Array {
  if (typeof text !== 'string' || text.length === 0) throw new ChatError('BAD_ARGUMENT', 'text must be a non-empty string');
  const bytes = utf8.encode(text);
  if (bytes.length > MAX_TEXT_BYTES) throw new ChatError('BAD_ARGUMENT', `text over ${MAX_TEXT_BYTES} bytes`);
  if (replyTo !== undefined && !isMessageId(replyTo)) throw new ChatError('BAD_ARGUMENT', 'replyTo must be a message id');
  return bytes;
}

/** Cut a text into text frames of at most PART_BYTES each (an empty one, a deletion, is one empty frame). */
export function textFrames(
  id: Uint8Array,
  sentAt: number,
  text: Uint8Array,
  refs: { replyTo?: Uint8Array; edits?: Uint8Array } = {},
): Frame[] {
  const count = Math.max(1, Math.ceil(text.length / PART_BYTES));
  const out: Frame[] = [];
  for (let index = 0; index < count; index++) {
    const part = text.subarray(index * PART_BYTES, (index + 1) * PART_BYTES);
    out.push({ type: 'text', id, sentAt, ...refs, total: text.length, index, count, part });
  }
  return out;
}

export function encodeSessionEnvelope(e: SessionEnvelope): Uint8Array {
  const w = new Writer(64).u8(CODES[e.kind]);
  if (e.kind === 'hs1')
    w.u8(e.bound ? 1 : 0)
      .u16(e.msg.length)
      .bytes(e.msg);
  else if (e.kind === 'hs2') w.u16(e.msg.length).bytes(e.msg);
  else if (e.kind === 'msg') w.bytes(e.sid).u16(e.msg.length).bytes(e.msg);
  else if (e.kind === 'msgs') {
    if (e.msgs.length < 1 || e.msgs.length > MAX_BUNDLE) throw new RangeError(`a bundle holds 1..${MAX_BUNDLE} messages`);
    w.bytes(e.sid).u8(e.msgs.length);
    for (const m of e.msgs) w.u16(m.length).bytes(m);
  }
  return w.copy();
}

export function decodeSessionEnvelope(b: Uint8Array): SessionEnvelope | null {
  return decodeOrNull(() => {
    const r = new Reader(b);
    const code = r.u8();
    let e: SessionEnvelope | null = null;
    if (code === CODES.hs1) {
      const bound = r.u8();
      if (bound > 1) return null;
      e = { kind: 'hs1', bound: bound === 1, msg: r.bytes(r.length(2, MAX_NOISE, 'hs1')) };
    } else if (code === CODES.hs2) e = { kind: 'hs2', msg: r.bytes(r.length(2, MAX_NOISE, 'hs2')) };
    else if (code === CODES.msg) e = { kind: 'msg', sid: r.bytes(8), msg: r.bytes(r.length(2, MAX_RATCHET, 'msg')) };
    else if (code === CODES.reset) e = { kind: 'reset' };
    else if (code === CODES.msgs) {
      const sid = r.bytes(8);
      const k = r.u8();
      if (k < 1 || k > MAX_BUNDLE) return null;
      const msgs: Uint8Array[] = [];
      for (let i = 0; i < k; i++) msgs.push(r.bytes(r.length(2, MAX_RATCHET, 'msgs')));
      e = { kind: 'msgs', sid, msgs };
    }
    r.end();
    return e;
  });
}

/** Whether an app payload is a session envelope (else a contact envelope). */
export function isSessionEnvelope(b: Uint8Array): boolean {
  return b.length > 0 && b[0]! >= 0x10 && b[0]! <= 0x14;
}
