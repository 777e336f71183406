/**
 * Which connections a node keeps open when connections are scarce (WebRTC: ~500 per tab for its
 * lifetime, a few dozen at once). The overlay these links form is what tunnels (tunnel.ts) and
 * overlay signaling route over, so it must let greedy XOR routing reach every node:
 *  - `near`: the closest routing-table contacts. The last hop of any route is a neighbour of the
 *    target, so every node must be linked to its own neighbourhood.
 *  - `far`: one contact per farther level (then per sub-bucket while the budget lasts), so each
 *    hop gets at least one bit closer. A contact we are already connected to is preferred: XOR is
 *    symmetric, so a peer that chose us sits in the matching bucket of ours, and reusing its link
 *    keeps links two-way and the count low. Otherwise the pick differs from node to node, so no
 *    contact becomes everybody's link.
 * A link takes both ends: the keeper asks the peer with LINK (which also opens the connection) and
 * renews it; the peer accepts while it has room (`maxInbound` links it did not choose itself) and
 * protects it, or refuses, and the asker picks another contact for that bucket. Without this a
 * popular node evicts links others keep redialing, and both burn connections.
 * Everything else is left to the transport's LRU/idle policy.
 */
import type { TimerHandle } from '../env/clock';
import type { PeerId } from '../env/transport';
import type { RequestMessage } from '../protocol/wire';
import { hexToBytes } from '../crypto/bytes';
import { Counters } from '../dht/counters';
import { LINK_DEFAULTS, LINK_RESERVE_MS } from './constants';
import type { LookupPeer } from '../dht/peer';
import type { DhtExtension, DhtNode } from '../dht/node';
import { commonPrefixLength, compareDistance, type NodeId } from '../dht/node-id';
import type { Contact } from '../dht/contact';
import type { ResponseBody } from '../dht/rpc';

export interface LinkHooks {
  /** Peers with an open (or opening) connection. */
  connectedPeers(): Iterable<PeerId>;
  /** Whether `peer` is on a direct connection now. */
  isConnected(peer: PeerId): boolean;
  /** The whole set to keep (ours and accepted ones); the transport protects these. */
  setWanted(peers: ReadonlySet<PeerId>): void;
}

export interface LinkKeeperInit {
  /** Closest contacts kept linked. @default 8 */
  near?: number;
  /** At most this many links toward farther buckets. @default 8 */
  far?: number;
  /** Links other nodes asked for that we keep on top of ours. @default 6 */
  maxInbound?: number;
  /** Re-check period, ms (jittered ±25%). @default 60_000 */
  intervalMs?: number;
  /** A link is renewed this often, and an accepted one lapses after twice it. @default 300_000 */
  renewMs?: number;
  /** Failed dials before a peer is skipped (until it answers again). @default 3 */
  maxDialFailures?: number;
  /** A peer that refused a link is not asked again for this long, ms. @default 600_000 */
  refusedForMs?: number;
}

export class LinkKeeper implements DhtExtension {
  readonly counters = new Counters();
  private readonly init: Required<LinkKeeperInit>;
  /** Links we chose, with when they were last confirmed by the peer (0: not yet). */
  private ours = new Map<PeerId, number>();
  /** Links others asked us to keep, with when they lapse. */
  private readonly inbound = new Map<PeerId, number>();
  private readonly dialFailures = new Map<PeerId, number>();
  private readonly refused = new Map<PeerId, number>();
  /** Asks in flight (a dial can take longer than a maintain period). */
  private readonly asking = new Set<PeerId>();
  private timer: TimerHandle | undefined;
  private stopped = true;

  constructor(
    private readonly node: DhtNode,
    private readonly hooks: LinkHooks,
    init: LinkKeeperInit = {},
  ) {
    this.init = { ...LINK_DEFAULTS, ...init };
    node.use(this);
  }

  /** Everything kept now: our links and the accepted ones. */
  get links(): ReadonlySet<PeerId> {
    return new Set([...this.ours.keys(), ...this.inbound.keys()]);
  }

