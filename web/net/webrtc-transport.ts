/**
 * The core's `Transport` over WebRTC data channels (simple-peer), one channel per peer.
 *
 *  - Connect on demand: `send` to a peer without a connection dials it through the Signaler and
 *    queues frames (bounded) meanwhile; queued frames are dropped and counted if the dial fails,
 *    times out, is refused by the budget or by the remote.
 *  - Glare (both sides dial at once): the dial from the lower node id wins; the higher id drops
 *    its own attempt and answers. Every attempt has a random `sid`, so stale signals are dropped.
 *  - Framing: one frame per data-channel message plus one kind byte (see frame.ts); frames over
 *    `maxFrameBytes` are dropped and counted, never fragmented.
 *  - Back-pressure: a frame is dropped while bufferedAmount is over `maxBufferedBytes` (the RPC layer retries).
 *  - A connection that closes or fails without a BYE reports `onPeerDown`; protected peers
 *    (routing neighbours, chat partners) are redialed, a bounded number of times.
 *  - The connection budget (ConnectionPool) bounds open connections and the lifetime count.
 *  - ICE servers: none by default; set from the server's welcome or settings (`setIceServers`), never a public one.
 *
 * Platform-neutral: pass `wrtc` in Node (`@roamhq/wrtc`); browsers use their own RTCPeerConnection.
 */
import { callSafely } from '../../shared/env/safe-call';
import SimplePeerDefault from 'simple-peer/simplepeer.min.js';
import type { Instance as PeerInstance, Options as PeerOptions } from 'simple-peer';
import { systemClock, type Clock, type TimerHandle } from '../../shared/env/clock';
import { cryptoRng, type Rng } from '../../shared/env/rng';
import type { PeerId, Transport } from '../../shared/env/transport';
import { bytesToHex } from '../../shared/crypto/bytes';
import { ConnectionPool } from './connection-pool';
import { NetError, type NetErrorCode } from './errors';
import { decodeFrame, encodeData } from './frame';
import { channelBinding, sdpFingerprint } from './dtls-binding';
import type { SignalData, SignalPayload, Signaler } from './signaler';
import { LinkTable, PEER_ID_RE, type Link } from './webrtc-links';
import { Redialer } from './redialer';
import { reasonOf, TransportMeter } from './webrtc-stats';

export { DROP_REASONS } from './webrtc-types';
export type { DropReason, SimplePeerCtor, TransportStats, WebRtcTransportComponents, WebRtcTransportInit } from './webrtc-types';
import type { DropReason, SimplePeerCtor, TransportStats, WebRtcTransportComponents, WebRtcTransportInit } from './webrtc-types';
import { transportConfig, type TransportConfig } from './webrtc-types';

export class WebRtcTransport implements Transport {
  readonly id: PeerId;
  readonly pool: ConnectionPool;
  private readonly cfg: TransportConfig;
  private iceServers: RTCIceServer[];
  private readonly signaler: Signaler;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly wrtc: PeerOptions['wrtc'];
  private readonly Peer: SimplePeerCtor;
  private readonly links: LinkTable;
  private readonly redials: Redialer;
  private frameHandler: (from: PeerId, frame: Uint8Array) => void = () => {};
  private downHandlers: Array<(peer: PeerId) => void> = [];
  private upHandlers: Array<(peer: PeerId) => void> = [];
  private sweepTimer: TimerHandle | undefined;
  private destroyed = false;
  /** leave() began: no new sends, dials or offers; destroy() follows. */
  private leaving = false;
  private readonly meter = new TransportMeter();

