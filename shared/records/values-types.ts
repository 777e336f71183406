/** Options and results of the values layer (shared/records/values): put, get, and their settings. */
import type { DhtRecord, StoreRefusal } from './types';
import type { LookupResult } from '../dht/lookup/lookup';

export interface ValuesInit {
  /** Nodes a put stores on. @default node.k */
  replicas?: number;
  /** Closest live nodes a get must hear from. @default VALUES_DEFAULTS.getQuorum */
  getQuorum?: number;
  /** Send the newest record to close nodes that returned older or none. @default true */
  readRepair?: boolean;
  /** Owner republish interval, ms. @default VALUES_DEFAULTS.republishMs */
  republishMs?: number;
  /** Holders re-replicate records nobody refreshed for this long, ms. @default VALUES_DEFAULTS.replicateMs */
  replicateMs?: number;
  /** STOREs accepted per peer per second, and burst. @default VALUES_DEFAULTS.storeRate */
  storeRate?: { perSecond: number; burst: number };
  /** Run republish/replicate/expire timers. @default true */
  maintenance?: boolean;
}

export interface PutResult {
  target: Uint8Array;
  seq: number | undefined;
  /** Nodes that confirmed the store. */
  replicas: number;
  /** Ids found in a cluster ground around the key (the put then reached past them); 0 if none. */
  cluster: number;
  /** Refusals by code (e.g. SEQ_TOO_LOW from a node holding a newer record). */
  refused: Partial<Record<StoreRefusal | 'OTHER', number>>;
  lookup: LookupResult;
}

export interface GetResult {
  record: DhtRecord | undefined;
  /** Answering nodes whose copy equals the returned record. */
  replicas: number;
  /** Answering nodes that returned an older (valid) record. */
  stale: number;
  /** Records that failed validation (forged, wrong target). */
  invalid: number;
  /** Closest answering nodes sent the newest record by read-repair. */
  repaired: number;
  /** Requests and responses the get cost: FIND_VALUEs and their answers, plus read-repair stores. */
  messages: number;
  /** Ids found in a cluster ground around the key (the get then reached past them); 0 if none. */
  cluster: number;
  lookup: LookupResult;
}

export interface GetOptions {
  /** Also consider our own copy (used when rejoining: our newer copy is pushed back). @default true */
  includeLocal?: boolean;
  quorum?: number;
}
