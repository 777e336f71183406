/**
 * Signed, sequence-numbered values on the DHT (BEP 44 items): the STORE / FIND_VALUE handlers,
 * put and get over the network, read-repair, key handoff to new close nodes, republish of own
 * records, re-replication of held records, and expiry.
 *
 * Who wins is decided in one place (shared/records/policy: highest valid seq). A get never
 * stops at the first holder: it waits until `getQuorum` of the closest live nodes have answered,
 * returns the newest valid record any of them (or we) hold, says how many agreed, and then stores
 * that record on the close nodes that answered with an older copy or none.
 *
 * Eclipse: node ids are cheap to grind, so the closest ids to a key may all be one attacker's,
 * who then drops stores and answers gets with nothing or an old copy. When a key's closest nodes
 * are a cluster far denser than the network (VALUES_DEFAULTS.clusterBits), puts store on the
 * cluster and the `replicas` closest past it, and gets hear `getQuorum` past it too; a signed
 * record needs only one honest holder to win. Cluster detection and the replica roots ("past
 * it") are in ./eclipse; the option and result types are in ./values-types.
 */
import { VALUES_DEFAULTS } from './constants';
import type { TimerHandle } from '../env/clock';
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { STORE_REFUSALS, type DhtRecord, type StoreRefusal } from './types';
import { recordTarget } from './bep44';
import { sameRecord, selectRecord, validateRecord } from './policy';
import type { RecordTable } from './record-table';
import { clusterSize, findReplicaRoot } from './eclipse';
import type { GetOptions, GetResult, PutResult, ValuesInit } from './values-types';
import type { RequestMessage } from '../protocol/wire';
import { Counters } from '../dht/counters';
import type { LookupResult, QueryFn } from '../dht/lookup/lookup';
import type { LookupPeer } from '../dht/peer';
import { compareDistance, type NodeId } from '../dht/node-id';
import type { DhtExtension, DhtNode } from '../dht/node';
import type { ResponseBody } from '../dht/rpc';
import { PeerRateLimiter } from '../dht/rate-limit';
import type { IdList } from '../protocol/id-list';

export type { GetOptions, GetResult, PutResult, ValuesInit } from './values-types';

export class DhtValues implements DhtExtension {
  readonly counters = new Counters();
  private readonly init: Required<Omit<ValuesInit, 'storeRate'>> & { storeRate: { perSecond: number; burst: number } };
  private readonly limiter: PeerRateLimiter;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly pushedAt = new Map<string, number>(); // own record target → last stored on the network
  private stopped = false;

  constructor(
    readonly node: DhtNode,
    readonly table: RecordTable,
    init: ValuesInit = {},
  ) {
    this.init = {
      replicas: init.replicas ?? node.k,
      getQuorum: init.getQuorum ?? VALUES_DEFAULTS.getQuorum,
      readRepair: init.readRepair ?? VALUES_DEFAULTS.readRepair,
      republishMs: init.republishMs ?? VALUES_DEFAULTS.republishMs,
      replicateMs: init.replicateMs ?? VALUES_DEFAULTS.replicateMs,
      storeRate: init.storeRate ?? VALUES_DEFAULTS.storeRate,
      maintenance: init.maintenance ?? true,
    };
    this.limiter = new PeerRateLimiter(this.init.storeRate.perSecond, this.init.storeRate.burst);
    node.use(this);
    if (this.init.maintenance) this.startMaintenance();
  }

