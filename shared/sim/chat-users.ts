/**
 * Chat users on a simulated network: a ChatNode (the real chat layer) on top of a records-testnet
 * peer, with an in-memory store and seeded key material, driven on virtual time by runAsync.
 */
import { ChatNode, type ChatInit } from '../chat/chat-node';
import { growKeyMemos } from '../chat/sealed-record';
import { MemoryChatStore } from '../chat/store';
import type { Rng } from '../env/rng';
import type { RecordPeer } from './records-testnet';

/** Slot and blinded keys one user derives again and again (its contacts' slots over three periods, and more). */
const KEYS_PER_USER = 256;

export interface SimUser {
  readonly index: number;
  readonly peer: RecordPeer;
  readonly chat: ChatNode;
  readonly store: MemoryChatStore;
}

/** Open a chat user on `peer` (which must carry the honest record layer). */
export async function openSimUser(
  peer: RecordPeer,
  index: number,
  rng: Rng,
  init: ChatInit = {},
  store = new MemoryChatStore(),
): Promise<SimUser> {
  if (!peer.values) throw new Error('a chat user needs a peer with the record layer');
  // Users in one process share its key memos: room for each one's slots and blinded keys.
  growKeyMemos(KEYS_PER_USER * (index + 1));
  const chat = await ChatNode.open(
    { node: peer.node, values: peer.values, store, randomBytes: (n) => rng.bytes(n) },
    { powBits: 4, name: `user${index}`, ...init },
  );
  return { index, peer, chat, store };
}