  /** Run `maintain()` now and then every `intervalMs`. */
  start(): void {
    if (!this.stopped) return;
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

  /** Choose our links, publish the kept set, ask for missing or due links. Returns LINKs sent. */
  maintain(): number {
    const now = this.node.clock.now();
    for (const [p, until] of this.inbound) if (until <= now) this.inbound.delete(p);
    for (const [p, until] of this.refused) if (until <= now) this.refused.delete(p);
    const connected = new Set(this.hooks.connectedPeers());
    const chosen = this.choose(connected);
    const next = new Map<PeerId, number>();
    for (const c of chosen.values()) next.set(c.hex, this.ours.get(c.hex) ?? 0);
    for (const [hex] of this.ours) {
      if (next.has(hex) || !this.hooks.isConnected(hex)) continue;
      const c = this.node.table.get(hexToBytes(hex));
      if (c) this.node.rpc.request(c, { type: 'link', keep: false }, () => {}, { direct: true });
    }
    this.ours = next;
    this.publish();
    let sent = 0;
    for (const c of chosen.values()) {
      const confirmed = next.get(c.hex)!;
      const live = confirmed > 0 && this.hooks.isConnected(c.hex);
      if (live && now - confirmed < this.init.renewMs) continue;
      if ((this.dialFailures.get(c.hex) ?? 0) >= this.init.maxDialFailures || this.asking.has(c.hex)) continue;
      sent++;
      this.ask(c);
    }
    return sent;
  }

  /**
   * Ask `c` for a link. Not connected yet: ask through the overlay first (a tunneled LINK only
   * reserves a slot for a short while), and dial only when the peer said yes, so a refusal costs
   * no connection. Then LINK over the direct connection makes it a link.
   */
  private ask(c: Contact): void {
    const direct = this.hooks.isConnected(c.hex);
    this.counters.inc(direct ? 'link.renew' : 'link.ask');
    this.asking.add(c.hex);
    const done = (accepted: boolean | null) => {
      this.asking.delete(c.hex);
      this.settle(c, accepted);
    };
    this.request(c, direct, (accepted) => {
      if (!accepted || direct || this.hooks.isConnected(c.hex)) return done(accepted);
      this.counters.inc('link.dial');
      this.request(c, true, done);
    });
  }

  private request(c: Contact, direct: boolean, cb: (accepted: boolean | null) => void): void {
    this.node.rpc.request(
      c,
      { type: 'link', keep: true },
      (res) => cb(res ? res.type === 'linked' && res.accepted : null),
      direct ? { direct: true } : {},
    );
  }

  /** `accepted`: null when the peer did not answer. */
  private settle(c: Contact, accepted: boolean | null): void {
    if (accepted === null) {
      this.dialFailures.set(c.hex, (this.dialFailures.get(c.hex) ?? 0) + 1);
      return;
    }
    this.dialFailures.delete(c.hex);
    if (accepted) {
      if (this.ours.has(c.hex)) this.ours.set(c.hex, this.node.clock.now());
      return;
    }
    // Refused (or an old peer that does not know LINK): choose someone else for now.
    this.counters.inc('link.refused');
    this.refused.set(c.hex, this.node.clock.now() + this.init.refusedForMs);
    if (this.ours.delete(c.hex)) this.publish();
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'link') return false;
    const now = this.node.clock.now();
    if (!msg.keep) {
      // Only the peer itself, over its connection, can let its link go.
      if (this.hooks.isConnected(from.hex) && this.inbound.delete(from.hex)) this.publish();
      reply({ type: 'linked', accepted: false });
      return true;
    }
    // Over a direct connection this makes a link (until it lapses unrenewed); through the overlay
    // it only holds a slot for LINK_RESERVE_MS, for the dial that follows (the origin of a tunneled
    // request is not proven, so it must not hold a slot for long).
    const direct = this.hooks.isConnected(from.hex);
    const lapse = now + (direct ? 2 * this.init.renewMs : LINK_RESERVE_MS);
    if (this.ours.has(from.hex) || this.inbound.has(from.hex) || this.inbound.size < this.init.maxInbound) {
      if (!this.ours.has(from.hex)) {
        const isNew = !this.inbound.has(from.hex);
        this.inbound.set(from.hex, Math.max(lapse, this.inbound.get(from.hex) ?? 0));
        if (isNew) this.publish();
      }
      this.counters.inc(direct ? 'link.accepted' : 'link.reserved');
      reply({ type: 'linked', accepted: true });
      return true;
    }
    this.counters.inc('link.refused_inbound');
    reply({ type: 'linked', accepted: false });
    return true;
  }

  private publish(): void {
    this.hooks.setWanted(this.links);
  }

  private choose(connected: ReadonlySet<PeerId>): Map<PeerId, Contact> {
    const { table, id } = this.node;
    const want = new Map<PeerId, Contact>();
    const usable = (c: Contact) =>
      c.failures === 0 && !this.refused.has(c.hex) && (this.dialFailures.get(c.hex) ?? 0) < this.init.maxDialFailures;
    for (const c of table.closest(id, this.init.near + this.refused.size)) {
      if (want.size >= this.init.near) break;
      if (!this.refused.has(c.hex)) want.set(c.hex, c);
    }
    // Far buckets, farthest level first; the deepest levels are the neighbourhood's.
    const byLevel = new Map<number, Contact[][]>();
    for (const b of table.buckets()) {
      if (b.contacts.some((c) => want.has(c.hex))) continue;
      const live = b.contacts.filter(usable);
      if (live.length === 0) continue;
      const subs = byLevel.get(b.level) ?? [];
      subs.push(live);
      byLevel.set(b.level, subs);
    }
    const levels = [...byLevel.keys()].sort((a, b) => a - b);
    let budget = this.init.far;
    const linked = (x: Contact) => this.ours.has(x.hex) || this.inbound.has(x.hex);
    const pick = (live: Contact[]): void => {
      // Stable first: a link we hold (ours, or one a peer asked us for), then any connection.
      // Else the contact closest to our own id with that level's bit flipped: a choice that
      // differs from node to node.
      const c =
        live.find((x) => this.ours.has(x.hex)) ??
        live.find((x) => this.inbound.has(x.hex)) ??
        live.find((x) => connected.has(x.hex)) ??
        closestTo(live, flipBit(id, commonPrefixLength(id, live[0]!.id)));
      want.set(c.hex, c);
      budget--;
    };
    for (let pass = 0; pass < 2 && budget > 0; pass++) {
      for (const level of levels) {
        const subs = byLevel.get(level)!;
        if (pass === 0) {
          // One link per level: prefer a sub-bucket we already hold a link, or a connection, in.
          let i = subs.findIndex((live) => live.some(linked));
          if (i < 0)
            i = Math.max(
              0,
              subs.findIndex((live) => live.some((x) => connected.has(x.hex))),
            );
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

function flipBit(id: NodeId, bit: number): NodeId {
  const out = id.slice();
  out[bit >> 3] = out[bit >> 3]! ^ (0x80 >> (bit & 7));
  return out;
}

function closestTo(contacts: Contact[], target: NodeId): Contact {
  let best = contacts[0]!;
  for (const c of contacts) if (compareDistance(c.id, best.id, target) < 0) best = c;
  return best;
}