  constructor(components: WebRtcTransportComponents, init: WebRtcTransportInit = {}) {
    if (!PEER_ID_RE.test(components.id)) throw new NetError('BAD_ARGUMENT', 'id must be 40 lower-case hex chars');
    this.id = components.id;
    this.signaler = components.signaler;
    this.clock = components.clock ?? systemClock;
    this.rng = components.rng ?? cryptoRng;
    this.wrtc = components.wrtc;
    this.Peer = components.SimplePeer ?? (SimplePeerDefault as unknown as SimplePeerCtor);
    this.cfg = transportConfig(init);
    this.iceServers = [...(init.iceServers ?? [])];
    this.pool = new ConnectionPool(this.clock, init.pool);
    this.links = new LinkTable(this.clock, this.pool, this.meter, this.cfg);
    this.redials = new Redialer({
      clock: this.clock,
      delayMs: this.cfg.reconnectDelayMs,
      max: this.cfg.maxReconnects,
      running: () => !this.destroyed && !this.leaving,
      isProtected: (p) => this.pool.isProtected(p),
      hasLink: (p) => this.links.has(p),
      redial: (p) => {
        this.meter.counters.reconnects++;
        this.dial(p);
      },
    });
    this.signaler.onSignal((from, signal) => this.handleSignal(from, signal));
    this.scheduleSweep();
  }

  // ---- Transport ----

  send(to: PeerId, frame: Uint8Array): void {
    if (this.destroyed || this.leaving) return this.drop('destroyed');
    if (!PEER_ID_RE.test(to) || to === this.id) return this.drop('bad_peer_id');
    if (frame.length > this.cfg.maxFrameBytes) return this.drop('frame_too_large');
    const link = this.links.get(to);
    if (link?.state === 'open') return this.write(link, frame);
    if (!this.links.enqueue(to, frame)) return this.drop('queue_full');
    if (!link) this.dial(to);
  }

  onFrame(handler: (from: PeerId, frame: Uint8Array) => void): void {
    this.frameHandler = handler;
  }

  onPeerDown(handler: (peer: PeerId) => void): void {
    this.downHandlers.push(handler);
  }

  // ---- extras for the node, the page and tests ----

  /** Called whenever a data channel to a peer opens. */
  onPeerUp(handler: (peer: PeerId) => void): void {
    this.upHandlers.push(handler);
  }

