/**
 * Shared helpers for the DHT core's tests: seeds, ids, a brute-force XOR sort (ground truth),
 * an in-memory transport hub on a VirtualClock, and a scripted lookup universe.
 */
import { SeededRng } from '../../shared/env/rng';
import type { PeerId, Transport } from '../../shared/env/transport';
import { compareDistance, idToHex, randomId, type NodeId } from '../../shared/dht/node-id';
import type { LookupResult, QueryFn, QueryOutcome } from '../../shared/dht/lookup/lookup';
import type { LookupPeer } from '../../shared/dht/peer';
import { RoutingTable } from '../../shared/dht/routing-table';
import { VirtualClock } from '../../shared/sim/virtual-clock';
import { hexToBytes } from '../../shared/crypto/bytes';
import type { SimNode, Testnet } from '../../shared/sim/testnet';

/** A test's seed: `TEST_SEED` from the environment wins, so a failure can be replayed. */
export function testSeed(fallback: number): number {
  const env = process.env.TEST_SEED;
  const n = env === undefined ? NaN : Number(env);
  return Number.isFinite(n) ? n : fallback;
}

/** An id from a short hex prefix, zero-padded on the right (readable fixed ids in unit tests). */
export function idOf(prefixHex: string): NodeId {
  return hexToBytes(prefixHex.padEnd(40, '0'));
}

/** An id whose first byte is `b0`, rest zero, except the last byte `tag` (to keep ids distinct). */
export function idWith(bytes: number[], tag = 0): NodeId {
  const id = new Uint8Array(20);
  bytes.forEach((b, i) => {
    id[i] = b;
  });
  id[19] = tag;
  return id;
}

export function peerOf(id: NodeId): LookupPeer {
  return { id, hex: idToHex(id) };
}

/** Ground truth: ids sorted by XOR distance to target (a plain full sort). */
export function bruteClosest<T extends { id: NodeId }>(items: readonly T[], target: NodeId, n = Infinity): T[] {
  return [...items].sort((a, b) => compareDistance(a.id, b.id, target)).slice(0, n);
}

export function hexes(items: readonly { hex: string }[]): string[] {
  return items.map((x) => x.hex);
}

// ---- in-memory transport --------------------------------------------------------------------

export interface HubFrame {
  from: PeerId;
  to: PeerId;
  frame: Uint8Array;
  at: number;
}

/**
 * Endpoints that deliver frames to each other after `delayMs` of virtual time. An endpoint can be
 * muted (it receives nothing and its frames vanish), which is how tests model a dead peer.
 */
export class MemoryHub {
  readonly clock: VirtualClock;
  readonly log: HubFrame[] = [];
  private readonly handlers = new Map<PeerId, (from: PeerId, frame: Uint8Array) => void>();
  private readonly muted = new Set<PeerId>();

  constructor(
    clock = new VirtualClock(),
    public delayMs = 10,
  ) {
    this.clock = clock;
  }

  endpoint(hex: PeerId): Transport {
    return {
      send: (to, frame) => {
        if (this.muted.has(hex)) return;
        this.log.push({ from: hex, to, frame, at: this.clock.now() });
        this.clock.setTimeout(() => {
          if (this.muted.has(to)) return;
          this.handlers.get(to)?.(hex, frame);
        }, this.delayMs);
      },
      onFrame: (h) => {
        this.handlers.set(hex, h);
      },
    };
  }

  /** Inject a raw frame as if `from` had sent it to `to` (delivered after the usual delay). */
  inject(from: PeerId, to: PeerId, frame: Uint8Array): void {
    this.clock.setTimeout(() => this.handlers.get(to)?.(from, frame), this.delayMs);
  }

  mute(hex: PeerId): void {
    this.muted.add(hex);
  }

  unmute(hex: PeerId): void {
    this.muted.delete(hex);
  }

  sentBy(hex: PeerId): HubFrame[] {
    return this.log.filter((f) => f.from === hex);
  }
}

/** A transport that records what it is asked to send and lets a test push frames in. */
export class RecordingTransport implements Transport {
  readonly sent: { to: PeerId; frame: Uint8Array }[] = [];
  handler: ((from: PeerId, frame: Uint8Array) => void) | undefined;

  send(to: PeerId, frame: Uint8Array): void {
    this.sent.push({ to, frame });
  }
  onFrame(h: (from: PeerId, frame: Uint8Array) => void): void {
    this.handler = h;
  }
  receive(from: PeerId, frame: Uint8Array): void {
    this.handler?.(from, frame);
  }
}

// ---- scripted lookup universe ---------------------------------------------------------------

export interface UniverseNode {
  id: NodeId;
  hex: string;
  table: RoutingTable;
}

/**
 * n random nodes, each with a Kademlia routing table filled from every other node (so each
 * bucket holds up to k of them). A query answers from the asked node's table, as a real node does.
 */
export function makeUniverse(n: number, rng: SeededRng, k = 8, bitsPerLevel = 1): Map<string, UniverseNode> {
  const nodes: UniverseNode[] = [];
  const seen = new Set<string>();
  while (nodes.length < n) {
    const id = randomId(rng);
    const hex = idToHex(id);
    if (seen.has(hex)) continue;
    seen.add(hex);
    nodes.push({ id, hex, table: new RoutingTable(id, { k, bitsPerLevel, replacements: 0, maxFailures: 1 }) });
  }
  for (const a of nodes) {
    // Random insertion order so which k land in a full bucket varies.
    const order = [...nodes];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const b of order) if (b !== a) a.table.observe(b.id, b.hex, 0);
  }
  return new Map(nodes.map((x) => [x.hex, x]));
}

