/**
 * RPC tunnels: a request to a peer we hold no connection to travels over connections we do hold,
 * hop by hop toward the peer's id (greedy by XOR, as OverlayRouter routes signaling), and the
 * answer comes back along the same path. A WebRTC connection costs several round trips and one of
 * a tab's ~500 lifetime RTCPeerConnections; a tunnel costs one extra round trip per hop and
 * nothing else. Lookups, stores and gets are unchanged: the Rpc layer decides per request.
 *
 * Trust: relays are strangers, so both ends sign.
 *  - The origin signs `TUNNEL_REQUEST_TAG ‖ target ‖ origin ‖ inner` with its node key and sends
 *    the key; the target serves the request only if the key owns `origin` (id = SHA-1 of the key)
 *    and the signature holds. Only then does it file the origin in its routing table (Kademlia
 *    learns contacts from the requests it serves), so no relay can inject an id, and rate limits
 *    above (STORE) key on an origin that is proven.
 *  - The target signs `TUNNEL_ANSWER_TAG ‖ origin ‖ target ‖ request inner ‖ answer inner`; the
 *    origin accepts the answer, and counts it as proof the target is alive, only if the key owns
 *    the target's id and the signature holds. So does every relay on the way back (it holds the
 *    request): a relay whose next hop returned a forgery avoids that hop for `suspectMs` and
 *    tries the next best once; the origin, likewise, avoids its first hop and asks once more.
 *    A forgery never charges the target.
 * A relay can still drop, or delay, which costs a lookup a soft timeout like a dead peer.
 * Signature checks cost CPU, so every tunnel frame first takes a token from the bucket of the link
 * peer that carried it (a direct, proven connection), and a bad signature takes `badSignatureCost`
 * more: garbage costs its carrier its rate, not the target its CPU.
 */
import type { Message, RequestMessage } from '../protocol/wire';
import { decode, encode, isRequest, KEY_BYTES, SIG_BYTES } from '../protocol/wire';
import { bytesEqual, concatBytes, utf8 } from '../crypto/bytes';
import type { NodeAuth } from '../dht/node-auth';
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
  /** Tokens a tunnel frame with a bad signature takes from its carrier's bucket. @default 20 */
  badSignatureCost?: number;
  /** A first hop that brought back a forged answer is not used as a relay for this long, ms. @default 600000 */
  suspectMs?: number;
}

/** Domain tags of what the two ends sign (see the header). */
export const TUNNEL_REQUEST_TAG = utf8.encode('p2p-chat/tunnel-request/1');
export const TUNNEL_ANSWER_TAG = utf8.encode('p2p-chat/tunnel-answer/1');

export function tunnelRequestSignable(target: Uint8Array, origin: Uint8Array, inner: Uint8Array): Uint8Array {
  return concatBytes(TUNNEL_REQUEST_TAG, target, origin, inner);
}

export function tunnelAnswerSignable(origin: Uint8Array, target: Uint8Array, request: Uint8Array, answer: Uint8Array): Uint8Array {
  return concatBytes(TUNNEL_ANSWER_TAG, origin, target, request, answer);
}

export class RequestTunnel implements DhtExtension, RpcTunnel {
  readonly counters = new Counters();
  private readonly maxTtl: number;
  private readonly limiter: PeerRateLimiter;
  private readonly near: number;
  private readonly badSignatureCost: number;
  private readonly suspectMs: number;
  /** First hops that brought back a forged answer, until when they are avoided. */
  private readonly suspects = new Map<string, number>();
  private boundary: { at: number; size: number; id: Uint8Array | undefined } = { at: -1, size: -1, id: undefined };

  constructor(
    private readonly node: DhtNode,
    private readonly router: OverlayRouter,
    private readonly auth: NodeAuth,
    init: TunnelInit = {},
  ) {
    this.badSignatureCost = init.badSignatureCost ?? TUNNEL_DEFAULTS.badSignatureCost;
    this.suspectMs = init.suspectMs ?? TUNNEL_DEFAULTS.suspectMs;
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
    return this.router.firstHop(peer.id, this.suspects.size > 0 ? (hex) => this.isSuspect(hex) : undefined)?.hop;
  }

  private isSuspect(hex: string): boolean {
    const until = this.suspects.get(hex);
    if (until === undefined) return false;
    if (until > this.node.clock.now()) return true;
    this.suspects.delete(hex);
    return false;
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
    const origin = this.node.id;
    const sig = this.auth.sign(tunnelRequestSignable(peer.id, origin, inner));
    return { type: 'tunnel', target: peer.id, ttl: this.maxTtl, origin, pk: this.auth.publicKey, sig, inner };
  }

