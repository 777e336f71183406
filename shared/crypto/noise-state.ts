/**
 * Noise Protocol Framework (revision 34), sections 4.2-5.2: the hash functions, HKDF, CipherState
 * (ChaChaPoly) and SymmetricState. The handshake itself is in ./noise.ts.
 *
 * Primitives come only from @noble: chacha20poly1305 (@noble/ciphers), sha256 and hmac
 * (@noble/hashes). BLAKE2b lives in ./noise-blake2b.ts so that a bundle which does not import it
 * does not carry it.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';

export type NoiseErrorCode =
  /** AEAD authentication failed: tampered, truncated, replayed, reordered or wrong-key data. */
  | 'DECRYPT_FAILED'
  /** A message is shorter than its pattern requires, or a key has the wrong length. */
  | 'BAD_LENGTH'
  /** A call out of turn: after failure, before/after completion, split twice, ... */
  | 'WRONG_STATE'
  /** Over the spec's 65535-byte message limit. */
  | 'MESSAGE_TOO_LARGE'
  /** An X25519 public key of small order (DH would be all zeros). */
  | 'INVALID_KEY'
  /** The 64-bit nonce space is used up (here: 2^53 - 1 messages, see CipherState). */
  | 'NONCE_EXHAUSTED'
  /** Local misconfiguration: missing or superfluous keys, mismatched key pair. */
  | 'BAD_CONFIG';

/** The only error this module throws; remote input never surfaces as any other class. */
export class NoiseError extends Error {
  readonly code: NoiseErrorCode;
  constructor(code: NoiseErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'NoiseError';
    this.code = code;
  }
}

/** Spec 3: "All Noise messages are less than or equal to 65535 bytes in length." */
export const MAX_MESSAGE_LEN = 65535;
/** ChaChaPoly authentication tag. */
export const TAG_LEN = 16;
export const KEY_LEN = 32;

const EMPTY = new Uint8Array(0);

/** A Noise hash function (spec 4.3): its name in the protocol name, HASH and HMAC-HASH. */
export interface NoiseHash {
  readonly name: string;
  /** HASHLEN: 32 or 64. */
  readonly hashLen: number;
  hash(...parts: Uint8Array[]): Uint8Array;
  hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
}

/** Wraps a @noble hash. */
export function noiseHash(name: string, h: CHash): NoiseHash {
  return {
    name,
    hashLen: h.outputLen,
    hash(...parts) {
      const st = h.create();
      for (const p of parts) st.update(p);
      return st.digest();
    },
    hmac(key, ...parts) {
      const st = hmac.create(h, key);
      for (const p of parts) st.update(p);
      return st.digest();
    },
  };
}

export const SHA256: NoiseHash = noiseHash('SHA256', sha256);

const ONE = Uint8Array.of(1);
const TWO = Uint8Array.of(2);

/** Spec 4.3 HKDF(chaining_key, input_key_material, 2), i.e. RFC 5869 with salt = ck, no info. */
export function hkdf2(hash: NoiseHash, ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const tempKey = hash.hmac(ck, ikm);
  const out1 = hash.hmac(tempKey, ONE);
  const out2 = hash.hmac(tempKey, out1, TWO);
  tempKey.fill(0);
  return [out1, out2];
}

/** Largest n we can count exactly in a JS number; the spec reserves 2^64 - 1, we stop far earlier. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

/** ChaChaPoly nonce (spec 12.3): 32 bits of zeros, then n as 64-bit little-endian. */
function chachaNonce(n: number, max = false): Uint8Array {
  const nonce = new Uint8Array(12);
  if (max) {
    nonce.fill(0xff, 4);
  } else {
    const v = new DataView(nonce.buffer);
    v.setUint32(4, n >>> 0, true);
    v.setUint32(8, Math.floor(n / 0x1_0000_0000), true);
  }
  return nonce;
}

/**
 * Spec 5.1 CipherState: a key k (or none) and a counter n. Strictly sequential: message i must be
 * decrypted with nonce i, so a replayed, reordered or dropped message fails with DECRYPT_FAILED.
 * As the spec says, a failed decryption does not advance n: the state stays usable and the next
 * genuine message still decrypts. Callers that want "one bad frame kills the session" (this app
 * does) must close the channel themselves on any NoiseError.
 */
export class CipherState {
  private k: Uint8Array | null = null;
  private n = 0;

  constructor(key?: Uint8Array) {
    if (key) this.initializeKey(key);
  }

  /** InitializeKey(key): sets k (copied) and n = 0. */
  initializeKey(key: Uint8Array | null): void {
    if (key && key.length !== KEY_LEN) throw new NoiseError('BAD_LENGTH', 'cipher key must be 32 bytes');
    this.k?.fill(0);
    this.k = key ? Uint8Array.from(key) : null;
    this.n = 0;
  }

  hasKey(): boolean {
    return this.k !== null;
  }

  /** The next nonce (number of messages processed with the current key). */
  get nonce(): number {
    return this.n;
  }

