/**
 * The signaling core: connection state, hello, bootstrap sampling, relay, limits, heartbeats.
 * Sans-IO: it never touches a socket. server.ts adapts each ws connection to `ConnIO` and feeds
 * frames in; tests and the bench can drive it the same way. Remote garbage is dropped, counted
 * by reason and answered with an error frame, never thrown.
 */
import { hexToBytes } from '../shared/crypto/bytes';
import {
  CLOSE_CODES,
  SIGNALING_VERSION,
  helloSigningBytes,
  parseClientMessage,
  type ErrorMsg,
  type HelloMsg,
  type IceServer,
  type Json,
  type SignalErrorCode,
  type SignalLimits,
} from '../shared/protocol/signaling';
import { DEFAULT_LIMITS, type HubLimits } from './limits';
import { TokenBucket } from './token-bucket';
import { PeerDirectory } from './peer-directory';

export { DEFAULT_LIMITS, type HubLimits };

export { Conn } from './conn';
export type { ConnIO, HubComponents } from './conn';
import { Conn, type ConnIO, type HubComponents } from './conn';

export class SignalHub {
  readonly limits: HubLimits;
  private readonly conns = new Set<Conn>();
  private readonly peers: PeerDirectory;
  private readonly perIp = new Map<string, number>();
  private sweepTimer: unknown = null;
  private readonly global: TokenBucket;
  /** Until when the server counts as overloaded (event loop lagging): bursting clients are shed. */
  private hotUntil = 0;
  /** Frames from bursting clients admitted in this event-loop turn (reset by a 0 ms timer). */
  private turnUsed = 0;
  private turnReset: (() => void) | null = null;
  private shuttingDown = false;

  constructor(
    private readonly c: HubComponents,
    limits: Partial<HubLimits> = {},
    private readonly iceFor: (nodeId: string) => IceServer[] = () => [],
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.limits.bootstrapPeers = Math.min(8, Math.max(0, this.limits.bootstrapPeers));
    this.global = new TokenBucket(this.limits.globalRatePerSec, this.limits.globalBurst, c.clock.now());
    this.peers = new PeerDirectory(c.rng);
  }

  get size(): number {
    return this.conns.size;
  }
  get peerCount(): number {
    return this.peers.size;
  }

  /** Called before the WebSocket upgrade: null to admit, or the reason to refuse. */
  admit(ip: string): SignalErrorCode | null {
    if (this.shuttingDown) return 'GOING_AWAY';
    if (this.conns.size >= this.limits.maxConnections) return 'SERVER_FULL';
    if ((this.perIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp) return 'IP_LIMIT';
    return null;
  }

  /** A socket finished its upgrade; returns null (and closes it) when over a cap. */
  open(io: ConnIO, ip: string): Conn | null {
    const refused = this.admit(ip);
    if (refused) {
      this.c.metrics.reject(refused.toLowerCase());
      io.send(JSON.stringify({ t: 'error', code: refused } satisfies ErrorMsg));
      io.close(refused === 'GOING_AWAY' ? CLOSE_CODES.GOING_AWAY : CLOSE_CODES.TRY_AGAIN_LATER, refused);
      return null;
    }
    const now = this.c.clock.now();
    const nonce = hex(this.c.rng.bytes(32));
    const conn = new Conn(io, ip, nonce, now, this.limits);
    this.conns.add(conn);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.c.metrics.connections = this.conns.size;
    this.send(conn, `{"t":"challenge","v":${SIGNALING_VERSION},"nonce":"${nonce}"}`);
    return conn;
  }

  /** The socket is gone (whoever closed it). Idempotent. */
  closed(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn);
    const n = (this.perIp.get(conn.ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(conn.ip);
    else this.perIp.set(conn.ip, n);
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
    const now = this.c.clock.now();
    const m = this.c.metrics;
    m.messagesIn++;
    m.bytesIn += size;
    conn.lastSeen = now;
    // Quiet = own bucket (nearly) full: exempt from the global budget, so floods cannot starve it.
    const quiet = conn.bucket.level(now) >= this.limits.burst - 2;
    if (!conn.bucket.take(now)) {
      m.drop('rate_limited');
      this.limited(conn, now, 'RATE_LIMITED');
      return false;
    }
    if (!quiet && (now < this.hotUntil || this.turnUsed >= this.limits.turnBudget || !this.global.take(now))) {
      m.drop('overload');
      // Shed for longer than a plain rate limit: each wake-up of a flooder costs a socket read.
      this.limited(conn, now, 'RATE_LIMITED', 2000);
      return false;
    }
    if (!quiet && this.turnUsed++ === 0) {
      this.turnReset ??= () => {
        this.turnUsed = 0;
      };
      this.c.clock.setTimeout(this.turnReset, 0);
    }
    return true;
  }

  /** An allowed frame, decoded: its text, or null for a binary frame. `size` is its byte length. */
  message(conn: Conn, text: string | null, size: number): void {
    if (conn.closed) return;
    if (text === null) return this.reject(conn, 'MALFORMED', 'binary frames are not supported');
    if (size > this.limits.maxFrameBytes) return this.reject(conn, 'OVERSIZED', `frame over ${this.limits.maxFrameBytes} bytes`);
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
        if (conn.nodeId === null) return this.reject(conn, 'NOT_AUTHENTICATED', 'hello first', msg.id);
        const peers = JSON.stringify(this.sample(conn));
        this.send(conn, msg.id === undefined ? `{"t":"peers","peers":${peers}}` : `{"t":"peers","id":${msg.id},"peers":${peers}}`);
        return;
      }
      case 'relay':
        if (conn.nodeId === null) return this.reject(conn, 'NOT_AUTHENTICATED', 'hello first', msg.id);
        return this.relay(conn, msg.to, msg.payload, msg.id);
    }
  }

