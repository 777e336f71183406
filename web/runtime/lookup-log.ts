/**
 * Recent lookups, for the network view: a bounded ring buffer of what each lookup cost (hops,
 * time, messages), filled by wrapping the node's `DhtNode.lookup`. Additive: nothing in the DHT
 * changes, and a node without a log behaves the same.
 */
import { bytesToHex } from '../../shared/crypto/bytes';
import type { DhtNode } from '../../shared/dht/node';

/** Lookups kept, newest last. */
export const LOOKUP_LOG_SIZE = 32;

export interface LookupLogEntry {
  /** Target, hex. */
  target: string;
  /** 'node' (find_node), 'value' (a get or put: a caller-supplied query), 'refresh' (join, bucket refresh). */
  kind: 'node' | 'value' | 'refresh';
  /** Round trips on the lookup's critical path. */
  hops: number;
  ms: number;
  queries: number;
  responses: number;
  failures: number;
  /** Wall-clock end time, ms since the epoch. */
  at: number;
  found: number;
}

const logs = new WeakMap<DhtNode, LookupLogEntry[]>();

/** Start logging `dht`'s lookups (idempotent). */
export function logLookups(dht: DhtNode): void {
  if (logs.has(dht)) return;
  const log: LookupLogEntry[] = [];
  logs.set(dht, log);
  const lookup = dht.lookup.bind(dht);
  dht.lookup = ((target, cb, opts = {}) => {
    const kind: LookupLogEntry['kind'] = opts.background ? 'refresh' : opts.query ? 'value' : 'node';
    return lookup(
      target,
      (r) => {
        log.push({
          target: bytesToHex(r.target),
          kind,
          hops: r.rounds,
          ms: Math.round(r.durationMs),
          queries: r.queries,
          responses: r.responses,
          failures: r.failures,
          at: Date.now(),
          found: r.closest.length,
        });
        if (log.length > LOOKUP_LOG_SIZE) log.shift();
        cb(r);
      },
      opts,
    );
  }) as DhtNode['lookup'];
}

/** The logged lookups of `dht`, oldest first (empty when not logging). */
export function recentLookups(dht: DhtNode): readonly LookupLogEntry[] {
  return logs.get(dht) ?? [];
}
