/**
 * The plaintexts inside invite and presence records (docs/chat-design.md, "Periods and blinded
 * records"), as strict, bounded binary layouts. Certificates are opaque byte strings here (another
 * module parses and checks them); this module only bounds their number and size.
 *
 *   invite   = u8 version (1) | certs
 *   presence = u8 version (1) | certs | u8 m (0..MAX_DEVICES) | m × node id (20 B, distinct)
 *              | updatedAt (ms since the epoch, 0..2^53-1, as two big-endian u32)
 *   certs    = u8 n (1..MAX_DEVICES) | n × (u8 length (1..MAX_CERTIFICATE_BYTES) | bytes), distinct
 *
 * The largest presence payload is 895 bytes, which fits RECORD_PLAINTEXT_BYTES with its 2-byte
 * pad prefix (sealed-record.ts). Encoders throw TypeError/RangeError on local misuse; decoders
 * take remote bytes and return null for anything that is not exactly one valid payload.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { ID_BYTES } from '../dht/constants';
import { Reader, Writer } from '../protocol/byte-io';
import { MAX_CERTIFICATE_BYTES, MAX_DEVICES } from './constants';

export const PAYLOAD_VERSION = 1;
/** Bytes of the largest invite payload. */
export const MAX_INVITE_PAYLOAD_BYTES = 2 + MAX_DEVICES * (1 + MAX_CERTIFICATE_BYTES);
/** Bytes of the largest presence payload. */
export const MAX_PRESENCE_PAYLOAD_BYTES = MAX_INVITE_PAYLOAD_BYTES + 1 + MAX_DEVICES * ID_BYTES + 8;

export interface InvitePayload {
  /** The owner's current device certificates, 1..MAX_DEVICES of 1..MAX_CERTIFICATE_BYTES each. */
  readonly certificates: readonly Uint8Array[];
}

export interface PresencePayload {
  readonly certificates: readonly Uint8Array[];
  /** Node ids (40 lowercase hex characters) of the owner's devices online now, 0..MAX_DEVICES. */
  readonly online: readonly string[];
  /** When the owner wrote this record, ms since the Unix epoch. */
  readonly updatedAt: number;
}

const NODE_ID_HEX = /^[0-9a-f]{40}$/;

function writeCertificates(w: Writer, certificates: readonly Uint8Array[]): void {
  if (!Array.isArray(certificates)) throw new TypeError('certificates must be an array');
  if (certificates.length < 1 || certificates.length > MAX_DEVICES)
    throw new RangeError(`${certificates.length} certificates; 1..${MAX_DEVICES} allowed`);
  const seen = new Set<string>();
  w.u8(certificates.length);
  for (const c of certificates) {
    if (!(c instanceof Uint8Array)) throw new TypeError('a certificate must be a Uint8Array');
    if (c.length < 1 || c.length > MAX_CERTIFICATE_BYTES)
      throw new RangeError(`certificate of ${c.length} bytes; 1..${MAX_CERTIFICATE_BYTES}`);
    const key = bytesToHex(c);
    if (seen.has(key)) throw new RangeError('duplicate certificate');
    seen.add(key);
    w.u8(c.length).bytes(c);
  }
}

/** Reads `certs`; null when a count, a length or a duplicate is out of bounds. */
function readCertificates(r: Reader): Uint8Array[] | null {
  const n = r.u8();
  if (n < 1 || n > MAX_DEVICES) return null;
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const len = r.u8();
    if (len < 1 || len > MAX_CERTIFICATE_BYTES) return null;
    const c = r.bytes(len);
    const key = bytesToHex(c);
    if (seen.has(key)) return null;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** Runs a decoder over remote bytes: any throw (truncation) or trailing byte gives null. */
function decodeWith<T>(bytes: Uint8Array, read: (r: Reader) => T | null): T | null {
  if (!(bytes instanceof Uint8Array)) return null;
  try {
    const r = new Reader(bytes);
    if (r.u8() !== PAYLOAD_VERSION) return null;
    const out = read(r);
    if (out === null) return null;
    r.end();
    return out;
  } catch {
    return null;
  }
}

export function encodeInvitePayload(p: InvitePayload): Uint8Array {
  const w = new Writer(MAX_INVITE_PAYLOAD_BYTES);
  w.u8(PAYLOAD_VERSION);
  writeCertificates(w, p.certificates);
  return w.copy();
}

export function decodeInvitePayload(bytes: Uint8Array): InvitePayload | null {
  return decodeWith(bytes, (r) => {
    const certificates = readCertificates(r);
    return certificates ? { certificates } : null;
  });
}

export function encodePresencePayload(p: PresencePayload): Uint8Array {
  const w = new Writer(MAX_PRESENCE_PAYLOAD_BYTES);
  w.u8(PAYLOAD_VERSION);
  writeCertificates(w, p.certificates);
  if (!Array.isArray(p.online)) throw new TypeError('online must be an array');
  if (p.online.length > MAX_DEVICES) throw new RangeError(`${p.online.length} online nodes; at most ${MAX_DEVICES}`);
  if (new Set(p.online).size !== p.online.length) throw new RangeError('duplicate online node id');
  w.u8(p.online.length);
  for (const id of p.online) {
    if (typeof id !== 'string' || !NODE_ID_HEX.test(id)) throw new RangeError('a node id must be 40 lowercase hex characters');
    w.bytes(hexToBytes(id));
  }
  const t = p.updatedAt;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > Number.MAX_SAFE_INTEGER)
    throw new RangeError('updatedAt must be an integer ms timestamp in 0..2^53-1');
  w.u53(t);
  return w.copy();
}

export function decodePresencePayload(bytes: Uint8Array): PresencePayload | null {
  return decodeWith(bytes, (r) => {
    const certificates = readCertificates(r);
    if (!certificates) return null;
    const m = r.u8();
    if (m > MAX_DEVICES) return null;
    const online: string[] = [];
    for (let i = 0; i < m; i++) online.push(bytesToHex(r.bytes(ID_BYTES)));
    if (new Set(online).size !== online.length) return null;
    const updatedAt = r.u53();
    return { certificates, online, updatedAt };
  });
}
