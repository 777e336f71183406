/**
 * A node's key, as the DHT needs it: sign with our node key, verify another node's signature, and
 * map a public key to the node id it owns (SHA-1 of the key). The tunnel signs requests and
 * answers with it (overlay/tunnel.ts), so a relay can neither forge an answer nor an origin.
 * Injected like Transport and Clock: Ed25519 in tabs and Node, a cheap stand-in in the simulator
 * (shared/sim/sim-auth.ts) where millions of signatures would cost minutes.
 */
import { nodeIdFromPublicKey, sign, verify, type KeyPair } from '../crypto/ed25519';
import type { NodeId } from './node-id';

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export interface NodeAuth {
  /** Our node's public key (PUBLIC_KEY_BYTES). */
  readonly publicKey: Uint8Array;
  /** A SIGNATURE_BYTES signature of `message` by our node key. */
  sign(message: Uint8Array): Uint8Array;
  /** Never throws: anything malformed verifies as false. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** The node id a public key owns. */
  idOf(publicKey: Uint8Array): NodeId;
}

/** NodeAuth over an Ed25519 key pair (node id = SHA-1 of the public key). */
export function ed25519NodeAuth(kp: KeyPair): NodeAuth {
  return {
    publicKey: kp.publicKey,
    sign: (m) => sign(m, kp.secretKey),
    verify,
    idOf: nodeIdFromPublicKey,
  };
}
