/**
 * The external functions of the Double Ratchet (spec section 3.1) with the algorithms the spec
 * recommends in section 5.2, plus the binary header and message encodings.
 *
 *   GENERATE_DH  X25519 key pair from 32 random bytes.
 *   DH           X25519; low-order public keys and an all-zero output are refused.
 *   KDF_RK       HKDF-SHA256(salt = rk, IKM = dh_out, info = KDF_RK_INFO) -> 64 bytes = rk' | ck.
 *   KDF_CK       HMAC-SHA256(ck, 0x01) = mk, HMAC-SHA256(ck, 0x02) = ck'.
 *   ENCRYPT      HKDF-SHA256(salt = 32 zero bytes, IKM = mk, info = ENCRYPT_INFO) -> 80 bytes =
 *                enc key 32 | auth key 32 | IV 16; AES-256-CBC with PKCS#7 padding; then
 *                HMAC-SHA256(auth key, ad | ciphertext), FULL 32 bytes (not truncated), appended.
 *   DECRYPT      checks the HMAC in constant time first, decrypts only if it verifies.
 *   HEADER       dh (32) | pn (u32 BE) | n (u32 BE): always 40 bytes.
 *   CONCAT       len(ad) (u32 BE) | ad | header, so (ad, header) is recoverable from the bytes.
 */
import { cbc } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { bytesToHex, utf8 } from './bytes';
import { curves } from './curves';
import { RatchetError, type RatchetErrorCode } from './double-ratchet-error';
import { MAX_COUNTER, MAX_PLAINTEXT_BYTES, type DhKeyPair, type MessageHeader, type RatchetMessage } from './double-ratchet-types';

/** HKDF info of KDF_RK (application-specific, spec 5.2). */
export const KDF_RK_INFO = utf8.encode('p2p-chat DoubleRatchet v1 KDF_RK');
/** HKDF info of ENCRYPT; distinct from every other HKDF use, as spec 5.2 asks. */
export const ENCRYPT_INFO = utf8.encode('p2p-chat DoubleRatchet v1 ENCRYPT');
/** Encoded HEADER length in bytes. */
export const HEADER_BYTES = 40;
/** Appended HMAC-SHA256 tag length in bytes (full output, no truncation). */
export const MAC_BYTES = 32;
/** Version byte that starts every encoded message. */
export const MESSAGE_VERSION = 1;
/** Largest ciphertext: the plaintext bound padded to a whole extra block, plus the MAC. */
export const MAX_CIPHERTEXT_BYTES = MAX_PLAINTEXT_BYTES + 16 + MAC_BYTES;

export type RandomBytes = (n: number) => Uint8Array;
export const defaultRandomBytes: RandomBytes = (n) => nobleRandomBytes(n);

const ZERO_SALT = new Uint8Array(32);
const CK_MESSAGE = Uint8Array.of(0x01);
const CK_CHAIN = Uint8Array.of(0x02);

/**
 * X25519 results already computed for exact inputs (by a faster, asynchronous implementation:
 * double-ratchet-ahead.ts). A miss (undefined) is computed here, so a lookup can only save time.
 */
export interface KnownX25519 {
  publicKey(secretKey: Uint8Array): Uint8Array | undefined;
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
}

/** GENERATE_DH(): a fresh X25519 key pair from `randomBytes(32)`. */
export function generateDh(randomBytes: RandomBytes = defaultRandomBytes, known?: KnownX25519): DhKeyPair {
  const secretKey = randomBytes(32);
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new RatchetError('BAD_INPUT', 'randomBytes(32) must return 32 bytes');
  }
  const sk = Uint8Array.from(secretKey);
  return { secretKey: sk, publicKey: known?.publicKey(sk) ?? curves().x25519PublicKey(sk) };
}

/** DH(dh_pair, dh_pub): X25519. A low-order `publicKey` or an all-zero result throws `code`. */
export function dh(pair: DhKeyPair, publicKey: Uint8Array, code: RatchetErrorCode, known?: KnownX25519): Uint8Array {
  if (publicKey.length !== 32) throw new RatchetError(code, 'DH public key must be 32 bytes');
  let out: Uint8Array;
  try {
    out = known?.dh(pair.secretKey, publicKey) ?? curves().x25519(pair.secretKey, publicKey);
  } catch {
    throw new RatchetError(code, 'low-order or invalid X25519 public key');
  }
  let acc = 0;
  for (let i = 0; i < out.length; i++) acc |= out[i]!;
  if (acc === 0) throw new RatchetError(code, 'all-zero X25519 output');
  return out;
}

/** KDF_RK(rk, dh_out) -> [rk', ck]. */
export function kdfRk(rk: Uint8Array, dhOut: Uint8Array): [Uint8Array, Uint8Array] {
  const okm = hkdf(sha256, dhOut, rk, KDF_RK_INFO, 64);
  return [okm.slice(0, 32), okm.slice(32, 64)];
}

/** KDF_CK(ck) -> [ck', mk]. Both HMACs share one keyed instance (the key schedule runs once). */
export function kdfCk(ck: Uint8Array): [Uint8Array, Uint8Array] {
  const keyed = hmac.create(sha256, ck);
  const mk = keyed.clone().update(CK_MESSAGE).digest();
  return [keyed.update(CK_CHAIN).digest(), mk];
}

