/**
 * The signaling core: connection state, hello, bootstrap sampling, relay, limits, heartbeats.
 * Sans-IO: it never touches a socket. server.ts adapts each ws connection to `ConnIO` and feeds
 * frames in; tests and the bench can drive it the same way. Remote garbage is dropped, counted
 * by reason and answered with an error frame, never thrown.
 *
 * Several instances form one service through an injected `Cluster` (cluster/cluster.ts): hello
 * claims the id cluster-wide before the welcome, relays to ids held elsewhere are forwarded, and
 * failures come back as the same error frames a lone server sends. Without one (`LocalCluster`)
 * every step runs synchronously, exactly as a single server.
 *
 * Relays are forwarded as the sender's own text: the frame is scanned once (strict JSON, depth
 * limited: frame-scan.ts) and the payload's span is copied into the outgoing frame, never parsed
 * into objects and serialized again. So bytes out are bytes in plus a fixed header, and the work a
 * frame causes is linear in its bytes, which is what its sender is charged (flow-control.ts).
 * Forwarding is relay.ts; TURN credentials on request are turn-requests.ts.
 */
import { bytesToHex, hexToBytes } from '../shared/crypto/bytes';
import {
  CLOSE_CODES,
  SIGNALING_VERSION,
  helloSigningBytes,
  parseClientMessage,
  type ErrorMsg,
  type HelloMsg,
  type IceServer,
  type SignalErrorCode,
  type SignalLimits,
} from '../shared/protocol/signaling';
import { solvesPuzzleHex } from '../shared/dht/node-puzzle';
import { LocalCluster, type Cluster, type ClusterHost } from './cluster/cluster';
import { addressKey } from './address';
import { AddressSlots } from './address-slots';
import { FlowControl } from './flow-control';
import { scanFrame } from './frame-scan';
import { DEFAULT_LIMITS, type HubLimits } from './limits';
import { KeyedBuckets } from './token-bucket';
import { PeerDirectory } from './peer-directory';
import { Relay, stringAt, withRef } from './relay';
import { TurnRequests, type TurnMinter } from './turn-requests';

export { DEFAULT_LIMITS, type HubLimits };

export { Conn } from './conn';
export type { ConnIO, HubComponents } from './conn';
import { Conn, type ConnIO, type HubComponents } from './conn';

export type { TurnMinter };

export class SignalHub {
  readonly limits: HubLimits;
  private readonly conns = new Set<Conn>();
  private readonly peers: PeerDirectory;
  private readonly perIp: AddressSlots;
  private sweepTimer: unknown = null;
  private readonly flow: FlowControl;
  readonly cluster: Cluster;
  private shuttingDown = false;
  /** New hellos per address (IPv6 by /64). */
  private readonly hellos: KeyedBuckets;
  private readonly relays: Relay;
  private readonly turnRequests: TurnRequests;

  constructor(
    private readonly c: HubComponents,
    limits: Partial<HubLimits> = {},
    /** The static ICE servers in a welcome (STUN, TURN with fixed credentials). */
    private readonly iceFor: (nodeId: string) => IceServer[] = () => [],
    /** TURN credentials minted on request; none: `turn` is refused. */
    private readonly turn: TurnMinter | null = null,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.limits.bootstrapPeers = Math.min(8, Math.max(0, this.limits.bootstrapPeers));
    const l = this.limits;
    this.hellos = new KeyedBuckets(l.helloPerMin / 60, Math.max(1, l.helloBurst));
    this.flow = new FlowControl(c, this.limits, (conn, err) => this.sendError(conn, err));
    this.peers = new PeerDirectory(c.rng);
    this.cluster = c.cluster ?? new LocalCluster();
    this.perIp = new AddressSlots(this.cluster);
    const out = {
      send: (conn: Conn, frame: string) => this.send(conn, frame),
      sendError: (conn: Conn, err: ErrorMsg) => this.sendError(conn, err),
      reject: (conn: Conn, code: SignalErrorCode, message: string, ref?: number) => this.reject(conn, code, message, ref),
      limited: (conn: Conn, reason: string, message: string, ref: number | undefined) => this.limitedRequest(conn, reason, message, ref),
    };
    this.relays = new Relay(c, this.limits, this.peers, this.cluster, this.flow, out);
    this.turnRequests = new TurnRequests(c, this.limits, turn, out);
    this.cluster.attach(this.host());
  }

  get size(): number {
    return this.conns.size;
  }
  get peerCount(): number {
    return this.peers.size;
  }

