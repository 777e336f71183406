/**
 * S/Kademlia's static crypto puzzle (Baumgart and Mies, "S/Kademlia: A Practicable Approach
 * Towards Secure Key-Based Routing", 2007, section 4.1): the node id is H(public key), and a key
 * counts only when H(node id) starts with `bits` zero bits. H is SHA-1 here, as for the id itself
 * (shared/crypto/ed25519.ts). An honest node pays about 2^bits key generations once (a tab keeps
 * its key); an attacker who wants ids near a chosen key pays 2^bits times more for each one.
 *
 * Anyone who knows a node id can check it (no key needed): the server at hello, the overlay
 * signaler before it passes on a signal (an offer), the DHT before it files a contact or asks an
 * id its lookups learned. Difficulty 0 (the simulator's default) accepts every id.
 */
import { hexToBytes } from '../crypto/bytes';
import { generateKeyPair, nodeIdFromPublicKey, sha1, type KeyPair } from '../crypto/ed25519';
import { DhtError } from './errors';
import type { NodeId } from './node-id';

/** The node id of `publicKey`; DhtError BAD_ARGUMENT unless it solves the puzzle at `bits` (a runtime's own key). */
export function puzzleNodeId(publicKey: Uint8Array, bits: number): NodeId {
  const id = nodeIdFromPublicKey(publicKey);
  if (!solvesPuzzle(id, bits))
    throw DhtError.badArgument(`the node key's id does not solve the ${bits}-bit puzzle (make it with generatePuzzleKeyPair)`);
  return id;
}

/** Highest difficulty accepted in configuration (2^24 key generations is minutes in a tab). */
export const MAX_PUZZLE_BITS = 24;

/** Leading zero bits of SHA-1(nodeId). */
export function puzzleBitsOf(nodeId: NodeId): number {
  const p = sha1(nodeId);
  let bits = 0;
  for (const b of p) {
    if (b !== 0) return bits + Math.clz32(b) - 24;
    bits += 8;
  }
  return bits;
}

/** Whether `nodeId` solves the puzzle at `bits` (always, for bits 0). */
export function solvesPuzzle(nodeId: NodeId, bits: number): boolean {
  return bits <= 0 || puzzleBitsOf(nodeId) >= bits;
}

/** The same for a hex node id; anything that is not 40 hex digits fails (unless bits is 0). */
export function solvesPuzzleHex(nodeIdHex: string, bits: number): boolean {
  if (bits <= 0) return true;
  if (!/^[0-9a-f]{40}$/.test(nodeIdHex)) return false;
  return solvesPuzzle(hexToBytes(nodeIdHex), bits);
}

/**
 * A fresh Ed25519 key pair whose node id solves the puzzle at `bits`, and the keys it took.
 * Synchronous: about 2^bits key generations (see `npm run bench:puzzle` for what that costs).
 */
export function generatePuzzleKeyPair(bits: number, gen: () => KeyPair = () => generateKeyPair()): { keyPair: KeyPair; tries: number } {
  for (let tries = 0; ; ) {
    const r = tryPuzzleKeyPairs(bits, 1024, gen);
    tries += r.tries;
    if (r.keyPair) return { keyPair: r.keyPair, tries };
  }
}

/**
 * At most `max` key generations toward the puzzle: the key that solves it, if one did, and the
 * keys tried. A UI thread grinds in such slices and yields in between (identity-store.ts).
 */
export function tryPuzzleKeyPairs(
  bits: number,
  max: number,
  gen: () => KeyPair = () => generateKeyPair(),
): { keyPair?: KeyPair; tries: number } {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_PUZZLE_BITS)
    throw new RangeError(`puzzle bits must be an integer in [0, ${MAX_PUZZLE_BITS}]`);
  for (let tries = 1; tries <= max; tries++) {
    const keyPair = gen();
    if (solvesPuzzle(nodeIdFromPublicKey(keyPair.publicKey), bits)) return { keyPair, tries };
  }
  return { tries: max };
}
