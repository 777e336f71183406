/**
 * The headless Node peer: the same DHT core as a tab, over the same WebRTC transport
 * (@roamhq/wrtc), signaled through the same SignalClient. An always-on node a self-hoster runs
 * next to the signaling server. Records (file-backed store) plug in when the records extension
 * lands; today it routes (answers PING/FIND_NODE) and keeps the network reachable.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { hexToBytes } from '../../shared/crypto/bytes';
import { systemClock } from '../../shared/env/clock';
import { cryptoRng } from '../../shared/env/rng';
import { DhtNode } from '../../shared/dht/node';
import { SignalClient, type WebSocketConstructor } from '../net/signal-client';
import { WebRtcTransport, type WebRtcTransportComponents, type WebRtcTransportInit } from '../net/webrtc-transport';
import { loadOrCreateIdentity } from './identity-file';

export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface NodePeerOptions {
  /** ws://host:port/signal */
  signalUrl: string;
  /** Directory for the identity (and, later, the record store). */
  dataDir: string;
  log?: LogFn;
  transport?: WebRtcTransportInit;
}

export interface NodePeer {
  readonly id: string;
  readonly dht: DhtNode;
  readonly transport: WebRtcTransport;
  readonly client: SignalClient;
  /** Resolves after the first join finishes (contacts in the routing table). */
  readonly joined: Promise<{ contacts: number }>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startNodePeer(opts: NodePeerOptions): Promise<NodePeer> {
  const log: LogFn = opts.log ?? (() => {});
  const { keys, created } = await loadOrCreateIdentity(opts.dataDir);
  const wrtc = require('@roamhq/wrtc') as WebRtcTransportComponents['wrtc'];
  const client = new SignalClient({ url: opts.signalUrl, keyPair: keys, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const id = client.nodeId;
  log('info', 'node id', { id, newIdentity: created });
  const welcome = await client.connect();
  // No per-page RTCPeerConnection cap in Node: a larger pool and no lifetime stop by default.
  const transport = new WebRtcTransport(
    { id, signaler: client, wrtc },
    {
      ...opts.transport,
      pool: { maxOpen: 64, lifetimeLimit: Number.MAX_SAFE_INTEGER, ...opts.transport?.pool },
      iceServers: welcome.iceServers,
    },
  );
  const dht = new DhtNode({ transport, clock: systemClock, rng: cryptoRng }, { id: hexToBytes(id) });
  const join = (peers: string[]) =>
    new Promise<{ contacts: number }>((resolve) => dht.join(peers.map((p) => hexToBytes(p)), (r) => resolve({ contacts: r.contacts })));
  const joined = join(welcome.peers).then((r) => {
    log('info', 'joined', { contacts: r.contacts, seeds: welcome.peers.length });
    return r;
  });
  // After a server restart: new ICE config, and rejoin if we lost every contact meanwhile.
  client.on('welcome', (w) => {
    transport.setIceServers(w.iceServers);
    if (dht.table.size === 0 && w.peers.length > 0) void join(w.peers);
  });
  client.on('state', (s) => log('info', 'signal', { state: s.state, ...(s.delayMs !== undefined ? { retryMs: s.delayMs } : {}) }));
  let closed = false;
  return {
    id,
    dht,
    transport,
    client,
    joined,
    async close() {
      if (closed) return;
      closed = true;
      dht.destroy();
      transport.destroy();
      client.close();
      log('info', 'stopped', { ...transport.stats(), drops: undefined, setupMs: undefined });
    },
  };
}
