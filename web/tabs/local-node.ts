/**
 * Run the profile's node in this tab (the tab holding the lock, leader.ts): identity, record
 * store, DHT node, chat, the console API, and the server that answers the profile's other tabs.
 */
import { chatApi, type ChatConsoleApi } from '../app/chat-api';
import { consoleApi, type P2PConsoleApi } from '../app/console-api';
import type { NetApi } from '../app/backend';
import { leaveOnPageHide } from '../net/page-lifecycle';
import type { WebSocketConstructor } from '../net/signal-client';
import { stageChatStore, startChat } from '../runtime/chat';
import { startNode } from '../runtime/runtime';
import { IdbChatStore, IdbRecordStore, deleteProfile, loadOrCreateIdentity } from '../storage/index';
import { serveTabs, type TabServer } from './dispatcher';
import { syncingChat } from './sync';

export interface LocalNodeOptions {
  signalUrl: string;
  /** Extra STUN/TURN servers (the device's settings), tried before the signaling server's. */
  iceServers: RTCIceServer[];
}

export interface LocalNode {
  p2p: P2PConsoleApi;
  chat: ChatConsoleApi;
  net: NetApi;
  server: TabServer;
  /** Called after a change to the chat that has no event (sync.ts), made from any tab. */
  onSync(fn: () => void): () => void;
}

export async function startLocalNode(profile: string, opts: LocalNodeOptions): Promise<LocalNode> {
  // The identity, the records and the chat's store (its log replayed) load side by side: each is
  // a database of its own, and its opening a round trip to the browser's IndexedDB, slow while the
  // page loads.
  const records = new IdbRecordStore(profile);
  const staged = stageChatStore(new IdbChatStore(profile));
  staged.catch(() => undefined); // a failure is thrown where it is awaited, below
  const keyPair = loadOrCreateIdentity(profile).then((i) => i.keyPair);
  const extra = opts.iceServers;
  const node = await startNode({
    keyPair,
    store: records,
    signalUrl: opts.signalUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    ...(extra.length > 0 ? { transport: { iceServers: extra } } : {}),
  });
  // The runtime puts these (transport.iceServers) before the server's on every welcome and TURN refresh.
  leaveOnPageHide(node.transport);
  const chatNode = await startChat(node, { store: await staged, origin: location.origin });
  const synced = new Set<() => void>();
  let server: TabServer | undefined;
  const core = chatApi(chatNode, () => node.ready(), {
    // A restored backup or a wipe changes the profile under the node: close it and start the page again.
    restart: async () => {
      await node.close();
      location.reload();
    },
    wipe: async () => {
      await node.close();
      await deleteProfile(profile);
      location.reload();
    },
  });
  const chat = syncingChat(core, () => {
    server?.sync();
    for (const fn of [...synced]) fn();
  });
  const p2p = consoleApi(node, profile, chat);
  server = serveTabs(profile, p2p);
  const net: NetApi = { status: () => node.status, onStatus: (fn) => node.onStatus(fn), network: () => p2p.network() };
  return {
    p2p,
    chat,
    net,
    server,
    onSync: (fn) => {
      synced.add(fn);
      return () => synced.delete(fn);
    },
  };
}
