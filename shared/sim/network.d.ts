/**
 * A simulated network that carries the real nodes' frames on virtual time. It models per-link
 * latency (a stable per-pair draw around `latencyMs`), loss, per-node bandwidth caps, partitions,
 * pairs that can never connect (NAT), crashes and graceful leaves, and optionally what a WebRTC
 * overlay costs: a new connection takes `setupRtts` round trips before its first message, each
 * node holds at most `maxOpen` connections (least recently used closed first), and every
 * connection ever opened is counted.
 */
import type { PeerId, Transport } from '../env/transport';
import type { Rng } from '../env/rng';
import type { VirtualClock } from './virtual-clock';
import { Counters } from '../dht/counters';
export interface ConnectionModel {
    /** Round trips spent on signaling + ICE + DTLS before the first message. @default 3 */
    setupRtts: number;
    /** Open connections per node; the least recently used unprotected one is closed beyond it. @default 24 */
    maxOpen: number;
    /** How long the other ends of a crashed node's connections take to notice (ICE consent). @default 10_000 */
    deadAfterMs?: number;
}
export interface SimNetworkOptions {
    /** Mean one-way latency, ms. @default 50 */
    latencyMs?: number;
    /** Per-link latency spread: a link's latency is latencyMs × U(1 - jitter, 1 + jitter). @default 0.6 */
    jitter?: number;
    /** Probability a frame is lost. @default 0 */
    loss?: number;
    /** Per-node up and down bandwidth, bytes/s (0 = unlimited). @default 0 */
    bandwidth?: number;
    /** Fraction of node pairs that can never talk directly. @default 0 */
    unreachable?: number;
    /** Model WebRTC connection cost and caps. @default undefined (datagram-like) */
    connections?: ConnectionModel;
}
export declare class SimEndpoint implements Transport {
    readonly hex: PeerId;
    readonly index: number;
    private readonly net;
    handler: ((from: PeerId, frame: Uint8Array) => void) | undefined;
    downHandler: ((peer: PeerId) => void) | undefined;
    alive: boolean;
    group: number;
    upBusyUntil: number;
    downBusyUntil: number;
    /** Open connections, least recently used first (Map keeps insertion order). */
    readonly open: Map<string, number>;
    /** Peers this node wants kept open (LinkKeeper): eviction skips them while it can. */
    wanted: ReadonlySet<PeerId>;
    /** Connections this node took part in (dialed or answered: both ends create a peer connection). */
    connectionsCreated: number;
    framesSent: number;
    bytesSent: number;
    constructor(hex: PeerId, index: number, net: SimNetwork);
    send(to: PeerId, frame: Uint8Array): void;
    onFrame(handler: (from: PeerId, frame: Uint8Array) => void): void;
    onPeerDown(handler: (peer: PeerId) => void): void;
    /** Without a connection model every peer counts as connected (datagrams). */
    isConnected(peer: PeerId): boolean;
    connectedPeers(): IterableIterator<PeerId>;
}
export declare class SimNetwork {
    private readonly clock;
    private readonly rng;
    readonly counters: Counters;
    private readonly endpoints;
    private nextIndex;
    /** Crashes and leaves so far (lets callers skip rescanning for dead endpoints). */
    deaths: number;
    private partitioned;
    readonly opts: Required<Omit<SimNetworkOptions, 'connections'>> & {
        connections: ConnectionModel | undefined;
    };
    constructor(clock: VirtualClock, rng: Rng, opts?: SimNetworkOptions);
    endpoint(hex: PeerId): SimEndpoint;
    get(hex: PeerId): SimEndpoint | undefined;
    /** One-way latency between two endpoints, ms (stable per pair). */
    latency(a: SimEndpoint, b: SimEndpoint): number;
    canReach(a: SimEndpoint, b: SimEndpoint): boolean;
    /** Split the network: nodes with different group numbers cannot talk until heal(). */
    partition(groupOf: (e: SimEndpoint) => number): void;
    heal(): void;
    /** Silent crash: the node stops answering; its connections' other ends notice after `deadAfterMs`. */
    crash(hex: PeerId): void;
    /** Graceful leave: open connections close, and their other ends are told. */
    leave(hex: PeerId): void;
    deliver(from: SimEndpoint, to: PeerId, frame: Uint8Array): void;
    /** Extra delay (ms) before a frame from a to b can leave: 0 on an open connection, -1 if refused. */
    private connect;
    private full;
    /** Close x's least recently used connection that x does not want kept. */
    private evict;
    all(): IterableIterator<SimEndpoint>;
}
