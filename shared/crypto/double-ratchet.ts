/**
 * The Double Ratchet, as published by Signal: "The Double Ratchet Algorithm", Trevor Perrin and
 * Moxie Marlinspike, revision 4 (signal.org/docs/specifications/doubleratchet/). This module is
 * the classic (non-post-quantum, no header encryption) algorithm of:
 *   - section 3.2-3.5: state variables, RatchetInitAlice, RatchetInitBob, RatchetEncrypt,
 *     RatchetDecrypt, TrySkippedMessageKeys, SkipMessageKeys and DHRatchet, transcribed from the
 *     spec's Python-like pseudocode in the same order;
 *   - section 5.2: the recommended algorithms (X25519, HKDF-SHA256, HMAC-SHA256, AES-256-CBC +
 *     HMAC-SHA256), in double-ratchet-primitives.ts;
 *   - section 6, "Deletion of skipped message keys": MAX_SKIP per chain, MAX_SKIPPED_TOTAL overall;
 *     section 6, "Truncating authentication tags": not used, the full 32-byte HMAC is sent.
 * The shared secret SK and Bob's initial ratchet key come from a key agreement (X3DH or similar)
 * that is not part of this module; the AD argument is that agreement's associated data.
 *
 * Rules:
 *   - States are immutable values. ratchetEncrypt / ratchetDecrypt never modify their argument;
 *     they return `{ state, ... }` with a new state. On any error the caller still holds the old,
 *     untouched state: this is the spec's "changes to the state object are discarded" (3.5).
 *     Persist the returned state atomically with the plaintext/ciphertext it belongs to, and never
 *     encrypt twice from the same state (that reuses a message key, i.e. the key and IV of CBC).
 *   - Decryption commits nothing unless the message authenticates: skipped keys, a DH ratchet step
 *     and chain advances all happen on a private draft that is dropped on failure.
 *   - A message whose key was already used (or discarded under MAX_SKIPPED_TOTAL) fails with
 *     DUPLICATE without any DH work, when its chain is the current one or one of the last
 *     MAX_PAST_REMOTE_KEYS receiving chains; older copies fail with DECRYPT_FAILED (the spec path).
 *   - Randomness is only used by GENERATE_DH (RatchetInitAlice and the DH ratchet step inside
 *     RatchetDecrypt); both take `opts.randomBytes` so tests can freeze vectors.
 *   - Platform-neutral: @noble only, no DOM or Node APIs. Secrets cannot be reliably wiped in JS;
 *     old keys become unreachable garbage (forward secrecy relies on the caller overwriting the
 *     persisted state).
 */
import { bytesEqual } from './bytes';
import { RatchetError } from './double-ratchet-error';
import {
  checkHeader,
  concatAd,
  decrypt,
  defaultRandomBytes,
  dh,
  encodeHeader,
  encrypt,
  generateDh,
  kdfCk,
  kdfRk,
  skippedKeyId,
  type KnownX25519,
  type RandomBytes,
} from './double-ratchet-primitives';
import {
  MAX_COUNTER,
  MAX_PAST_REMOTE_KEYS,
  MAX_PLAINTEXT_BYTES,
  MAX_SKIP,
  MAX_SKIPPED_TOTAL,
  type DhKeyPair,
  type MessageHeader,
  type RatchetMessage,
  type RatchetState,
  type SkippedKey,
} from './double-ratchet-types';

export * from './double-ratchet-types';
export { RatchetError, type RatchetErrorCode } from './double-ratchet-error';
export {
  decodeMessage,
  encodeMessage,
  encodeHeader,
  generateDh,
  ENCRYPT_INFO,
  KDF_RK_INFO,
  MAX_CIPHERTEXT_BYTES,
  MESSAGE_VERSION,
  skippedKeyId,
  type KnownX25519,
  type RandomBytes,
} from './double-ratchet-primitives';
export { deserialize, serialize, MAX_STATE_BYTES, STATE_VERSION } from './double-ratchet-state';

export interface RatchetOptions {
  /** Source of the 32 random bytes of each GENERATE_DH; default: crypto.getRandomValues. */
  randomBytes?: RandomBytes;
  /** X25519 results computed ahead for this call (ratchetAhead); the rest is computed here. */
  known?: KnownX25519;
}

export interface EncryptResult {
  readonly state: RatchetState;
  readonly message: RatchetMessage;
}

export interface DecryptResult {
  readonly state: RatchetState;
  readonly plaintext: Uint8Array;
}

function check32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new RatchetError('BAD_KEY', `${what} must be 32 bytes`);
}

const EMPTY_SKIPPED: ReadonlyMap<string, SkippedKey> = new Map();

