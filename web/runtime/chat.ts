/**
 * The chat layer on a running node: a ChatNode over the node's DHT and values layer, its store
 * (IndexedDB in a tab, a file in the headless peer), and the connection budget: the node ids of
 * contacts we talk to are protected ('chat') so routing churn never closes their links. The chat
 * starts publishing, reading its mail and delivering once the node's own lookup is done (`located`),
 * without waiting for the bucket refreshes that finish the join.
 */
import { ChatNode, type ChatInit } from '../../shared/chat/chat-node';
import { stagedStore } from '../../shared/chat/staged-store';
import type { ChatStore } from '../../shared/chat/store';
import type { PeerId } from '../../shared/env/transport';
import type { P2PNode } from './runtime';

export interface StartChatOptions extends ChatInit {
  store: ChatStore;
}

export async function startChat(node: P2PNode, opts: StartChatOptions): Promise<ChatNode> {
  let protectedNow: ReadonlySet<PeerId> = new Set<PeerId>();
  const chat = await ChatNode.open(
    {
      node: node.dht,
      values: node.values,
      // A message and the ratchet step that encrypts it, issued in one turn, commit together.
      store: await stagedStore(opts.store, () => new Promise((resolve) => setTimeout(resolve, 0))),
      // Handshakes over a direct connection bind its DTLS fingerprints (a relay that terminates
      // DTLS cannot sit in the middle); over a tunnel the binding is empty on both sides.
      channelBinding: (peer) => node.transport.channelBinding(peer),
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
  node.located().then(
    () => chat.start(),
    () => chat.close(),
  );
  node.onClose(() => chat.close());
  return chat;
}
