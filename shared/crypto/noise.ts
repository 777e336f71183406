/**
 * Noise handshakes `Noise_IK_25519_ChaChaPoly_SHA256`, `Noise_XX_25519_ChaChaPoly_SHA256` and the
 * one-way `Noise_X_25519_ChaChaPoly_SHA256` (BLAKE2b too, via ./noise-blake2b.ts), following the
 * Noise Protocol Framework, revision 34 (https://noiseprotocol.org/noise.html), section 5.3
 * HandshakeState and section 7 patterns.
 * CipherState/SymmetricState are in ./noise-state.ts. Checked byte-for-byte against the cacophony
 * and snow test vectors (test/unit/shared/crypto/noise.test.ts).
 *
 * Rules:
 * - Sans-IO: bytes in, bytes out; no timers, sockets, DOM or Node APIs. Deterministic when the
 *   ephemeral key (or `randomBytes`) is given; otherwise ephemerals come from crypto.getRandomValues.
 * - Primitives only from @noble (x25519, chacha20poly1305, sha256/blake2b, hmac); nothing here is
 *   a primitive, only the spec's composition of them.
 * - One generic interpreter runs patterns written as token arrays (./noise-patterns.ts); IK, XX
 *   and X share it. After the one-way X, split() keeps only the first CipherState (spec 7.4).
 *   No PSK modes, no fallback, no Rekey during the handshake.
 * - Every failure is a NoiseError with a code. Any error from readMessage (bad remote input), or
 *   from writeMessage once it began changing state, leaves the handshake failed for good: every
 *   later call throws WRONG_STATE. Calls out of turn, and writeMessage with an oversized payload,
 *   throw without changing anything.
 * - Payload confidentiality follows the spec (7.7): XX message 1 is plaintext; IK message 1 is
 *   encrypted to the responder's static key but not forward-secret and replayable. Put nothing
 *   secret there. The same holds for X's only message (spec 7.7: source 1, destination 2): it is
 *   replayable, a later theft of the responder's static key reads it, and whoever holds that key
 *   can forge a message from any sender (key-compromise impersonation).
 * - Messages are capped at 65535 bytes (spec 3), on write and on read.
 * - Remote public keys of small order are refused (INVALID_KEY) in the readMessage that carries
 *   them: by the DH that uses them in that message, or else (XX message 1 at the responder) by one
 *   extra check multiplication. noble refuses those points before its ladder runs.
 * - Transport (after split()) is strictly in order: replayed, reordered or dropped messages fail
 *   with DECRYPT_FAILED (see CipherState). The caller must run it over an ordered, reliable channel
 *   and should drop the session on any error.
 */
import { randomBytes as cryptoRandomBytes } from '@noble/hashes/utils.js';
import { concatBytes, utf8 } from './bytes';
import { DH_KEYS, type DhToken, type KeyToken, PATTERNS, type Pattern, type Token } from './noise-patterns';
import {
  type CipherState,
  DiscardedCipherState,
  KEY_LEN,
  MAX_MESSAGE_LEN,
  NoiseError,
  SHA256,
  SymmetricState,
  TAG_LEN,
  type NoiseHash,
} from './noise-state';
import { checkKeyPair, checkPublicKey, dh, generateX25519KeyPair, type KeyPair } from './noise-x25519';

export { generateX25519KeyPair, type KeyPair } from './noise-x25519';
export { CipherState, DiscardedCipherState, MAX_MESSAGE_LEN, NoiseError, SHA256 } from './noise-state';
export type { NoiseErrorCode, NoiseHash } from './noise-state';

export { PATTERNS, type Pattern, type PatternDef, type Token } from './noise-patterns';

export interface HandshakeOptions {
  pattern: Pattern;
  initiator: boolean;
  /** Bound into the handshake hash; both sides must pass the same bytes. */
  prologue: Uint8Array;
  /** Our static key pair. */
  s: KeyPair;
  /** The responder's static public key, known in advance: required for an IK initiator only. */
  rs?: Uint8Array;
  /** Fixed ephemeral key pair (test vectors only). */
  e?: KeyPair;
  /** Source of the ephemeral secret key; defaults to crypto.getRandomValues. */
  randomBytes?: (n: number) => Uint8Array;
  /** Defaults to SHA256; BLAKE2b is in ./noise-blake2b.ts. */
  hash?: NoiseHash;
}

type Phase = 'handshake' | 'complete' | 'split' | 'failed';

const EMPTY = new Uint8Array(0);

/** Spec 5.3 HandshakeState for one side of one handshake. Single use. */
export class Handshake {
  /** e.g. `Noise_XX_25519_ChaChaPoly_SHA256`. */
  readonly protocolName: string;
  readonly initiator: boolean;
  private readonly sym: SymmetricState;
  private readonly messages: readonly (readonly Token[])[];
  private readonly oneWay: boolean;
  private readonly s: KeyPair;
  private e: KeyPair | undefined;
  private ownsE = false;
  private rs: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private readonly rng: (n: number) => Uint8Array;
  private index = 0;
  private phase: Phase = 'handshake';
  private finalHash: Uint8Array | undefined;

