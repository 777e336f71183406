/**
 * A testnet whose nodes all carry the record layer (DhtValues over a RecordTable), with nodes that
 * can be added and removed over time (churn). Optional `before` hook registers an extension ahead
 * of the honest layer (adversaries answer find_value/store first and so replace it).
 */
import { DhtNode, type DhtExtension } from '../dht/node';
import { DhtValues, type ValuesInit } from '../records/values';
import { idToHex, randomId, type NodeId } from '../dht/node-id';
import { sizeSignatureCache } from '../records/policy';
import { RecordTable, type RecordTableInit } from '../records/record-table';
import { Testnet, type SimNode, type TestnetOptions } from './testnet';
import type { VirtualClock } from './virtual-clock';

export interface RecordPeer {
  readonly sim: SimNode;
  readonly node: DhtNode;
  /** The honest record layer (absent on a node whose `before` extension replaces it). */
  readonly values: DhtValues | undefined;
  readonly table: RecordTable;
  /** The extension registered ahead of the honest one, if any. */
  readonly before: DhtExtension | undefined;
  /** Index in creation order. */
  readonly index: number;
  joinedAt: number;
  leftAt: number | undefined;
}

export interface RecordsTestnetOptions extends Omit<TestnetOptions, 'makeNode'> {
  values?: ValuesInit;
  table?: RecordTableInit;
  /** Build a node's RecordTable (e.g. an audited subclass). @default new RecordTable({ clock }, table) */
  makeTable?: (clock: VirtualClock, init: RecordTableInit | undefined) => RecordTable;
  /**
   * Called for every new node before the honest layer is attached; a returned extension is
   * registered first. With `replaceHonest` true (the default) such a node gets no DhtValues.
   */
  before?: (node: DhtNode, index: number) => DhtExtension | undefined;
  replaceHonest?: boolean;
  /**
   * Re-bootstrap (fresh sample) a node whose join reached nobody (empty routing table), up to this
   * many times, as an app does when its join fails. Without it such a node stays isolated: it is
   * in no one's table, and lookups seeded with it rarely ask a far-away seed. @default 5
   */
  joinRetries?: number;
}

export class RecordsTestnet {
  readonly tn: Testnet;
  readonly peers: RecordPeer[] = [];
  /** Joins retried because the node's table was still empty. */
  joinRetried = 0;
  private readonly byHex = new Map<string, RecordPeer>();
  /** Filled by makeNode, consumed by addPeer (Testnet.addNode calls makeNode synchronously). */
  private building: { values: DhtValues | undefined; table: RecordTable; before: DhtExtension | undefined } | undefined;

  constructor(readonly opts: RecordsTestnetOptions) {
    this.tn = new Testnet({
      ...opts,
      // This testnet retries joins itself (and counts them); the base testnet must not.
      joinRetries: 0,
      makeNode: (tn, id, endpoint) => {
        const node = new DhtNode({ transport: endpoint, clock: tn.clock, rng: tn.rng.fork() }, { ...opts.dht, id });
        const table = opts.makeTable ? opts.makeTable(tn.clock, opts.table) : new RecordTable({ clock: tn.clock }, opts.table);
        const before = opts.before?.(node, this.peers.length);
        if (before) node.use(before);
        const values = before && opts.replaceHonest !== false ? undefined : new DhtValues(node, table, opts.values);
        this.building = { values, table, before };
        return node;
      },
    });
  }

  get clock(): VirtualClock {
    return this.tn.clock;
  }

  /** Create a node (not joined). */
  addPeer(id: NodeId = randomId(this.tn.rng)): RecordPeer {
    const sim = this.tn.addNode(id);
    const b = this.building!;
    this.building = undefined;
    const peer: RecordPeer = {
      sim,
      node: sim.node,
      values: b.values,
      table: b.table,
      before: b.before,
      index: this.peers.length,
      joinedAt: -1,
      leftAt: undefined,
    };
    this.peers.push(peer);
    this.byHex.set(sim.node.hex, peer);
    return peer;
  }

  /** Create a node and join it through a bootstrap sample; `cb` once joined. */
  addAndJoin(cb?: (p: RecordPeer) => void): RecordPeer {
    const p = this.addPeer();
    this.join(p, () => cb?.(p));
    return p;
  }

  /** Join `p` (retrying with a fresh sample while its table stays empty); `cb` once joined. */
  join(p: RecordPeer, cb?: () => void): void {
    let left = this.opts.joinRetries ?? 5;
    const done = () => {
      const seeds =
        p.node.table.size === 0 && left-- > 0 && p.sim.endpoint.alive ? this.tn.sample(this.opts.bootstrapSample ?? 8, p.sim) : [];
      if (seeds.length > 0) {
        this.joinRetried++;
        p.node.join(
          seeds.map((m) => m.node.id),
          done,
        );
        return;
      }
      p.joinedAt = this.tn.clock.now();
      cb?.();
    };
    this.tn.join(p.sim, done);
  }

  get(hex: string): RecordPeer | undefined {
    return this.byHex.get(hex);
  }

  /** Take a node off the network: silent crash or graceful leave. Stops its timers. */
  remove(p: RecordPeer, mode: 'crash' | 'leave'): void {
    if (p.leftAt !== undefined) return;
    p.leftAt = this.tn.clock.now();
    p.values?.stop();
    if (mode === 'crash') this.tn.crash(p.sim);
    else this.tn.leave(p.sim);
  }

  isLive(p: RecordPeer): boolean {
    return p.leftAt === undefined && p.sim.joined && p.sim.endpoint.alive;
  }

  live(): RecordPeer[] {
    return this.peers.filter((p) => this.isLive(p));
  }

  /** Ground truth: the k live joined nodes closest to target. */
  trueClosest(target: NodeId, k: number, among: RecordPeer[] = this.live()): RecordPeer[] {
    return this.tn
      .trueClosest(
        target,
        k,
        among.map((p) => p.sim),
      )
      .map((s) => this.byHex.get(s.node.hex)!);
  }

  /** Frames sent on the simulated network so far. */
  frames(): number {
    return this.tn.net.counters.get('frames');
  }

  hex(id: NodeId): string {
    return idToHex(id);
  }
}

/** Good signatures a node's tab would remember (records it holds and reads). */
const SIGNATURES_PER_NODE = 128;

/** Build and join n nodes (spaced `joinSpacingMs` apart), then settle. */
export function createRecordsTestnet(n: number, opts: RecordsTestnetOptions): RecordsTestnet {
  // n nodes in one process share its good-signature cache: as large as n tabs' would be together.
  sizeSignatureCache(n * SIGNATURES_PER_NODE);
  const rt = new RecordsTestnet(opts);
  const spacing = opts.joinSpacingMs ?? 20;
  let joined = 0;
  for (let i = 0; i < n; i++) {
    const p = rt.addPeer();
    rt.clock.setTimeout(() => rt.join(p, () => joined++), i * spacing);
  }
  rt.clock.runUntil(n * spacing);
  for (let guard = 0; joined < n && guard < 1000; guard++) rt.clock.runFor(1000);
  rt.clock.runFor(opts.settleMs ?? 30_000);
  return rt;
}
