/**
 * A Kademlia DHT node. Sans-IO: Transport, Clock and Rng are injected components, plain numbers
 * come in `init`. The same class runs in a browser tab, in Node and in the simulator.
 *
 * Request types beyond PING/FIND_NODE (records, overlay routing) are served by extensions
 * registered with `use()`, so this file stays about routing.
 */
import type { Clock, TimerHandle } from '../env/clock';
import type { Rng } from '../env/rng';
import type { Transport } from '../env/transport';
import type { RequestMessage } from '../protocol/wire';
import { DEFAULTS } from './constants';
import { Lookup, type LookupEvent, type LookupOptions, type LookupResult, type QueryFn } from './lookup/lookup';
import type { LookupPeer } from './peer';
import { idToHex, isNodeId, randomIdAtLevel, type NodeId } from './node-id';
import { solvesPuzzle } from './node-puzzle';
import type { Contact } from './contact';
import { RoutingTable } from './routing-table';
import { Rpc, type ResponseBody } from './rpc';
import type { IdList } from '../protocol/id-list';
import { DhtError } from './errors';

export interface DhtComponents {
  transport: Transport;
  clock: Clock;
  rng: Rng;
}

export interface DhtInit {
  /** This node's id (SHA-1 of its public key in real deployments). */
  id: NodeId;
  /** @default 20 */ k?: number;
  /** @default 3 */ alpha?: number;
  /** @default 3 */ beta?: number;
  /** @default 3 */ bitsPerLevel?: number;
  /** @default 8 */ replacements?: number;
  /** @default 250 */ minTimeoutMs?: number;
  /** Extra timeout for a request that must open a connection first (see Transport.isConnected). @default 0 */
  dialTimeoutMs?: number;
  /** @default 5000 */ maxTimeoutMs?: number;
  /** @default 500 */ initialRttMs?: number;
  /** @default 900000 */ refreshIntervalMs?: number;
  /** @default 2 */ maxFailures?: number;
  /** @default 3600000 */ forgetStaleMs?: number;
  /** @default 512 */ maxInflight?: number;
  /** Parallelism of bucket-refresh lookups. @default 2 */
  refreshAlpha?: number;
  /** Extra wait for a slow candidate closer than every answer, in soft timeouts. @default 0.5 */
  slowGrace?: number;
  /** Run periodic bucket refresh. @default true */
  maintenance?: boolean;
  /**
   * Difficulty of the node-id puzzle (node-puzzle.ts) an id must solve to be filed, asked or
   * listed by our lookups. Tabs and headless peers use NODE_PUZZLE_BITS; the simulator 0. @default 0
   */
  puzzleBits?: number;
}

/** Serves one or more request types; returns false to let the node answer BAD_REQUEST. */
export interface DhtExtension {
  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean;
  /** A contact entered the routing table (used for key handoff). */
  onNewContact?(peer: LookupPeer): void;
}

export interface LookupOpts<V> {
  /** Closest nodes the lookup finds and returns. @default k */
  k?: number;
  beta?: number;
  maxQueries?: number;
  quorum?: number;
  alpha?: number;
  seeds?: LookupPeer[];
  query?: QueryFn<V>;
  /** Ids learned from answers become candidates only if this holds (and they solve our puzzle). */
  admit?: (id: NodeId) => boolean;
  onEvent?: (e: LookupEvent<V>) => void;
  /** Receives the running lookup right after it starts (so a caller can stop() it). */
  onStart?: (l: Lookup<V>) => void;
  /**
   * A background lookup (joining, bucket refresh): no spare requests for late answers, which
   * would cost every join more frames for speed nobody waits on (docs/dht-design.md).
   */
  background?: boolean;
}

export class DhtNode {
  readonly id: NodeId;
  readonly hex: string;
  readonly table: RoutingTable;
  readonly rpc: Rpc;
  readonly k: number;
  readonly alpha: number;
  readonly beta: number;
  private readonly init: Required<Omit<DhtInit, 'id'>>;
  private readonly extensions: DhtExtension[] = [];
  private refreshTimer: TimerHandle | undefined;
  private destroyed = false;