  /** The answer inside a 'tunneled' reply from `peer`, if `peer`'s key signed it for `request`. */
  open(
    peer: LookupPeer,
    request: Uint8Array,
    answer: { pk: Uint8Array; sig: Uint8Array; inner: Uint8Array },
    hop: LookupPeer,
  ): Uint8Array | undefined {
    if (this.signedBy(peer.id, this.node.id, request, answer)) return answer.inner;
    this.counters.inc('answer.forged');
    this.suspects.set(hop.hex, this.node.clock.now() + this.suspectMs);
    return undefined;
  }

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type !== 'tunnel') return false;
    const now = this.node.clock.now();
    // Every tunnel frame, relayed or ours, is charged to the link peer that carried it.
    if (!this.limiter.take(from.hex, now)) {
      this.counters.inc('relay.rate_limited');
      reply({ type: 'tunneled' });
      return true;
    }
    if (compareDistance(msg.target, this.node.id, msg.target) === 0) {
      this.deliver(from, msg, reply);
      return true;
    }
    if (msg.ttl <= 1) {
      this.counters.inc('relay.ttl');
      reply({ type: 'tunneled' });
      return true;
    }
    const avoid = this.suspects.size > 0 ? (hex: string) => this.isSuspect(hex) : undefined;
    const hop = this.router.nextHop(msg.target, from.hex, avoid);
    if (!hop) {
      this.counters.inc('relay.no_path');
      reply({ type: 'tunneled' });
      return true;
    }
    this.counters.inc('relay.forwarded');
    this.forward(from, msg, hop, reply, 1);
    return true;
  }

  /**
   * Relay `msg` to `hop`. A relay checks the answer's signature too (it holds the request): a
   * forged one marks `hop` suspect and goes once more by the next best hop, so a forger deep in a
   * path is routed around by the honest relay before it, not only avoided by the origin.
   */
  private forward(
    from: LookupPeer,
    msg: Extract<RequestMessage, { type: 'tunnel' }>,
    hop: LookupPeer,
    reply: (res: ResponseBody) => void,
    retries: number,
  ): void {
    const fwd: RequestBody = { ...msg, ttl: Math.min(msg.ttl, this.maxTtl) - 1 };
    this.node.rpc.request(
      hop,
      fwd,
      (res) => {
        if (res?.type !== 'tunneled' || !res.answer) return reply({ type: 'tunneled' });
        if (this.signedBy(msg.target, msg.origin, msg.inner, res.answer)) return reply({ type: 'tunneled', answer: res.answer });
        this.counters.inc('relay.forged');
        this.suspects.set(hop.hex, this.node.clock.now() + this.suspectMs);
        const next = retries > 0 ? this.router.nextHop(msg.target, from.hex, (hex) => this.isSuspect(hex)) : undefined;
        if (next) return this.forward(from, msg, next, reply, retries - 1);
        reply({ type: 'tunneled' });
      },
      { direct: true, blameless: true, timeoutMs: this.relayTimeoutMs() },
    );
  }

  /** Did the key in `answer` own `target`'s id and sign it as the answer to `request` from `origin`? */
  private signedBy(
    target: Uint8Array,
    origin: Uint8Array,
    request: Uint8Array,
    answer: { pk: Uint8Array; sig: Uint8Array; inner: Uint8Array },
  ): boolean {
    return (
      answer.pk.length === KEY_BYTES &&
      answer.sig.length === SIG_BYTES &&
      bytesEqual(this.auth.idOf(answer.pk), target) &&
      this.auth.verify(answer.sig, tunnelAnswerSignable(origin, target, request, answer.inner), answer.pk)
    );
  }

  /** The request inside is ours: serve it as `origin`'s once its signature proves it, and sign the answer. */
  private deliver(carrier: LookupPeer, msg: Extract<RequestMessage, { type: 'tunnel' }>, reply: (res: ResponseBody) => void): void {
    const { origin, inner } = msg;
    if (compareDistance(origin, this.node.id, origin) === 0) {
      this.counters.inc('drop.inner.from_self');
      return reply({ type: 'tunneled' });
    }
    if (
      !bytesEqual(this.auth.idOf(msg.pk), origin) ||
      !this.auth.verify(msg.sig, tunnelRequestSignable(msg.target, origin, inner), msg.pk)
    ) {
      this.counters.inc('drop.inner.bad_signature');
      for (let i = 0; i < this.badSignatureCost; i++) this.limiter.take(carrier.hex, this.node.clock.now());
      return reply({ type: 'tunneled' });
    }
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
    this.counters.inc('delivered');
    const rid = req.rid;
    const from: LookupPeer = { id: origin, hex: idToHex(origin) };
    this.node.observe(from);
    this.node.serve(from, req, (res) => {
      const answer = encode({ ...res, rid } as Message);
      const sig = this.auth.sign(tunnelAnswerSignable(origin, this.node.id, inner, answer));
      reply({ type: 'tunneled', answer: { pk: this.auth.publicKey, sig, inner: answer } });
    });
  }

  private relayTimeoutMs(): number {
    return this.node.rpc.maxTimeoutMs;
  }
}