  /** Called before the WebSocket upgrade: null to admit, or the reason to refuse. IPv6 counts by /64. */
  admit(ip: string): SignalErrorCode | null {
    if (this.shuttingDown) return 'GOING_AWAY';
    if (this.conns.size >= this.limits.maxConnections) return 'SERVER_FULL';
    if (this.perIp.count(addressKey(ip)) >= this.limits.maxConnectionsPerIp) return 'IP_LIMIT';
    return null;
  }

  /**
   * Admission in a cluster: the local caps, then the per-address cap across every instance. On
   * null the slot is held for `ip`: follow with `open(io, ip)`, or `unreserve(ip)` if the socket died.
   */
  reserve(ip: string, done: (refused: SignalErrorCode | null) => void): void {
    const refused = this.admit(ip);
    if (refused) return done(refused);
    const key = addressKey(ip);
    this.cluster.admitIp(key, this.perIp.reserve(key), this.limits.maxConnectionsPerIp, (ok) => {
      if (ok) return done(null);
      this.perIp.unreserve(key);
      done('IP_LIMIT');
    });
  }

  /** Give back a slot from `reserve` that no socket will use. */
  unreserve(ip: string): void {
    this.perIp.unreserve(addressKey(ip));
  }

  /** A socket finished its upgrade; returns null (and closes it) when over a cap or already `refusal`-refused. */
  open(io: ConnIO, ip: string, refusal: SignalErrorCode | null = null): Conn | null {
    const key = addressKey(ip);
    const held = refusal === null && this.perIp.take(key);
    const refused = refusal ?? (held ? (this.shuttingDown ? 'GOING_AWAY' : null) : this.admit(ip));
    if (refused) {
      if (held) this.perIp.remove(key);
      this.c.metrics.reject(refused.toLowerCase());
      io.send(JSON.stringify({ t: 'error', code: refused } satisfies ErrorMsg));
      io.close(refused === 'GOING_AWAY' ? CLOSE_CODES.GOING_AWAY : CLOSE_CODES.TRY_AGAIN_LATER, refused);
      return null;
    }
    const now = this.c.clock.now();
    const nonce = bytesToHex(this.c.rng.bytes(32));
    const conn = new Conn(io, ip, nonce, now, this.limits);
    this.conns.add(conn);
    if (!held) this.perIp.add(key);
    this.c.metrics.connections = this.conns.size;
    this.send(conn, `{"t":"challenge","v":${SIGNALING_VERSION},"nonce":"${nonce}"}`);
    return conn;
  }

