/**
 * Churn: Weibull session lengths, nodes leaving (crash or graceful) and fresh nodes joining to keep
 * the population steady. Live owners publish on join, update every `updateMs` and republish (the
 * values layer's timer); readers get live owners' records. `availability` is the fraction of gets
 * that return the newest seq the owner published at least one propagation delay before the get.
 */
import { RECORD_TABLE_DEFAULTS, VALUES_DEFAULTS } from '../../../shared/records/constants';
import { DEFAULTS } from '../../../shared/dht/constants';
import { DhtValues, type ValuesInit } from '../../../shared/records/values';
import { RecordTable } from '../../../shared/records/record-table';
import type { SimNetworkOptions } from '../../../shared/sim/network';
import { createRecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { percentile, summarize } from '../../../shared/sim/stats';
import { round, SimOwner, weibull } from './record-owner';

export interface ChurnOptions {
  seed: number;
  /** Steady population. @default 300 */
  nodes?: number;
  /** Simulated hours. @default 24 */
  hours?: number;
  /** Median session, minutes. @default 30 */
  medianSessionMin?: number;
  /** Weibull shape (< 1: many short sessions, a long tail). @default 0.5 */
  shape?: number;
  /** Fraction of departures that are silent crashes (the rest leave gracefully). @default 0.5 */
  crashFraction?: number;
  /** A replacement joins U(0, rejoinDelayMs) after a departure. @default 60000 */
  rejoinDelayMs?: number;
  /** Fraction of sessions that are a record owner's. @default 0.1 */
  ownerFraction?: number;
  /**
   * Owner identities (users who come back): a new owner session takes a random offline identity
   * and publishes its next seq. @default round(2 · nodes · ownerFraction)
   */
  identities?: number;
  /** A live owner publishes a new seq this often, ms. @default 3600000 */
  updateMs?: number;
  /** One get is started network-wide this often, ms. @default 15000 */
  getEveryMs?: number;
  /** A publication counts for gets started this long after it was issued, ms. @default 10000 */
  propagationMs?: number;
  /** Gets and traffic before this are not measured, ms. @default 1800000 */
  warmupMs?: number;
  /**
   * Read through a non-repairing probe (a second DhtValues on the reader with readRepair off and
   * an empty table), so gets measure what maintenance alone keeps available. @default false
   */
  probe?: boolean;
  values?: ValuesInit;
  network?: SimNetworkOptions;
  log?: (line: string) => void;
}

export interface ChurnSummary {
  probe: boolean;
  nodes: number;
  hours: number;
  medianSessionMin: number;
  shape: number;
  replicas: number;
  republishMin: number;
  replicateMin: number;
  getQuorum: number;
  departures: number;
  joins: number;
  liveAvg: number;
  owners: number;
  ownerSessions: number;
  publications: number;
  /** Live nodes holding a record whose owner has been offline longer than the replica TTL (2 h). */
  heldPastTtl: number;
  /** Longest time an owner had been offline while a live node still held its record, minutes. */
  maxOfflineHeldMin: number;
  gets: number;
  availability: number;
  missing: number;
  stale: number;
  messagesPerNodePerMinute: number;
  /** Routing-table contacts per live node at the end, and how many of them are stale. */
  contactsPerNode: number;
  staleContactsPerNode: number;
  bytesPerNodePerSecond: number;
  getLatencyMs: { p50: number; p90: number; p99: number };
  getMessages: { p50: number; p90: number; p99: number };
  agreeingReplicas: { p50: number; p90: number; p99: number };
  /** 10th percentile and minimum of agreeing replicas over successful gets (the safety margin). */
  agreeingP10: number;
  agreeingMin: number;
  seed: number;
}

interface Role {
  owner: SimOwner | undefined;
}

export function runChurn(o: ChurnOptions): ChurnSummary {
  const n = o.nodes ?? 300;
  const hours = o.hours ?? 24;
  const median = (o.medianSessionMin ?? 30) * 60_000;
  const shape = o.shape ?? 0.5;
  const crashFraction = o.crashFraction ?? 0.5;
  const rejoinDelay = o.rejoinDelayMs ?? 60_000;
  const ownerFraction = o.ownerFraction ?? 0.1;
  const updateMs = o.updateMs ?? 3_600_000;
  const getEvery = o.getEveryMs ?? 15_000;
  const propagationMs = o.propagationMs ?? 10_000;
  const warmup = o.warmupMs ?? 1_800_000;
  const values: ValuesInit = { ...o.values };
  const log = o.log ?? (() => {});

  const rt = createRecordsTestnet(n, { seed: o.seed, values, ...(o.network ? { network: o.network } : {}), settleMs: 10_000 });
  const clock = rt.clock;
  const rng = rt.tn.rng.fork();
  const roles = new Map<RecordPeer, Role>();
  const identities = Math.max(1, o.identities ?? Math.round(2 * n * ownerFraction));
  const owners: SimOwner[] = Array.from({ length: identities }, (_, i) => new SimOwner(rng, `owner-${i}`));
  const offline = new Set<SimOwner>(owners);
  const offlineSince = new Map<SimOwner, number>(owners.map((w) => [w, -1]));
  const start = clock.now();
  const end = start + hours * 3_600_000;
  const measureFrom = start + warmup;
  let departures = 0;
  let joins = 0;
  let ownerCount = 0;

  const ownerLoop = (p: RecordPeer, owner: SimOwner) => {
    if (!rt.isLive(p) || !p.values) return;
    owner.publish(p.values, clock);
    clock.setTimeout(() => ownerLoop(p, owner), updateMs * (0.8 + 0.4 * rng.next()));
  };

  const startSession = (p: RecordPeer) => {
    const role: Role = { owner: undefined };
    roles.set(p, role);
    if (offline.size > 0 && rng.next() < ownerFraction) {
      const pool = [...offline];
      role.owner = pool[rng.int(pool.length)]!;
      offline.delete(role.owner);
      ownerCount++;
      ownerLoop(p, role.owner);
    }
    clock.setTimeout(() => depart(p), weibull(rng, shape, median));
  };

  const depart = (p: RecordPeer) => {
    if (!rt.isLive(p) || clock.now() >= end) return;
    departures++;
    rt.remove(p, rng.next() < crashFraction ? 'crash' : 'leave');
    const w = roles.get(p)?.owner;
    if (w) {
      offline.add(w);
      offlineSince.set(w, clock.now());
    }
    clock.setTimeout(() => {
      if (clock.now() >= end) return;
      joins++;
      rt.addAndJoin((np) => {
        if (rt.isLive(np)) startSession(np);
      });
    }, rng.next() * rejoinDelay);
  };

  for (const p of rt.live()) startSession(p);

  // Readers.
  interface GetRec {
    ok: boolean;
    missing: boolean;
    latency: number;
    messages: number;
    agreeing: number;
  }
  const results: GetRec[] = [];
  const probes = new Map<RecordPeer, DhtValues>();
  const probeOf = (p: RecordPeer): DhtValues => {
    let v = probes.get(p);
    if (!v) {
      // Registered after the honest layer, so it never serves requests; it only reads.
      v = new DhtValues(p.node, new RecordTable({ clock }), { ...values, readRepair: false, maintenance: false });
      probes.set(p, v);
    }
    return v;
  };
  let liveSamples = 0;
  let liveSum = 0;
  let framesAtWarmup = 0;
  let bytesAtWarmup = 0;
  const liveOwners = (): { peer: RecordPeer; owner: SimOwner; need: number }[] => {
    const out: { peer: RecordPeer; owner: SimOwner; need: number }[] = [];
    for (const [peer, role] of roles) {
      if (!role.owner || !rt.isLive(peer)) continue;
      const need = role.owner.requiredSeq(clock.now(), propagationMs);
      if (need > 0) out.push({ peer, owner: role.owner, need });
    }
    return out;
  };
  const reader = () => {
    const now = clock.now();
    if (now >= end) return;
    clock.setTimeout(reader, getEvery);
    if (now < measureFrom) return;
    const cands = liveOwners();
    const live = rt.live().filter((p) => p.values);
    if (cands.length === 0 || live.length === 0) return;
    const pick = cands[rng.int(cands.length)]!;
    const from = live[rng.int(live.length)]!;
    const via = o.probe ? probeOf(from) : from.values!;
    via.getRecord(pick.owner.target, (r) => {
      if (!rt.isLive(from)) return; // the reader left mid-get: not a reader's answer
      const seq = r.record?.type === 'mutable' ? r.record.seq : 0;
      results.push({
        ok: seq >= pick.need,
        missing: !r.record,
        latency: r.lookup.durationMs,
        messages: r.lookup.messages,
        agreeing: r.replicas,
      });
    });
  };
  clock.setTimeout(reader, getEvery);

  // Live-node-minutes for the traffic figure.
  const sampler = () => {
    const now = clock.now();
    if (now >= end) return;
    if (now >= measureFrom) {
      if (liveSamples === 0) {
        framesAtWarmup = rt.frames();
        bytesAtWarmup = rt.tn.net.counters.get('bytes');
      }
      liveSamples++;
      liveSum += rt.live().length;
    }
    clock.setTimeout(sampler, 60_000);
  };
  clock.setTimeout(sampler, 0);

  const hourMs = 3_600_000;
  for (let t = start; t < end; t += hourMs) {
    clock.runUntil(Math.min(end, t + hourMs));
    log(`churn: hour ${Math.round((clock.now() - start) / hourMs)}/${hours}, live ${rt.live().length}, gets ${results.length}`);
  }
  const frames = rt.frames() - framesAtWarmup;
  const bytes = rt.tn.net.counters.get('bytes') - bytesAtWarmup;
  // Let gets started before the end finish (bounded), without counting their traffic.
  clock.runFor(30_000);

  // Records outliving their owner: held by live nodes although the owner left > TTL ago.
  let heldPastTtl = 0;
  let maxOfflineHeld = 0;
  const ttl = rt.peers[0]?.table.ttlMs ?? RECORD_TABLE_DEFAULTS.ttlMs;
  for (const w of offline) {
    const since = offlineSince.get(w)!;
    if (since < 0) continue;
    const holders = rt.live().filter((p) => p.table.has(w.targetHex)).length;
    if (holders === 0) continue;
    maxOfflineHeld = Math.max(maxOfflineHeld, clock.now() - since);
    if (clock.now() - since > ttl) heldPastTtl += holders;
  }

  // Routing tables at the end: contacts per live node, and how many of them are stale (failed
  // maxFailures times: kept only while no replacement waits, never handed out).
  const tables = rt.live().map((p) => [...p.node.table.contacts()]);
  const maxF = DEFAULTS.maxFailures;
  const contactsPerNode = tables.length ? tables.reduce((a, t) => a + t.length, 0) / tables.length : 0;
  const stalePerNode = tables.length ? tables.reduce((a, t) => a + t.filter((c) => c.failures >= maxF).length, 0) / tables.length : 0;

  const liveAvg = liveSamples ? liveSum / liveSamples : 0;
  const nodeMinutes = liveSum; // one sample a minute
  const ok = results.filter((r) => r.ok).length;
  const agreeingOk = results.filter((r) => r.ok).map((r) => r.agreeing);
  return {
    probe: o.probe ?? false,
    nodes: n,
    hours,
    medianSessionMin: median / 60_000,
    shape,
    replicas: values.replicas ?? DEFAULTS.k,
    republishMin: (values.republishMs ?? VALUES_DEFAULTS.republishMs) / 60_000,
    replicateMin: (values.replicateMs ?? VALUES_DEFAULTS.replicateMs) / 60_000,
    getQuorum: values.getQuorum ?? VALUES_DEFAULTS.getQuorum,
    departures,
    joins,
    liveAvg: round(liveAvg, 1),
    owners: identities,
    ownerSessions: ownerCount,
    heldPastTtl,
    maxOfflineHeldMin: Math.round(maxOfflineHeld / 60_000),
    publications: owners.reduce((a, w) => a + w.published.length, 0),
    gets: results.length,
    availability: results.length ? round(ok / results.length, 5) : 0,
    missing: results.filter((r) => r.missing).length,
    stale: results.filter((r) => !r.ok && !r.missing).length,
    messagesPerNodePerMinute: nodeMinutes ? round(frames / nodeMinutes, 2) : 0,
    contactsPerNode: round(contactsPerNode, 1),
    staleContactsPerNode: round(stalePerNode, 1),
    bytesPerNodePerSecond: nodeMinutes ? round(bytes / nodeMinutes / 60, 1) : 0,
    getLatencyMs: summarize(results.map((r) => Math.round(r.latency))),
    getMessages: summarize(results.map((r) => r.messages)),
    agreeingReplicas: summarize(results.map((r) => r.agreeing)),
    agreeingP10: percentile(agreeingOk, 10),
    agreeingMin: agreeingOk.reduce((a, b) => Math.min(a, b), agreeingOk[0] ?? 0),
    seed: o.seed,
  };
}

/** `npm run sim -- --scenario churn --json [--nodes N] [--seed S]`: 24 h of churn. */
export async function churnScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  const s = runChurn({ seed: ctx.seed, nodes: ctx.nodes ?? 100, hours: 24, log: ctx.log });
  return { scenario: 'churn', ...s };
}
