/**
 * eclipse: keys whose closest ids all belong to attackers (ids ground to share `prefixBits` with
 * the key, which makes them closer than any honest node of a 1,000-node network). Honest owners
 * publish a new seq every few minutes; honest readers get. The attackers route honestly and attack
 * the record layer only: they drop stores, serve the oldest copy, or stay silent (see
 * shared/sim/eclipse.ts). Reports, per (attackers per key, mode), the share of gets that return
 * the newest seq the owner had published and the messages a get costs.
 */
import { EclipseAttacker, EclipseShared, groundId, type EclipseMode, ECLIPSE_MODES } from '../../../shared/sim/eclipse';
import { RecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { SeededRng } from '../../../shared/env/rng';
import type { ValuesInit } from '../../../shared/records/values';
import { summarize } from '../../../shared/sim/stats';
import { disjointGet, disjointPut } from '../../../shared/sim/disjoint';
import { VALUES_DEFAULTS } from '../../../shared/records/constants';
import type { DhtRecord } from '../../../shared/records/types';
import { round, SimOwner } from './record-owner';
import type { ScenarioContext } from './types';

export interface EclipseOptions {
  seed: number;
  /** Honest nodes. @default 1000 */
  nodes?: number;
  /** Ground attacker ids per key. @default 20 */
  attackers?: number;
  mode: EclipseMode;
  /** Attacked keys (one honest owner each). @default 4 */
  keys?: number;
  /** Bits the ground ids share with their key. @default 16 */
  prefixBits?: number;
  /** Simulated minutes of reads. @default 30 */
  minutes?: number;
  /** Owners publish a new seq this often, ms. @default 300000 */
  updateMs?: number;
  /** One get network-wide this often, ms. @default 2000 */
  getEveryMs?: number;
  values?: ValuesInit;
  /**
   * Put and get along this many node-disjoint lookups (shared/sim/disjoint.ts, S/Kademlia)
   * instead of through the values layer (and its replica roots). @default undefined (values layer)
   */
  disjoint?: number;
  log?: (line: string) => void;
}

export interface EclipseRow {
  attackers: number;
  mode: EclipseMode;
  /** Disjoint paths per put and get, when the run used them instead of the values layer. */
  disjoint?: number;
  getSuccess: number;
  messagesPerGet: number;
  gets: number;
  stale: number;
  missing: number;
  attackersClosest: number;
  getLatencyMs: { p50: number; p90: number };
}

export function runEclipse(o: EclipseOptions): EclipseRow {
  const n = o.nodes ?? 1000;
  const perKey = o.attackers ?? 20;
  const keys = o.keys ?? 4;
  const prefixBits = o.prefixBits ?? 16;
  const minutes = o.minutes ?? 30;
  const updateMs = o.updateMs ?? 300_000;
  const getEvery = o.getEveryMs ?? 2000;
  const log = o.log ?? (() => {});
  const setup = new SeededRng(o.seed ^ 0xec11);
  const owners = Array.from({ length: keys }, (_, i) => new SimOwner(setup, `eclipse-${i}`));
  const shared = new EclipseShared();
  const attackerIds = new Set<string>();
  const rt = new RecordsTestnet({
    seed: o.seed,
    ...(o.values ? { values: o.values } : {}),
    before: (node) => (attackerIds.has(node.hex) ? new EclipseAttacker(node, shared, o.mode) : undefined),
  });
  const clock = rt.clock;
  const spacing = 20;
  const honest: RecordPeer[] = [];
  for (let i = 0; i < n; i++) {
    const p = rt.addPeer();
    honest.push(p);
    clock.setTimeout(() => rt.join(p), i * spacing);
  }
  // The attackers join while the network forms, at random moments.
  for (const w of owners) {
    for (let a = 0; a < perKey; a++) {
      const id = groundId(w.target, prefixBits, setup);
      attackerIds.add(rt.hex(id));
      const p = rt.addPeer(id);
      clock.setTimeout(() => rt.join(p), setup.int(n * spacing));
    }
  }
  clock.runUntil(n * spacing);
  clock.runFor(30_000);
  let attackersClosest = 0;
  for (const w of owners) {
    const top = rt.trueClosest(w.target, perKey);
    attackersClosest += top.filter((p) => attackerIds.has(p.node.hex)).length;
  }

  const rng = rt.tn.rng.fork();
  const ownerPeers = owners.map(() => honest[rng.int(honest.length)]!);
  const start = clock.now();
  const end = start + minutes * 60_000;
  const d = o.disjoint;
  const replicas = o.values?.replicas ?? 20;
  owners.forEach((w, i) => {
    const owner = ownerPeers[i]!;
    const loop = () => {
      if (clock.now() >= end) return;
      if (d === undefined) w.publish(owner.values!, clock);
      else
        w.publishVia(clock, (rec, done) => {
          owner.table.put(w.target, rec, { now: clock.now(), origin: 'own' });
          disjointPut(owner.node, rec, d, replicas, (stored) => done(stored));
        });
      clock.setTimeout(loop, updateMs * (0.8 + 0.4 * rng.next()));
    };
    clock.setTimeout(loop, i * 1000);
  });

  let gets = 0;
  let success = 0;
  let stale = 0;
  let missing = 0;
  let messages = 0;
  const latency: number[] = [];
  const reader = () => {
    if (clock.now() >= end) return;
    clock.setTimeout(reader, getEvery);
    const i = rng.int(owners.length);
    const w = owners[i]!;
    const need = w.requiredSeq(clock.now(), 10_000);
    const from = honest[rng.int(honest.length)]!;
    if (need === 0 || from === ownerPeers[i]) return;
    gets++;
    const t0 = clock.now();
    const judge = (rec: DhtRecord | undefined, n: number) => {
      latency.push(clock.now() - t0);
      messages += n;
      if (rec?.type !== 'mutable' || !w.isGenuine(rec)) return void missing++;
      if (rec.seq < need) return void stale++;
      success++;
    };
    if (d === undefined) from.values!.getRecord(w.target, (r) => judge(r.record, r.messages));
    else disjointGet(from.node, w.target, d, VALUES_DEFAULTS.getQuorum, from.table.getEntry(w.target)?.record, judge);
  };
  clock.setTimeout(reader, 60_000);
  for (let m = 0; m < minutes; m += 10) {
    clock.runUntil(Math.min(end, start + (m + 10) * 60_000));
    log(`eclipse ${perKey}/${o.mode}: minute ${Math.min(minutes, m + 10)}/${minutes}, gets ${gets}, ok ${success}`);
  }
  clock.runFor(30_000);
  const lat = summarize(latency);
  return {
    attackers: perKey,
    mode: o.mode,
    ...(d === undefined ? {} : { disjoint: d }),
    getSuccess: gets ? round(success / gets, 4) : 0,
    messagesPerGet: gets ? round(messages / gets, 1) : 0,
    gets,
    stale,
    missing,
    attackersClosest: round(attackersClosest / (keys * perKey), 3),
    getLatencyMs: { p50: Math.round(lat.p50), p90: Math.round(lat.p90) },
  };
}

export async function eclipseScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const rows: EclipseRow[] = [];
  for (const attackers of [20, 40]) {
    for (const mode of ECLIPSE_MODES) {
      const row = runEclipse({
        seed: ctx.seed,
        attackers,
        mode,
        ...(ctx.nodes ? { nodes: ctx.nodes } : {}),
        ...(ctx.disjoint ? { disjoint: ctx.disjoint } : {}),
        log: ctx.log,
      });
      ctx.sampleHeap();
      ctx.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  return { rows, scenario: 'eclipse', nodes: ctx.nodes ?? 1000, seed: ctx.seed };
}
