/**
 * A mail keeper's two messages (mail-keeper.ts). Each is sealed (seal.ts, Noise X) from one
 * device key to the other and rides a contact envelope of kind `keep` (the owner's pull) or
 * `kept` (the keeper's answer, in the ack):
 *
 *   keep  u8 version | ik 32 | u53 sentAt | u32 ack | u16 n | n × secret 16
 *         The owner's identity key and clock, the highest item seq it has handled (the keeper
 *         drops those), and the mailbox secrets of its contacts' slots to it: the whole set to
 *         watch, which replaces the last one.
 *   kept  u8 version | u53 sentAt (the pull's) | u8 more | u16 n | n × (u32 seq | secret 16 | u16 len | plaintext)
 *         Mailbox plaintexts (session envelopes holding ratchet messages the keeper cannot open),
 *         oldest first; `more` when the answer had no room for all.
 * Decoders are strict and bounded and return null on bad input.
 */
import { decodeOrNull, Reader, Writer } from '../protocol/byte-io';
import { MAX_APP_PAYLOAD } from '../protocol/wire';
import { MAILBOX_SECRET_BYTES, MAX_KEEPER_WATCH } from './constants';
import { SEAL_OVERHEAD } from './seal';
import { MAX_RECORD_PLAINTEXT } from './sealed-record';

const VERSION = 1;

export interface KeepRequest {
  identityKey: Uint8Array;
  sentAt: number;
  ack: number;
  secrets: Uint8Array[];
}

export interface HeldMail {
  seq: number;
  secret: Uint8Array;
  plaintext: Uint8Array;
}

export interface KeptReply {
  sentAt: number;
  more: boolean;
  items: HeldMail[];
}

/** Bytes of a kept reply's payload at most: an envelope (3 bytes) around the sealed reply fills one app payload. */
export const MAX_KEPT_PAYLOAD = MAX_APP_PAYLOAD - 3 - SEAL_OVERHEAD;
const KEPT_HEADER = 1 + 8 + 1 + 2;

/** Bytes one held item takes in a kept reply. */
export function heldItemBytes(plaintextLength: number): number {
  return 4 + MAILBOX_SECRET_BYTES + 2 + plaintextLength;
}

/** Whether `items` fit one kept reply. */
export function keptFits(items: readonly HeldMail[]): boolean {
  return KEPT_HEADER + items.reduce((n, i) => n + heldItemBytes(i.plaintext.length), 0) <= MAX_KEPT_PAYLOAD;
}

export function encodeKeepRequest(b: KeepRequest): Uint8Array {
  if (b.secrets.length > MAX_KEEPER_WATCH) throw new RangeError(`over ${MAX_KEEPER_WATCH} secrets`);
  const w = new Writer(64 + b.secrets.length * MAILBOX_SECRET_BYTES).u8(VERSION).bytes(b.identityKey).u53(b.sentAt).u32(b.ack);
  w.u16(b.secrets.length);
  for (const s of b.secrets) {
    if (s.length !== MAILBOX_SECRET_BYTES) throw new RangeError('a mailbox secret is 16 bytes');
    w.bytes(s);
  }
  return w.copy();
}

export function decodeKeepRequest(bytes: Uint8Array): KeepRequest | null {
  return decodeOrNull(() => {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const identityKey = r.bytes(32);
    const sentAt = r.u53();
    const ack = r.u32();
    const n = r.length(2, MAX_KEEPER_WATCH, 'secrets');
    const secrets: Uint8Array[] = [];
    for (let i = 0; i < n; i++) secrets.push(r.bytes(MAILBOX_SECRET_BYTES));
    r.end();
    return { identityKey, sentAt, ack, secrets };
  });
}

export function encodeKeptReply(b: KeptReply): Uint8Array {
  if (!keptFits(b.items)) throw new RangeError('held items over one reply');
  const w = new Writer(MAX_KEPT_PAYLOAD)
    .u8(VERSION)
    .u53(b.sentAt)
    .u8(b.more ? 1 : 0)
    .u16(b.items.length);
  for (const i of b.items) w.u32(i.seq).bytes(i.secret).u16(i.plaintext.length).bytes(i.plaintext);
  return w.copy();
}

export function decodeKeptReply(bytes: Uint8Array): KeptReply | null {
  return decodeOrNull(() => {
    if (bytes.length > MAX_KEPT_PAYLOAD) return null;
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const sentAt = r.u53();
    const more = r.u8();
    if (more > 1) return null;
    const n = r.length(2, MAX_KEPT_PAYLOAD, 'items');
    const items: HeldMail[] = [];
    for (let i = 0; i < n; i++) {
      const seq = r.u32();
      const secret = r.bytes(MAILBOX_SECRET_BYTES);
      const plaintext = r.bytes(r.length(2, MAX_RECORD_PLAINTEXT, 'plaintext'));
      items.push({ seq, secret, plaintext });
    }
    r.end();
    return { sentAt, more: more === 1, items };
  });
}
