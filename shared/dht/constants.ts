/**
 * Every default of the Kademlia layer, with its unit and the reason for its value. `DhtInit`
 * overrides them per node; the browser runtime's own choices live in web/runtime/constants.ts and
 * the simulator, the docs and the scenario reports read these values, never copies.
 */
export const ID_BYTES = 20;
export const ID_BITS = 160;
/**
 * Difficulty of the node-id puzzle (shared/dht/node-puzzle.ts) that tabs, headless peers and the
 * server require: SHA-1(node id) starts with this many zero bits. Chosen by `npm run bench:puzzle`
 * (docs/dht-design.md): what a tab pays once at first run against what it costs an attacker per
 * id. The simulator runs with 0 (its ids are drawn, not ground).
 */
export const NODE_PUZZLE_BITS = 10;

export const DEFAULTS = {
  /** Bucket size and replication level. */
  k: 20,
  /** Lookup parallelism: requests kept in flight. */
  alpha: 3,
  /**
   * Bits resolved per routing level (Kademlia §4.2 "accelerated lookups"): each level's far
   * subtree is split into 2^s sub-buckets so its depth is a multiple of b. b = 1 is plain Kademlia.
   */
  bitsPerLevel: 3,
  /** Lookup ends once this many of the closest live candidates have answered. */
  beta: 3,
  /** Replacement cache size per bucket. */
  replacements: 8,
  /** Hard RPC timeout bounds, ms. */
  minTimeoutMs: 250,
  maxTimeoutMs: 5_000,
  /** RTT assumed for a peer we have never measured, ms (before any sample). */
  initialRttMs: 500,
  /** Bucket refresh interval, ms (~15 min, as in Kademlia's tRefresh = 1 h, tightened for browsers). */
  refreshIntervalMs: 15 * 60_000,
  /**
   * Consecutive timeouts after which a contact is stale: replaced at once if a replacement waits,
   * otherwise kept (never handed out) and re-pinged at each refresh.
   */
  maxFailures: 2,
  /**
   * A stale contact not heard from for this long is forgotten, replacement or not, from a bucket
   * that still holds a live contact: without it, churn fills tables with the dead (31% of
   * contacts after 24 h in the churn scenario). A bucket that went wholly silent keeps them.
   */
  forgetStaleMs: 60 * 60_000,
  /** Extra hard timeout for a request that must open a connection first, ms (the simulator's links are instant). */
  dialTimeoutMs: 0,
  /** Parallelism of bucket-refresh lookups: fewer join frames for little kAccuracy (docs/dht-design.md). */
  refreshAlpha: 2,
  /**
   * A lookup stops waiting on a peer (and asks another) after srtt + this × rttvar: the lowest
   * median after a crash with success unchanged (docs/dht-design.md).
   */
  softTimeoutRttvars: 1.5,
  /** A lookup request stops holding a parallelism slot after srtt + this × rttvar (docs/dht-design.md). */
  spareTimeoutRttvars: 0.5,
  /** Extra wait for a slow candidate closer than every answer, in soft timeouts. */
  slowGrace: 0.5,
  /** Requests a single lookup may send at most. */
  maxLookupQueries: 100,
  /** Outstanding requests per node (bounds memory under load). */
  maxInflight: 512,
  /** Contacts a NODES reply may carry. */
  maxNodesPerReply: 32,
} as const;
