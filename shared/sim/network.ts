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
import type { SimEvent, VirtualClock } from './virtual-clock';
import { pairHash } from './stats';
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

export class SimEndpoint implements Transport {
  handler: ((from: PeerId, frame: Uint8Array) => void) | undefined;
  downHandler: ((peer: PeerId) => void) | undefined;
  alive = true;
  group = 0;
  upBusyUntil = 0;
  downBusyUntil = 0;
  /** Open connections, least recently used first (Map keeps insertion order). */
  readonly open = new Map<PeerId, number>();
  /** Peers this node wants kept open (LinkKeeper): eviction skips them while it can. */
  wanted: ReadonlySet<PeerId> = new Set();
  /** Connections this node took part in (dialed or answered: both ends create a peer connection). */
  connectionsCreated = 0;
  framesSent = 0;
  bytesSent = 0;

  constructor(
    readonly hex: PeerId,
    readonly index: number,
    private readonly net: SimNetwork,
  ) {}

  send(to: PeerId, frame: Uint8Array): void {
    this.net.deliver(this, to, frame);
  }
  onFrame(handler: (from: PeerId, frame: Uint8Array) => void): void {
    this.handler = handler;
  }
  onPeerDown(handler: (peer: PeerId) => void): void {
    this.downHandler = handler;
  }
  /** Without a connection model every peer counts as connected (datagrams). */
  isConnected(peer: PeerId): boolean {
    return !this.net.opts.connections || this.open.has(peer);
  }
  connectedPeers(): IterableIterator<PeerId> {
    return this.open.keys();
  }
}

export class SimNetwork {
  readonly counters = new Counters();
  private readonly endpoints = new Map<PeerId, SimEndpoint>();
  private nextIndex = 0;
  /** Crashes and leaves so far (lets callers skip rescanning for dead endpoints). */
  deaths = 0;
  private partitioned = false;
  readonly opts: Required<Omit<SimNetworkOptions, 'connections'>> & { connections: ConnectionModel | undefined };

  constructor(
    private readonly clock: VirtualClock,
    private readonly rng: Rng,
    opts: SimNetworkOptions = {},
  ) {
    this.opts = {
      latencyMs: opts.latencyMs ?? 50,
      jitter: opts.jitter ?? 0.6,
      loss: opts.loss ?? 0,
      bandwidth: opts.bandwidth ?? 0,
      unreachable: opts.unreachable ?? 0,
      connections: opts.connections,
    };
  }

  endpoint(hex: PeerId): SimEndpoint {
    const e = new SimEndpoint(hex, this.nextIndex++, this);
    this.endpoints.set(hex, e);
    return e;
  }

  get(hex: PeerId): SimEndpoint | undefined {
    return this.endpoints.get(hex);
  }

  /** One-way latency between two endpoints, ms (stable per pair). */
  latency(a: SimEndpoint, b: SimEndpoint): number {
    const u = pairHash(a.index, b.index, 1) / 4294967296;
    const { latencyMs, jitter } = this.opts;
    return latencyMs * (1 - jitter + 2 * jitter * u);
  }

  canReach(a: SimEndpoint, b: SimEndpoint): boolean {
    if (this.partitioned && a.group !== b.group) return false;
    const f = this.opts.unreachable;
    return !(f > 0 && pairHash(a.index, b.index, 2) / 4294967296 < f);
  }

  /** Split the network: nodes with different group numbers cannot talk until heal(). */
  partition(groupOf: (e: SimEndpoint) => number): void {
    for (const e of this.endpoints.values()) e.group = groupOf(e);
    this.partitioned = true;
  }

  heal(): void {
    this.partitioned = false;
  }

  /** Silent crash: the node stops answering; its connections' other ends notice after `deadAfterMs`. */
  crash(hex: PeerId): void {
    const e = this.endpoints.get(hex);
    if (!e) return;
    if (e.alive) this.deaths++;
    e.alive = false;
    const peers = [...e.open.keys()];
    e.open.clear();
    const conn = this.opts.connections;
    if (!conn || peers.length === 0) return;
    this.clock.setTimeout(() => {
      for (const p of peers) {
        const o = this.endpoints.get(p);
        if (o?.alive && o.open.delete(hex)) o.downHandler?.(hex);
      }
    }, conn.deadAfterMs ?? 10_000);
  }

