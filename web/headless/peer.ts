/**
 * The headless Node peer: the same node runtime as a browser tab (web/runtime/runtime.ts), over the
 * same WebRTC transport (@roamhq/wrtc) and SignalClient (`ws`), with its identity and records in
 * a data directory (identity.json, records/, meta/). An always-on node a self-hoster runs next to
 * the signaling server: it stores and serves records and relays overlay signaling.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { DhtNode } from '../../shared/dht/node';
import type { SignalClient, WebSocketConstructor } from '../net/signal-client';
import type { WebRtcTransport, WebRtcTransportComponents, WebRtcTransportInit } from '../net/webrtc-transport';
import { bytesToHex } from '../../shared/crypto/bytes';
import { decodeAddress } from '../../shared/chat/address';
import { startChat } from '../runtime/chat';
import { startNode, type P2PNode, type StartNodeOptions } from '../runtime/runtime';
import { FileChatStore } from './file-chat-store';
import type { ChatNode } from '../../shared/chat/chat-node';
import { FileRecordStore } from './file-record-store';
import { loadOrCreateIdentity } from './identity-file';

export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface NodePeerOptions {
  /** ws://host:port/signal, or several comma-separated instances of one service (fail-over). */
  signalUrl: string;
  /** Directory for the identity, the record store and the chat store. */
  dataDir: string;
  /** Origin of address links this peer hands out (the web app's). */
  origin?: string;
  /**
   * Be the mail keeper of this identity (its address link, or its identity key in hex): accept its
   * contact request and hold its offline mail (shared/chat/mail-keeper.ts).
   */
  keepFor?: string;
  log?: LogFn;
  transport?: WebRtcTransportInit;
  /** Anything else for the runtime (DHT/values init, backoff...). */
  node?: Partial<Omit<StartNodeOptions, 'keyPair' | 'store' | 'signalUrl' | 'WebSocket' | 'wrtc' | 'transport'>>;
}

export interface NodePeer {
  readonly id: string;
  readonly node: P2PNode;
  readonly dht: DhtNode;
  readonly transport: WebRtcTransport;
  readonly client: SignalClient;
  readonly store: FileRecordStore;
  /** The chat layer (the same API as the page's p2p.chat, in-process). */
  readonly chat: ChatNode;
  /** Resolves after the first join finishes (contacts in the routing table). */
  readonly joined: Promise<{ contacts: number }>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startNodePeer(opts: NodePeerOptions): Promise<NodePeer> {
  const log: LogFn = opts.log ?? (() => {});
  const { keys, created } = await loadOrCreateIdentity(opts.dataDir);
  const wrtc = require('@roamhq/wrtc') as WebRtcTransportComponents['wrtc'];
  const store = new FileRecordStore(opts.dataDir);
  const node = await startNode({
    ...opts.node,
    keyPair: keys,
    store,
    signalUrl: opts.signalUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    wrtc,
    // No per-page RTCPeerConnection cap in Node: a larger pool and no lifetime stop by default.
    transport: { ...opts.transport, pool: { maxOpen: 64, lifetimeLimit: Number.MAX_SAFE_INTEGER, ...opts.transport?.pool } },
    log: (msg, fields) => {
      if (msg !== 'joined') log('info', msg, fields);
    },
  });
  const keepFor = opts.keepFor === undefined ? undefined : keeperOwner(opts.keepFor);
  const chat = await startChat(node, {
    store: await FileChatStore.open(opts.dataDir),
    ...(opts.origin ? { origin: opts.origin } : {}),
    ...(keepFor ? { keepFor, name: 'Mail keeper' } : {}),
  });
  const id = node.id;
  log('info', 'node id', {
    id,
    publicKey: node.publicKey,
    newIdentity: created,
    records: node.table.size,
    skippedRecords: node.table.counters.loadSkipped,
  });
  if (keepFor) log('info', 'mail keeper', { owner: keepFor, address: chat.address(), held: chat.keeper?.size ?? 0 });
  node.client.on('state', (s) =>
    log('info', 'signal', { state: s.state, url: node.client.url, ...(s.delayMs !== undefined ? { retryMs: s.delayMs } : {}) }),
  );
  const joined = node.ready().then(() => {
    const contacts = node.dht.table.size;
    log('info', 'joined', { contacts });
    return { contacts };
  });
  joined.catch(() => undefined);
  let closed = false;
  return {
    id,
    node,
    dht: node.dht,
    transport: node.transport,
    client: node.client,
    store,
    chat,
    joined,
    async close() {
      if (closed) return;
      closed = true;
      const s = node.stats();
      await node.close();
      await store.flush();
      log('info', 'stopped', {
        lifetimeConnections: s.transport.lifetimeConnections,
        records: s.dht.records.size,
        routes: s.signaling.routes,
      });
    },
  };
}

/** The owner's identity key (hex) from its address link or the key itself; throws on anything else. */
export function keeperOwner(linkOrKey: string): string {
  const t = linkOrKey.trim().toLowerCase();
  if (/^[0-9a-f]{64}$/.test(t)) return t;
  return bytesToHex(decodeAddress(linkOrKey).identityKey);
}