  constructor(
    readonly components: DhtComponents,
    init: DhtInit,
  ) {
    if (!isNodeId(init.id)) throw DhtError.badArgument('id must be 20 bytes');
    this.init = {
      k: init.k ?? DEFAULTS.k,
      alpha: init.alpha ?? DEFAULTS.alpha,
      beta: init.beta ?? DEFAULTS.beta,
      bitsPerLevel: init.bitsPerLevel ?? DEFAULTS.bitsPerLevel,
      replacements: init.replacements ?? DEFAULTS.replacements,
      minTimeoutMs: init.minTimeoutMs ?? DEFAULTS.minTimeoutMs,
      dialTimeoutMs: init.dialTimeoutMs ?? DEFAULTS.dialTimeoutMs,
      maxTimeoutMs: init.maxTimeoutMs ?? DEFAULTS.maxTimeoutMs,
      initialRttMs: init.initialRttMs ?? DEFAULTS.initialRttMs,
      refreshIntervalMs: init.refreshIntervalMs ?? DEFAULTS.refreshIntervalMs,
      maxFailures: init.maxFailures ?? DEFAULTS.maxFailures,
      forgetStaleMs: init.forgetStaleMs ?? DEFAULTS.forgetStaleMs,
      maxInflight: init.maxInflight ?? DEFAULTS.maxInflight,
      refreshAlpha: init.refreshAlpha ?? DEFAULTS.refreshAlpha,
      slowGrace: init.slowGrace ?? DEFAULTS.slowGrace,
      maintenance: init.maintenance ?? true,
      puzzleBits: init.puzzleBits ?? 0,
    };
    this.id = init.id;
    this.hex = idToHex(init.id);
    this.k = this.init.k;
    this.alpha = this.init.alpha;
    this.beta = this.init.beta;
    this.table = new RoutingTable(this.id, this.init);
    this.rpc = new Rpc(components.transport, components.clock, components.rng, this.init, {
      onRequest: (from, msg, reply) => this.serve(from, msg, reply),
      onAlive: (peer) => this.observe(peer),
      onTimeout: (peer) => {
        this.table.recordFailure(peer.id);
      },
      rttOf: (peer) => this.table.byHex(peer.hex),
    });
    components.transport.onPeerDown?.((peer) => {
      // A closed connection is not proof of death (budget eviction closes healthy links); the
      // next request to it decides. Nothing to do here but count.
      this.rpc.counters.inc('peer.down');
      void peer;
    });
  }

  get clock(): Clock {
    return this.components.clock;
  }

  use(ext: DhtExtension): void {
    this.extensions.push(ext);
  }

  // ---- liveness and the routing table -------------------------------------------------------

  /** `peer` showed it is alive (it answered, or sent us a request): update the routing table. */
  observe(peer: LookupPeer): void {
    if (this.destroyed) return;
    // A contact solved the puzzle when it was filed: only a newcomer's id is read (and hashed).
    if (this.init.puzzleBits > 0 && !this.table.byHex(peer.hex) && !this.solves(peer.id)) return void this.rpc.counters.inc('drop.puzzle');
    const now = this.clock.now();
    const r = this.table.observePeer(peer, now);
    if (r.kind === 'added') {
      for (const e of this.extensions) e.onNewContact?.(peer);
    } else if (r.kind === 'full' && !r.bucket.pinging) {
      const b = r.bucket;
      b.pinging = true;
      this.rpc.request(r.oldest, { type: 'ping' }, () => {
        b.pinging = false;
      });
    }
  }

  /** The lookup's admit: the caller's, and our puzzle when it is on. */
  private admitFor(caller: ((id: NodeId) => boolean) | undefined): { admit?: (id: NodeId) => boolean } {
    if (this.init.puzzleBits === 0) return caller ? { admit: caller } : {};
    return { admit: caller ? (id) => this.solves(id) && caller(id) : (id) => this.solves(id) };
  }

  /** Whether `id` solves our node-id puzzle (every id does at difficulty 0). */
  solves(id: NodeId): boolean {
    return solvesPuzzle(id, this.init.puzzleBits);
  }

