/**
 * Request/response over an unreliable Transport: request ids, adaptive timeouts from RTT
 * estimates, and response matching by (id, peer). Remote garbage is decoded strictly, counted by
 * reason under `drop.*`, and dropped; nothing a peer sends can throw into the event loop.
 */
import type { Clock, TimerHandle } from '../env/clock';
import type { Rng } from '../env/rng';
import type { PeerId, Transport } from '../env/transport';
import { hexToBytes } from '../crypto/bytes';
import { WireError } from '../protocol/wire-error';
import { decode, encodeBody, isRequest, MAX_FRAME_BYTES, type Message, type RequestMessage, type ResponseMessage } from '../protocol/wire';
import { DEFAULTS } from './constants';
import { Counters } from './counters';
import { rto, updateRtt, type RttSample } from './rtt';
import type { LookupPeer } from './peer';

/** A request body without its id (the RPC layer assigns one). */
export type RequestBody = RequestMessage extends infer M ? (M extends RequestMessage ? Omit<M, 'rid'> : never) : never;
export type ResponseBody = ResponseMessage extends infer M ? (M extends ResponseMessage ? Omit<M, 'rid'> : never) : never;

export interface RpcInit {
  /** Extra time allowed when the transport must open a connection first (WebRTC dial). */
  dialTimeoutMs?: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  initialRttMs: number;
  maxInflight: number;
}

export interface RpcHooks {
  /** A well-formed request arrived; answer through `reply` (at most once, possibly later). */
  onRequest(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): void;
  /** Any well-formed message from `peer` proves it alive. */
  onAlive(peer: LookupPeer): void;
  /** A request to `peer` got no answer before its hard timeout. */
  onTimeout(peer: LookupPeer): void;
  /** The per-peer RTT estimator, if we keep one (routing-table contacts). */
  rttOf(peer: LookupPeer): RttSample | undefined;
}

export type ResponseCallback = (res: ResponseMessage | null, rttMs: number) => void;

/**
 * Carries requests to peers we hold no connection to over connections we do hold (see
 * tunnel.ts), so a lookup does not open a WebRTC connection per hop.
 */
export interface RpcTunnel {
  /** The open connection to send a request for `peer` through, or undefined to send directly. */
  via(peer: LookupPeer): LookupPeer | undefined;
  /** Wrap a whole request frame for `peer` (sent to the `via` hop), signed as ours. */
  wrap(peer: LookupPeer, inner: Uint8Array): RequestBody;
  /**
   * The response frame inside an answer carried back from `peer` through `hop`, if `peer` signed
   * it for `request`; undefined for a forgery.
   */
  open(
    peer: LookupPeer,
    request: Uint8Array,
    answer: { pk: Uint8Array; sig: Uint8Array; inner: Uint8Array },
    hop: LookupPeer,
  ): Uint8Array | undefined;
}

export interface RequestOpts {
  /** Send on (or open) a direct connection even when a tunnel is available. */
  direct?: boolean;
  /** Hard timeout override, ms (relays waiting on the rest of a path). */
  timeoutMs?: number;
  /** Do not charge the peer a failure on timeout (a relay is not to blame for a slow path). */
  blameless?: boolean;
}

interface Pending {
  peer: LookupPeer;
  sentAt: number;
  timer: TimerHandle;
  cb: ResponseCallback;
  tunneled: boolean;
  blame: boolean;
}

const HEX40 = /^[0-9a-f]{40}$/;
// Counter names built once (a template string per message costs a hash lookup every time).
const SENT: Record<string, string> = {};
const RECV: Record<string, string> = {};
for (const t of [
  'ping',
  'pong',
  'find_node',
  'nodes',
  'find_value',
  'value',
  'store',
  'stored',
  'error',
  'route',
  'routed',
  'tunnel',
  'tunneled',
  'link',
  'linked',
  'app',
  'app_ack',
]) {
  SENT[t] = `sent.${t}`;
  RECV[t] = `recv.${t}`;
}

