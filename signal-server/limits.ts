/** Every limit the hub enforces, with its default. All are configurable (see config.ts / --help). */
export interface HubLimits {
  /** Global cap on open connections. @default 10000 */
  maxConnections: number;
  /** Cap on open connections from one address. @default 32 */
  maxConnectionsPerIp: number;
  /** Largest frame accepted, bytes. @default 16384 */
  maxFrameBytes: number;
  /** Token bucket: sustained tokens per second per connection (a frame costs 1 + bytes / bytesPerToken). @default 10 */
  ratePerSec: number;
  /** Token bucket size (burst), tokens. @default 120 */
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
   * Server-wide admission budget, tokens per second, for connections that are bursting (their
   * own bucket not full): caps the work a crowd of flooders can queue at once. Quiet clients
   * (bucket full) draw on a budget of the same size of their own while the event loop lags, and
   * on none otherwise. @default 5000
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
  /**
   * Cost of a frame in tokens: 1, plus 1 per this many bytes. Every bucket above (per connection,
   * server-wide, shedding) is charged this cost, so a client pays for the bytes it makes the server
   * scan, not just for its frames. @default 2048
   */
  bytesPerToken: number;
  /** Deepest JSON nesting accepted in a frame (the frame object is level 1); deeper: MALFORMED. @default 32 */
  maxJsonDepth: number;
  /** Extra tokens a relay to an id that is not connected costs its sender (slows presence probing). @default 4 */
  unknownTargetCost: number;
  /** Hellos (new sessions) one address may start, per minute; IPv6 counts by /64. @default 120 */
  helloPerMin: number;
  /** Burst of that per-address hello budget. @default 60 */
  helloBurst: number;
  /** TURN credentials one address may be given, per minute (IPv6 by /64). @default 10 */
  turnPerMinPerIp: number;
  /** TURN credentials one node id may be given, per minute. @default 2 */
  turnPerMinPerId: number;
  /** Sockets from one address that have not finished their WebSocket upgrade (HTTP requests included). @default 64 */
  maxPendingPerIp: number;
  /** Sockets in all that have not finished their upgrade. @default 2048 */
  maxPending: number;
  /** A socket must send complete request headers within this, and say nothing for no longer than this before its upgrade, ms. @default 5000 */
  upgradeTimeoutMs: number;
  /**
   * A hello's node id must solve the node-id puzzle at this difficulty (shared/dht/node-puzzle.ts),
   * as peers require; 0 checks nothing. The CLI's default is NODE_PUZZLE_BITS; the programmatic
   * default is 0 (tests and load benches drive the server with thousands of made-up keys). @default 0
   */
  nodePuzzleBits: number;
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
  bytesPerToken: 2048,
  maxJsonDepth: 32,
  unknownTargetCost: 4,
  helloPerMin: 120,
  helloBurst: 60,
  turnPerMinPerIp: 10,
  turnPerMinPerId: 2,
  maxPendingPerIp: 64,
  maxPending: 2048,
  upgradeTimeoutMs: 5000,
  nodePuzzleBits: 0,
};