  // ---- serving requests ---------------------------------------------------------------------

  /** Answer one request from `from` (direct, or carried by a tunnel: see tunnel.ts). */
  serve(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): void {
    switch (msg.type) {
      case 'ping':
        return reply({ type: 'pong' });
      case 'find_node':
        return reply({ type: 'nodes', nodes: this.closestIds(msg.target, from.hex) });
      default:
        for (const e of this.extensions) if (e.handle(from, msg, reply)) return;
        this.rpc.counters.inc('drop.unhandled_request');
        reply({ type: 'error', code: 'BAD_REQUEST' });
    }
  }

  /** Ids of the k contacts closest to target, excluding `exclude` (the requester). */
  closestIds(target: NodeId, exclude?: string): IdList {
    return this.table.closestIds(target, this.k, exclude);
  }

  // ---- lookups --------------------------------------------------------------------------------

  /** Iterative lookup for `target`; `cb` gets the result. */
  lookup<V = never>(target: NodeId, cb: (r: LookupResult) => void, opts: LookupOpts<V> = {}): Lookup<V> {
    const now = this.clock.now();
    this.table.touch(target, now);
    const own = opts.seeds ? undefined : this.table.closest(target, this.k);
    const seeds = opts.seeds ?? own!;
    const first = own ? this.fastest(own, opts.alpha ?? this.alpha) : undefined;
    const query: QueryFn<V> =
      opts.query ??
      ((peer, done) => {
        this.rpc.request(peer, { type: 'find_node', target }, (res) => {
          if (res?.type !== 'nodes') return done(null);
          done({ closer: res.nodes });
        });
      });
    const l = new Lookup<V>({
      target,
      self: this.id,
      seeds,
      query,
      clock: this.clock,
      ...this.timeouts(!opts.background),
      k: opts.k ?? this.k,
      alpha: opts.alpha ?? this.alpha,
      beta: opts.beta ?? this.beta,
      ...(opts.quorum ? { quorum: opts.quorum } : {}),
      slowGrace: this.init.slowGrace,
      ...(first ? { first } : {}),
      ...(opts.maxQueries ? { maxQueries: opts.maxQueries } : {}),
      ...this.admitFor(opts.admit),
      onDone: cb,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    opts.onStart?.(l);
    l.start();
    return l;
  }

  /**
   * A lookup's timeout functions. With spare timeouts, a launch asks for the soft timeout and then
   * the spare one for the same peer: both come from one `Rpc.lookupTimeouts` call.
   */
  private timeouts(spare: boolean): Pick<LookupOptions<unknown>, 'softTimeoutMs' | 'spareTimeoutMs'> {
    if (!spare) return { softTimeoutMs: (peer) => this.rpc.softTimeoutMs(peer) };
    let last: LookupPeer | undefined;
    let lastSpare = 0;
    return {
      softTimeoutMs: (peer) => {
        const t = this.rpc.lookupTimeouts(peer);
        last = peer;
        lastSpare = t.spare;
        return t.soft;
      },
      spareTimeoutMs: (peer) => (peer === last ? lastSpare : this.rpc.spareTimeoutMs(peer)),
    };
  }

  /**
   * Proximity for the first round: our closest contacts to a target that share its sub-bucket
   * are about equally close by XOR, so ask the ones with the lowest measured RTT first.
   */
  private fastest(own: Contact[], n: number): Contact[] | undefined {
    if (own.length <= n) return undefined;
    const b = this.table.bucketFor(own[0]!.id, false);
    const group = own.slice(0, 8).filter((c) => b?.contacts.includes(c) && c.srtt > 0);
    if (group.length <= n) return undefined;
    return group.sort((x, y) => x.srtt - y.srtt).slice(0, n);
  }

  findNode(target: NodeId): Promise<LookupResult> {
    return new Promise((resolve) => this.lookup(target, resolve));
  }

  ping(peer: LookupPeer): Promise<number | null> {
    return new Promise((resolve) => this.rpc.request(peer, { type: 'ping' }, (res, rtt) => resolve(res ? rtt : null)));
  }

  // ---- joining and maintenance ----------------------------------------------------------------

  /**
   * Join through `seeds` (e.g. the signaling server's sample): look up our own id (then `located`),
   * then refresh every level farther than our closest neighbour (Kademlia §2.3).
   */
  join(seeds: NodeId[], cb?: (r: { lookups: number; contacts: number }) => void, located?: () => void): void {
    const peers = seeds.filter((s) => isNodeId(s)).map(toPeer);
    if (peers.length === 0) {
      // The first node of a network: nothing to look up yet, but keep buckets refreshed.
      if (this.init.maintenance && this.refreshTimer === undefined) this.scheduleRefresh();
      cb?.({ lookups: 0, contacts: this.table.size });
      return;
    }
    this.lookup(
      this.id,
      () => {
        located?.();
        const deepest = this.table.deepestLevel();
        let left = 0;
        const finish = () => {
          if (--left > 0) return;
          if (this.init.maintenance && this.refreshTimer === undefined) this.scheduleRefresh();
          cb?.({ lookups: deepest + 1, contacts: this.table.size });
        };
        left = 1;
        for (let level = 0; level < deepest; level++) {
          left++;
          this.refreshLevel(level, finish);
        }
        finish();
      },
      { seeds: peers, background: true },
    );
  }

  /** Fill one bucket at `level` (a random sub-bucket); a full bucket needs no lookup. */
  private refreshLevel(level: number, cb: () => void): void {
    const s = this.table.subBits(level);
    const sub = s ? this.components.rng.int(1 << s) : 0;
    const target = randomIdAtLevel(this.id, level, this.components.rng, s, sub);
    const b = this.table.bucketFor(target, false);
    if (b && b.contacts.length >= this.k) return cb();
    // A refresh only needs to meet live nodes in that range, not to pin down the closest:
    // beta 1 and less parallelism (DEFAULTS.refreshAlpha).
    this.lookup(target, () => cb(), { beta: 1, alpha: this.init.refreshAlpha, background: true });
  }

  private scheduleRefresh(): void {
    if (this.destroyed) return;
    const every = this.init.refreshIntervalMs / 4;
    // Jitter so a network of nodes does not refresh in lockstep.
    const delay = every * (0.75 + 0.5 * this.components.rng.next());
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshStale();
      this.scheduleRefresh();
    }, delay);
  }

