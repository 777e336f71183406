/**
 * Sealing one message to a device key: a single Noise X message
 * (`Noise_X_25519_ChaChaPoly_SHA256`, `<- s ... -> e, es, s, ss`) from the sender's device key to
 * the recipient's. Contact requests and acceptances travel this way (docs/chat-design.md,
 * "Requests and acceptance"): only the recipient reads the payload, and it learns which static
 * key sent it, so it can check that a device certificate names that key.
 *
 * What X does not give (Noise spec 7.7, source 1 / destination 2), and callers must cover:
 * - no replay protection: the same message opens again, so the payload carries a time and the
 *   receiver checks freshness and dedupes;
 * - no forward secrecy against the recipient: whoever later steals its static key reads old
 *   messages, and can forge messages "from" anyone to it.
 *
 * Errors: local misuse (a payload over the Noise size limit, a mismatched sender key pair, a
 * malformed or small-order recipient key) throws TypeError/RangeError from `seal`; `open` turns
 * every failure on remote input into ChatError('DECRYPT_FAILED') and never reveals which check
 * failed.
 */
import { Handshake, type KeyPair, MAX_MESSAGE_LEN, NoiseError } from '../crypto/noise';
import { ChatError } from './errors';

/** Bytes a sealed message adds to its payload: e (32) + encrypted s (32 + 16) + the payload's tag (16). */
export const SEAL_OVERHEAD = 96;
/** Largest payload `seal` accepts: a Noise message is at most 65535 bytes. */
export const MAX_SEALED_PAYLOAD = MAX_MESSAGE_LEN - SEAL_OVERHEAD;

export interface SealOptions {
  /** The sender's device key (X25519): the responder learns its public half. */
  readonly sender: KeyPair;
  /** The recipient's device public key (X25519, 32 bytes). */
  readonly recipient: Uint8Array;
  /** Context bound into the handshake hash; `open` must pass the same bytes. */
  readonly prologue: Uint8Array;
  /** Source of the 32-byte ephemeral secret; defaults to crypto.getRandomValues. Tests and vectors only. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export interface OpenOptions {
  /** The recipient's device key pair. */
  readonly recipient: KeyPair;
  readonly prologue: Uint8Array;
}

export interface Opened {
  /** The sender's static public key (X25519), authenticated by the `ss` DH. */
  readonly senderKey: Uint8Array;
  readonly payload: Uint8Array;
}

function localError(err: unknown): unknown {
  return err instanceof NoiseError ? new RangeError(`seal: ${err.message}`, { cause: err }) : err;
}

/** One Noise X message carrying `payload` from `sender` to `recipient`: payload length + SEAL_OVERHEAD bytes. */
export function seal(payload: Uint8Array, opts: SealOptions): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  if (!(opts.prologue instanceof Uint8Array)) throw new TypeError('prologue must be a Uint8Array');
  if (payload.length > MAX_SEALED_PAYLOAD) throw new RangeError(`payload is ${payload.length} bytes, at most ${MAX_SEALED_PAYLOAD}`);
  try {
    const hs = new Handshake({
      pattern: 'X',
      initiator: true,
      prologue: opts.prologue,
      s: opts.sender,
      rs: opts.recipient,
      ...(opts.randomBytes ? { randomBytes: opts.randomBytes } : {}),
    });
    return hs.writeMessage(payload);
  } catch (err) {
    throw localError(err);
  }
}

/** Opens a sealed message addressed to `recipient`; ChatError('DECRYPT_FAILED') on any failure. */
export function open(message: Uint8Array, opts: OpenOptions): Opened {
  if (!(opts.prologue instanceof Uint8Array)) throw new TypeError('prologue must be a Uint8Array');
  let hs: Handshake;
  try {
    hs = new Handshake({ pattern: 'X', initiator: false, prologue: opts.prologue, s: opts.recipient });
  } catch (err) {
    throw localError(err);
  }
  try {
    if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
    const payload = hs.readMessage(message);
    const senderKey = hs.remoteStaticKey;
    if (!senderKey) throw new Error('no sender key after a complete X message');
    return { senderKey, payload };
  } catch {
    throw new ChatError('DECRYPT_FAILED', 'sealed message did not open');
  }
}