export class Rpc {
  readonly counters = new Counters();
  /** Node-wide RTT estimate, used for peers never measured. */
  readonly global: RttSample = { srtt: 0, rttvar: 0 };
  /** Node-wide RTT estimate of tunneled requests (a whole overlay path, not one link). */
  readonly tunnelRtt: RttSample = { srtt: 0, rttvar: 0 };
  private tunnel: RpcTunnel | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextRid: number;
  private destroyed = false;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    rng: Rng,
    private readonly init: RpcInit,
    private readonly hooks: RpcHooks,
  ) {
    this.nextRid = rng.int(2 ** 32);
    transport.onFrame((from, frame) => this.onFrame(from, frame));
  }

  get inflight(): number {
    return this.pending.size;
  }

  get maxTimeoutMs(): number {
    return this.init.maxTimeoutMs;
  }

  setTunnel(t: RpcTunnel | undefined): void {
    this.tunnel = t;
  }

  /** Time a request must add because the transport has to dial `peer` first (not if tunneled). */
  private dialAllowance(peer: LookupPeer, tunneled: boolean): number {
    const t = this.transport;
    const dial = this.init.dialTimeoutMs ?? 0;
    return !tunneled && dial > 0 && t.isConnected && !t.isConnected(peer.hex) ? dial : 0;
  }

  /** Whether a request to `peer` would be tunneled now (one hop selection per timeout asked). */
  private tunneled(peer: LookupPeer): boolean {
    return this.tunnel?.via(peer) !== undefined;
  }

  /** Soft timeout: when a lookup stops waiting on this peer and asks another. */
  softTimeoutMs(peer: LookupPeer): number {
    // Tighter than the RTO: missing it only launches a spare request (the late answer still counts).
    return this.lookupTimeoutMs(peer, DEFAULTS.softTimeoutRttvars);
  }

  /**
   * Spare timeout: when a lookup stops counting this request toward its parallelism and asks
   * another peer beside it (it still uses the answer).
   */
  spareTimeoutMs(peer: LookupPeer): number {
    return this.lookupTimeoutMs(peer, DEFAULTS.spareTimeoutRttvars);
  }

  /**
   * Both of a lookup query's timeouts at once: one hop selection and one estimate look-up instead
   * of one per timeout (each scans the open connections when tunnels are on).
   */
  lookupTimeouts(peer: LookupPeer): { soft: number; spare: number } {
    const tunneled = this.tunneled(peer);
    const est = this.estimate(peer, tunneled);
    const dial = this.dialAllowance(peer, tunneled);
    return {
      soft: this.fromEstimate(est, dial, DEFAULTS.softTimeoutRttvars),
      spare: this.fromEstimate(est, dial, DEFAULTS.spareTimeoutRttvars),
    };
  }

  /** srtt + varMul·rttvar (at least 20 ms, at most the hard cap), plus any dial allowance. */
  private lookupTimeoutMs(peer: LookupPeer, varMul: number): number {
    const tunneled = this.tunneled(peer);
    return this.fromEstimate(this.estimate(peer, tunneled), this.dialAllowance(peer, tunneled), varMul);
  }

  private fromEstimate(est: RttSample, dial: number, varMul: number): number {
    if (est.srtt === 0) return this.init.initialRttMs + dial;
    return Math.min(this.init.maxTimeoutMs, Math.max(20, est.srtt + varMul * est.rttvar)) + dial;
  }

  /**
   * Hard timeout: when the request is abandoned and the peer charged with a failure. A tunneled
   * request's round trip depends on the path's length, which one estimate cannot track: it gets
   * the longest (lookups move on at the soft one; an undeliverable request comes back as such at
   * once), so a long path is never charged as a dead peer.
   */
  hardTimeoutMs(peer: LookupPeer, tunneled = this.tunneled(peer)): number {
    if (tunneled) return this.init.maxTimeoutMs;
    const est = this.estimate(peer, false);
    const base =
      est.srtt === 0
        ? Math.max(this.init.minTimeoutMs, this.init.initialRttMs * 2)
        : Math.min(this.init.maxTimeoutMs, Math.max(this.init.minTimeoutMs, 2 * rto(est, 0, this.init.maxTimeoutMs)));
    return base + this.dialAllowance(peer, false);
  }

  private estimate(peer: LookupPeer, tunneled: boolean): RttSample {
    if (tunneled) return this.tunnelRtt.srtt > 0 ? this.tunnelRtt : this.global;
    const c = this.hooks.rttOf(peer);
    return c && c.srtt > 0 ? c : this.global;
  }

  request(peer: LookupPeer, body: RequestBody, cb: ResponseCallback, opts: RequestOpts = {}): void {
    this.send(peer, body, cb, opts, 1);
  }

  /** `retries`: times a forged tunneled answer may be retried over another path. */
  private send(peer: LookupPeer, body: RequestBody, cb: ResponseCallback, opts: RequestOpts, retries: number): void {
    if (this.destroyed) return cb(null, 0);
    if (this.pending.size >= this.init.maxInflight) {
      this.counters.inc('request.overloaded');
      return cb(null, 0);
    }
    let rid = this.nextRid;
    while (this.pending.has(rid)) rid = (rid + 1) >>> 0;
    this.nextRid = (rid + 1) >>> 0;
    const hop = opts.direct ? undefined : this.tunnel?.via(peer);
    const hard = opts.timeoutMs ?? this.hardTimeoutMs(peer, hop !== undefined);
    const timer = this.clock.setTimeout(() => this.fail(rid, timer, 'request.timeout'), hard);
    this.pending.set(rid, { peer, sentAt: this.clock.now(), timer, cb, tunneled: hop !== undefined, blame: !opts.blameless });
    this.counters.inc(SENT[body.type]!);
    const frame = encodeBody(body, rid);
    if (!hop || !this.tunnel) return this.transport.send(peer.hex, frame);
    this.counters.inc('tunnel.sent');
    const tunnel = this.tunnel;
    this.request(
      hop,
      tunnel.wrap(peer, frame),
      (res) => {
        if (res?.type === 'tunneled' && res.answer) {
          const inner = tunnel.open(peer, frame, res.answer, hop);
          if (inner) this.onTunneled(peer, inner);
          // A relay forged it: the peer is not to blame. Ask again once (the tunnel avoids that
          // first hop now), else the lookup moves on at once.
          else if (retries > 0 && this.pending.get(rid)?.timer === timer) {
            this.pending.delete(rid);
            this.clock.clearTimeout(timer);
            this.counters.inc('tunnel.retried');
            this.send(peer, body, cb, opts, retries - 1);
          } else this.fail(rid, timer, 'tunnel.forged', false);
        }
        // Not delivered: the overlay had no path to the peer (gone, or not linked to anyone).
        else if (res) this.fail(rid, timer, 'tunnel.undelivered');
      },
      { direct: true, timeoutMs: hard + 1, blameless: true },
    );
  }

  /** Abandon request `rid` (if `timer` is still its timer) and charge its peer a failure (`blame`). */
  private fail(rid: number, timer: TimerHandle, reason: string, blame = true): void {
    const p = this.pending.get(rid);
    if (!p || p.timer !== timer) return;
    this.pending.delete(rid);
    this.clock.clearTimeout(timer);
    this.counters.inc(reason);
    if (p.blame && blame) this.hooks.onTimeout(p.peer);
    p.cb(null, 0);
  }

  /** A tunneled request's answer: a whole response frame from `peer`, carried back by the path. */
  private onTunneled(peer: LookupPeer, frame: Uint8Array): void {
    let msg: Message;
    try {
      msg = decode(frame);
    } catch (e) {
      this.counters.inc(`drop.tunneled.${e instanceof WireError ? e.code : 'decode'}`);
      return;
    }
    const p = isRequest(msg) ? undefined : this.pending.get(msg.rid);
    if (!p?.tunneled || p.peer.hex !== peer.hex) return this.counters.inc('drop.unmatched_tunneled');
    this.complete(msg as ResponseMessage, p, this.tunnelRtt);
  }

  private onFrame(from: PeerId, frame: Uint8Array): void {
    if (this.destroyed) return;
    if (!HEX40.test(from)) return this.counters.inc('drop.bad_peer_id');
    if (frame.length > MAX_FRAME_BYTES) return this.counters.inc('drop.FRAME_TOO_LARGE');
    let msg: Message;
    try {
      msg = decode(frame);
    } catch (e) {
      this.counters.inc(`drop.${e instanceof WireError ? e.code : 'decode'}`);
      return;
    }
    if (isRequest(msg)) {
      const peer = new RemotePeer(from);
      this.counters.inc(RECV[msg.type]!);
      this.hooks.onAlive(peer);
      let answered = false;
      const rid = msg.rid;
      this.hooks.onRequest(peer, msg, (res) => {
        if (answered || this.destroyed) return;
        answered = true;
        this.counters.inc(SENT[res.type]!);
        this.transport.send(from, encodeBody(res, rid));
      });
      return;
    }
    const p = this.pending.get(msg.rid);
    if (!p || p.tunneled || p.peer.hex !== from) {
      this.counters.inc('drop.unmatched_response');
      // Any message from a node updates its bucket (Kademlia, section 2.2): an answer that came
      // after its request timed out (queued behind a slow first dial) still proves `from` alive.
      if (!p) this.hooks.onAlive(new RemotePeer(from));
      return;
    }
    this.complete(msg, p, this.global);
  }

  private complete(msg: ResponseMessage, p: Pending, est: RttSample): void {
    this.pending.delete(msg.rid);
    this.clock.clearTimeout(p.timer);
    this.counters.inc(RECV[msg.type]!);
    const rtt = this.clock.now() - p.sentAt;
    updateRtt(est, rtt);
    // A tunneled answer is signed by the peer itself (checked by the tunnel): it is alive.
    this.hooks.onAlive(p.peer);
    if (!p.tunneled) {
      const own = this.hooks.rttOf(p.peer);
      if (own) updateRtt(own, rtt);
    }
    p.cb(msg, rtt);
  }

  destroy(): void {
    this.destroyed = true;
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.cb(null, 0);
    }
    this.pending.clear();
  }
}

/** The sender of a request: its id bytes are decoded from its hex only if someone reads them. */
class RemotePeer implements LookupPeer {
  private bytes: Uint8Array | undefined;

  constructor(readonly hex: string) {}

  get id(): Uint8Array {
    this.bytes ??= hexToBytes(this.hex);
    return this.bytes;
  }
}
