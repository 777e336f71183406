/** The node runtime's public types: options, status, answers and stats (runtime.ts). */
import type { KeyPair } from '../../shared/crypto/ed25519';
import type { Clock } from '../../shared/env/clock';
import type { Rng } from '../../shared/env/rng';
import type { RecordStore } from '../../shared/env/store';
import type { DhtInit } from '../../shared/dht/node';
import type { OverlayRouterInit } from '../../shared/overlay/overlay-router';
import type { LinkKeeperInit } from '../../shared/overlay/link-keeper';
import type { TunnelInit } from '../../shared/overlay/tunnel';
import type { ValuesInit } from '../../shared/records/values';
import type { RecordTableInit } from '../../shared/records/record-table';
import type { BackoffOptions } from '../net/backoff';
import type { SignalClientState, WebSocketConstructor } from '../net/signal-client';
import type { TransportStats, WebRtcTransportComponents, WebRtcTransportInit } from '../net/webrtc-transport';
import type { SignalRouteCounts } from './signal-paths';

export type NodePhase = 'connecting' | 'bootstrapping' | 'joined' | 'closed';

export interface NodeStatus {
  phase: NodePhase;
  /** The signaling client's state ('open' while the server is reachable). */
  signal: SignalClientState;
  /** Open data channels. */
  peers: number;
  /** Routing-table contacts. */
  contacts: number;
  /** Records held (own + replicas). */
  records: number;
  ownRecords: number;
}

export interface StartNodeOptions {
  keyPair: KeyPair;
  store: RecordStore;
  /** ws:// or wss:// URL of the signaling endpoint. */
  signalUrl: string;
  /** The browser's WebSocket, or `ws` in Node. */
  WebSocket: WebSocketConstructor;
  /** Node: `@roamhq/wrtc`. Browsers: leave undefined. */
  wrtc?: WebRtcTransportComponents['wrtc'];
  clock?: Clock;
  rng?: Rng;
  transport?: WebRtcTransportInit;
  dht?: Omit<DhtInit, 'id'>;
  values?: ValuesInit;
  records?: RecordTableInit;
  overlay?: OverlayRouterInit;
  /**
   * Links kept open and protected: `near` closest contacts (default 8) and up to `far` farther
   * ones (default 12), capped by the transport's budget (maxOpen − 4 in all). See LinkKeeper.
   */
  links?: LinkKeeperInit;
  /** RPC tunnels over open links (see RequestTunnel); `false` dials every peer directly. */
  tunnel?: TunnelInit | false;
  /** Reconnect backoff for the signaling client. @default { baseMs: 500, maxMs: 5000 } */
  backoff?: BackoffOptions;
  /** Status/maintenance tick, ms. @default 1000 */
  tickMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface PutAnswer {
  /** Target, hex (SHA-1(publicKey ‖ salt)). */
  target: string;
  seq: number;
  /** Nodes that confirmed the store. */
  replicas: number;
}

export interface GetAnswer {
  /** The value decoded as UTF-8 (invalid sequences become U+FFFD). */
  value: string;
  /** The raw value, hex. */
  valueHex: string;
  seq: number;
  /** Answering nodes whose copy equals the returned record. */
  replicas: number;
}

export interface NodeStats {
  id: string;
  status: NodeStatus;
  /** From start to the end of the first join, ms (undefined before). */
  joinedAfterMs: number | undefined;
  transport: TransportStats;
  dht: {
    contacts: number;
    rpc: Record<string, number>;
    values: Record<string, number>;
    overlay: Record<string, number>;
    tunnel: Record<string, number>;
    /** The LinkKeeper: links wanted now, dials started. */
    links: Record<string, number>;
    records: { size: number; own: number; loaded: number; loadSkipped: number; persistErrors: number; added: number; replaced: number };
  };
  signaling: {
    server: SignalClientState;
    routes: SignalRouteCounts;
    overlayDrops: Record<string, number>;
    welcomes: number;
    joins: number;
  };
  /** The chat layer's counters (its own, then `channel.*` and `store.*`), once a chat runs on the node. */
  chat?: Record<string, number>;
}
