/**
 * RPC tunnels: a request to a peer we hold no connection to travels over connections we do hold,
 * hop by hop toward the peer's id (greedy by XOR, as OverlayRouter routes signaling), and the
 * answer comes back along the same path. A WebRTC connection costs several round trips and one of
 * a tab's ~500 lifetime RTCPeerConnections; a tunnel costs one extra round trip per hop and
 * nothing else. Lookups, stores and gets are unchanged: the Rpc layer decides per request.
 *
 * Trust: the target answers the request as if `origin` sent it and files `origin` in its routing
 * table like any requester (Kademlia learns its contacts from the requests it serves; without it
 * the tables stay sparse and greedy routing dead-ends). The origin accepts the answer as the
 * target's. So a relay on the path could forge answers for the contacts it carries, or inject an
 * id, as a malicious contact could for itself: a forged id never answers and goes stale, buckets
 * prefer old contacts, and records are signed, so it cannot forge values, only steer or drop
 * lookups.
 */
import type { Message, RequestMessage } from '../protocol/wire';
import { decode, encode, isRequest } from '../protocol/wire';
import { WireError } from '../protocol/wire-error';
import { Counters } from '../dht/counters';
import type { LookupPeer } from '../dht/peer';
import { compareDistance, idToHex } from '../dht/node-id';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { OverlayRouter } from './overlay-router';
import type { RequestBody, ResponseBody, RpcTunnel } from '../dht/rpc';
import { PeerRateLimiter } from '../dht/rate-limit';
import { TUNNEL_DEFAULTS } from './constants';

export interface TunnelInit {
  /** Hops a tunneled request may take. @default 8 */
  maxTtl?: number;
  /** Tunneled requests relayed per sending peer per second, and burst. @default 100, 300 */
  rate?: { perSecond: number; burst: number };
  /**
   * Requests to a peer at least as close to us as our `near`-th closest contact go direct: such a
   * peer is a neighbour the link keeper will want linked anyway, and the overlay cannot route to a
   * neighbourhood nobody is linked into yet (a joining node's). Match LinkKeeper's `near`. @default 8
   */
  near?: number;
}

export class RequestTunnel implements DhtExtension, RpcTunnel {
  readonly counters = new Counters();
  private readonly maxTtl: number;
  private readonly limiter: PeerRateLimiter;
  private readonly near: number;
  private boundary: { at: number; size: number; id: Uint8Array | undefined } = { at: -1, size: -1, id: undefined };

  constructor(
    private readonly node: DhtNode,
    private readonly router: OverlayRouter,
    init: TunnelInit = {},
  ) {
    this.maxTtl = init.maxTtl ?? TUNNEL_DEFAULTS.maxTtl;
    const r = init.rate ?? TUNNEL_DEFAULTS.rate;
    this.limiter = new PeerRateLimiter(r.perSecond, r.burst);
    this.near = init.near ?? TUNNEL_DEFAULTS.near;
    node.use(this);
    node.rpc.setTunnel(this);
  }

  via(peer: LookupPeer): LookupPeer | undefined {
    const t = this.node.components.transport;
    if (!t.isConnected || t.isConnected(peer.hex) || this.isNeighbour(peer)) return undefined;
    return this.router.firstHop(peer.id)?.hop;
  }

  /** Is `peer` within our `near` closest (by the routing table as it is now)? */
  private isNeighbour(peer: LookupPeer): boolean {
    if (this.near <= 0) return false;
    const now = this.node.clock.now();
    const table = this.node.table;
    if (this.boundary.at !== now || this.boundary.size !== table.size) {
      const near = table.closest(this.node.id, this.near);
      this.boundary = { at: now, size: table.size, id: near.length < this.near ? undefined : near[near.length - 1]!.id };
    }
    const b = this.boundary.id;
    return b === undefined || compareDistance(peer.id, b, this.node.id) <= 0;
  }

  wrap(peer: LookupPeer, inner: Uint8Array): RequestBody {
    return { type: 'tunnel', target: peer.id, ttl: this.maxTtl, origin: this.node.id, inner };
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'tunnel') return false;
    if (compareDistance(msg.target, this.node.id, msg.target) === 0) {
      this.deliver(msg.origin, msg.inner, reply);
      return true;
    }
    if (msg.ttl <= 1 || !this.limiter.take(from.hex, this.node.clock.now())) {
      this.counters.inc(msg.ttl <= 1 ? 'relay.ttl' : 'relay.rate_limited');
      reply({ type: 'tunneled' });
      return true;
    }
    const hop = this.router.nextHop(msg.target, from.hex);
    if (!hop) {
      this.counters.inc('relay.no_path');
      reply({ type: 'tunneled' });
      return true;
    }
    this.counters.inc('relay.forwarded');
    const fwd: RequestBody = { ...msg, ttl: Math.min(msg.ttl, this.maxTtl) - 1 };
    this.node.rpc.request(
      hop,
      fwd,
      (res) => reply(res?.type === 'tunneled' && res.inner ? { type: 'tunneled', inner: res.inner } : { type: 'tunneled' }),
      { direct: true, blameless: true, timeoutMs: this.relayTimeoutMs() },
    );
    return true;
  }

  /** The request inside is ours: serve it as if `origin` sent it, and wrap the answer. */
  private deliver(origin: Uint8Array, inner: Uint8Array, reply: (res: ResponseBody) => void): void {
    let req: Message;
    try {
      req = decode(inner);
    } catch (e) {
      this.counters.inc(`drop.inner.${e instanceof WireError ? e.code : 'decode'}`);
      return reply({ type: 'tunneled' });
    }
    // No nesting: a tunnel or route inside a tunnel would let one request fan out. (A LINK inside
    // only reserves a slot briefly: see LinkKeeper.)
    if (!isRequest(req) || req.type === 'tunnel' || req.type === 'route') {
      this.counters.inc('drop.inner.not_a_request');
      return reply({ type: 'tunneled' });
    }
    if (compareDistance(origin, this.node.id, origin) === 0) {
      this.counters.inc('drop.inner.from_self');
      return reply({ type: 'tunneled' });
    }
    this.counters.inc('delivered');
    const rid = req.rid;
    const from: LookupPeer = { id: origin, hex: idToHex(origin) };
    this.node.observe(from);
    this.node.serve(from, req, (res) => reply({ type: 'tunneled', inner: encode({ ...res, rid } as Message) }));
  }

  private relayTimeoutMs(): number {
    return this.node.rpc.maxTimeoutMs;
  }
}
