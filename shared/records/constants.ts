/**
 * Every default of the record layer (storage limits, replication, expiry), with its unit and
 * reason. docs/replication.md has the sweeps the replication values were chosen from.
 */
const minute = 60_000;

export const RECORD_TABLE_DEFAULTS = {
  /** Replicas held for others at most (about 1 MB of values). */
  capacity: 4096,
  /** Own records at most. */
  maxOwn: 1024,
  /** Replicas per key owner over all salts: one key cannot fill a holder. */
  maxPerKey: 64,
  /** A replica expires this long after its owner's last refresh, ms (2 h, as BEP 44). */
  ttlMs: 120 * minute,
  /** Replicas refreshed within this window are never evicted, ms. */
  protectMs: 60 * minute,
  /** An identical re-put is written through once it is this much newer than the stored copy: ttlMs / 8. */
  persistRefreshDivisor: 8,
} as const;

export const VALUES_DEFAULTS = {
  /**
   * Closest live nodes a get must hear from: 8 let a 'lure' attacker (a stale copy served by the
   * closest nodes) cause stale reads in the poison scenario; 12 did not (docs/replication.md).
   */
  getQuorum: 12,
  /** Send the newest record to close nodes that returned an older one or none. */
  readRepair: true,
  /** Owner republish interval, ms: no loss at any session length, 6–9% less traffic than 10 min. */
  republishMs: 20 * minute,
  /** Holders re-replicate records nobody refreshed for this long, ms (twice the republish interval). */
  replicateMs: 40 * minute,
  /** STOREs accepted per peer per second, and burst: a node republishing 64 records fits. */
  storeRate: { perSecond: 10, burst: 40 },
  /**
   * Eclipse check: about k nodes share as many leading bits with any point as our own k-th closest
   * contact shares with us, so about k/64 share `clusterBits` more with a key. More than
   * `clusterMin` such nodes among the nodes a lookup met is a cluster of ids ground to sit on the
   * key: puts also store at a replica root, and gets also read there (docs/dht-design.md). With 5
   * bits 10 of 300 gets of honest keys were widened too, with 6 bits 1.
   */
  clusterBits: 6,
  clusterMin: 5,
  /** Replica roots tried in turn while each one's closest are a ground cluster too. */
  replicaRoots: 3,
} as const;
