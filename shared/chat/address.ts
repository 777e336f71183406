/**
 * The address link codec (docs/chat-design.md, "Address link"): what a person shares so others
 * can send them a contact request.
 *
 *   link    = `${origin}/#add/v1.${base64url(payload)}`
 *   payload = u8 version = 1 | IK (32) | invite secret (16) | u8 name length | name (UTF-8)
 *             | checksum (4) = SHA-256(everything before it)[0..4]
 *
 * The payload sits in the fragment, so it never reaches a server.
 *
 * Rules:
 * - `decodeAddress` accepts a full URL (any origin, a query before `#` included), a bare
 *   `#add/v1.…` fragment or `add/v1.…`, with surrounding whitespace; nothing else is forgiven.
 * - Checks run in layout order and each failure is a ChatError: BAD_LINK for the prefix, the
 *   base64url (strict: no padding, no stray characters), a truncated or over-long payload, a name
 *   length over MAX_NAME_BYTES; UNSUPPORTED_VERSION for a version other than 1 (text or byte);
 *   BAD_CHECKSUM; then BAD_LINK for a name that is not valid UTF-8 and for an IK that is not a
 *   canonical Ed25519 point or has small order (it could never be blinded, see crypto/blinding).
 * - An empty name is no name: `name` decodes as undefined.
 * - `encodeAddress` refuses (BAD_ARGUMENT) what `decodeAddress` would refuse, so every link we
 *   make reads back.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, utf8 } from '../crypto/bytes';
import { base64urlDecode, base64urlEncode } from './base64url';
import { INVITE_SECRET_BYTES, MAX_NAME_BYTES } from './constants';
import { ChatError } from './errors';

export const ADDRESS_VERSION = 1;
/** The fragment before the base64url payload. */
export const ADDRESS_PREFIX = `add/v${ADDRESS_VERSION}.`;

const IK_BYTES = 32;
const CHECKSUM_BYTES = 4;
/** version | IK | invite secret | name length. */
const HEADER_BYTES = 1 + IK_BYTES + INVITE_SECRET_BYTES + 1;
const MAX_PAYLOAD_BYTES = HEADER_BYTES + MAX_NAME_BYTES + CHECKSUM_BYTES;
/** Longest base64url text a valid payload has; anything longer is refused before decoding. */
const MAX_PAYLOAD_CHARS = Math.ceil((MAX_PAYLOAD_BYTES * 4) / 3);
/** Longest link text looked at, characters (a generous origin plus the longest payload). */
const MAX_LINK_CHARS = 2048;

export interface AddressFields {
  /** The person's identity key IK, 32-byte Ed25519 public key. */
  readonly identityKey: Uint8Array;
  /** The current invite secret, INVITE_SECRET_BYTES. */
  readonly inviteSecret: Uint8Array;
  /** Display name, at most MAX_NAME_BYTES of UTF-8; empty or absent means none. */
  readonly name?: string;
}