  /** Refresh buckets no lookup has touched for refreshIntervalMs. Returns how many started. */
  refreshStale(): number {
    const now = this.clock.now();
    let started = 0;
    // Re-ping stale contacts (kept because no replacement was waiting): an answer revives them.
    // One not heard from for forgetStaleMs is forgotten instead, but only from a bucket that still
    // holds a live contact. A bucket whose every contact went silent is what a partition looks
    // like: it keeps them, which is how nearest neighbours find each other again after a heal.
    let pings = 0;
    const maxF = this.init.maxFailures;
    const forget: Contact[] = [];
    for (const b of this.table.buckets()) {
      const canForget = b.contacts.some((c) => c.failures < maxF);
      for (const c of b.contacts) {
        if (c.failures < maxF) continue;
        if (canForget && now - c.lastSeen >= this.init.forgetStaleMs) forget.push(c);
        else if (pings < 32) {
          pings++;
          this.rpc.request(c, { type: 'ping' }, () => {});
        }
      }
    }
    for (const c of forget) if (this.table.remove(c.id)) this.rpc.counters.inc('contact.forgotten');
    for (const b of this.table.buckets()) {
      if (now - b.lastTouched < this.init.refreshIntervalMs) continue;
      b.lastTouched = now;
      const s = this.table.subBits(b.level);
      this.lookup(randomIdAtLevel(this.id, b.level, this.components.rng, s, b.sub), () => {}, {
        beta: 1,
        alpha: this.init.refreshAlpha,
        background: true,
      });
      started++;
    }
    return started;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer);
    this.rpc.destroy();
  }
}

export function toPeer(id: NodeId): LookupPeer {
  return { id, hex: idToHex(id) };
}
