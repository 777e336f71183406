/** Constants and value types of the Double Ratchet (see double-ratchet.ts for the rules). */

/**
 * MAX_SKIP (spec section 3): the most message keys one header may make us derive and store in a
 * single chain, counted in messages. A peer announcing n or pn further ahead than this is refused
 * (TOO_MANY_SKIPPED), so one message costs us at most 2 x MAX_SKIP HMAC pairs and stored keys.
 * 1000 tolerates long bursts of loss or reordering in a chat.
 */
export const MAX_SKIP = 1000;

/**
 * Bound on the skipped message keys stored across all chains (MKSKIPPED entries), counted in
 * keys. Above it the oldest entries are dropped, so a peer cannot make our state (memory and the
 * IndexedDB blob, 68 bytes per entry, about 136 KB at the bound) grow without limit by opening
 * chain after chain. The spec's security considerations ("Deletion of skipped message keys")
 * recommend deleting skipped keys after some number of later messages or some time; this is the
 * count form of that.
 */
export const MAX_SKIPPED_TOTAL = 2000;

/**
 * How many previous receiving ratchet keys (DHr values) the state remembers, newest last, 32
 * bytes each. Only used to classify a late copy of a message from an old chain as DUPLICATE
 * instead of running a trial DH ratchet step that must fail; no key material is derived from it.
 */
export const MAX_PAST_REMOTE_KEYS = 64;

/**
 * Largest plaintext RatchetEncrypt accepts, in bytes (64 KiB: a chat message or one chunk of a
 * file; larger content is split by the layer above). decodeMessage bounds ciphertexts to match.
 */
export const MAX_PLAINTEXT_BYTES = 65536;

/** Largest message counter (n) a header may carry: 2^32 - 2, so Nr = n + 1 still fits a u32. */
export const MAX_COUNTER = 0xfffffffe;

/** An X25519 key pair (spec GENERATE_DH output). */
export interface DhKeyPair {
  /** 32-byte X25519 secret scalar (unclamped; X25519 clamps on use, RFC 7748 section 5). */
  readonly secretKey: Uint8Array;
  /** 32-byte X25519 public key (u coordinate). */
  readonly publicKey: Uint8Array;
}

/** Spec HEADER(dh_pair, pn, n): the sender's current ratchet public key and two counters. */
export interface MessageHeader {
  /** Sender's ratchet public key, 32 bytes. */
  readonly dh: Uint8Array;
  /** Number of messages in the sender's previous sending chain. */
  readonly pn: number;
  /** Message number in the current sending chain, from 0. */
  readonly n: number;
}

/** What RatchetEncrypt produces and RatchetDecrypt consumes; encodeMessage gives its wire form. */
export interface RatchetMessage {
  readonly header: MessageHeader;
  /** AES-256-CBC ciphertext followed by the full 32-byte HMAC-SHA256. */
  readonly ciphertext: Uint8Array;
}

/** One MKSKIPPED entry: the message key of message n in the chain of ratchet key dh. */
export interface SkippedKey {
  readonly dh: Uint8Array;
  readonly n: number;
  readonly mk: Uint8Array;
}

/**
 * The spec's state variables (section 3.2), as an immutable value. Spec names in brackets.
 * Every function that "changes" a state returns a new one and leaves its argument untouched.
 */
export interface RatchetState {
  /** [DHs] our current ratchet key pair. */
  readonly dhs: DhKeyPair;
  /** [DHr] the peer's current ratchet public key; null for Bob until Alice's first message. */
  readonly dhr: Uint8Array | null;
  /** [RK] 32-byte root key. */
  readonly rk: Uint8Array;
  /** [CKs] 32-byte sending chain key; null for Bob until his first DH ratchet step. */
  readonly cks: Uint8Array | null;
  /** [CKr] 32-byte receiving chain key; null until the first message is received. */
  readonly ckr: Uint8Array | null;
  /** [Ns] messages sent in the current sending chain. */
  readonly ns: number;
  /** [Nr] messages received (or skipped) in the current receiving chain. */
  readonly nr: number;
  /** [PN] messages in the previous sending chain. */
  readonly pn: number;
  /** [MKSKIPPED] keyed by skippedKeyId(dh, n); insertion order is age (oldest first). */
  readonly skipped: ReadonlyMap<string, SkippedKey>;
  /** Previous DHr values, newest last, at most MAX_PAST_REMOTE_KEYS (not in the spec; see above). */
  readonly pastDhr: readonly Uint8Array[];
}
