/**
 * The browser node's own defaults, where a tab differs from the core's (shared/dht/constants.ts,
 * shared/records/constants.ts, shared/overlay/constants.ts), with the reason for each. The
 * headless peer uses the same runtime and these same values.
 */
export const RUNTIME_DEFAULTS = {
  /**
   * Hard RPC timeout floor, ms. A request to a peer we are not connected to waits for a WebRTC
   * dial first (100s of ms in a busy browser); the floor keeps such peers from being charged a
   * failure. Lookups do not wait for them: soft timeouts come from measured RTTs.
   */
  minTimeoutMs: 3_000,
  /** A WebRTC dial that has not opened a data channel by then is given up, ms. */
  connectTimeoutMs: 10_000,
  /**
   * Nodes a put stores on. Every holder checks the Ed25519 signature of every put, and a put
   * resolves when the slowest holder answers: storing on k = 20 nearly doubled put latency on a
   * busy 2-core machine (docs/browser-node.md). Republish, re-replication and read-repair keep the copies.
   */
  replicas: 8,
  /** A put nobody answered (links still dialing after a reload) is tried again this many times, this far apart (ms). */
  putRetries: 3,
  putRetryMs: 1_000,
  /** Signaling reconnect backoff, ms. */
  backoff: { baseMs: 500, maxMs: 5_000 },
  /** Status and maintenance tick, ms. */
  tickMs: 1_000,
  /** The link keeper re-checks its links every this many ticks (on top of its own timer). */
  linkCheckTicks: 5,
  /** Server-minted TURN credentials (1 h by default) are asked for again this often; a failed ask is retried after retryMs, ms. */
  turnRefresh: { everyMs: 40 * 60_000, retryMs: 5 * 60_000 },
  /** Alone after joining (first node, or every seed failed): ask for a fresh sample after this, doubling, ms. */
  aloneRetryMs: { first: 2_000, max: 30_000 },
  /** Peers of our bootstrap sample may offer us a connection (outside the strangers' budget) for this long, ms. */
  sampleAllowMs: 10 * 60_000,
} as const;