  /** Graceful leave: open connections close, and their other ends are told. */
  leave(hex: PeerId): void {
    const e = this.endpoints.get(hex);
    if (!e) return;
    for (const peer of e.open.keys()) {
      const o = this.endpoints.get(peer);
      if (o?.alive) {
        o.open.delete(hex);
        o.downHandler?.(hex);
      }
    }
    this.crash(hex);
  }

  deliver(from: SimEndpoint, to: PeerId, frame: Uint8Array): void {
    if (!from.alive) return;
    this.counters.inc('frames');
    const dst = this.endpoints.get(to);
    if (!dst?.alive) return this.counters.inc('drop.dead');
    if (!this.canReach(from, dst)) return this.counters.inc('drop.unreachable');
    if (this.opts.loss > 0 && this.rng.next() < this.opts.loss) return this.counters.inc('drop.loss');
    const now = this.clock.now();
    let delay = this.latency(from, dst);
    const conn = this.opts.connections;
    if (conn) {
      const wait = this.connect(from, dst, now, conn);
      if (wait < 0) return this.counters.inc('drop.pool_full');
      delay += wait;
    }
    const bw = this.opts.bandwidth;
    if (bw > 0) {
      const tx = (frame.length / bw) * 1000;
      const depart = Math.max(now, from.upBusyUntil) + tx;
      from.upBusyUntil = depart;
      const arrive = Math.max(depart + delay, dst.downBusyUntil + tx);
      dst.downBusyUntil = arrive;
      delay = arrive - now;
    }
    from.framesSent++;
    from.bytesSent += frame.length;
    this.counters.inc('bytes', frame.length);
    this.clock.schedule(new Delivery(dst, from.hex, frame), delay);
  }

  /** Extra delay (ms) before a frame from a to b can leave: 0 on an open connection, -1 if refused. */
  private connect(a: SimEndpoint, b: SimEndpoint, now: number, m: ConnectionModel): number {
    // Map values are the time the connection becomes usable; re-inserting marks it most recent.
    const readyAt = a.open.get(b.hex);
    if (readyAt !== undefined) {
      a.open.delete(b.hex);
      a.open.set(b.hex, readyAt);
      b.open.delete(a.hex);
      b.open.set(a.hex, readyAt);
      return Math.max(0, readyAt - now);
    }
    // Like the browser's pool: a node whose every slot is one it wants kept refuses new ones.
    if (this.full(a, m) || this.full(b, m)) return -1;
    const ready = now + m.setupRtts * 2 * this.latency(a, b);
    this.counters.inc('connections');
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      x.connectionsCreated++;
      x.open.set(y.hex, ready);
      if (x.open.size > m.maxOpen) this.evict(x, y.hex);
    }
    return ready - now;
  }

  private full(x: SimEndpoint, m: ConnectionModel): boolean {
    if (x.open.size < m.maxOpen) return false;
    for (const p of x.open.keys()) if (!x.wanted.has(p)) return false;
    return true;
  }

  /** Close x's least recently used connection that x does not want kept. */
  private evict(x: SimEndpoint, keep: PeerId): void {
    let victim: PeerId | undefined;
    for (const p of x.open.keys()) {
      if (p !== keep && !x.wanted.has(p)) {
        victim = p;
        break;
      }
    }
    if (victim === undefined) return;
    this.counters.inc('evictions');
    x.open.delete(victim);
    const o = this.endpoints.get(victim);
    if (o?.open.delete(x.hex)) o.downHandler?.(x.hex);
    x.downHandler?.(victim);
  }

  *all(): IterableIterator<SimEndpoint> {
    yield* this.endpoints.values();
  }
}

/** A frame on its way: its own clock event, so a frame in flight costs one object, not a closure. */
class Delivery implements SimEvent {
  t = 0;
  dead = false;

  constructor(
    private readonly dst: SimEndpoint,
    private readonly from: PeerId,
    private readonly frame: Uint8Array,
  ) {}

  fn(): void {
    if (this.dst.alive) this.dst.handler?.(this.from, this.frame);
  }
}