  /** The socket is gone (whoever closed it). Idempotent. */
  closed(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn);
    this.perIp.remove(conn.key);
    this.unlist(conn);
    if (conn.paused) this.c.metrics.rateLimitedNow--;
    this.c.metrics.connections = this.conns.size;
  }

  pong(conn: Conn): void {
    conn.lastSeen = this.c.clock.now();
  }

  /**
   * A frame of `size` bytes arrived: count it and take a token. False means drop it undecoded
   * (rate limited, or the connection is already closed). Call before decoding the frame.
   */
  allow(conn: Conn, size: number): boolean {
    if (conn.closed) return false;
    return this.flow.allow(conn, size);
  }

  /** An allowed frame, decoded: its text, or null for a binary frame. `size` is its byte length. */
  message(conn: Conn, text: string | null, size: number): void {
    if (conn.closed) return;
    if (text === null) return this.reject(conn, 'MALFORMED', 'binary frames are not supported');
    if (size > this.limits.maxFrameBytes) return this.reject(conn, 'OVERSIZED', `frame over ${this.limits.maxFrameBytes} bytes`);
    // One bounded scan of every frame before anything else looks at it: strict JSON, depth limited.
    const scan = scanFrame(text, this.limits.maxJsonDepth);
    if (!scan.ok) return this.reject(conn, 'MALFORMED', scan.detail);
    const members = scan.members;
    const type = members.get('t');
    if (type !== undefined && stringAt(text, type) === 'relay') return this.relays.frame(conn, text, members);
    const p = parseClientMessage(text, this.limits.maxFrameBytes);
    if (!p.ok) return this.reject(conn, p.code, p.detail, p.ref);
    const msg = p.msg;
    switch (msg.t) {
      case 'ping':
        this.send(conn, msg.id === undefined ? '{"t":"pong"}' : `{"t":"pong","id":${msg.id}}`);
        return;
      case 'pong':
        return;
      case 'hello':
        return this.hello(conn, msg);
      case 'bootstrap': {
        const self = conn.nodeId;
        if (self === null) return this.reject(conn, 'NOT_AUTHENTICATED', 'hello first', msg.id);
        this.cluster.sample(this.limits.bootstrapPeers, self, (ids) => {
          const peers = JSON.stringify(ids ?? this.sample(conn));
          this.send(conn, msg.id === undefined ? `{"t":"peers","peers":${peers}}` : `{"t":"peers","id":${msg.id},"peers":${peers}}`);
        });
        return;
      }
      case 'relay':
        // relays take relays.frame above; parseClientMessage agrees on the type
        return this.relays.frame(conn, text, members);
      case 'turn':
        return this.turnRequests.request(conn, msg.id);
    }
  }

  /** A request refused by a budget: RATE_LIMITED with its ref, counted under `reason`. */
  private limitedRequest(conn: Conn, reason: string, message: string, ref: number | undefined): void {
    this.c.metrics.drop(reason);
    this.sendError(conn, withRef({ t: 'error', code: 'RATE_LIMITED', message }, ref));
  }

  private hello(conn: Conn, msg: HelloMsg): void {
    const m = this.c.metrics;
    if (conn.nodeId !== null || conn.nonce === null) return this.reject(conn, 'ALREADY_AUTHENTICATED', 'hello once');
    // Sessions cost their address before the signature check: ids are free to make, and each
    // hello costs an Ed25519 verification.
    if (!this.hellos.take(conn.key, this.c.clock.now())) {
      this.limitedRequest(conn, 'hello_limited', `at most ${this.limits.helloPerMin} new sessions a minute from one address`, undefined);
      return this.shut(conn, CLOSE_CODES.TRY_AGAIN_LATER, 'RATE_LIMITED');
    }
    const publicKey = hexToBytes(msg.publicKey);
    const nodeId = this.c.nodeIdOf(publicKey);
    // Cheaper than the signature check, and what every peer would refuse anyway.
    if (!solvesPuzzleHex(nodeId, this.limits.nodePuzzleBits)) {
      m.helloFailed++;
      this.reject(conn, 'WEAK_ID', `the node id does not solve the ${this.limits.nodePuzzleBits}-bit id puzzle`);
      return this.shut(conn, CLOSE_CODES.POLICY, 'WEAK_ID');
    }
    const ok = this.c.verify(hexToBytes(msg.signature), helloSigningBytes(conn.nonce), publicKey);
    if (!ok) {
      m.helloFailed++;
      this.reject(conn, 'BAD_SIGNATURE', 'signature does not verify for this challenge');
      return this.shut(conn, CLOSE_CODES.POLICY, 'BAD_SIGNATURE');
    }
    m.helloOk++;
    const old = this.peers.get(nodeId);
    if (old) this.replace(old);
    conn.nonce = null;
    this.peers.add(conn, nodeId);
    m.peers = this.peers.size;
    // The welcome waits until the id is claimed cluster-wide (at once without a cluster), so a
    // client that has its welcome is reachable from every instance.
    conn.claim = this.cluster.claim(nodeId, this.limits.bootstrapPeers, (sample) => {
      if (!conn.closed) this.welcome(conn, nodeId, sample ?? this.sample(conn));
    });
  }

  private welcome(conn: Conn, nodeId: string, peers: string[]): void {
    const l = this.limits;
    const limits: SignalLimits = { maxFrameBytes: l.maxFrameBytes, ratePerSec: l.ratePerSec, burst: l.burst };
    const welcome = { t: 'welcome', nodeId, iceServers: this.iceFor(nodeId), peers, heartbeatMs: l.heartbeatMs, limits };
    this.send(conn, JSON.stringify(this.turn ? { ...welcome, turn: true } : welcome));
    this.c.log.debug('hello', { nodeId, ip: conn.ip });
  }

  /** The newest session that proves the key wins; the old one is told why and must not auto-reconnect. */
  private replace(old: Conn): void {
    this.sendError(old, { t: 'error', code: 'REPLACED', message: 'this node id connected again elsewhere' });
    this.shut(old, CLOSE_CODES.REPLACED, 'REPLACED');
  }

  /** What the cluster calls: remote relays, their failures, displacements, re-sync. */
  private host(): ClusterHost {
    return {
      deliver: (to, frame) => this.relays.deliverRemote(to, frame),
      relayFailed: (from, ref, code, target) => {
        const conn = this.peers.get(from);
        if (conn) this.relays.failed(conn, ref, code, target, code === 'TARGET_BUSY' ? 'target busy' : undefined);
      },
      displace: (nodeId, claim) => {
        const conn = this.peers.get(nodeId);
        if (conn && conn.claim === claim) this.replace(conn);
      },
      snapshot: () => ({ peers: this.peers.claims(), ips: this.perIp.entries() }),
      stateChanged: (state) => this.c.log.info('cluster', { state, instance: this.cluster.instanceId }),
    };
  }

  /** Up to `bootstrapPeers` distinct random live peers other than `self`, spread over address prefixes. */
  sample(self: Conn): string[] {
    return this.peers.sample(self, this.limits.bootstrapPeers);
  }

  /**
   * The host tells the hub its event loop is lagging (server.ts measures timer drift). For `ms`,
   * frames from bursting clients are dropped and their sockets paused; quiet clients pass within a
   * server-wide budget of their own.
   */
  overloaded(ms: number): void {
    this.flow.overloaded(ms);
  }

  /** Heartbeat sweep: hello timeouts, idle timeouts, pings to quiet clients, slow consumers. */
  sweep(): void {
    const now = this.c.clock.now();
    const l = this.limits;
    this.hellos.prune(now);
    this.turnRequests.prune(now);
    for (const conn of this.conns) {
      if (conn.nodeId === null && now - conn.openedAt > l.helloTimeoutMs) {
        this.sendError(conn, { t: 'error', code: 'HELLO_TIMEOUT' });
        this.shut(conn, CLOSE_CODES.POLICY, 'HELLO_TIMEOUT');
      } else if (now - conn.lastSeen > l.idleTimeoutMs) {
        this.sendError(conn, { t: 'error', code: 'IDLE_TIMEOUT' });
        this.shut(conn, CLOSE_CODES.POLICY, 'IDLE_TIMEOUT');
      } else if (this.backlogged(conn, now)) {
        // over the backlog limit: cut off by backlogged() once it has lasted slowConsumerMs
      } else if (now - conn.lastSeen > l.heartbeatMs) {
        conn.io.ping();
      }
    }
  }

  /** Start the periodic sweep on the injected clock. */
  start(): void {
    const l = this.limits;
    const every = Math.max(50, Math.min(l.heartbeatMs, l.helloTimeoutMs, l.idleTimeoutMs) / 4);
    const tick = (): void => {
      this.sweep();
      this.sweepTimer = this.c.clock.setTimeout(tick, every);
    };
    this.sweepTimer = this.c.clock.setTimeout(tick, every);
  }

  /** Close every client with 1001 going away; refuse new ones. */
  shutdown(): void {
    this.shuttingDown = true;
    if (this.sweepTimer !== null) this.c.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    for (const conn of [...this.conns]) {
      this.sendError(conn, { t: 'error', code: 'GOING_AWAY', message: 'server shutting down' });
      this.shut(conn, CLOSE_CODES.GOING_AWAY, 'GOING_AWAY');
    }
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * True while the client's unsent backlog is over maxBufferedBytes (frames to it are dropped);
   * a client over the limit for slowConsumerMs is cut off. Bounds what a non-reading client costs.
   */
  private backlogged(conn: Conn, now: number): boolean {
    if (conn.io.buffered() <= this.limits.maxBufferedBytes) {
      conn.overSince = 0;
      return false;
    }
    if (conn.overSince === 0) conn.overSince = now;
    else if (now - conn.overSince >= this.limits.slowConsumerMs) this.slow(conn);
    return true;
  }

  /** Send a frame unless the client's backlog is over the limit (then the frame is dropped). */
  private send(conn: Conn, frame: string): boolean {
    if (conn.closed) return false;
    if (this.backlogged(conn, this.c.clock.now())) {
      this.c.metrics.drop('backlog');
      return false;
    }
    this.c.metrics.bytesOut += frame.length;
    conn.io.send(frame);
    return true;
  }

  private sendError(conn: Conn, err: ErrorMsg): void {
    this.send(conn, JSON.stringify(err));
  }

  /** Count and answer a bad frame; the connection stays open. */
  private reject(conn: Conn, code: SignalErrorCode, message: string, ref?: number): void {
    this.c.metrics.drop(code.toLowerCase());
    this.sendError(conn, withRef({ t: 'error', code, message }, ref));
  }

  private slow(conn: Conn): void {
    this.c.metrics.drop('slow_consumer');
    this.c.metrics.close('slow_consumer');
    this.c.log.debug('slow consumer', { nodeId: conn.nodeId, ip: conn.ip, buffered: conn.io.buffered() });
    this.closed(conn);
    conn.io.terminate();
  }

  /** Close politely and forget the connection at once (the socket may linger while closing). */
  private shut(conn: Conn, code: number, reason: SignalErrorCode): void {
    this.c.metrics.close(reason.toLowerCase());
    this.closed(conn);
    conn.io.close(code, reason);
  }

  private unlist(conn: Conn): void {
    if (!this.peers.remove(conn)) return;
    this.c.metrics.peers = this.peers.size;
    if (conn.nodeId !== null && this.peers.get(conn.nodeId) === undefined) this.cluster.release(conn.nodeId, conn.claim);
  }
}
