/**
 * The chat layer on a running node: a ChatNode over the node's DHT and values layer, its store
 * (IndexedDB in a tab, a file in the headless peer), and the connection budget: the node ids of
 * contacts we talk to are protected ('chat') so routing churn never closes their links. The chat
 * knocks on its contacts' known nodes once the server welcomes it, and starts publishing, reading its
 * mail and delivering once the node's own lookup is done (`located`), without waiting for the bucket
 * refreshes that finish the join.
 */
import { ChatNode, type ChatInit } from '../../shared/chat/chat-node';
import { CHAT_TIMERS } from '../../shared/chat/constants';
import { stagedStore, type StagedStore } from '../../shared/chat/staged-store';
import type { ChatStore } from '../../shared/chat/store';
import type { PeerId } from '../../shared/env/transport';
import type { P2PNode } from './runtime';
import { webCryptoX25519 } from './webcrypto-x25519';

export interface StartChatOptions extends ChatInit {
  store: ChatStore;
}

/**
 * The chat's staging of its store, opened (its log replayed): startChat does it, or a caller that
 * wants it done side by side with other loads. A message and the ratchet step that encrypts it,
 * issued in one turn, commit together.
 */
export function stageChatStore(store: ChatStore): Promise<StagedStore> {
  return stagedStore(store, () => new Promise((resolve) => setTimeout(resolve, 0)));
}

export async function startChat(node: P2PNode, opts: StartChatOptions): Promise<ChatNode> {
  let protectedNow: ReadonlySet<PeerId> = new Set<PeerId>();
  const x25519 = webCryptoX25519();
  const chat = await ChatNode.open(
    {
      node: node.dht,
      values: node.values,
      store: await stageChatStore(opts.store),
      // The ratchet's DH steps in native code, where the platform has X25519.
      ...(x25519 ? { x25519 } : {}),
      // Handshakes over a direct connection bind its DTLS fingerprints (a relay that terminates
      // DTLS cannot sit in the middle); over a tunnel the binding is empty on both sides.
      channelBinding: (peer) => node.transport.channelBinding(peer),
      // Contacts' nodes may call us for two ticks after each (a removed contact's soon may not).
      callers: (peers) => {
        for (const p of peers) node.transport.pool.allow(p, node.dht.clock.now() + 2 * CHAT_TIMERS.tickMs);
      },
      partners: (peers) => {
        for (const p of protectedNow) if (!peers.has(p)) node.transport.unprotect(p, 'chat');
        for (const p of peers) if (!protectedNow.has(p)) node.transport.protect(p, 'chat');
        protectedNow = new Set(peers);
      },
    },
    opts,
  );
  node.chatStats = () => {
    const out = chat.counters.snapshot();
    for (const [k, v] of Object.entries(chat.channel.counters.snapshot())) out[`channel.${k}`] = v;
    for (const [k, v] of Object.entries(chat.c.store.stats)) out[`store.${k}`] = v;
    return out;
  };
  // A returning node knocks on its contacts as soon as it can dial (the server has welcomed it),
  // before any lookup: what they hold for it comes directly (outbox.ts knock).
  let knocked = false;
  const off = node.onStatus((s) => {
    if (knocked || (s.phase !== 'bootstrapping' && s.phase !== 'joined')) return;
    knocked = true;
    void chat.outbox.knock();
  });
  node.located().then(
    () => chat.start(),
    () => chat.close(),
  );
  node.onClose(off);
  node.onClose(() => chat.close());
  return chat;
}