  /** Open a connection (if needed); resolves when the data channel is open. */
  connect(peer: PeerId): Promise<void> {
    if (this.destroyed || this.leaving) return Promise.reject(new NetError('DESTROYED'));
    if (!PEER_ID_RE.test(peer) || peer === this.id) return Promise.reject(new NetError('BAD_ARGUMENT', 'bad peer id'));
    const existing = this.links.get(peer);
    if (existing?.state === 'open') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const link = existing ?? this.dial(peer);
      if (link instanceof NetError) reject(link);
      else link.waiters.push({ resolve, reject });
    });
  }

  /** Close the connection to `peer` deliberately (the remote is told it is not a failure). */
  close(peer: PeerId): void {
    const link = this.links.get(peer);
    if (link) this.links.closeQuietly(link, 'connect_failed');
  }

  /** Pin `peer` in the budget (tag e.g. 'routing' or 'chat'); protected peers are redialed. */
  protect(peer: PeerId, tag: string): void {
    this.pool.protect(peer, tag);
  }

  unprotect(peer: PeerId, tag: string): void {
    this.pool.unprotect(peer, tag);
  }

  /** ICE servers for connections created from now on (e.g. from the signaling hello reply). */
  setIceServers(servers: RTCIceServer[]): void {
    this.iceServers = [...servers];
  }

  /** Peers with an open data channel. */
  peers(): PeerId[] {
    return this.links.openPeers();
  }

  isConnected(peer: PeerId): boolean {
    return this.links.get(peer)?.state === 'open';
  }

  /** The open connection's DTLS channel binding (dtls-binding.ts), empty when none: chat handshakes bind it. */
  channelBinding(peer: PeerId): Uint8Array {
    const link = this.links.get(peer);
    if (link?.state !== 'open') return new Uint8Array(0);
    return channelBinding(link.fingerprints.local, link.fingerprints.remote);
  }

  stats(): TransportStats {
    const open = this.links.openCount();
    return this.meter.snapshot(open, this.links.size - open, this.pool.lifetime);
  }

  /**
   * Leave politely: a BYE on every open connection, then destroy() once the BYEs have had
   * byeLingerMs to flush. A peer that reads the BYE stops sending to us before our side of the
   * channel goes away, and reports no failure. Nothing new is sent, dialed or answered meanwhile.
   * A node's close() uses it, and so does pagehide (a page that goes cannot wait for the linger:
   * the browser closes its connections).
   */
  async leave(): Promise<void> {
    if (this.destroyed || this.leaving) return;
    this.leaving = true;
    const anyOpen = this.links.openCount() > 0;
    for (const peer of this.links.peers()) this.close(peer);
    if (anyOpen) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.cfg.byeLingerMs));
    this.destroy();
  }

  /** Close every connection and stop all timers. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimeout(this.sweepTimer);
    this.redials.stop();
    this.links.destroyAll();
  }

  // ---- dialing and signaling ----

  private dial(peer: PeerId): Link | NetError {
    const link = this.createLink(peer, bytesToHex(this.rng.bytes(8)), true);
    if (link instanceof NetError) this.links.failQueue(peer, reasonOf(link.code));
    return link;
  }

  /** Admit through the budget, evicting LRU victims, and start a simple-peer. */
  /**
   * `inbound`: an offer nobody here asked for (not a glare with our own dial), held to the
   * strangers' budget unless the peer has a reason to call; checked before anything is allocated.
   */
  private createLink(peer: PeerId, sid: string, initiator: boolean, inbound = false): Link | NetError {
    const adm = this.pool.admit(peer, inbound);
    if (!adm.ok) return new NetError(adm.code);
    for (const victim of adm.evict) {
      const v = this.links.get(victim);
      if (v) this.links.closeQuietly(v, 'pool_full', true);
    }
    let sp: PeerInstance;
    try {
      sp = new this.Peer({
        initiator,
        trickle: this.cfg.trickle,
        config: { iceServers: this.iceServers },
        iceCompleteTimeout: 200,
        ...(this.wrtc ? { wrtc: this.wrtc } : {}),
      });
    } catch (e) {
      // No WebRTC in this environment (simple-peer throws ERR_WEBRTC_SUPPORT synchronously).
      this.pool.release(peer);
      return new NetError('CONNECT_FAILED', e instanceof Error ? e.message : String(e));
    }
    const link: Link = {
      peer,
      sid,
      initiator,
      sp,
      state: 'connecting',
      startedAt: this.clock.now(),
      timer: undefined,
      byeReceived: false,
      waiters: [],
      fingerprints: {},
    };
    link.timer = this.clock.setTimeout(() => this.failLink(link, 'connect_timeout', 'CONNECT_TIMEOUT'), this.cfg.connectTimeoutMs);
    this.links.add(link);
    sp.on('signal', (data: SignalData) => {
      if (data.type !== 'candidate') link.fingerprints.local = sdpFingerprint(data.sdp);
      if (this.links.get(peer) === link) this.signaler.send(peer, { sid, data });
    });
    sp.on('connect', () => this.onOpen(link));
    sp.on('data', (msg: unknown) => this.onData(link, msg));
    sp.on('iceStateChange', (state: string) => this.onIceState(link, state));
    sp.on('error', () => {
      /* 'close' follows; the reason is counted there */
    });
    sp.on('close', () => this.failLink(link, 'connect_failed', 'CONNECT_FAILED'));
    return link;
  }

  private handleSignal(from: PeerId, signal: SignalPayload): void {
    if (this.destroyed || this.leaving) return;
    if (!PEER_ID_RE.test(from) || from === this.id) return this.drop('bad_peer_id');
    const link = this.links.get(from);
    if ('reject' in signal) {
      if (link && link.sid === signal.sid && link.state === 'connecting') {
        this.failLink(link, 'rejected', 'REJECTED');
      } else this.drop('stale_signal');
      return;
    }
    if (link && link.sid === signal.sid) {
      this.feed(link, signal.data);
      return;
    }
    if (signal.data.type !== 'offer') {
      // An answer to an attempt we abandoned (a glare offer that reached the winner late, after
      // its own dial had connected, over a path that reordered): tell the answerer to give up
      // now rather than time out. Rejects are never answered, so this cannot loop.
      if (signal.data.type === 'answer') this.signaler.send(from, { sid: signal.sid, reject: 'STALE' });
      return this.drop('stale_signal');
    }
    // A new offer from `from`.
    if (link) {
      if (link.initiator && link.state === 'connecting') {
        this.meter.counters.glares++;
        // Both dialed at once: the lower id's dial wins (unless ours is too old to have crossed theirs).
        if (this.id < from && this.clock.now() - link.startedAt < this.cfg.glareWindowMs) return this.drop('glare_ignored');
      }
      // We lose the glare, or the remote redialed (it lost the old connection): replace ours.
      this.links.replace(link);
    }
    const created = this.createLink(from, signal.sid, false, !link?.initiator);
    if (created instanceof NetError) {
      this.drop(reasonOf(created.code));
      this.signaler.send(from, { sid: signal.sid, reject: created.code });
      this.links.failQueue(from, reasonOf(created.code));
      if (link) {
        this.pool.release(from);
        this.links.failWaiters(link, created);
      }
      return;
    }
    if (link) created.waiters.push(...link.waiters);
    this.feed(created, signal.data);
  }

  private feed(link: Link, data: SignalData): void {
    if (data.type !== 'candidate') link.fingerprints.remote = sdpFingerprint(data.sdp);
    try {
      link.sp.signal(data as Parameters<PeerInstance['signal']>[0]);
    } catch {
      this.drop('stale_signal');
    }
  }

  // ---- connection events ----

  private onOpen(link: Link): void {
    if (this.links.get(link.peer) !== link || link.state === 'open') return;
    link.state = 'open';
    this.links.clearTimer(link);
    this.pool.markOpen(link.peer);
    this.redials.opened(link.peer);
    if (link.initiator) this.meter.setup(this.clock.now() - link.startedAt);
    for (const f of this.links.takeQueue(link.peer)) this.write(link, f);
    for (const w of link.waiters.splice(0)) w.resolve();
    for (const h of this.upHandlers) this.safely(() => h(link.peer));
  }

  private onIceState(link: Link, state: string): void {
    if (this.links.get(link.peer) !== link || link.state !== 'open') return;
    if (state === 'disconnected') {
      if (link.timer === undefined) {
        link.timer = this.clock.setTimeout(() => {
          link.timer = undefined;
          this.failLink(link, 'connect_failed', 'CONNECT_FAILED');
        }, this.cfg.disconnectGraceMs);
      }
    } else if (state === 'connected' || state === 'completed') this.links.clearTimer(link);
  }

  private onData(link: Link, msg: unknown): void {
    if (this.links.get(link.peer) !== link) return;
    const f = decodeFrame(msg, this.cfg.maxFrameBytes);
    if (f.kind === 'bad') return this.drop(f.reason);
    if (f.kind === 'bye') {
      link.byeReceived = true;
      this.links.closeQuietly(link, 'connect_failed');
      return;
    }
    this.meter.counters.framesIn++;
    this.meter.counters.bytesIn += f.payload.length;
    this.pool.touch(link.peer);
    this.safely(() => this.frameHandler(link.peer, f.payload));
  }

  private write(link: Link, frame: Uint8Array): void {
    if (link.sp.bufferSize > this.cfg.maxBufferedBytes) return this.drop('backpressure');
    try {
      link.sp.send(encodeData(frame));
    } catch {
      return this.drop('send_failed');
    }
    this.meter.counters.framesOut++;
    this.meter.counters.bytesOut += frame.length;
    this.pool.touch(link.peer);
  }

  /** The connection closed, failed or timed out (not deliberately by us). */
  private failLink(link: Link, queueReason: DropReason, code: NetErrorCode): void {
    if (this.links.get(link.peer) !== link) return;
    const wasOpen = link.state === 'open';
    this.links.forget(link);
    link.sp.destroy();
    this.links.failQueue(link.peer, queueReason);
    this.links.failWaiters(link, new NetError(code));
    if (link.byeReceived) return;
    this.meter.counters.peerDowns++;
    for (const h of this.downHandlers) this.safely(() => h(link.peer));
    this.redials.failed(link.peer, wasOpen);
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.clock.setTimeout(() => {
      if (this.destroyed) return;
      this.links.closeIdle();
      this.scheduleSweep();
    }, this.cfg.idleSweepMs);
  }

  /** A handler's exception must not kill the connection or escape into simple-peer's emitter. */
  private safely(fn: () => void): void {
    if (!callSafely(fn)) this.meter.counters.handlerErrors++;
  }

  private drop(reason: DropReason): void {
    this.meter.drop(reason);
  }
}