function messageKeys(mk: Uint8Array): { encKey: Uint8Array; authKey: Uint8Array; iv: Uint8Array } {
  const okm = hkdf(sha256, mk, ZERO_SALT, ENCRYPT_INFO, 80);
  return { encKey: okm.subarray(0, 32), authKey: okm.subarray(32, 64), iv: okm.subarray(64, 80) };
}

function mac(authKey: Uint8Array, ad: Uint8Array, ct: Uint8Array): Uint8Array {
  return hmac.create(sha256, authKey).update(ad).update(ct).digest();
}

/** ENCRYPT(mk, plaintext, associated_data) -> AES-256-CBC ciphertext | HMAC (32 bytes). */
export function encrypt(mk: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { encKey, authKey, iv } = messageKeys(mk);
  const ct = cbc(encKey, iv).encrypt(plaintext);
  const out = new Uint8Array(ct.length + MAC_BYTES);
  out.set(ct, 0);
  out.set(mac(authKey, ad, ct), ct.length);
  return out;
}

/** Constant-time equality for equal-length secrets (the length itself is public). */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** DECRYPT(mk, ciphertext, associated_data): MAC first (constant time), then AES-CBC. */
export function decrypt(mk: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array {
  const ctLen = ciphertext.length - MAC_BYTES;
  if (ctLen < 16 || ctLen % 16 !== 0) throw new RatchetError('DECRYPT_FAILED', 'impossible ciphertext length');
  const { encKey, authKey, iv } = messageKeys(mk);
  const ct = ciphertext.subarray(0, ctLen);
  if (!constantTimeEqual(mac(authKey, ad, ct), ciphertext.subarray(ctLen))) {
    throw new RatchetError('DECRYPT_FAILED', 'MAC mismatch');
  }
  try {
    return cbc(encKey, iv).decrypt(ct);
  } catch {
    // Authenticated but badly padded: only a broken sender produces this.
    throw new RatchetError('DECRYPT_FAILED', 'bad padding');
  }
}

/** MKSKIPPED's dictionary key for (dh, n). */
export function skippedKeyId(dhPub: Uint8Array, n: number): string {
  return `${bytesToHex(dhPub)}:${n}`;
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/** Throws BAD_HEADER unless dh is 32 bytes, pn a u32 and n at most MAX_COUNTER. */
export function checkHeader(h: MessageHeader): void {
  if (!(h.dh instanceof Uint8Array) || h.dh.length !== 32) throw new RatchetError('BAD_HEADER', 'dh must be 32 bytes');
  if (!isU32(h.pn)) throw new RatchetError('BAD_HEADER', 'pn out of range');
  if (!isU32(h.n) || h.n > MAX_COUNTER) throw new RatchetError('BAD_HEADER', 'n out of range');
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function getU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The 40-byte HEADER encoding (the caller has checked the fields). */
export function encodeHeader(h: MessageHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(h.dh, 0);
  putU32(out, 32, h.pn);
  putU32(out, 36, h.n);
  return out;
}

/** CONCAT(ad, header) = u32 BE len(ad) | ad | header. */
export function concatAd(ad: Uint8Array, header: Uint8Array): Uint8Array {
  if (ad.length > 0xffffffff) throw new RatchetError('BAD_INPUT', 'associated data too long');
  const out = new Uint8Array(4 + ad.length + header.length);
  putU32(out, 0, ad.length);
  out.set(ad, 4);
  out.set(header, 4 + ad.length);
  return out;
}

/** Wire form: u8 MESSAGE_VERSION | HEADER (40 bytes) | ciphertext (the rest of the bytes). */
export function encodeMessage(m: RatchetMessage): Uint8Array {
  checkHeader(m.header);
  checkCiphertextShape(m.ciphertext, 'BAD_INPUT');
  const out = new Uint8Array(1 + HEADER_BYTES + m.ciphertext.length);
  out[0] = MESSAGE_VERSION;
  out.set(encodeHeader(m.header), 1);
  out.set(m.ciphertext, 1 + HEADER_BYTES);
  return out;
}

function checkCiphertextShape(ct: Uint8Array, code: RatchetErrorCode): void {
  const n = ct.length - MAC_BYTES;
  if (n < 16 || n % 16 !== 0 || ct.length > MAX_CIPHERTEXT_BYTES) {
    throw new RatchetError(code, `ciphertext length ${ct.length} impossible`);
  }
}

/**
 * Strict decoder: exact version, n <= MAX_COUNTER, ciphertext a whole number of AES blocks (at
 * least one) plus the MAC and at most MAX_CIPHERTEXT_BYTES. Returns copies, never views of `bytes`.
 */
export function decodeMessage(bytes: Uint8Array): RatchetMessage {
  if (bytes.length < 1 + HEADER_BYTES) throw new RatchetError('BAD_MESSAGE', 'truncated');
  if (bytes[0] !== MESSAGE_VERSION) throw new RatchetError('BAD_MESSAGE', `unknown version ${bytes[0]}`);
  const n = getU32(bytes, 1 + 36);
  if (n > MAX_COUNTER) throw new RatchetError('BAD_MESSAGE', 'n out of range');
  const ciphertext = bytes.slice(1 + HEADER_BYTES);
  checkCiphertextShape(ciphertext, 'BAD_MESSAGE');
  return { header: { dh: bytes.slice(1, 33), pn: getU32(bytes, 1 + 32), n }, ciphertext };
}