  /** Returns ENCRYPT(k, n++, ad, plaintext), or a copy of plaintext if there is no key yet. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length + (this.k ? TAG_LEN : 0) > MAX_MESSAGE_LEN)
      throw new NoiseError('MESSAGE_TOO_LARGE', `${plaintext.length}-byte plaintext exceeds the 65535-byte message limit`);
    if (!this.k) return Uint8Array.from(plaintext);
    if (this.n >= MAX_NONCE) throw new NoiseError('NONCE_EXHAUSTED', 'nonce exhausted; rekey or start a new session');
    const out = chacha20poly1305(this.k, chachaNonce(this.n), ad).encrypt(plaintext);
    this.n++;
    return out;
  }

  /** Returns DECRYPT(k, n++, ad, ciphertext); on failure throws DECRYPT_FAILED and n is unchanged. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length > MAX_MESSAGE_LEN)
      throw new NoiseError('MESSAGE_TOO_LARGE', `${ciphertext.length}-byte ciphertext exceeds 65535 bytes`);
    if (!this.k) return Uint8Array.from(ciphertext);
    if (ciphertext.length < TAG_LEN) throw new NoiseError('BAD_LENGTH', 'ciphertext shorter than its tag');
    if (this.n >= MAX_NONCE) throw new NoiseError('NONCE_EXHAUSTED', 'nonce exhausted');
    let out: Uint8Array;
    try {
      out = chacha20poly1305(this.k, chachaNonce(this.n), ad).decrypt(ciphertext);
    } catch {
      throw new NoiseError('DECRYPT_FAILED', 'authentication failed');
    }
    this.n++;
    return out;
  }

  /** Transport convenience: encryptWithAd with an empty ad. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    return this.encryptWithAd(EMPTY, plaintext);
  }

  /** Transport convenience: decryptWithAd with an empty ad. */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    return this.decryptWithAd(EMPTY, ciphertext);
  }

  /** Spec 4.2 REKEY: k = first 32 bytes of ENCRYPT(k, 2^64 - 1, empty, 32 zeros). n is unchanged. */
  rekey(): void {
    if (!this.k) throw new NoiseError('WRONG_STATE', 'rekey without a key');
    const next = chacha20poly1305(this.k, chachaNonce(0, true), EMPTY).encrypt(new Uint8Array(KEY_LEN));
    this.k.fill(0);
    this.k = next.slice(0, KEY_LEN);
    next.fill(0);
  }

  /** Best-effort wipe; the state has no key afterwards. */
  clear(): void {
    this.initializeKey(null);
  }
}

/**
 * The discarded direction of a one-way pattern (spec 7.4: "the recipient must not send any
 * messages using it"). Every use throws WRONG_STATE, where a key-less CipherState would pass
 * plaintext through unencrypted.
 */
export class DiscardedCipherState extends CipherState {
  override initializeKey(key: Uint8Array | null): void {
    if (key) throw new NoiseError('WRONG_STATE', 'the unused direction of a one-way pattern takes no key');
    super.initializeKey(null);
  }

  override encryptWithAd(): Uint8Array {
    throw new NoiseError('WRONG_STATE', 'one-way pattern: the recipient must not send');
  }

  override decryptWithAd(): Uint8Array {
    throw new NoiseError('WRONG_STATE', 'one-way pattern: the initiator receives nothing');
  }

  override rekey(): void {
    throw new NoiseError('WRONG_STATE', 'one-way pattern: this direction has no key');
  }
}

/** Spec 5.2 SymmetricState: the chaining key ck, the handshake hash h and a CipherState. */
export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  private readonly cs = new CipherState();

  /** InitializeSymmetric(protocol_name). */
  constructor(
    private readonly hash: NoiseHash,
    protocolName: Uint8Array,
  ) {
    if (protocolName.length <= hash.hashLen) {
      this.h = new Uint8Array(hash.hashLen);
      this.h.set(protocolName);
    } else {
      this.h = hash.hash(protocolName);
    }
    this.ck = Uint8Array.from(this.h);
  }

  hasKey(): boolean {
    return this.cs.hasKey();
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf2(this.hash, this.ck, ikm);
    this.ck.fill(0);
    this.ck = ck;
    this.cs.initializeKey(tempK.subarray(0, KEY_LEN));
    tempK.fill(0);
  }

  mixHash(data: Uint8Array): void {
    this.h = this.hash.hash(this.h, data);
  }

  getHandshakeHash(): Uint8Array {
    return Uint8Array.from(this.h);
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cs.encryptWithAd(this.h, plaintext);
    this.mixHash(ct);
    return ct;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const pt = this.cs.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return pt;
  }

  /** Split(): two CipherStates, the first for initiator->responder. Wipes ck. */
  /** Split()'s two keys themselves (temp_k1, temp_k2), for a caller that seeds its own transport. */
  splitKeys(): [Uint8Array, Uint8Array] {
    const [k1, k2] = hkdf2(this.hash, this.ck, EMPTY);
    const out: [Uint8Array, Uint8Array] = [k1.slice(0, KEY_LEN), k2.slice(0, KEY_LEN)];
    k1.fill(0);
    k2.fill(0);
    this.clear();
    return out;
  }

  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.hash, this.ck, EMPTY);
    const c1 = new CipherState(k1.subarray(0, KEY_LEN));
    const c2 = new CipherState(k2.subarray(0, KEY_LEN));
    k1.fill(0);
    k2.fill(0);
    this.clear();
    return [c1, c2];
  }

  /** Best-effort wipe of ck and k (h is public: it stays readable). */
  clear(): void {
    this.ck.fill(0);
    this.cs.clear();
  }
}
