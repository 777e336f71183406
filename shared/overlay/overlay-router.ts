/**
 * Overlay routing for signaling: carries an opaque payload (a signed envelope, sealed and checked
 * by the layer above) to a node id over already-open connections, hop by hop. Each relay forwards
 * to the connected peer closest to the target by XOR, and only if that peer is strictly closer than
 * itself, so a route can never loop; `ttl` bounds it further. The sender alone may take a first
 * hop that is not closer ('relay'): when it is itself the target's closest connected node, the
 * connected peer nearest the target is the likeliest to hold a connection to it (every node keeps
 * its closest neighbours connected), and greedy routing resumes from there. The answer ('routed', delivered or
 * not) travels back along the same path, so the sender learns whether the overlay had a path
 * and can fall back to the signaling server.
 *
 * Relays never verify signatures (the destination does); they rate-limit per sending peer so the
 * overlay cannot be used to amplify traffic.
 */
import type { PeerId } from '../env/transport';
import type { RequestMessage } from '../protocol/wire';
import { MAX_RELAY_PAYLOAD } from '../protocol/wire';
import { hexToBytes } from '../crypto/bytes';
import { Counters } from '../dht/counters';
import type { LookupPeer } from '../dht/peer';
import { compareDistance, type NodeId } from '../dht/node-id';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { ResponseBody } from '../dht/rpc';
import { PeerRateLimiter } from '../dht/rate-limit';
import { ROUTER_DEFAULTS } from './constants';

export interface OverlayRouterHooks {
  /** Peers we can send to right now without dialing (open data channels). */
  connectedPeers(): PeerId[];
  /** A payload addressed to us arrived (`via` is the last hop). */
  deliver(payload: Uint8Array, via: PeerId): void;
}

export interface OverlayRouterInit {
  /** Hops a route may take. @default 8 */
  maxTtl?: number;
  /** Routes relayed per peer per second, and burst. @default 20, 60 */
  rate?: { perSecond: number; burst: number };
}

export class OverlayRouter implements DhtExtension {
  readonly counters = new Counters();
  private readonly maxTtl: number;
  private readonly limiter: PeerRateLimiter;

  constructor(
    private readonly node: DhtNode,
    private readonly hooks: OverlayRouterHooks,
    init: OverlayRouterInit = {},
  ) {
    this.maxTtl = init.maxTtl ?? ROUTER_DEFAULTS.maxTtl;
    const r = init.rate ?? ROUTER_DEFAULTS.rate;
    this.limiter = new PeerRateLimiter(r.perSecond, r.burst);
    node.use(this);
  }

  /** The connected peer (other than `exclude`) closest to target, if strictly closer than us. */
  nextHop(target: NodeId, exclude?: PeerId, avoid?: (peer: PeerId) => boolean): LookupPeer | undefined {
    let best: LookupPeer | undefined;
    for (const hex of this.hooks.connectedPeers()) {
      if (hex === exclude) continue;
      const id = hexToBytes(hex);
      if (avoid?.(hex) && compareDistance(id, target, target) !== 0) continue;
      if (!best || compareDistance(id, best.id, target) < 0) best = { id, hex };
    }
    if (!best || compareDistance(best.id, this.node.id, target) >= 0) {
      // The target itself may be connected even when no peer is closer than us.
      return best && compareDistance(best.id, target, target) === 0 ? best : undefined;
    }
    return best;
  }

  /**
   * The sender's first hop: greedy if possible, else the connected peer nearest the target.
   * `avoid`: peers not to use as a first hop (unless one is the target itself).
   */
  firstHop(target: NodeId, avoid?: (peer: PeerId) => boolean): { hop: LookupPeer; greedy: boolean } | undefined {
    const greedy = this.nextHop(target, undefined, avoid);
    if (greedy) return { hop: greedy, greedy: true };
    let best: LookupPeer | undefined;
    for (const hex of this.hooks.connectedPeers()) {
      if (avoid?.(hex)) continue;
      const id = hexToBytes(hex);
      if (!best || compareDistance(id, best.id, target) < 0) best = { id, hex };
    }
    return best ? { hop: best, greedy: false } : undefined;
  }

  /** Is there at least a first hop toward `to`? */
  canRoute(to: PeerId): boolean {
    return this.firstHop(hexToBytes(to)) !== undefined;
  }

  /** Send `payload` toward node `to`; `cb(delivered)` reports whether it arrived. */
  forward(to: PeerId, payload: Uint8Array, cb?: (delivered: boolean) => void): void {
    if (payload.length > MAX_RELAY_PAYLOAD) {
      this.counters.inc('drop.too_large');
      return cb?.(false);
    }
    const target = hexToBytes(to);
    const first = this.firstHop(target);
    if (!first) {
      this.counters.inc('route.no_path');
      return cb?.(false);
    }
    this.counters.inc(first.greedy ? 'route.sent' : 'route.relay');
    this.node.rpc.request(first.hop, { type: 'route', target, ttl: this.maxTtl, payload }, (res) => {
      const ok = res?.type === 'routed' && res.delivered;
      this.counters.inc(ok ? 'route.delivered' : 'route.failed');
      cb?.(ok);
    });
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'route') return false;
    if (compareDistance(msg.target, this.node.id, msg.target) === 0) {
      this.counters.inc('route.received');
      this.hooks.deliver(msg.payload, from.hex);
      reply({ type: 'routed', delivered: true });
      return true;
    }
    if (msg.ttl <= 1 || !this.limiter.take(from.hex, this.node.clock.now())) {
      this.counters.inc(msg.ttl <= 1 ? 'relay.ttl' : 'relay.rate_limited');
      reply({ type: 'routed', delivered: false });
      return true;
    }
    const hop = this.nextHop(msg.target, from.hex);
    if (!hop) {
      this.counters.inc('relay.no_path');
      reply({ type: 'routed', delivered: false });
      return true;
    }
    this.counters.inc('relay.forwarded');
    this.node.rpc.request(
      hop,
      { type: 'route', target: msg.target, ttl: Math.min(msg.ttl, this.maxTtl) - 1, payload: msg.payload },
      (res) => reply({ type: 'routed', delivered: res?.type === 'routed' && res.delivered }),
    );
    return true;
  }
}