  constructor(opts: HandshakeOptions) {
    const def = PATTERNS[opts.pattern];
    if (!def) throw new NoiseError('BAD_CONFIG', `unknown pattern ${String(opts.pattern)}`);
    const hash = opts.hash ?? SHA256;
    this.initiator = opts.initiator;
    this.messages = def.messages;
    this.oneWay = def.oneWay;
    this.rng = opts.randomBytes ?? cryptoRandomBytes;
    checkKeyPair(opts.s, 'static');
    this.s = opts.s;
    if (opts.e) checkKeyPair(opts.e, 'ephemeral');
    this.e = opts.e;

    const remotePre = def.pre[this.initiator ? 1 : 0];
    if (remotePre.includes('e')) throw new NoiseError('BAD_CONFIG', 'remote ephemeral pre-messages are not supported');
    if (remotePre.includes('s')) {
      if (!opts.rs) throw new NoiseError('BAD_CONFIG', `${opts.pattern} needs the remote static key`);
      if (opts.rs.length !== KEY_LEN) throw new NoiseError('BAD_CONFIG', 'remote static key must be 32 bytes');
      this.rs = Uint8Array.from(opts.rs);
    } else if (opts.rs) {
      throw new NoiseError('BAD_CONFIG', `${opts.pattern} ${this.initiator ? 'initiator' : 'responder'} learns rs in-band`);
    }

    this.protocolName = `Noise_${opts.pattern}_25519_ChaChaPoly_${hash.name}`;
    this.sym = new SymmetricState(hash, utf8.encode(this.protocolName));
    this.sym.mixHash(opts.prologue);
    def.pre.forEach((tokens, side) => {
      const mine = (side === 0) === this.initiator;
      for (const t of tokens) {
        const key = mine ? (t === 's' ? this.s : this.e)?.publicKey : t === 's' ? this.rs : this.re;
        if (!key) throw new NoiseError('BAD_CONFIG', `pre-message key ${t} missing`);
        this.sym.mixHash(key);
      }
    });
  }

  /** True once the last handshake message was written or read. */
  get complete(): boolean {
    return this.phase === 'complete' || this.phase === 'split';
  }

  /** True after an error: the handshake can do nothing more. */
  get failed(): boolean {
    return this.phase === 'failed';
  }

  /** Whether the next call must be writeMessage (false: readMessage). Meaningless once complete. */
  get isMyTurn(): boolean {
    return (this.index % 2 === 0) === this.initiator;
  }

  /** The peer's static key: known from the start for an IK initiator, else once received. */
  get remoteStaticKey(): Uint8Array | undefined {
    return this.rs ? Uint8Array.from(this.rs) : undefined;
  }

  /** Spec GetHandshakeHash(): the channel-binding value h, available once complete. */
  get handshakeHash(): Uint8Array {
    if (!this.finalHash) throw new NoiseError('WRONG_STATE', 'handshake hash is only final once the handshake is complete');
    return Uint8Array.from(this.finalHash);
  }