/** RatchetInitAlice(SK, bob_dh_public_key). */
export function ratchetInitAlice(sk: Uint8Array, bobDhPublicKey: Uint8Array, opts: RatchetOptions = {}): RatchetState {
  check32(sk, 'SK');
  check32(bobDhPublicKey, "Bob's ratchet public key");
  const dhs = generateDh(opts.randomBytes ?? defaultRandomBytes);
  const [rk, cks] = kdfRk(sk, dh(dhs, bobDhPublicKey, 'BAD_KEY'));
  return Object.freeze({
    dhs,
    dhr: Uint8Array.from(bobDhPublicKey),
    rk,
    cks,
    ckr: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: EMPTY_SKIPPED,
    pastDhr: [],
  });
}

/** RatchetInitBob(SK, bob_dh_key_pair). */
export function ratchetInitBob(sk: Uint8Array, bobDhKeyPair: DhKeyPair): RatchetState {
  check32(sk, 'SK');
  check32(bobDhKeyPair.secretKey, "Bob's ratchet secret key");
  check32(bobDhKeyPair.publicKey, "Bob's ratchet public key");
  const dhs = { secretKey: Uint8Array.from(bobDhKeyPair.secretKey), publicKey: Uint8Array.from(bobDhKeyPair.publicKey) };
  return Object.freeze({
    dhs,
    dhr: null,
    rk: Uint8Array.from(sk),
    cks: null,
    ckr: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: EMPTY_SKIPPED,
    pastDhr: [],
  });
}

/** RatchetEncrypt(state, plaintext, AD). */
export function ratchetEncrypt(state: RatchetState, plaintext: Uint8Array, ad: Uint8Array): EncryptResult {
  if (state.cks === null) throw new RatchetError('NO_SENDING_CHAIN', 'Bob must receive a message before sending');
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new RatchetError('BAD_INPUT', `plaintext over ${MAX_PLAINTEXT_BYTES} bytes`);
  if (state.ns > MAX_COUNTER) throw new RatchetError('BAD_INPUT', 'sending chain exhausted');
  const [cks, mk] = kdfCk(state.cks);
  // A copy: the caller may reuse or wipe the message's buffers without touching the state.
  const header: MessageHeader = { dh: Uint8Array.from(state.dhs.publicKey), pn: state.pn, n: state.ns };
  const ciphertext = encrypt(mk, plaintext, concatAd(ad, encodeHeader(header)));
  return { state: Object.freeze({ ...state, cks, ns: state.ns + 1 }), message: { header, ciphertext } };
}

/**
 * Our sending chain moved on to `upTo` without sending: the message keys between are never used.
 * For a state restored after a crash, when messages under those keys may have left before the step
 * that made them was stored (a reservation: session-book.ts). The receiver takes them as skipped
 * keys (spec section 3), so the gap is at most MAX_SKIP.
 */
export function skipSendingKeys(state: RatchetState, upTo: number): RatchetState {
  if (state.cks === null || upTo <= state.ns) return state;
  if (upTo - state.ns > MAX_SKIP || upTo > MAX_COUNTER + 1) throw new RatchetError('BAD_INPUT', `cannot skip from ${state.ns} to ${upTo}`);
  let cks = state.cks;
  for (let n = state.ns; n < upTo; n++) cks = kdfCk(cks)[0];
  return Object.freeze({ ...state, cks, ns: upTo });
}

/** A private, mutable copy of a state; the skipped map is copied on first write only. */
class Draft {
  dhs: DhKeyPair;
  dhr: Uint8Array | null;
  rk: Uint8Array;
  cks: Uint8Array | null;
  ckr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  pastDhr: readonly Uint8Array[];
  private skipped: ReadonlyMap<string, SkippedKey>;
  private ownSkipped: Map<string, SkippedKey> | null = null;

  constructor(s: RatchetState) {
    this.dhs = s.dhs;
    this.dhr = s.dhr;
    this.rk = s.rk;
    this.cks = s.cks;
    this.ckr = s.ckr;
    this.ns = s.ns;
    this.nr = s.nr;
    this.pn = s.pn;
    this.pastDhr = s.pastDhr;
    this.skipped = s.skipped;
  }

  writableSkipped(): Map<string, SkippedKey> {
    if (this.ownSkipped === null) {
      this.ownSkipped = new Map(this.skipped);
      this.skipped = this.ownSkipped;
    }
    return this.ownSkipped;
  }

  freeze(): RatchetState {
    const { dhs, dhr, rk, cks, ckr, ns, nr, pn, skipped, pastDhr } = this;
    return Object.freeze({ dhs, dhr, rk, cks, ckr, ns, nr, pn, skipped, pastDhr });
  }
}

