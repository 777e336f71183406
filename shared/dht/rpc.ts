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
import { decode, encode, isRequest, MAX_FRAME_BYTES, type Message, type RequestMessage, type ResponseMessage } from '../protocol/wire';
import { Counters } from './counters';
import { rto, updateRtt, type RttSample } from './rtt';
import type { LookupPeer } from './lookup';

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

interface Pending {
  peer: LookupPeer;
  sentAt: number;
  timer: TimerHandle;
  cb: ResponseCallback;
}

const HEX40 = /^[0-9a-f]{40}$/;
// Counter names built once (a template string per message costs a hash lookup every time).
const SENT: Record<string, string> = {};
const RECV: Record<string, string> = {};
for (const t of ['ping', 'pong', 'find_node', 'nodes', 'find_value', 'value', 'store', 'stored', 'error', 'route', 'routed']) {
  SENT[t] = `sent.${t}`;
  RECV[t] = `recv.${t}`;
}

export class Rpc {
  readonly counters = new Counters();
  /** Node-wide RTT estimate, used for peers never measured. */
  readonly global: RttSample = { srtt: 0, rttvar: 0 };
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

  /** Time a request must add because the transport has to dial `peer` first. */
  private dialAllowance(peer: LookupPeer): number {
    const t = this.transport;
    const dial = this.init.dialTimeoutMs ?? 0;
    return dial > 0 && t.isConnected && !t.isConnected(peer.hex) ? dial : 0;
  }

  /** Soft timeout: when a lookup stops waiting on this peer and asks another. */
  softTimeoutMs(peer: LookupPeer): number {
    return this.baseSoftTimeoutMs(peer) + this.dialAllowance(peer);
  }

  private baseSoftTimeoutMs(peer: LookupPeer): number {
    const est = this.estimate(peer);
    if (est.srtt === 0) return this.init.initialRttMs;
    // Tighter than the RTO: missing it only launches a spare request (the late answer still counts).
    return Math.min(this.init.maxTimeoutMs, Math.max(20, est.srtt * 1.25, est.srtt + 2 * est.rttvar));
  }

  /** Hard timeout: when the request is abandoned and the peer charged with a failure. */
  hardTimeoutMs(peer: LookupPeer): number {
    return this.baseHardTimeoutMs(peer) + this.dialAllowance(peer);
  }

  private baseHardTimeoutMs(peer: LookupPeer): number {
    const est = this.estimate(peer);
    if (est.srtt === 0) return Math.max(this.init.minTimeoutMs, this.init.initialRttMs * 2);
    return Math.min(this.init.maxTimeoutMs, Math.max(this.init.minTimeoutMs, 2 * rto(est, 0, this.init.maxTimeoutMs)));
  }

  private estimate(peer: LookupPeer): RttSample {
    const c = this.hooks.rttOf(peer);
    return c && c.srtt > 0 ? c : this.global;
  }

  request(peer: LookupPeer, body: RequestBody, cb: ResponseCallback): void {
    if (this.destroyed) return cb(null, 0);
    if (this.pending.size >= this.init.maxInflight) {
      this.counters.inc('request.overloaded');
      return cb(null, 0);
    }
    let rid = this.nextRid;
    while (this.pending.has(rid)) rid = (rid + 1) >>> 0;
    this.nextRid = (rid + 1) >>> 0;
    const msg = { ...body, rid } as RequestMessage;
    const timer = this.clock.setTimeout(() => {
      if (this.pending.get(rid)?.timer !== timer) return;
      this.pending.delete(rid);
      this.counters.inc('request.timeout');
      this.hooks.onTimeout(peer);
      cb(null, 0);
    }, this.hardTimeoutMs(peer));
    this.pending.set(rid, { peer, sentAt: this.clock.now(), timer, cb });
    this.counters.inc(SENT[msg.type]!);
    this.transport.send(peer.hex, encode(msg));
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
    const peer: LookupPeer = { id: hexToBytes(from), hex: from };
    if (isRequest(msg)) {
      this.counters.inc(RECV[msg.type]!);
      this.hooks.onAlive(peer);
      let answered = false;
      const rid = msg.rid;
      this.hooks.onRequest(peer, msg, (res) => {
        if (answered || this.destroyed) return;
        answered = true;
        this.counters.inc(SENT[res.type]!);
        this.transport.send(from, encode({ ...res, rid } as Message));
      });
      return;
    }
    const p = this.pending.get(msg.rid);
    if (!p || p.peer.hex !== from) return this.counters.inc('drop.unmatched_response');
    this.pending.delete(msg.rid);
    this.clock.clearTimeout(p.timer);
    this.counters.inc(RECV[msg.type]!);
    const rtt = this.clock.now() - p.sentAt;
    updateRtt(this.global, rtt);
    this.hooks.onAlive(peer);
    const est = this.hooks.rttOf(peer);
    if (est) updateRtt(est, rtt);
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