  private hello(conn: Conn, msg: HelloMsg): void {
    const m = this.c.metrics;
    if (conn.nodeId !== null || conn.nonce === null) return this.reject(conn, 'ALREADY_AUTHENTICATED', 'hello once');
    const publicKey = hexToBytes(msg.publicKey);
    const ok = this.c.verify(hexToBytes(msg.signature), helloSigningBytes(conn.nonce), publicKey);
    if (!ok) {
      m.helloFailed++;
      this.reject(conn, 'BAD_SIGNATURE', 'signature does not verify for this challenge');
      return this.shut(conn, CLOSE_CODES.POLICY, 'BAD_SIGNATURE');
    }
    m.helloOk++;
    const nodeId = this.c.nodeIdOf(publicKey);
    const old = this.peers.get(nodeId);
    if (old) {
      // The newest session that proves the key wins; the old one is told why and must not auto-reconnect.
      this.sendError(old, { t: 'error', code: 'REPLACED', message: 'this node id connected again elsewhere' });
      this.shut(old, CLOSE_CODES.REPLACED, 'REPLACED');
    }
    conn.nonce = null;
    this.peers.add(conn, nodeId);
    m.peers = this.peers.size;
    const l = this.limits;
    const limits: SignalLimits = { maxFrameBytes: l.maxFrameBytes, ratePerSec: l.ratePerSec, burst: l.burst };
    this.send(
      conn,
      JSON.stringify({
        t: 'welcome',
        nodeId,
        iceServers: this.iceFor(nodeId),
        peers: this.sample(conn),
        heartbeatMs: l.heartbeatMs,
        limits,
      }),
    );
    this.c.log.debug('hello', { nodeId, ip: conn.ip });
  }

