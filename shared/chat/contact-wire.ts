/**
 * What contacts send each other before they share a session: contact requests, acceptances,
 * liveness pings, and a mail keeper's pulls (keeper-wire.ts). Each rides one `app` payload as a kind byte and a Noise X message (seal.ts)
 * from the sender's device key to the recipient's, so relays and storage nodes see neither the
 * sender's identity key nor the content.
 *
 * A request carries its proof of work outside the seal, bound to the sealed bytes, so a
 * receiver rejects a flood for the price of two hashes before it spends a Diffie-Hellman on it.
 * Decoders are strict and bounded, and return null on any malformed input (never throw).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../crypto/bytes';
import { decodeOrNull, Reader, Writer } from '../protocol/byte-io';
import { MAX_APP_PAYLOAD } from '../protocol/wire';
import { MAX_DEVICES, MAX_NAME_BYTES, MAX_REQUEST_MESSAGE_BYTES, PRESENCE_SECRET_BYTES } from './constants';

export const ENVELOPE = { request: 0x01, accept: 0x02, ping: 0x03, keep: 0x04, kept: 0x05 } as const;
export type EnvelopeKind = keyof typeof ENVELOPE;

/** Noise prologues, one per envelope kind: a message sealed for one use never opens as another. */
export const PROLOGUE = {
  request: utf8.encode('p2p-chat request v1'),
  accept: utf8.encode('p2p-chat accept v1'),
  ping: utf8.encode('p2p-chat ping v1'),
  keep: utf8.encode('p2p-chat keep v1'),
  kept: utf8.encode('p2p-chat kept v1'),
} as const;

const VERSION = 1;
const IK = 32;
const MAX_CERT = 200;
/** A sealed payload, bytes at most: a keeper's answer fills an app payload (requests are far smaller). */
const MAX_SEALED = MAX_APP_PAYLOAD;

export interface RequestBody {
  identityKey: Uint8Array;
  certificate: Uint8Array;
  name: string;
  message?: string;
  presenceSecret: Uint8Array;
  /** HMAC(invite secret, requester IK ‖ owner IK): proves a current link. */
  inviteTag: Uint8Array;
}

export interface AcceptBody {
  identityKey: Uint8Array;
  certificates: Uint8Array[];
  presenceSecret: Uint8Array;
}

export interface PingBody {
  identityKey: Uint8Array;
  pong: boolean;
  sentAt: number;
}

export interface Envelope {
  kind: EnvelopeKind;
  sealed: Uint8Array;
  /** Requests only: the stamp's time and counter. */
  stamp?: { timestamp: number; counter: number };
}

function str(w: Writer, s: string, max: number, width: 1 | 2): void {
  const b = utf8.encode(s);
  if (b.length > max) throw new RangeError(`text over ${max} bytes`);
  if (width === 1) w.u8(b.length);
  else w.u16(b.length);
  w.bytes(b);
}

const strict = new TextDecoder('utf-8', { fatal: true });
function readStr(r: Reader, max: number, width: 1 | 2, what: string): string {
  return strict.decode(r.bytes(r.length(width, max, what)));
}

export function encodeRequest(b: RequestBody): Uint8Array {
  const w = new Writer(1024).u8(VERSION).bytes(b.identityKey);
  w.u16(b.certificate.length).bytes(b.certificate);
  str(w, b.name, MAX_NAME_BYTES, 1);
  str(w, b.message ?? '', MAX_REQUEST_MESSAGE_BYTES, 2);
  w.bytes(b.presenceSecret).bytes(b.inviteTag);
  return w.copy();
}

export function decodeRequest(bytes: Uint8Array): RequestBody | null {
  return decodeOrNull(() => {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const identityKey = r.bytes(IK);
    const certificate = r.bytes(r.length(2, MAX_CERT, 'certificate'));
    const name = readStr(r, MAX_NAME_BYTES, 1, 'name');
    const message = readStr(r, MAX_REQUEST_MESSAGE_BYTES, 2, 'message');
    const presenceSecret = r.bytes(PRESENCE_SECRET_BYTES);
    const inviteTag = r.bytes(32);
    r.end();
    const body: RequestBody = { identityKey, certificate, name, presenceSecret, inviteTag };
    if (message !== '') body.message = message;
    return body;
  });
}

export function encodeAccept(b: AcceptBody): Uint8Array {
  const w = new Writer(1024).u8(VERSION).bytes(b.identityKey).u8(b.certificates.length);
  for (const c of b.certificates) w.u16(c.length).bytes(c);
  return w.bytes(b.presenceSecret).copy();
}

export function decodeAccept(bytes: Uint8Array): AcceptBody | null {
  return decodeOrNull(() => {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const identityKey = r.bytes(IK);
    const n = r.length(1, MAX_DEVICES, 'certificates');
    const certificates: Uint8Array[] = [];
    for (let i = 0; i < n; i++) certificates.push(r.bytes(r.length(2, MAX_CERT, 'certificate')));
    const presenceSecret = r.bytes(PRESENCE_SECRET_BYTES);
    r.end();
    return { identityKey, certificates, presenceSecret };
  });
}

export function encodePing(b: PingBody): Uint8Array {
  return new Writer(64)
    .u8(VERSION)
    .bytes(b.identityKey)
    .u8(b.pong ? 1 : 0)
    .u53(b.sentAt)
    .copy();
}

export function decodePing(bytes: Uint8Array): PingBody | null {
  return decodeOrNull(() => {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const identityKey = r.bytes(IK);
    const f = r.u8();
    if (f > 1) return null;
    const sentAt = r.u53();
    r.end();
    return { identityKey, pong: f === 1, sentAt };
  });
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const w = new Writer(e.sealed.length + 32).u8(ENVELOPE[e.kind]);
  if (e.kind === 'request') {
    if (!e.stamp) throw new TypeError('a request envelope needs a stamp');
    w.u53(e.stamp.timestamp).u53(e.stamp.counter);
  }
  return w.u16(e.sealed.length).bytes(e.sealed).copy();
}

export function decodeEnvelope(bytes: Uint8Array): Envelope | null {
  return decodeOrNull(() => {
    const r = new Reader(bytes);
    const code = r.u8();
    const kind = (Object.keys(ENVELOPE) as EnvelopeKind[]).find((k) => ENVELOPE[k] === code);
    if (!kind) return null;
    const stamp = kind === 'request' ? { timestamp: r.u53(), counter: r.u53() } : undefined;
    const sealed = r.bytes(r.length(2, MAX_SEALED, 'sealed'));
    r.end();
    return stamp ? { kind, sealed, stamp } : { kind, sealed };
  });
}

/** The resource a request's stamp is minted over: owner IK ‖ SHA-256(sealed request) ‖ u64 time. */
export function requestStampResource(ownerIdentityKey: Uint8Array, sealed: Uint8Array, timestamp: number): Uint8Array {
  const t = new Writer(8).u53(timestamp).copy();
  return concatBytes(ownerIdentityKey, sha256(sealed), t);
}
