/**
 * createSignalServer: one HTTP port that serves the static web app, the signaling WebSocket at
 * /signal, /healthz and /metrics. The protocol logic lives in hub.ts; this file is the ws/http glue.
 * With `redis`, the server is one instance of a cluster (cluster/redis.ts): admission asks the
 * cluster for the per-address count before the upgrade, and /healthz and /metrics report whether
 * the instance is joined or degraded.
 *
 * Before the upgrade every TCP socket is counted by address (IPv6 by /64) from the moment it is
 * accepted: past `maxPendingPerIp` (or `maxPending` in all) it is destroyed at once, and one that
 * has not sent its request headers within `upgradeTimeoutMs` is cut. So sockets that never speak
 * cannot pin descriptors, and newcomers find the server open (docs/signaling.md, "Abuse handling").
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { systemClock, type Clock } from '../shared/env/clock';
import { cryptoRng, type Rng } from '../shared/env/rng';
import { SIGNAL_PATH, type IceServer, type SignalErrorCode } from '../shared/protocol/signaling';
import type { Cluster } from './cluster/cluster';
import { RedisCluster, type ChannelMode } from './cluster/redis';
import { addressKey } from './address';
import { SignalHub, type ConnIO, type HubLimits, type Conn, type TurnMinter } from './hub';
import { createLogger, type Logger } from './log';
import { SignalMetrics } from './metrics';
import { sha1Hex, verifyEd25519 } from './node-crypto';
import { createStaticHandler } from './static';
import { turnCredentials, type TurnSecret } from './turn-rest';

export interface SignalServerOptions extends Partial<HubLimits> {
  /** TCP port; 0 picks a free one (tests). @default 8080 */
  port?: number;
  /** Bind address. @default '127.0.0.1' */
  host?: string;
  /** Directory of the built web app; null serves only the placeholder page. @default 'dist' */
  staticDir?: string | null;
  /** Origins allowed to open /signal (exact match, e.g. 'https://chat.example.org'); empty = any. @default [] */
  allowedOrigins?: string[];
  /** STUN/TURN servers pushed to clients in welcome. @default [] */
  iceServers?: IceServer[];
  /** TURN servers whose credentials are minted per client on request (`turn`), from a shared secret (turn-rest.ts). */
  turnSecret?: TurnSecret;
  /** Take the client address from the last X-Forwarded-For entry (behind a reverse proxy). @default false */
  trustProxy?: boolean;
  /** Event-loop lag that counts as overload (bursting clients are shed for 500 ms), ms. @default 50 */
  overloadLagMs?: number;
  /** How long close() waits for clients to acknowledge 1001 before cutting them, ms. @default 2000 */
  shutdownGraceMs?: number;
  /** Redis URL: join every instance using the same Redis (and prefix) into one service. @default none (alone) */
  redis?: string;
  /** How relays travel between instances (cluster/redis.ts). @default 'instance' */
  redisChannels?: ChannelMode;
  /** Prefix of the cluster's Redis keys and channels. @default 'p2p-signal:' */
  redisPrefix?: string;
  /** Lease of cluster entries, renewed every third of it: a dead instance's peers vanish after this, ms. @default 15000 */
  redisLeaseMs?: number;
  /** A cluster built elsewhere (tests); wins over `redis`. */
  cluster?: Cluster;
  log?: Logger;
  clock?: Clock;
  rng?: Rng;
}

export interface SignalServer {
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/signal */
  readonly wsUrl: string;
  readonly port: number;
  readonly hub: SignalHub;
  readonly metrics: SignalMetrics;
  /** The cluster this instance belongs to (LocalCluster when alone). */
  readonly cluster: Cluster;
  /** Close every client with 1001 going away, then stop listening. */
  close(): Promise<void>;
}

/** Upgrades refused over the caps get an error frame and a close; past this many in flight they get a bare 503. */
const MAX_REJECTING = 64;

const CONN = Symbol('conn');
type ConnWs = WebSocket & { [CONN]?: Conn };

