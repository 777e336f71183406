/**
 * Device certificates: the identity key IK (Ed25519) vouches that a device key DK (X25519, the
 * device's Noise static key) and a DHT node id belong to the same person (docs/chat-design.md,
 * "Keys"). Certificates travel only inside encrypted payloads.
 *
 *   cert     = u8 version = 1 | IK (32) | DK (32) | node id (20) | issuedAt (u64 BE, ms) | sig (64)
 *   signable = "p2p-chat device-cert v1\0" | cert[0 .. 93]      (everything before the signature)
 *   sig      = Ed25519 (RFC 8032) by IK over signable
 *
 * Rules:
 * - `parseCertificate` is for remote bytes: it never throws, and returns a certificate only when
 *   the length is exact, the version is 1, issuedAt is a safe integer, IK is a canonical point of
 *   large order, and the signature verifies under RFC 8032 rules (not ZIP-215: one certificate,
 *   one encoding). A small-order IK is refused because anyone can sign for it (noble's strict
 *   verify refuses it too; the explicit check does not depend on verifier options).
 * - DK is not checked as a curve point here: Noise refuses a small-order DK when it is used.
 * - `issueCertificate` is for our own keys and throws ChatError BAD_ARGUMENT on bad fields.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, bytesToHex, concatBytes, hexToBytes, utf8 } from '../crypto/bytes';
import { curves } from '../crypto/curves';
import { ChatError } from './errors';

export const CERTIFICATE_VERSION = 1;
/** Signatures are over this label and the certificate body, so no other signed IK message can pass as one. */
const DOMAIN = utf8.encode('p2p-chat device-cert v1\0');

const KEY_BYTES = 32;
const NODE_ID_BYTES = 20;
const SIGNATURE_BYTES = 64;
const IK_AT = 1;
const DK_AT = IK_AT + KEY_BYTES;
const NODE_ID_AT = DK_AT + KEY_BYTES;
const ISSUED_AT = NODE_ID_AT + NODE_ID_BYTES;
const BODY_BYTES = ISSUED_AT + 8;
/** Encoded certificate length, bytes. */
export const CERTIFICATE_BYTES = BODY_BYTES + SIGNATURE_BYTES;

/** What a certificate says, signed. */
export interface DeviceCertificate {
  /** The person's identity key, 32-byte Ed25519 public key (the signer). */
  readonly identityKey: Uint8Array;
  /** The device's X25519 public key (its Noise static key), 32 bytes. */
  readonly deviceKey: Uint8Array;
  /** The device's DHT node id, 20 bytes. */
  readonly nodeId: Uint8Array;
  /** When the certificate was issued, ms since the epoch. */
  readonly issuedAt: number;
  /** Ed25519 signature by identityKey, 64 bytes. */
  readonly signature: Uint8Array;
}

/** The fields the issuer chooses; the identity key is the one of the signing seed. */
export interface CertificateFields {
  readonly deviceKey: Uint8Array;
  readonly nodeId: Uint8Array;
  readonly issuedAt: number;
}

function encodeBody(identityKey: Uint8Array, fields: CertificateFields): Uint8Array {
  const out = new Uint8Array(BODY_BYTES);
  out[0] = CERTIFICATE_VERSION;
  out.set(identityKey, IK_AT);
  out.set(fields.deviceKey, DK_AT);
  out.set(fields.nodeId, NODE_ID_AT);
  const view = new DataView(out.buffer);
  view.setUint32(ISSUED_AT, Math.floor(fields.issuedAt / 2 ** 32));
  view.setUint32(ISSUED_AT + 4, fields.issuedAt % 2 ** 32);
  return out;
}

/** The encoded, signed certificate for the device described by `fields`, signed by the IK seed. */
export function issueCertificate(identitySeed: Uint8Array, fields: CertificateFields): Uint8Array {
  if (identitySeed.length !== KEY_BYTES) throw new ChatError('BAD_ARGUMENT', `identity seed must be ${KEY_BYTES} bytes`);
  if (fields.deviceKey.length !== KEY_BYTES) throw new ChatError('BAD_ARGUMENT', `deviceKey must be ${KEY_BYTES} bytes`);
  if (fields.nodeId.length !== NODE_ID_BYTES) throw new ChatError('BAD_ARGUMENT', `nodeId must be ${NODE_ID_BYTES} bytes`);
  if (!Number.isSafeInteger(fields.issuedAt) || fields.issuedAt < 0) {
    throw new ChatError('BAD_ARGUMENT', 'issuedAt must be a non-negative safe integer (ms)');
  }
  const body = encodeBody(curves().ed25519PublicKey(identitySeed), fields);
  return concatBytes(body, curves().ed25519Sign(concatBytes(DOMAIN, body), identitySeed));
}

/** The wire bytes of a certificate (as issued or parsed; nothing is re-signed). */
export function encodeCertificate(cert: DeviceCertificate): Uint8Array {
  return concatBytes(encodeBody(cert.identityKey, cert), cert.signature);
}

/** The certificate in `bytes` if it is well formed and its signature verifies, else null. Never throws. */
export function parseCertificate(bytes: Uint8Array): DeviceCertificate | null {
  if (bytes.length !== CERTIFICATE_BYTES || bytes[0] !== CERTIFICATE_VERSION) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(ISSUED_AT);
  if (high >= 2 ** 21) return null; // over Number.MAX_SAFE_INTEGER
  const identityKey = bytes.slice(IK_AT, DK_AT);
  const signature = bytes.slice(BODY_BYTES);
  try {
    if (ed25519.Point.fromBytes(identityKey, false).isSmallOrder()) return null;
    if (!curves().ed25519Verify(signature, concatBytes(DOMAIN, bytes.subarray(0, BODY_BYTES)), identityKey, true)) return null;
  } catch {
    return null;
  }
  return {
    identityKey,
    deviceKey: bytes.slice(DK_AT, NODE_ID_AT),
    nodeId: bytes.slice(NODE_ID_AT, ISSUED_AT),
    issuedAt: high * 2 ** 32 + view.getUint32(ISSUED_AT + 4),
    signature,
  };
}

/** `parseCertificate`, and the signer must be `identityKey` (the contact we expect). Never throws. */
export function verifyCertificate(bytes: Uint8Array, identityKey: Uint8Array): DeviceCertificate | null {
  const cert = parseCertificate(bytes);
  return cert && bytesEqual(cert.identityKey, identityKey) ? cert : null;
}

/**
 * Parsed certificates (and failures) by their bytes: contacts' certificates are checked on every
 * ping, and a session's certificate against each contact in turn, so each is verified once and
 * then only compared.
 */
export class CertificateCache {
  private readonly seen = new Map<string, DeviceCertificate | null>();

  constructor(
    private readonly max = 1024,
    private readonly parse = parseCertificate,
  ) {}

  /** The certificate's device and node, if it is `ik`'s and names `deviceKey` (when given). */
  check(cert: string | Uint8Array, ik: Uint8Array, deviceKey?: Uint8Array): DeviceCertificate | null {
    const hex = typeof cert === 'string' ? cert : bytesToHex(cert);
    let c = this.seen.get(hex);
    if (c === undefined) {
      c = this.parse(hexToBytes(hex));
      if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(hex, c);
    }
    if (!c || !bytesEqual(c.identityKey, ik)) return null;
    return deviceKey && !bytesEqual(c.deviceKey, deviceKey) ? null : c;
  }
}