export interface Address {
  readonly version: typeof ADDRESS_VERSION;
  readonly identityKey: Uint8Array;
  readonly inviteSecret: Uint8Array;
  readonly name: string | undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function checksumOf(bytes: Uint8Array): Uint8Array {
  return sha256(bytes).subarray(0, CHECKSUM_BYTES);
}

/** A canonical Ed25519 encoding (RFC 8032 decoding, not ZIP-215) of a point of large order. */
function isUsableIdentityKey(key: Uint8Array): boolean {
  if (key.length !== IK_BYTES) return false;
  try {
    return !ed25519.Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}

/** The link for `fields`, served from `origin` (e.g. `https://chat.example`; a trailing `/` is dropped). */
export function encodeAddress(fields: AddressFields, origin: string): string {
  const { identityKey, inviteSecret } = fields;
  const name = fields.name ?? '';
  if (!isUsableIdentityKey(identityKey)) throw new ChatError('BAD_ARGUMENT', 'identityKey must be a valid 32-byte Ed25519 public key');
  if (inviteSecret.length !== INVITE_SECRET_BYTES) throw new ChatError('BAD_ARGUMENT', `inviteSecret must be ${INVITE_SECRET_BYTES} bytes`);
  const nameBytes = utf8.encode(name);
  // TextEncoder turns lone surrogates into U+FFFD: such a name would not read back as written.
  if (strictUtf8.decode(nameBytes) !== name) throw new ChatError('BAD_ARGUMENT', 'name is not well-formed Unicode');
  if (nameBytes.length > MAX_NAME_BYTES) throw new ChatError('BAD_ARGUMENT', `name is over ${MAX_NAME_BYTES} bytes of UTF-8`);
  if (/[#\s]/.test(origin)) throw new ChatError('BAD_ARGUMENT', 'origin must not contain "#" or whitespace');

  const body = new Uint8Array(HEADER_BYTES + nameBytes.length);
  body[0] = ADDRESS_VERSION;
  body.set(identityKey, 1);
  body.set(inviteSecret, 1 + IK_BYTES);
  body[HEADER_BYTES - 1] = nameBytes.length;
  body.set(nameBytes, HEADER_BYTES);
  const payload = new Uint8Array(body.length + CHECKSUM_BYTES);
  payload.set(body);
  payload.set(checksumOf(body), body.length);
  return `${origin.replace(/\/+$/, '')}/#${ADDRESS_PREFIX}${base64urlEncode(payload)}`;
}

/** The address in `link`; throws ChatError (BAD_LINK, BAD_CHECKSUM, UNSUPPORTED_VERSION) otherwise. */
export function decodeAddress(link: string): Address {
  if (link.length > MAX_LINK_CHARS) throw new ChatError('BAD_LINK', 'too long');
  const text = link.trim();
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  if (!fragment.startsWith('add/')) throw new ChatError('BAD_LINK', 'not an address link');
  const version = /^add\/v(0|[1-9]\d{0,8})\./.exec(fragment);
  if (!version) throw new ChatError('BAD_LINK', 'no version in the link');
  if (Number(version[1]) !== ADDRESS_VERSION) throw new ChatError('UNSUPPORTED_VERSION', `link version ${version[1]}`);
  const encoded = fragment.slice(version[0].length);
  if (encoded.length > MAX_PAYLOAD_CHARS) throw new ChatError('BAD_LINK', 'trailing bytes');
  const payload = base64urlDecode(encoded);
  if (!payload) throw new ChatError('BAD_LINK', 'not base64url');
  return decodePayload(payload);
}

function decodePayload(payload: Uint8Array): Address {
  if (payload.length === 0) throw new ChatError('BAD_LINK', 'truncated');
  if (payload[0] !== ADDRESS_VERSION) throw new ChatError('UNSUPPORTED_VERSION', `payload version ${payload[0]}`);
  if (payload.length < HEADER_BYTES) throw new ChatError('BAD_LINK', 'truncated');
  const nameLength = payload[HEADER_BYTES - 1]!;
  if (nameLength > MAX_NAME_BYTES) throw new ChatError('BAD_LINK', `name length ${nameLength} over ${MAX_NAME_BYTES}`);
  const bodyLength = HEADER_BYTES + nameLength;
  if (payload.length < bodyLength + CHECKSUM_BYTES) throw new ChatError('BAD_LINK', 'truncated');
  if (payload.length > bodyLength + CHECKSUM_BYTES) throw new ChatError('BAD_LINK', 'trailing bytes');
  if (!bytesEqual(checksumOf(payload.subarray(0, bodyLength)), payload.subarray(bodyLength))) throw new ChatError('BAD_CHECKSUM');

  let name: string;
  try {
    name = strictUtf8.decode(payload.subarray(HEADER_BYTES, bodyLength));
  } catch {
    throw new ChatError('BAD_LINK', 'name is not valid UTF-8');
  }
  const identityKey = payload.slice(1, 1 + IK_BYTES);
  if (!isUsableIdentityKey(identityKey)) throw new ChatError('BAD_LINK', 'identity key is not a valid Ed25519 public key');
  return {
    version: ADDRESS_VERSION,
    identityKey,
    inviteSecret: payload.slice(1 + IK_BYTES, HEADER_BYTES - 1),
    name: name === '' ? undefined : name,
  };
}
