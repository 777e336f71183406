/** Every limit the hub enforces, with its default. All are configurable (see config.ts / --help). */
export interface HubLimits {
  /** Global cap on open connections. @default 10000 */
  maxConnections: number;
  /** Cap on open connections from one address. @default 32 */
  maxConnectionsPerIp: number;
  /** Largest frame accepted, bytes. @default 16384 */
  maxFrameBytes: number;
  /** Token bucket: sustained messages per second per connection. @default 10 */
  ratePerSec: number;
  /** Token bucket size (burst). @default 120 */
  burst: number;
  /** A connection must say hello within this, ms. @default 10000 */
  helloTimeoutMs: number;
  /** Interval at which clients should ping and the server pings silent clients, ms. @default 25000 */
  heartbeatMs: number;
  /** Close a connection silent (not even a pong) this long, ms. @default 60000 */
  idleTimeoutMs: number;
  /** Relays to a client whose unsent backlog passes this are dropped (TARGET_BUSY), bytes. @default 65536 */
  maxBufferedBytes: number;
  /** A client whose backlog stays over maxBufferedBytes this long is cut off (SLOW_CONSUMER), ms. @default 5000 */
  slowConsumerMs: number;
  /** Token bucket on relays delivered TO a client (protects it from many senders), per second. @default 50 */
  inboundRatePerSec: number;
  /** Burst of that inbound bucket. @default 200 */
  inboundBurst: number;
  /**
   * Server-wide admission budget, frames per second, for connections that are bursting (their
   * own bucket not full): caps the work a crowd of flooders can queue at once, so quiet clients
   * (bucket full, exempt) keep low latency. @default 5000
   */
  globalRatePerSec: number;
  /** Burst of the server-wide budget. @default 500 */
  globalBurst: number;
  /**
   * Frames from bursting clients admitted per event-loop turn; the rest wait (socket paused).
   * Bounds how long one turn can take when a crowd floods at once. @default 200
   */
  turnBudget: number;
  /** Peers in a bootstrap sample (<= 8). @default 8 */
  bootstrapPeers: number;
}

export const DEFAULT_LIMITS: HubLimits = {
  maxConnections: 10_000,
  maxConnectionsPerIp: 32,
  maxFrameBytes: 16 * 1024,
  ratePerSec: 10,
  burst: 120,
  helloTimeoutMs: 10_000,
  heartbeatMs: 25_000,
  idleTimeoutMs: 60_000,
  maxBufferedBytes: 64 * 1024,
  slowConsumerMs: 5000,
  inboundRatePerSec: 50,
  inboundBurst: 200,
  globalRatePerSec: 5_000,
  globalBurst: 500,
  turnBudget: 200,
  bootstrapPeers: 8,
};
