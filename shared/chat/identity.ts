/**
 * A person's keys and secrets on one device (docs/chat-design.md, "Keys"), as pure values:
 * nothing is stored here, and randomness is passed in, so the simulator and tests get the same
 * identity from the same seed.
 *
 * - identity key IK: Ed25519 (seed, public key); the person, signs device certificates;
 * - device key DK: X25519 (secret, public key); the device's Noise static key;
 * - presence secret (PRESENCE_SECRET_BYTES): given to accepted contacts, blinds presence records;
 * - invite secret (INVITE_SECRET_BYTES): in the address link; rotating it kills old links.
 *
 * Rules:
 * - Randomness is a `(n) => Uint8Array` returning exactly n bytes (BAD_ARGUMENT otherwise);
 *   `createIdentity` draws IK seed (32), DK secret (32), presence secret, invite secret, in that
 *   order. The bytes are copied, never kept by reference.
 * - Values are immutable: rotation returns a new Identity and leaves the old one as it was. A
 *   rotation that draws the old secret again is refused (BAD_ARGUMENT: a broken random source).
 */
import { randomBytes as cryptoRandomBytes } from '@noble/hashes/utils.js';
import { bytesEqual } from '../crypto/bytes';
import { curves } from '../crypto/curves';
import { INVITE_SECRET_BYTES, PRESENCE_SECRET_BYTES } from './constants';
import { ChatError } from './errors';

/** A source of n random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

const KEY_BYTES = 32;

export interface Identity {
  /** IK: Ed25519 seed (the secret) and public key, 32 bytes each. */
  readonly identityKey: { readonly seed: Uint8Array; readonly publicKey: Uint8Array };
  /** DK: X25519 secret and public key, 32 bytes each. */
  readonly deviceKey: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  readonly presenceSecret: Uint8Array;
  readonly inviteSecret: Uint8Array;
}

const defaultRandomBytes: RandomBytes = (n) => cryptoRandomBytes(n);

function draw(randomBytes: RandomBytes, n: number): Uint8Array {
  const out = randomBytes(n);
  if (!(out instanceof Uint8Array) || out.length !== n) throw new ChatError('BAD_ARGUMENT', `random source must return ${n} bytes`);
  return Uint8Array.from(out);
}

/** A new identity from `randomBytes` (crypto randomness by default). */
export function createIdentity(randomBytes: RandomBytes = defaultRandomBytes): Identity {
  const seed = draw(randomBytes, KEY_BYTES);
  const dkSecret = draw(randomBytes, KEY_BYTES);
  return {
    identityKey: { seed, publicKey: curves().ed25519PublicKey(seed) },
    deviceKey: { secretKey: dkSecret, publicKey: curves().x25519PublicKey(dkSecret) },
    presenceSecret: draw(randomBytes, PRESENCE_SECRET_BYTES),
    inviteSecret: draw(randomBytes, INVITE_SECRET_BYTES),
  };
}

function fresh(randomBytes: RandomBytes, n: number, old: Uint8Array): Uint8Array {
  const next = draw(randomBytes, n);
  if (bytesEqual(next, old)) throw new ChatError('BAD_ARGUMENT', 'random source repeated the old secret');
  return next;
}

/** The identity with a new invite secret: links made with the old one stop working. */
export function rotateInviteSecret(identity: Identity, randomBytes: RandomBytes = defaultRandomBytes): Identity {
  return { ...identity, inviteSecret: fresh(randomBytes, INVITE_SECRET_BYTES, identity.inviteSecret) };
}

/** The identity with a new presence secret (after removing a contact; the others get the new one). */
export function rotatePresenceSecret(identity: Identity, randomBytes: RandomBytes = defaultRandomBytes): Identity {
  return { ...identity, presenceSecret: fresh(randomBytes, PRESENCE_SECRET_BYTES, identity.presenceSecret) };
}
