/**
 * createTestnet(n, { seed }): a whole network of real DhtNodes on a simulated network and a
 * virtual clock. Nodes join one after another, each bootstrapping from a random sample of up to 8
 * live members (what the signaling server hands out). Public so users can run it too.
 */
import { SeededRng } from '../env/rng';
import { DhtNode, type DhtInit } from '../dht/node';
import { compareDistance, idToHex, randomId, type NodeId } from '../dht/node-id';
import { SimNetwork, type SimEndpoint, type SimNetworkOptions } from './network';
import { VirtualClock } from './virtual-clock';

export interface SimNode {
  readonly node: DhtNode;
  readonly endpoint: SimEndpoint;
  joined: boolean;
}

export interface TestnetOptions {
  seed: number;
  network?: SimNetworkOptions;
  /** DHT parameters (k, alpha, beta, bitsPerLevel, ...). */
  dht?: Partial<Omit<DhtInit, 'id'>>;
  /** Virtual ms between successive joins. @default 20 */
  joinSpacingMs?: number;
  /** Bootstrap sample size. @default 8 */
  bootstrapSample?: number;
  /** Re-bootstraps (fresh sample) when a join reached nobody. @default 4 */
  joinRetries?: number;
  /** Virtual ms to let the network settle after the last join. @default 30000 */
  settleMs?: number;
  /** Called as nodes finish joining. */
  onProgress?: (joined: number, total: number) => void;
  /** Called once a node has joined (e.g. to start its link keeper). */
  onJoined?: (sn: SimNode) => void;
  /** Build a node (hook for scenarios that wrap nodes, e.g. attackers or record layers). */
  makeNode?: (tn: Testnet, id: NodeId, endpoint: SimEndpoint) => DhtNode;
}

export class Testnet {
  readonly clock = new VirtualClock();
  readonly rng: SeededRng;
  readonly net: SimNetwork;
  readonly nodes: SimNode[] = [];
  private readonly byHex = new Map<string, SimNode>();
  /** Live joined members, as the signaling server would know them. */
  private readonly members: SimNode[] = [];
  private prunedAt = 0;

  constructor(readonly opts: TestnetOptions) {
    this.rng = new SeededRng(opts.seed);
    this.net = new SimNetwork(this.clock, this.rng.fork(), opts.network);
  }

  /** Create a node (not yet joined). */
  addNode(id: NodeId = randomId(this.rng)): SimNode {
    const hex = idToHex(id);
    const endpoint = this.net.endpoint(hex);
    const node = this.opts.makeNode
      ? this.opts.makeNode(this, id, endpoint)
      : new DhtNode({ transport: endpoint, clock: this.clock, rng: this.rng.fork() }, { ...this.opts.dht, id });
    const sn: SimNode = { node, endpoint, joined: false };
    this.nodes.push(sn);
    this.byHex.set(hex, sn);
    return sn;
  }

  get(hex: string): SimNode | undefined {
    return this.byHex.get(hex);
  }

  /** A random sample of up to n live members (the signaling server's bootstrap answer). */
  sample(n: number, exclude?: SimNode): SimNode[] {
    this.pruneMembers();
    // A partial Fisher-Yates shuffle over the members without `exclude`, with the swaps kept in a
    // small map instead of copying the whole list for every join (O(n) per join at 10k+ nodes).
    const members = this.members;
    const e = exclude ? members.indexOf(exclude) : -1;
    let len = e >= 0 ? members.length - 1 : members.length;
    const at = (i: number): SimNode => swaps.get(i) ?? members[e >= 0 && i >= e ? i + 1 : i]!;
    const swaps = new Map<number, SimNode>();
    const out: SimNode[] = [];
    for (let i = 0; i < n && len > 0; i++) {
      const j = this.rng.int(len);
      out.push(at(j));
      swaps.set(j, at(len - 1));
      len--;
    }
    return out;
  }

  /** Drop members that died since the last call (only scans after a crash or leave). */
  private pruneMembers(): void {
    if (this.net.deaths === this.prunedAt) return;
    this.prunedAt = this.net.deaths;
    for (let i = this.members.length - 1; i >= 0; i--) {
      if (!this.members[i]!.endpoint.alive) {
        this.members[i] = this.members[this.members.length - 1]!;
        this.members.pop();
      }
    }
  }

  /**
   * Join through a fresh bootstrap sample. A join that reached nobody (every seed unreachable)
   * is retried with a new sample (joinRetries times), as a client would ask the server again.
   */
  join(sn: SimNode, cb?: () => void, attempt = 1): void {
    const seeds = this.sample(this.opts.bootstrapSample ?? 8, sn).map((m) => m.node.id);
    sn.node.join(seeds, (r) => {
      if (r.contacts === 0 && seeds.length > 0 && attempt <= (this.opts.joinRetries ?? 4) && sn.endpoint.alive)
        return this.join(sn, cb, attempt + 1);
      sn.joined = true;
      if (sn.endpoint.alive) this.members.push(sn);
      if (sn.endpoint.alive) this.opts.onJoined?.(sn);
      cb?.();
    });
  }

  live(): SimNode[] {
    return this.nodes.filter((n) => n.endpoint.alive && n.joined);
  }

  crash(sn: SimNode): void {
    this.net.crash(sn.node.hex);
    sn.node.destroy();
  }

  leave(sn: SimNode): void {
    this.net.leave(sn.node.hex);
    sn.node.destroy();
  }

  /** Ground truth: the k live joined nodes closest to target, by XOR, from full membership. */
  trueClosest(target: NodeId, k: number, among: SimNode[] = this.live()): SimNode[] {
    const top: SimNode[] = [];
    for (const n of among) {
      if (top.length === k && compareDistance(n.node.id, top[k - 1]!.node.id, target) >= 0) continue;
      let i = top.length;
      while (i > 0 && compareDistance(n.node.id, top[i - 1]!.node.id, target) < 0) i--;
      top.splice(i, 0, n);
      if (top.length > k) top.pop();
    }
    return top;
  }

  runFor(ms: number): void {
    this.clock.runFor(ms);
  }
}

/** Build a network of n nodes and join them all; returns once joins have settled. */
export function createTestnet(n: number, opts: TestnetOptions): Testnet {
  const tn = new Testnet(opts);
  const spacing = opts.joinSpacingMs ?? 20;
  let joined = 0;
  for (let i = 0; i < n; i++) {
    const sn = tn.addNode();
    tn.clock.setTimeout(
      () =>
        tn.join(sn, () => {
          joined++;
          if (opts.onProgress && (joined % 1000 === 0 || joined === n)) opts.onProgress(joined, n);
        }),
      i * spacing,
    );
  }
  tn.clock.runUntil(n * spacing);
  // Let every join finish, then settle.
  for (let guard = 0; joined < n && guard < 1000; guard++) tn.clock.runFor(1000);
  tn.clock.runFor(opts.settleMs ?? 30_000);
  return tn;
}
