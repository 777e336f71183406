/**
 * `p2p.network()`: what the network view draws, as one plain, structured-clone-safe snapshot
 * read from the running node (so a view tab gets the same picture over BroadcastChannel). Bounded:
 * at most MAX_CONTACTS routing contacts and MAX_RECORDS records are listed.
 */
import { systemClock } from '../../shared/env/clock';
import type { P2PNode } from '../runtime/runtime';
import type { NodeStatus } from '../runtime/types';
import type { SignalRouteCounts } from '../runtime/signal-paths';
import { recentLookups, type LookupLogEntry } from '../runtime/lookup-log';

/** Chrome refuses the 501st RTCPeerConnection of a page. */
export const CHROME_PEER_CONNECTION_CAP = 500;
const MAX_CONTACTS = 256;
const MAX_RECORDS = 64;

export interface BucketFill {
  level: number;
  sub: number;
  size: number;
  replacements: number;
}

export interface RingContact {
  /** Node id, hex. */
  id: string;
  /** Shared leading bits with us. */
  level: number;
  connected: boolean;
  /** A kept link (protected in the connection budget). */
  link: boolean;
}

export interface RecordRow {
  target: string;
  origin: 'own' | 'replica';
  bytes: number;
  seq: number | undefined;
  /** Since the owner (or anyone) last refreshed it, ms. */
  ageMs: number;
}

export interface NetworkSnapshot {
  at: number;
  id: string;
  status: NodeStatus;
  k: number;
  buckets: BucketFill[];
  contacts: RingContact[];
  connections: {
    open: number;
    connecting: number;
    /** Open connections the pool allows at once. */
    maxOpen: number;
    /** RTCPeerConnections this tab created. */
    lifetime: number;
    /** Where the pool stops creating them. */
    lifetimeLimit: number;
    /** Chrome's hard cap per page. */
    browserCap: number;
    setupMsP50: number | undefined;
  };
  signal: { state: NodeStatus['signal']; routes: SignalRouteCounts };
  /** Newest first. */
  lookups: LookupLogEntry[];
  records: { own: number; replicas: number; rows: RecordRow[] };
}

function sharedBits(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) {
    const x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
    if (x !== 0) return i * 4 + (Math.clz32(x) - 28);
  }
  return a.length * 4;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function networkSnapshot(node: P2PNode): NetworkSnapshot {
  const now = Date.now();
  const clockNow = systemClock.now();
  const links = node.links.links;
  const buckets: BucketFill[] = [];
  const contacts: RingContact[] = [];
  for (const b of node.dht.table.buckets()) {
    buckets.push({ level: b.level, sub: b.sub, size: b.contacts.length, replacements: b.replacements.length });
    for (const c of b.contacts) {
      if (contacts.length >= MAX_CONTACTS) break;
      contacts.push({ id: c.hex, level: sharedBits(node.id, c.hex), connected: node.transport.isConnected(c.hex), link: links.has(c.hex) });
    }
  }
  const t = node.transport.stats();
  const rows: RecordRow[] = [];
  for (const e of node.table.entries()) {
    if (rows.length >= MAX_RECORDS) break;
    rows.push({
      target: e.target,
      origin: e.origin,
      bytes: e.record.v.length,
      seq: e.record.type === 'mutable' ? e.record.seq : undefined,
      ageMs: Math.max(0, Math.round(clockNow - e.lastRefreshed)),
    });
  }
  rows.sort((a, b) => (a.origin === b.origin ? a.ageMs - b.ageMs : a.origin === 'own' ? -1 : 1));
  return {
    at: now,
    id: node.id,
    status: node.status,
    k: node.dht.k,
    buckets,
    contacts,
    connections: {
      open: t.open,
      connecting: t.connecting,
      maxOpen: node.transport.pool.init.maxOpen,
      lifetime: t.lifetimeConnections,
      lifetimeLimit: node.transport.pool.init.lifetimeLimit,
      browserCap: CHROME_PEER_CONNECTION_CAP,
      setupMsP50: median(t.setupMs),
    },
    signal: { state: node.client.state, routes: node.paths.counts() },
    lookups: [...recentLookups(node.dht)].reverse(),
    records: { own: node.table.ownCount, replicas: node.table.replicaCount, rows },
  };
}