  // ---- serving ------------------------------------------------------------------------------

  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    if (msg.type === 'find_value') {
      const entry = this.table.getEntry(msg.target);
      const rec = entry?.record;
      const nodes = this.node.closestIds(msg.target, from.hex);
      const send = rec && !(msg.seq !== undefined && rec.type === 'mutable' && rec.seq <= msg.seq);
      this.counters.inc(send ? 'serve.value' : 'serve.miss');
      const age = entry ? this.ageOf(entry) : undefined;
      reply(send ? { type: 'value', record: rec, nodes, ...(age !== undefined ? { age } : {}) } : { type: 'value', nodes });
      return true;
    }
    if (msg.type === 'store') {
      const now = this.node.clock.now();
      if (!this.limiter.take(from.hex, now)) {
        this.counters.inc('refused.RATE_LIMITED');
        reply({ type: 'error', code: 'RATE_LIMITED' });
        return true;
      }
      // A copy passed on by another holder keeps its age (see PutOptions.refreshedAt).
      const refreshedAt = msg.age === undefined ? now : now - msg.age * 1000;
      const opts =
        msg.cas === undefined
          ? { now, origin: 'replica' as const, refreshedAt }
          : { now, origin: 'replica' as const, cas: msg.cas, refreshedAt };
      const existing = this.table.getEntry(msg.target);
      const res = existing?.origin === 'own' ? this.storeOverOwn(msg, now) : this.table.put(msg.target, msg.record, opts);
      if (res.ok) {
        this.counters.inc('store.accepted');
        reply({ type: 'stored', seq: msg.record.type === 'mutable' ? msg.record.seq : 0 });
      } else {
        this.counters.inc(`refused.${res.code}`);
        reply({ type: 'error', code: res.code });
      }
      return true;
    }
    return false;
  }

  /** Seconds since the owner last refreshed our copy; undefined for our own records (fresh). */
  private ageOf(e: { origin: string; lastRefreshed: number }): number | undefined {
    if (e.origin === 'own') return undefined;
    return Math.max(0, Math.floor((this.node.clock.now() - e.lastRefreshed) / 1000));
  }

  /** A STORE for a target we own: accept only what the table accepts, keep it marked as ours. */
  private storeOverOwn(msg: Extract<RequestMessage, { type: 'store' }>, now: number) {
    const opts = msg.cas === undefined ? { now, origin: 'own' as const } : { now, origin: 'own' as const, cas: msg.cas };
    return this.table.put(msg.target, msg.record, opts);
  }

  /**
   * Key handoff (Kademlia §2.5): a node that just entered our table gets the records it is now
   * among the closest to, if we are the closest holder we know of (so k holders don't all send).
   */
  onNewContact(peer: LookupPeer): void {
    if (this.stopped || this.table.size === 0) return;
    for (const e of this.table.entries()) {
      const target = hexToBytes(e.target);
      if (compareDistance(peer.id, this.node.id, target) >= 0) continue; // newcomer is farther than us
      const nearest = this.node.table.closest(target, 1, peer.hex)[0];
      if (nearest && compareDistance(nearest.id, this.node.id, target) < 0) continue; // someone closer holds it
      this.counters.inc('handoff.sent');
      const age = this.ageOf(e);
      this.node.rpc.request(peer, { type: 'store', target, record: e.record, ...(age !== undefined ? { age } : {}) }, () => {});
    }
  }

  // ---- put ------------------------------------------------------------------------------------

  /**
   * Store `record` locally (as ours or a replica) and on the k closest nodes, or, when the closest
   * are a cluster of ids ground around the key, on that cluster and the `replicas` closest past it.
   */
  putRecord(record: DhtRecord, cb: (r: PutResult) => void, opts: { cas?: number; own?: boolean; age?: number } = {}): void {
    const target = recordTarget(record);
    const now = this.node.clock.now();
    if (opts.own) this.table.put(target, record, { now, origin: 'own' });
    if (this.table.getEntry(target)?.origin === 'own') this.pushedAt.set(bytesToHex(target), now);
    this.node.lookup(target, (first) => {
      const cluster = clusterSize(this.node, target, first.closest);
      if (cluster === 0) return this.storeOn(first, first.closest.slice(0, this.init.replicas), record, cluster, cb, opts);
      // The key's closest ids are ground: store there anyway, and at the first replica root
      // whose closest are not (readers look there too).
      this.counters.inc('put.widened');
      let left = 2;
      let stored = 0;
      const refused: PutResult['refused'] = {};
      const both = (r: PutResult) => {
        stored += r.replicas;
        for (const [code, n] of Object.entries(r.refused) as [keyof PutResult['refused'], number][])
          refused[code] = (refused[code] ?? 0) + n;
        if (--left === 0)
          cb({ target, seq: record.type === 'mutable' ? record.seq : undefined, replicas: stored, cluster, refused, lookup: first });
      };
      this.storeOn(first, first.closest.slice(0, this.init.replicas), record, cluster, both, opts);
      findReplicaRoot(this.node, target, 1, (alt) => {
        if (!alt) return both({ target, seq: undefined, replicas: 0, cluster, refused: {}, lookup: first });
        this.storeOn(alt, alt.closest.slice(0, this.init.replicas), record, cluster, both, opts, target);
      });
    });
  }

  private storeOn(
    lookup: LookupResult,
    peers: LookupPeer[],
    record: DhtRecord,
    cluster: number,
    cb: (r: PutResult) => void,
    opts: { cas?: number; age?: number },
    target: NodeId = lookup.target,
  ): void {
    const refused: PutResult['refused'] = {};
    let replicas = 0;
    let left = peers.length;
    const seq = record.type === 'mutable' ? record.seq : undefined;
    if (left === 0) return cb({ target, seq, replicas, cluster, refused, lookup });
    const base = { type: 'store' as const, target, record, ...(opts.age !== undefined ? { age: opts.age } : {}) };
    const body = opts.cas === undefined ? base : { ...base, cas: opts.cas };
    for (const p of peers) {
      this.node.rpc.request(p, body, (res) => {
        if (res?.type === 'stored') replicas++;
        else if (res?.type === 'error') {
          const code = (REFUSAL_SET.has(res.code) ? res.code : 'OTHER') as StoreRefusal | 'OTHER';
          refused[code] = (refused[code] ?? 0) + 1;
        }
        if (--left === 0) {
          this.counters.inc('put.done');
          cb({ target, seq, replicas, cluster, refused, lookup });
        }
      });
    }
  }

  put(record: DhtRecord, opts: { cas?: number; own?: boolean } = {}): Promise<PutResult> {
    return new Promise((resolve) => this.putRecord(record, resolve, opts));
  }

  // ---- get ------------------------------------------------------------------------------------

  getRecord(target: NodeId, cb: (r: GetResult) => void, opts: GetOptions = {}): void {
    const answers = new Map<string, DhtRecord | undefined>();
    const verdicts = new Map<string, boolean>(); // by signature/value hex: valid?
    let invalid = 0;
    const localEntry = opts.includeLocal === false ? undefined : this.table.getEntry(target);
    const local = localEntry?.record;
    let best: DhtRecord | undefined = local;
    // The youngest age seen for the best record (undefined: fresh from its owner, or ours).
    let bestAge: number | undefined = localEntry ? this.ageOf(localEntry) : undefined;
    const valid = (r: DhtRecord): boolean => {
      const key = bytesToHex(r.type === 'mutable' ? r.sig : r.v);
      let ok = verdicts.get(key);
      if (ok === undefined) {
        ok = validateRecord(target, r).ok;
        verdicts.set(key, ok);
      }
      return ok;
    };
    let lookupRef: { stop(): void } | undefined;
    let messages = 0;
    let cluster = 0;
    const quorum = opts.quorum ?? this.init.getQuorum;
    // Every peer asked, answered or not (silent attackers count toward a cluster too).
    const asked: LookupPeer[] = [];
    const done = (lookup: LookupResult) => {
      // The key's closest ids are ground (they answer nothing, or an old copy): ask the holders
      // at the replica root a widened put stored on too. One valid newest copy wins.
      if (best?.type === 'immutable') return finish(lookup);
      cluster = clusterSize(this.node, target, asked);
      if (cluster === 0) return finish(lookup);
      this.counters.inc('get.widened');
      findReplicaRoot(this.node, target, 1, (alt) => {
        const peers = alt ? alt.closest.slice(0, quorum) : [];
        let left = peers.length;
        if (alt) messages += alt.messages;
        if (left === 0) return finish(lookup);
        for (const p of peers)
          query(p, () => {
            if (--left === 0) finish(lookup);
          });
      });
    };
    const finish = (lookup: LookupResult) => {
      let replicas = 0;
      let stale = 0;
      for (const r of answers.values()) {
        if (!r) continue;
        if (best && sameRecord(best, r)) replicas++;
        else stale++;
      }
      let repaired = 0;
      if (best && this.init.readRepair) {
        // Closest answering nodes that returned an older copy or none get the newest.
        const rec = best;
        const reach = cluster > 0 ? lookup.closest.length : this.init.replicas;
        for (let i = 0; i < lookup.closest.length && i < reach; i++) {
          const p = lookup.closest[i]!;
          if (!lookup.answered[i] || !answers.has(p.hex)) continue;
          const theirs = answers.get(p.hex);
          if (theirs && sameRecord(theirs, rec)) continue;
          repaired++;
          this.node.rpc.request(p, { type: 'store', target, record: rec, ...(bestAge !== undefined ? { age: bestAge } : {}) }, () => {});
        }
        if (repaired) this.counters.inc('repair.sent', repaired);
      }
      this.counters.inc(best ? 'get.found' : 'get.missing');
      cb({ record: best, replicas, stale, invalid, repaired, messages: messages + repaired, cluster, lookup });
    };
    // What each peer answered (a widened lookup asks the first one's peers again for free).
    const heard = new Map<string, { closer: IdList; value?: DhtRecord }>();
    const query: QueryFn<DhtRecord> = (peer, done) => {
      const known = heard.get(peer.hex);
      if (known) return done(known);
      asked.push(peer);
      messages++;
      this.node.rpc.request(peer, { type: 'find_value', target }, (res) => {
        if (res) messages++;
        if (res?.type !== 'value') return done(null);
        let rec = res.record;
        if (rec && !valid(rec)) {
          invalid++;
          this.counters.inc('get.invalid');
          rec = undefined;
        }
        answers.set(peer.hex, rec);
        if (rec) {
          const next = best ? selectRecord(best, rec) : rec;
          const age = res.age;
          if (!best || !sameRecord(next, best)) bestAge = age;
          else if (sameRecord(rec, best)) bestAge = bestAge === undefined || age === undefined ? undefined : Math.min(bestAge, age);
          best = next;
        }
        // An immutable value is self-certifying: the first valid one is the answer.
        if (rec && rec.type === 'immutable') {
          done({ closer: res.nodes, value: rec });
          lookupRef?.stop();
          return;
        }
        const answer = rec ? { closer: res.nodes, value: rec } : { closer: res.nodes };
        heard.set(peer.hex, answer);
        done(answer);
      });
    };
    this.node.lookup<DhtRecord>(target, done, { quorum, onStart: (l) => (lookupRef = l), query });
  }

  get(target: NodeId, opts: GetOptions = {}): Promise<GetResult> {
    return new Promise((resolve) => this.getRecord(target, resolve, opts));
  }

  // ---- maintenance ----------------------------------------------------------------------------

  private startMaintenance(): void {
    const clock = this.node.clock;
    const rng = this.node.components.rng;
    const every = (name: string, ms: number, fn: () => void) => {
      const tick = () => {
        if (this.stopped) return;
        fn();
        this.timers.set(name, clock.setTimeout(tick, ms * (0.9 + 0.2 * rng.next())));
      };
      this.timers.set(name, clock.setTimeout(tick, ms * rng.next())); // random phase: holders don't act at once
    };
    every('republish', this.init.republishMs, () => this.republishOwn(0.9 * this.init.republishMs));
    every('replicate', this.init.replicateMs / 2, () => this.replicate());
    every('expire', 5 * 60_000, () => this.table.expire(clock.now()));
  }

  /** Owner: store own records on the k closest again, but not those stored in the last `freshMs` (Kademlia §2.5). */
  republishOwn(freshMs = 0): number {
    const since = this.node.clock.now() - freshMs;
    let n = 0;
    for (const e of this.table.entries()) {
      if (e.origin !== 'own' || (this.pushedAt.get(e.target) ?? -Infinity) > since) continue;
      n++;
      this.putRecord(e.record, () => {});
    }
    for (const t of this.pushedAt.keys()) if (this.table.getEntry(t)?.origin !== 'own') this.pushedAt.delete(t);
    this.counters.inc('republish.own', n);
    return n;
  }

  /** Holder: re-replicate records nobody has refreshed for replicateMs (via get + read-repair). */
  replicate(): number {
    const now = this.node.clock.now();
    let n = 0;
    for (const e of this.table.entries()) {
      if (e.origin === 'own' || now - e.lastRefreshed < this.init.replicateMs) continue;
      n++;
      this.getRecord(hexToBytes(e.target), () => {});
    }
    this.counters.inc('replicate', n);
    return n;
  }

  /**
   * After rejoining (offline, partitioned): look up every record we hold, and push ours wherever
   * the network's copy is older (read-repair with our copy included).
   */
  reconcile(cb?: (pushed: number) => void): void {
    const entries = [...this.table.entries()];
    let left = entries.length;
    let pushed = 0;
    if (left === 0) return cb?.(0);
    for (const e of entries) {
      this.getRecord(hexToBytes(e.target), (r) => {
        // Read-repair reaches only the nodes that answered within the quorum; when our copy is
        // the newest, store it on all k closest so farther replicas do not wait for a republish.
        if (r.record && sameRecord(r.record, e.record) && r.stale + r.replicas < this.init.replicas) {
          const age = this.ageOf(e);
          this.putRecord(
            e.record,
            (p) => {
              pushed += p.replicas;
              if (--left === 0) cb?.(pushed);
            },
            age !== undefined ? { age } : {},
          );
          return;
        }
        pushed += r.repaired;
        if (--left === 0) cb?.(pushed);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.node.clock.clearTimeout(t);
    this.timers.clear();
  }
}

const REFUSAL_SET = new Set<string>(STORE_REFUSALS);