export interface ScriptOptions {
  clock: VirtualClock;
  /** Answer delay per peer, ms. @default 10 */
  delay?: (hex: string) => number;
  /** Peers that never answer (done(null) after `failAfterMs`). */
  dead?: Set<string>;
  /** Peers that fail immediately with done(null). */
  failing?: Set<string>;
  /** When a dead peer reports failure, ms (hard timeout). @default 1000 */
  failAfterMs?: number;
  /** Contacts per answer. @default k of the table */
  answerSize?: number;
  /** Answer with a packed IdList (as a NODES answer arrives) instead of an array of ids. */
  packed?: boolean;
}

export interface ScriptedQuery {
  query: QueryFn<never>;
  /** Every query in order, with its virtual start time. */
  asked: { hex: string; at: number }[];
  /** Current number of outstanding queries, and the maximum reached. */
  inflight: () => number;
  answeredAt: Map<string, number>;
}

/** A query function over a universe: answers with the asked node's closest contacts after a delay. */
export function scriptedQuery(universe: Map<string, UniverseNode>, target: NodeId, o: ScriptOptions): ScriptedQuery {
  const asked: { hex: string; at: number }[] = [];
  const answeredAt = new Map<string, number>();
  let outstanding = 0;
  const query: QueryFn<never> = (peer, done) => {
    asked.push({ hex: peer.hex, at: o.clock.now() });
    outstanding++;
    const finish = (res: QueryOutcome<never> | null) => {
      outstanding--;
      if (res) answeredAt.set(peer.hex, o.clock.now());
      done(res);
    };
    if (o.failing?.has(peer.hex)) {
      o.clock.setTimeout(() => finish(null), 0);
      return;
    }
    if (o.dead?.has(peer.hex)) {
      o.clock.setTimeout(() => finish(null), o.failAfterMs ?? 1000);
      return;
    }
    const node = universe.get(peer.hex);
    o.clock.setTimeout(
      () => {
        if (!node) return finish(null);
        const n = o.answerSize ?? 20;
        finish({ closer: o.packed ? node.table.closestIds(target, n) : node.table.closest(target, n).map((c) => c.id) });
      },
      o.delay ? o.delay(peer.hex) : 10,
    );
  };
  return { query, asked, inflight: () => outstanding, answeredAt };
}

export { SeededRng, VirtualClock };

// ---- simulation helpers ---------------------------------------------------------------------

export interface LookupQuality {
  lookups: number;
  /** Fraction whose first result is the true closest live node. */
  success: number;
  /** Mean fraction of the true k closest that were returned. */
  kAccuracy: number;
  /** One line per miss (for assertion messages). */
  misses: string[];
  results: LookupResult[];
}

/**
 * Run `n` lookups for random targets from random live nodes (optionally only from `fromGroup`),
 * `spacingMs` apart, and grade each against ground truth computed here by a full XOR sort of the
 * live joined nodes at the moment the lookup starts (independent of Testnet.trueClosest).
 */
export function measureLookups(tn: Testnet, n: number, o: { spacingMs?: number; from?: (s: SimNode) => boolean } = {}): LookupQuality {
  const spacing = o.spacingMs ?? 10;
  const graded: { r: LookupResult; truth: string[]; from: string }[] = [];
  for (let i = 0; i < n; i++) {
    const live = tn.nodes.filter((s) => s.endpoint.alive && s.joined);
    const pool = o.from ? live.filter(o.from) : live;
    const from = pool[tn.rng.int(pool.length)]!;
    const target = randomId(tn.rng);
    const k = from.node.k;
    const truth = bruteClosest(
      live.map((s) => ({ id: s.node.id, hex: s.node.hex })),
      target,
      k,
    ).map((x) => x.hex);
    from.node.lookup(target, (r) => graded.push({ r, truth, from: from.node.hex }));
    tn.runFor(spacing);
  }
  for (let guard = 0; graded.length < n && guard < 600; guard++) tn.runFor(1000);
  let ok = 0;
  let acc = 0;
  const misses: string[] = [];
  for (const { r, truth, from } of graded) {
    if (r.closest[0]?.hex === truth[0]) ok++;
    else
      misses.push(
        `from ${from.slice(0, 8)} target ${idToHex(r.target).slice(0, 8)}: got ${r.closest[0]?.hex.slice(0, 8)} want ${truth[0]!.slice(0, 8)}`,
      );
    const got = new Set(r.closest.map((c) => c.hex));
    acc += truth.filter((x) => got.has(x)).length / truth.length;
  }
  return { lookups: graded.length, success: ok / n, kAccuracy: acc / n, misses, results: graded.map((g) => g.r) };
}

/** Fraction of all routing-table entries of live nodes that point to another partition group. */
export function crossGroupFraction(tn: Testnet): number {
  let cross = 0;
  let all = 0;
  for (const s of tn.live())
    for (const c of s.node.table.contacts()) {
      all++;
      if (tn.get(c.hex)!.endpoint.group !== s.endpoint.group) cross++;
    }
  return all === 0 ? 0 : cross / all;
}
