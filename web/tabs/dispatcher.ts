/**
 * The leader's side of the tab channel: answers view tabs' calls on the node's real chat API and
 * console API, forwards chat events and node status to them, and tells them when it goes away.
 * Only whitelisted methods are called; anything else on the channel is ignored. Functions (event
 * handlers, the runtime object) never cross: handlers stay here and their events are posted.
 */
import type { ChatConsoleApi } from '../app/chat-api';
import type { P2PConsoleApi } from '../app/console-api';
import {
  CHAT_CALLS,
  CHAT_EVENTS,
  NODE_CALLS,
  channelName,
  toWireError,
  type ChatMirror,
  type FromLeader,
  type NodeMirror,
  type TabMessage,
} from './protocol';

export interface TabServer {
  readonly leader: string;
  /** Send the chat's state to every view (after a change that has no event: web/tabs/sync.ts). */
  sync(): void;
  close(): void;
}

const chatCalls = new Set<string>(CHAT_CALLS);
const nodeCalls = new Set<string>(NODE_CALLS);

export function chatMirror(chat: ChatConsoleApi): ChatMirror {
  return { me: chat.me(), contacts: chat.contacts(), requests: chat.requests(), unread: chat.unread(), settings: chat.settings() };
}

export function nodeMirror(p2p: P2PConsoleApi): NodeMirror {
  return { id: p2p.id, publicKey: p2p.publicKey, status: p2p.status(), peers: p2p.peers(), stats: p2p.stats() };
}

type Method = (...args: unknown[]) => unknown;

/** Serve `p2p` (and its `p2p.chat`) to the other tabs of `profile`. */
export function serveTabs(profile: string, p2p: P2PConsoleApi, channel = new BroadcastChannel(channelName(profile))): TabServer {
  const leader = crypto.randomUUID();
  const chat = p2p.chat;
  const post = (m: FromLeader): void => {
    try {
      channel.postMessage(m);
    } catch {
      // an answer that cannot be cloned is answered as an error by run() below; nothing else throws
    }
  };
  const announce = (): void => post({ t: 'leader', leader, chat: chatMirror(chat), node: nodeMirror(p2p) });

  const run = async (tab: string, id: number, fn: () => unknown): Promise<void> => {
    try {
      const value = await fn();
      const m: FromLeader = { t: 'result', tab, id, ok: true, value, chat: chatMirror(chat) };
      try {
        channel.postMessage(m);
      } catch (e) {
        post({ t: 'result', tab, id, ok: false, error: toWireError(e), chat: chatMirror(chat) });
      }
    } catch (e) {
      post({ t: 'result', tab, id, ok: false, error: toWireError(e), chat: chatMirror(chat) });
    }
  };

  // Events (with the chat's state) go out only once a view tab has said hello: a tab alone
  // receiving a thousand messages a second posts nothing.
  let views = false;
  channel.onmessage = (ev: MessageEvent<TabMessage>) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.t === 'hello' || m.t === 'call') views = true;
    if (m.t === 'hello') return announce();
    if (m.t !== 'call' || typeof m.id !== 'number' || typeof m.tab !== 'string' || !Array.isArray(m.args)) return;
    if (m.target === 'chat' && chatCalls.has(m.method)) {
      const fn = chat[m.method] as Method;
      void run(m.tab, m.id, () => fn.apply(chat, m.args));
    } else if (m.target === 'node' && nodeCalls.has(m.method)) {
      const fn = p2p[m.method] as Method;
      void run(m.tab, m.id, () => fn.apply(p2p, m.args));
    }
  };

  const unsubs = CHAT_EVENTS.map((event) =>
    chat.on(event as 'contact', (payload) => {
      if (views) post({ t: 'event', event, payload, chat: event === 'typing' ? undefined : chatMirror(chat) });
    }),
  );
  unsubs.push(
    p2p.node.onStatus(() => {
      if (views) post({ t: 'status', node: nodeMirror(p2p) });
    }),
  );
  const bye = (ev: PageTransitionEvent): void => {
    if (!ev.persisted) post({ t: 'bye', leader });
  };
  globalThis.addEventListener?.('pagehide', bye);
  announce();
  return {
    leader,
    sync: () => {
      if (views) post({ t: 'sync', chat: chatMirror(chat) });
    },
    close() {
      for (const u of unsubs) u();
      globalThis.removeEventListener?.('pagehide', bye);
      post({ t: 'bye', leader });
      channel.close();
    },
  };
}