  private relay(conn: Conn, to: string, payload: Json, id: number | undefined): void {
    const target = this.peers.get(to);
    if (!target) {
      this.c.metrics.drop('unknown_target');
      return this.sendError(conn, withRef({ t: 'error', code: 'UNKNOWN_TARGET', target: to }, id));
    }
    const now = this.c.clock.now();
    const l = this.limits;
    target.inbound ??= new TokenBucket(l.inboundRatePerSec, l.inboundBurst, now);
    if (!target.inbound.take(now)) {
      // Many senders aiming at one node: its inbound budget protects it; senders are told to retry.
      this.c.metrics.drop('target_busy');
      return this.sendError(conn, withRef({ t: 'error', code: 'TARGET_BUSY', target: to, message: 'target inbound budget exhausted' }, id));
    }
    let body: string;
    try {
      body = JSON.stringify(payload);
    } catch {
      return this.reject(conn, 'MALFORMED', 'payload not serializable', id);
    }
    if (!this.send(target, `{"t":"relay","from":"${conn.nodeId}","payload":${body}}`)) {
      const gone = target.closed;
      return this.sendError(
        conn,
        withRef(
          {
            t: 'error',
            code: gone ? 'UNKNOWN_TARGET' : 'TARGET_BUSY',
            target: to,
            message: gone ? 'target cut off (slow consumer)' : 'target backlog full',
          },
          id,
        ),
      );
    }
    this.c.metrics.relayed++;
  }

  /** Up to `bootstrapPeers` distinct random live peers other than `self`. */
  sample(self: Conn): string[] {
    return this.peers.sample(self, this.limits.bootstrapPeers);
  }

  /**
   * The host tells the hub its event loop is lagging (server.ts measures timer drift). For `ms`,
   * frames from bursting clients are dropped and their sockets paused; quiet clients still pass.
   */
  overloaded(ms: number): void {
    const until = this.c.clock.now() + ms;
    if (until > this.hotUntil) {
      if (this.hotUntil < this.c.clock.now()) this.c.metrics.overloadEpisodes++;
      this.hotUntil = until;
    }
  }

  /** Heartbeat sweep: hello timeouts, idle timeouts, pings to quiet clients, slow consumers. */
  sweep(): void {
    const now = this.c.clock.now();
    const l = this.limits;
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

  private limited(conn: Conn, now: number, code: SignalErrorCode, basePauseMs = 250): void {
    const m = this.c.metrics;
    if (!conn.paused) {
      conn.paused = true;
      m.rateLimitedNow++;
      m.rateLimitedTotal++;
      conn.io.pause();
      // Repeat offenders wait longer (250 ms doubling to 8 s, jittered), so a flood costs one socket read
      // per pause rather than one per token. Frames already buffered still arrive; they are
      // dropped undecoded in allow().
      conn.strikes = now - conn.limitedAt < 10_000 ? Math.min(conn.strikes + 1, 5) : 0;
      conn.limitedAt = now;
      // Jittered (x0.5..1.5) so a crowd limited at the same moment does not wake up together.
      const wait = Math.max(basePauseMs * 2 ** conn.strikes * (0.5 + this.c.rng.next()), conn.bucket.waitMs(now));
      this.c.clock.setTimeout(() => {
        if (conn.closed || !conn.paused) return;
        conn.paused = false;
        m.rateLimitedNow--;
        conn.io.resume();
      }, wait);
    }
    if (now - conn.limitedNoticeAt >= 1000) {
      conn.limitedNoticeAt = now;
      this.sendError(conn, { t: 'error', code, message: `over ${this.limits.ratePerSec}/s (burst ${this.limits.burst}) or server busy` });
    }
  }

  private slow(conn: Conn): void {
    this.c.metrics.drop('slow_consumer');
    this.c.metrics.close('slow_consumer');
    this.c.log.debug('slow consumer', { nodeId: conn.nodeId, ip: conn.ip, buffered: conn.io.buffered() });
    this.forget(conn);
    conn.io.terminate();
  }

  /** Close politely and forget the connection at once (the socket may linger while closing). */
  private shut(conn: Conn, code: number, reason: SignalErrorCode): void {
    this.c.metrics.close(reason.toLowerCase());
    this.forget(conn);
    conn.io.close(code, reason);
  }

  private forget(conn: Conn): void {
    this.closed(conn);
    this.c.metrics.peers = this.peers.size;
  }

  private unlist(conn: Conn): void {
    if (this.peers.remove(conn)) this.c.metrics.peers = this.peers.size;
  }
}

function withRef(err: ErrorMsg, ref: number | undefined): ErrorMsg {
  if (ref !== undefined) err.ref = ref;
  return err;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
