/**
 * `window.p2p`: the console API for people who script or debug the node (docs/browser-node.md).
 * Every method returns plain, structured-clone-safe values (strings, numbers, plain objects), so
 * it also works through devtools protocols (Playwright's page.evaluate).
 */
import type { ChatConsoleApi } from './chat-api';
import type { GetAnswer, NodeStats, NodeStatus, P2PNode, PutAnswer } from '../runtime/runtime';
import { networkSnapshot, type NetworkSnapshot } from './network-snapshot';

export interface P2PConsoleApi {
  /** Resolves when the node has joined the network. */
  ready(): Promise<void>;
  /** Node id, hex (SHA-1 of the public key). */
  readonly id: string;
  /** Ed25519 public key, hex: what others pass to `get`. */
  readonly publicKey: string;
  /** The profile this tab runs (`?profile=NAME`, default 'default'). */
  readonly profile: string;
  /**
   * 'node' when this tab runs the profile's node; 'view' when another tab of the same profile
   * does and this one talks to it over BroadcastChannel (`node` is then not available here).
   */
  readonly role: 'node' | 'view';
  /** Sign and store a mutable record under this node's key. Strings are UTF-8. */
  put(salt: string | Uint8Array, value: string | Uint8Array): Promise<PutAnswer>;
  /** The newest record of `publicKeyHex` at `salt`, or null. */
  get(publicKeyHex: string, salt: string | Uint8Array): Promise<GetAnswer | null>;
  /** Node ids with an open data channel. */
  peers(): string[];
  stats(): NodeStats;
  status(): NodeStatus;
  /** What the network view draws: routing table, connections, lookups, records. */
  network(): Promise<NetworkSnapshot>;
  /** Debugging: open / close a data channel to a node id. */
  connect(peer: string): Promise<void>;
  disconnect(peer: string): void;
  /** Stop the node (the page stays). */
  close(): Promise<void>;
  /** The runtime itself, for deeper debugging. */
  readonly node: P2PNode;
  /** The chat (docs/chat-api.md). */
  readonly chat: ChatConsoleApi;
}

declare global {
  interface Window {
    p2p?: P2PConsoleApi;
    /** Set when the node failed to start (message). */
    p2pError?: string;
  }
}

export function consoleApi(node: P2PNode, profile: string, chat: ChatConsoleApi): P2PConsoleApi {
  return {
    ready: () => node.ready(),
    id: node.id,
    publicKey: node.publicKey,
    profile,
    role: 'node',
    put: (salt, value) => node.put(salt, value),
    get: (pk, salt) => node.get(pk, salt),
    peers: () => node.peers(),
    stats: () => node.stats(),
    status: () => node.status,
    network: async () => networkSnapshot(node),
    connect: (peer) => node.connect(peer),
    disconnect: (peer) => node.disconnect(peer),
    close: () => node.close(),
    node,
    chat,
  };
}