class WsIO implements ConnIO {
  constructor(private readonly ws: WebSocket) {}
  send(frame: string): void {
    this.ws.send(frame);
  }
  buffered(): number {
    return this.ws.bufferedAmount;
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
  ping(): void {
    this.ws.ping();
  }
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  let ip = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const last = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',').pop()?.trim();
    if (last) ip = last.slice(0, 64);
  }
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function refuseUpgrade(socket: Duplex, status: number, text: string, code: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nX-Signal-Error: ${code}\r\nContent-Length: ${code.length + 1}\r\n\r\n${code}\n`,
  );
  socket.destroy();
}

export async function createSignalServer(opts: SignalServerOptions = {}): Promise<SignalServer> {
  const log = opts.log ?? createLogger('info');
  const metrics = new SignalMetrics();
  const clock = opts.clock ?? systemClock;
  const allowed = new Set(opts.allowedOrigins ?? []);
  const trustProxy = opts.trustProxy ?? false;
  const rng = opts.rng ?? cryptoRng;
  const redis =
    opts.cluster === undefined && opts.redis
      ? new RedisCluster({
          url: opts.redis,
          ...(opts.redisChannels ? { channels: opts.redisChannels } : {}),
          ...(opts.redisPrefix ? { prefix: opts.redisPrefix } : {}),
          ...(opts.redisLeaseMs ? { leaseMs: opts.redisLeaseMs } : {}),
          metrics,
          log,
          rng,
        })
      : null;
  const hub = new SignalHub(
    {
      clock,
      rng,
      verify: verifyEd25519,
      nodeIdOf: sha1Hex,
      metrics,
      log,
      ...((opts.cluster ?? redis) ? { cluster: opts.cluster ?? redis! } : {}),
    },
    opts,
    () => opts.iceServers ?? [],
    turnMinter(opts.turnSecret, clock),
  );
  const cluster = hub.cluster;
  const clustered = cluster.state !== 'local';
  const serveStatic = createStaticHandler(opts.staticDir === undefined ? 'dist' : opts.staticDir);
  const startedAt = Date.now();

  const wss = new WebSocketServer({
    noServer: true,
    // Frames up to 2x the limit are read and answered with OVERSIZED; beyond that ws closes with 1009.
    maxPayload: hub.limits.maxFrameBytes * 2,
    perMessageDeflate: false,
    clientTracking: true,
  });

  // Check request-header deadlines every second (Node's default is every 30 s).
  const http: Server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    if (pathname === '/healthz') {
      // Degraded still answers 200: the instance serves its own clients, and Redis is shared, so
      // a balancer that dropped degraded instances would drop all of them at once.
      const state = cluster.state;
      const body = {
        status: state === 'degraded' ? 'degraded' : 'ok',
        connections: hub.size,
        peers: hub.peerCount,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        ...(clustered ? { cluster: { instance: cluster.instanceId, redis: state === 'ok' ? 'up' : 'down' } } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(JSON.stringify(body));
    }
    if (pathname === '/metrics') {
      const mu = process.memoryUsage();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(metrics.render({ process_resident_memory_bytes: mu.rss, nodejs_heap_used_bytes: mu.heapUsed }));
    }
    serveStatic(req, res, pathname).catch((err: unknown) => {
      log.error('static', { err: String(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Bound what a slow or idle HTTP client can hold.
  http.headersTimeout = Math.max(1000, hub.limits.upgradeTimeoutMs);
  http.requestTimeout = 30_000;
  http.keepAliveTimeout = 5_000;

  function onMessage(this: ConnWs, data: RawData, isBinary: boolean): void {
    const conn = this[CONN]!;
    const buf = data as Buffer;
    if (hub.allow(conn, buf.length)) hub.message(conn, isBinary ? null : buf.toString(), buf.length);
  }
  function onPong(this: ConnWs): void {
    hub.pong(this[CONN]!);
  }
  function onClose(this: ConnWs): void {
    hub.closed(this[CONN]!);
  }
  function onError(this: ConnWs, err: Error & { code?: string }): void {
    // ws closes the socket itself (1009 for oversized, 1002/1007 for bad frames).
    metrics.drop(err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'oversized' : 'bad_frame');
    log.debug('ws error', { ip: this[CONN]!.ip, code: err.code ?? null });
  }

  // ---- before the upgrade: every socket counted by address, cut if silent ----
  const pending = new Map<string, number>();
  let pendingTotal = 0;
  const PENDING = Symbol('pending');
  type PendingSocket = Socket & { [PENDING]?: { key: string; timer: ReturnType<typeof setTimeout> | null } };
  const release = (socket: PendingSocket): void => {
    const p = socket[PENDING];
    if (!p) return;
    socket[PENDING] = undefined;
    if (p.timer) clearTimeout(p.timer);
    pendingTotal--;
    metrics.pendingSockets = pendingTotal;
    const n = (pending.get(p.key) ?? 1) - 1;
    if (n <= 0) pending.delete(p.key);
    else pending.set(p.key, n);
  };
  http.on('connection', (socket: PendingSocket) => {
    // Behind a proxy every socket is the proxy's: only the total applies (the proxy caps per client).
    const key = trustProxy ? '' : addressKey(socket.remoteAddress ?? 'unknown');
    const n = pending.get(key) ?? 0;
    if (pendingTotal >= hub.limits.maxPending || (!trustProxy && n >= hub.limits.maxPendingPerIp)) {
      metrics.reject(pendingTotal >= hub.limits.maxPending ? 'pending_full' : 'pending_ip_limit');
      socket.destroy();
      return;
    }
    pending.set(key, n + 1);
    pendingTotal++;
    metrics.pendingSockets = pendingTotal;
    // Until its request headers are in: a socket that says nothing is cut (the headers' own
    // deadline, headersTimeout, covers one that trickles).
    const timer = setTimeout(() => {
      metrics.reject('upgrade_timeout');
      socket.destroy();
    }, hub.limits.upgradeTimeoutMs);
    timer.unref();
    socket[PENDING] = { key, timer };
    socket.once('close', () => release(socket));
  });
  // Headers complete: the silent-socket timer has done its job (HTTP requests keep their own timeouts).
  http.on('request', (req: IncomingMessage) => {
    const p = (req.socket as PendingSocket)[PENDING];
    if (p?.timer) {
      clearTimeout(p.timer);
      p.timer = null;
    }
  });

  let rejecting = 0;
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Upgraded (or about to be refused with a frame): the hub's per-address cap takes over.
    release(socket as PendingSocket);
    socket.on('error', () => socket.destroy());
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname !== SIGNAL_PATH) {
      metrics.reject('bad_path');
      return refuseUpgrade(socket, 404, 'Not Found', 'NOT_FOUND');
    }
    const origin = req.headers.origin;
    if (allowed.size > 0 && (origin === undefined || !allowed.has(origin))) {
      metrics.reject('origin_forbidden');
      return refuseUpgrade(socket, 403, 'Forbidden', 'ORIGIN_FORBIDDEN');
    }
    const ip = clientIp(req, trustProxy);
    if (!clustered) return upgrade(req, socket, head, ip, hub.admit(ip), false);
    // In a cluster the per-address cap spans every instance: ask before the upgrade. The slot is
    // held while the answer travels; it is given back if the socket is gone by then.
    hub.reserve(ip, (refused) => {
      if (socket.destroyed) return void (refused ? undefined : hub.unreserve(ip));
      upgrade(req, socket, head, ip, refused, refused === null);
    });
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string, refused: SignalErrorCode | null, held: boolean): void {
    if (refused && rejecting >= MAX_REJECTING) {
      metrics.reject(refused.toLowerCase());
      return refuseUpgrade(socket, 503, 'Service Unavailable', refused);
    }
    if (refused) rejecting++;
    let opened = false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      if (refused) ws.once('close', () => rejecting--);
      const conn: Conn | null = hub.open(new WsIO(ws), ip, refused);
      if (!conn) return;
      // Shared listeners (`this` is the socket) instead of per-connection closures: idle memory.
      (ws as ConnWs)[CONN] = conn;
      ws.on('message', onMessage);
      ws.on('pong', onPong);
      ws.on('close', onClose);
      ws.on('error', onError);
    });
    if (held && !opened) hub.unreserve(ip);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (err) => log.error('http', { err: String(err) }));
  if (redis) await redis.start();
  hub.start();
  // Overload detection: a timer that fires late means the event loop is saturated (a flood, or
  // the host is short of CPU). The hub then sheds bursting clients for a moment.
  const LAG_TICK_MS = 20;
  let lastTick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    const lag = now - lastTick - LAG_TICK_MS;
    lastTick = now;
    if (lag > (opts.overloadLagMs ?? 50)) hub.overloaded(500);
  }, LAG_TICK_MS);
  lagTimer.unref();

  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 8080);
  const host = opts.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostPart}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(lagTimer);
      hub.shutdown();
      const deadline = Date.now() + (opts.shutdownGraceMs ?? 2000);
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await cluster.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      wss.close();
    })();
    return closing;
  };

  return { url, wsUrl: `ws://${hostPart}:${port}${SIGNAL_PATH}`, port, hub, metrics, cluster, close };
}

/** TURN credentials minted for a node id when it asks (`turn`), or null without a shared secret. */
function turnMinter(turn: TurnSecret | undefined, clock: Clock): TurnMinter | null {
  if (!turn) return null;
  return { ttlSec: turn.ttlSec, mint: (nodeId) => turnCredentials(turn, nodeId, clock.now()) };
}