/** SkipMessageKeys(state, until). */
function skipMessageKeys(d: Draft, until: number): void {
  if (d.nr + MAX_SKIP < until) throw new RatchetError('TOO_MANY_SKIPPED', `skip from ${d.nr} to ${until} > ${MAX_SKIP}`);
  if (d.ckr !== null && d.dhr !== null && d.nr < until) {
    const skipped = d.writableSkipped();
    let ckr = d.ckr;
    while (d.nr < until) {
      const [next, mk] = kdfCk(ckr);
      ckr = next;
      skipped.set(skippedKeyId(d.dhr, d.nr), { dh: d.dhr, n: d.nr, mk });
      d.nr += 1;
    }
    d.ckr = ckr;
    // The bound across chains: drop the oldest (Map iteration is insertion order).
    for (const id of skipped.keys()) {
      if (skipped.size <= MAX_SKIPPED_TOTAL) break;
      skipped.delete(id);
    }
  }
}

/** DHRatchet(state, header). */
function dhRatchet(d: Draft, header: MessageHeader, randomBytes: RandomBytes, known?: KnownX25519): void {
  if (d.dhr !== null) d.pastDhr = [...d.pastDhr, d.dhr].slice(-MAX_PAST_REMOTE_KEYS);
  d.pn = d.ns;
  d.ns = 0;
  d.nr = 0;
  d.dhr = Uint8Array.from(header.dh);
  [d.rk, d.ckr] = kdfRk(d.rk, dh(d.dhs, d.dhr, 'BAD_HEADER', known));
  d.dhs = generateDh(randomBytes, known);
  [d.rk, d.cks] = kdfRk(d.rk, dh(d.dhs, d.dhr, 'BAD_HEADER', known));
}

/** True if (dh, n) names a message key we have already used or discarded. */
function isConsumed(state: RatchetState, header: MessageHeader): boolean {
  if (state.dhr !== null && bytesEqual(header.dh, state.dhr)) return header.n < state.nr;
  return state.pastDhr.some((k) => bytesEqual(k, header.dh));
}

/**
 * Whether RatchetDecrypt of a message with this header would take a DH ratchet step: its key is
 * not a skipped one, not consumed, and its ratchet key is new.
 */
export function takesDhStep(state: RatchetState, header: MessageHeader): boolean {
  if (state.skipped.has(skippedKeyId(header.dh, header.n)) || isConsumed(state, header)) return false;
  return isNewRatchetKey(state, header);
}

/** RatchetDecrypt's test for a DH ratchet step: header.dh != state.DHr. */
function isNewRatchetKey(state: RatchetState | Draft, header: MessageHeader): boolean {
  return state.dhr === null || !bytesEqual(header.dh, state.dhr);
}

/**
 * RatchetDecrypt(state, header, ciphertext, AD), with TrySkippedMessageKeys inlined. Returns the
 * plaintext and the new state; throws RatchetError and leaves `state` as it was on any failure.
 */
export function ratchetDecrypt(state: RatchetState, message: RatchetMessage, ad: Uint8Array, opts: RatchetOptions = {}): DecryptResult {
  const { header, ciphertext } = message;
  checkHeader(header);
  const aad = concatAd(ad, encodeHeader(header));
  // TrySkippedMessageKeys: use and delete the stored key (delete only if it authenticates).
  const id = skippedKeyId(header.dh, header.n);
  const stored = state.skipped.get(id);
  if (stored !== undefined) {
    const plaintext = decrypt(stored.mk, ciphertext, aad);
    const d = new Draft(state);
    d.writableSkipped().delete(id);
    return { state: d.freeze(), plaintext };
  }
  if (isConsumed(state, header)) throw new RatchetError('DUPLICATE', `message ${header.n} of this chain already used`);
  const d = new Draft(state);
  if (isNewRatchetKey(d, header)) {
    skipMessageKeys(d, header.pn);
    dhRatchet(d, header, opts.randomBytes ?? defaultRandomBytes, opts.known);
  }
  // Only Alice before her first reply gets here without a receiving chain, and only for a header
  // carrying Bob's initial ratchet key, which Bob never sends with (he ratchets before sending).
  if (d.ckr === null) throw new RatchetError('BAD_HEADER', 'no receiving chain for this ratchet key');
  skipMessageKeys(d, header.n);
  const [ckr, mk] = kdfCk(d.ckr);
  d.ckr = ckr;
  d.nr += 1;
  const plaintext = decrypt(mk, ciphertext, aad);
  return { state: d.freeze(), plaintext };
}
