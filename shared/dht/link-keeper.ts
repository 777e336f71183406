/**
 * Which connections a node keeps open when connections are scarce (WebRTC: ~500 per tab for its
 * lifetime, a few dozen at once). The overlay these links form is what tunnels (tunnel.ts) and
 * overlay signaling route over, so it must let greedy XOR routing reach every node:
 *  - `near`: the closest routing-table contacts. The last hop of any route is a neighbour of the
 *    target, so every node must be linked to its own neighbourhood.
 *  - `far`: one contact per farther bucket (one per level first, then per sub-bucket while the
 *    budget lasts), so each hop can at least halve the distance. A contact we are already
 *    connected to is preferred: XOR is symmetric, so a peer that chose us for its bucket sits in
 *    the matching bucket of ours, and reusing its link keeps links two-way and the count low.
 * Everything else is left to the transport's LRU/idle policy. The keeper protects its choice in
 * the budget and dials the missing links (a direct PING), giving up on a peer after
 * `maxDialFailures` failed dials until the routing table shows it alive again.
 */
import type { TimerHandle } from '../env/clock';
import type { PeerId } from '../env/transport';
import { hexToBytes } from '../crypto/bytes';
import { Counters } from './counters';
import type { DhtNode } from './node';
import type { Contact } from './routing-table';

export interface LinkHooks {
  /** Peers with an open (or opening) connection. */
  connectedPeers(): Iterable<PeerId>;
  /** The keeper's whole wanted set; the transport protects these and may evict the others. */
  setWanted(peers: ReadonlySet<PeerId>): void;
}

export interface LinkKeeperInit {
  /** Closest contacts kept linked. @default 8 */
  near?: number;
  /** At most this many links toward farther buckets. @default 12 */
  far?: number;
  /** Re-check period, ms (jittered ±25%). @default 60_000 */
  intervalMs?: number;
  /** Failed dials before a peer is skipped (until it answers again). @default 3 */
  maxDialFailures?: number;
}

export class LinkKeeper {
  readonly counters = new Counters();
  private readonly init: Required<LinkKeeperInit>;
  private wanted = new Set<PeerId>();
  private readonly dialFailures = new Map<PeerId, number>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly node: DhtNode,
    private readonly hooks: LinkHooks,
    init: LinkKeeperInit = {},
  ) {
    this.init = { near: 8, far: 12, intervalMs: 60_000, maxDialFailures: 3, ...init };
  }

  /** The current wanted set (near + far). */
  get links(): ReadonlySet<PeerId> {
    return this.wanted;
  }

  /** Run `maintain()` now and then every `intervalMs`. */
  start(): void {
    this.stopped = false;
    this.maintain();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.node.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.init.intervalMs * (0.75 + 0.5 * this.node.components.rng.next());
    this.timer = this.node.clock.setTimeout(() => {
      this.maintain();
      this.schedule();
    }, delay);
  }

  /** Choose the wanted links, protect them, and dial the missing ones. Returns dials started. */
  maintain(): number {
    const connected = new Set(this.hooks.connectedPeers());
    const want = this.choose(connected);
    this.wanted = want;
    this.hooks.setWanted(want);
    let dials = 0;
    for (const hex of want) {
      if (connected.has(hex) || (this.dialFailures.get(hex) ?? 0) >= this.init.maxDialFailures) continue;
      const c = this.node.table.get(hexToBytes(hex));
      if (!c) continue;
      dials++;
      this.counters.inc('dial');
      this.node.rpc.request(
        c,
        { type: 'ping' },
        (res) => {
          if (res) this.dialFailures.delete(hex);
          else this.dialFailures.set(hex, (this.dialFailures.get(hex) ?? 0) + 1);
        },
        { direct: true },
      );
    }
    return dials;
  }

  private choose(connected: ReadonlySet<PeerId>): Set<PeerId> {
    const { table, id } = this.node;
    const want = new Set<PeerId>();
    for (const c of table.closest(id, this.init.near)) want.add(c.hex);
    // Far buckets, farthest level first; the deepest levels are the neighbourhood's.
    const byLevel = new Map<number, Contact[][]>();
    for (const b of table.buckets()) {
      const live = b.contacts.filter((c) => c.failures === 0 && !want.has(c.hex));
      if (live.length === 0 || b.contacts.some((c) => want.has(c.hex))) continue;
      const subs = byLevel.get(b.level) ?? [];
      subs.push(live);
      byLevel.set(b.level, subs);
    }
    const levels = [...byLevel.keys()].sort((a, b) => a - b);
    let budget = this.init.far;
    const pick = (live: Contact[]): void => {
      // Already connected first; else the most recently seen (contacts are oldest first).
      const c = live.find((x) => connected.has(x.hex)) ?? live[live.length - 1]!;
      want.add(c.hex);
      budget--;
    };
    for (let pass = 0; pass < 2 && budget > 0; pass++) {
      for (const level of levels) {
        const subs = byLevel.get(level)!;
        if (pass === 0) {
          // One link per level: prefer a sub-bucket we already hold a connection in.
          const i = Math.max(0, subs.findIndex((live) => live.some((x) => connected.has(x.hex))));
          pick(subs[i]!);
          subs.splice(i, 1);
        } else {
          for (const live of subs) {
            if (budget <= 0) break;
            pick(live);
          }
        }
        if (budget <= 0) break;
      }
    }
    return want;
  }
}