  /** Produces the next handshake message carrying `payload` (encrypted once a key exists). */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    const tokens = this.turn(true);
    const len = this.messageLength(tokens, payload.length);
    if (len > MAX_MESSAGE_LEN) throw new NoiseError('MESSAGE_TOO_LARGE', `handshake message would be ${len} bytes (max 65535)`);
    return this.guard(() => {
      const parts: Uint8Array[] = [];
      for (const t of tokens) {
        if (t === 'e') {
          const e = this.e ?? this.generateEphemeral();
          this.e = e;
          parts.push(e.publicKey);
          this.sym.mixHash(e.publicKey);
        } else if (t === 's') {
          parts.push(this.sym.encryptAndHash(this.s.publicKey));
        } else {
          this.mixDh(t);
        }
      }
      parts.push(this.sym.encryptAndHash(payload));
      this.advance();
      return concatBytes(...parts);
    });
  }

  /** Consumes the peer's next handshake message and returns its payload. */
  readMessage(message: Uint8Array): Uint8Array {
    const tokens = this.turn(false);
    return this.guard(() => {
      if (message.length > MAX_MESSAGE_LEN) throw new NoiseError('MESSAGE_TOO_LARGE', `${message.length}-byte message (max 65535)`);
      const min = this.messageLength(tokens, 0);
      if (message.length < min) throw new NoiseError('BAD_LENGTH', `message is ${message.length} bytes, needs at least ${min}`);
      const unchecked = new Set<KeyToken>();
      let off = 0;
      for (const t of tokens) {
        if (t === 'e') {
          this.re = message.slice(off, off + KEY_LEN);
          off += KEY_LEN;
          this.sym.mixHash(this.re);
          unchecked.add('e');
        } else if (t === 's') {
          const len = KEY_LEN + (this.sym.hasKey() ? TAG_LEN : 0);
          this.rs = this.sym.decryptAndHash(message.subarray(off, off + len));
          off += len;
          unchecked.add('s');
        } else {
          unchecked.delete(this.mixDh(t));
        }
      }
      for (const t of unchecked) checkPublicKey((t === 'e' ? this.re : this.rs)!);
      const payload = this.sym.decryptAndHash(message.subarray(off));
      this.advance();
      return payload;
    });
  }

  /**
   * Spec Split(): transport CipherStates, once, after completion. After a one-way pattern (X) the
   * second one is discarded (spec 7.4): the initiator's `recv` and the responder's `send` are
   * DiscardedCipherStates that throw WRONG_STATE on any use.
   */
  split(): { send: CipherState; recv: CipherState } {
    if (this.phase !== 'complete') throw new NoiseError('WRONG_STATE', this.phase === 'split' ? 'already split' : 'handshake not complete');
    const [c1, c2] = this.sym.split();
    this.phase = 'split';
    if (this.oneWay) {
      c2.clear();
      const none = new DiscardedCipherState();
      return this.initiator ? { send: c1, recv: none } : { send: none, recv: c1 };
    }
    return this.initiator ? { send: c1, recv: c2 } : { send: c2, recv: c1 };
  }

  /**
   * Split()'s keys as raw bytes instead of CipherStates (initiator-to-responder first), once, after
   * completion: for a caller whose transport is its own (the chat's Double Ratchet is seeded from
   * them). Ends the handshake like split().
   */
  splitKeys(): { initiatorToResponder: Uint8Array; responderToInitiator: Uint8Array } {
    if (this.phase !== 'complete') throw new NoiseError('WRONG_STATE', this.phase === 'split' ? 'already split' : 'handshake not complete');
    const [k1, k2] = this.sym.splitKeys();
    this.phase = 'split';
    return { initiatorToResponder: k1, responderToInitiator: k2 };
  }

  /** Checks phase and turn; returns the tokens of the current message. Changes nothing. */
  private turn(writing: boolean): readonly Token[] {
    if (this.phase === 'failed') throw new NoiseError('WRONG_STATE', 'handshake failed earlier');
    if (this.phase !== 'handshake') throw new NoiseError('WRONG_STATE', 'handshake already complete');
    if (this.isMyTurn !== writing)
      throw new NoiseError('WRONG_STATE', writing ? 'expected readMessage, not writeMessage' : 'expected writeMessage, not readMessage');
    return this.messages[this.index]!;
  }

  /** The exact size of a message with these tokens and payload length, given the current key state. */
  private messageLength(tokens: readonly Token[], payloadLen: number): number {
    let keyed = this.sym.hasKey();
    let len = 0;
    for (const t of tokens) {
      if (t === 'e') len += KEY_LEN;
      else if (t === 's') len += KEY_LEN + (keyed ? TAG_LEN : 0);
      else keyed = true;
    }
    return len + payloadLen + (keyed ? TAG_LEN : 0);
  }

  /** Runs a state-changing step; any error leaves the handshake failed. */
  private guard<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      this.phase = 'failed';
      this.sym.clear();
      this.forgetEphemeral();
      throw err;
    }
  }

  /** MixKey(DH(local, remote)) for a DH token; returns which remote key it used. */
  private mixDh(t: DhToken): KeyToken {
    const [iKey, rKey] = DH_KEYS[t];
    const localT = this.initiator ? iKey : rKey;
    const remoteT = this.initiator ? rKey : iKey;
    const local = localT === 'e' ? this.e : this.s;
    const remote = remoteT === 'e' ? this.re : this.rs;
    if (!local || !remote) throw new NoiseError('WRONG_STATE', `token ${t} before its keys`);
    const shared = dh(local.secretKey, remote);
    this.sym.mixKey(shared);
    shared.fill(0);
    return remoteT;
  }

  private generateEphemeral(): KeyPair {
    const sk = this.rng(KEY_LEN);
    if (sk.length !== KEY_LEN) throw new NoiseError('BAD_CONFIG', 'randomBytes returned the wrong length');
    this.ownsE = true;
    return generateX25519KeyPair(sk);
  }

  private advance(): void {
    this.index++;
    if (this.index === this.messages.length) {
      this.phase = 'complete';
      this.finalHash = this.sym.getHandshakeHash();
      this.forgetEphemeral();
    }
  }

  /** Drops the ephemeral, wiping its secret if we generated it (a fixed one belongs to the caller). */
  private forgetEphemeral(): void {
    if (this.e && this.ownsE) this.e.secretKey.fill(0);
    this.e = undefined;
  }
}
