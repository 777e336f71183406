/**
 * Impaired links: slow per-node bandwidth (`bandwidth`) and node pairs that can never connect
 * (`unreachable-pairs`). Owners publish and update records, readers get them, and the same run on
 * unimpaired links (same seed) gives the baseline, so the summary shows what the impairment costs.
 */
import type { ValuesInit } from '../../../shared/records/values';
import type { SimNetworkOptions } from '../../../shared/sim/network';
import { createRecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { mean, summarize } from '../../../shared/sim/stats';
import { round, SimOwner } from './record-owner';

export interface LinksOptions {
  seed: number;
  /** @default 200 */
  nodes?: number;
  /** @default 20 */
  owners?: number;
  /** Gets after the update. @default 400 */
  gets?: number;
  /** Virtual ms between get starts. @default 250 */
  getEveryMs?: number;
  network: SimNetworkOptions;
  values?: ValuesInit;
  log?: (line: string) => void;
}

export interface LinksRun {
  puts: number;
  putReplicas: { p50: number; p90: number; p99: number };
  putLatencyMs: { p50: number; p90: number; p99: number };
  gets: number;
  getSuccess: number;
  missing: number;
  stale: number;
  getLatencyMs: { p50: number; p90: number; p99: number };
  getMessages: { p50: number; p90: number; p99: number };
  agreeingReplicas: number;
  framesPerNodePerMinute: number;
  dropped: Record<string, number>;
  /** Joins retried with a fresh bootstrap sample because the first one reached nobody. */
  joinRetried: number;
  /** Diagnostics for each failed get (first 10). */
  failed: {
    reader: number;
    contacts: number;
    queries: number;
    responses: number;
    failures: number;
    durationMs: number;
    answeredOfClosest: number;
    holdersReachable: number;
    holders: number;
  }[];
}

export function runLinksOnce(o: LinksOptions): LinksRun {
  const n = o.nodes ?? 200;
  const values: ValuesInit = { ...o.values };
  const rt = createRecordsTestnet(n, { seed: o.seed, values, network: o.network, settleMs: 30_000 });
  const clock = rt.clock;
  const rng = rt.tn.rng.fork();
  const live = rt.live().filter((p) => p.values);
  const owners: { peer: RecordPeer; owner: SimOwner }[] = [];
  for (let i = 0; i < Math.min(o.owners ?? 20, live.length); i++)
    owners.push({ peer: live[(i * 7919) % live.length]!, owner: new SimOwner(rng, `links-${i}`) });
  const putLatency: number[] = [];
  const putReplicas: number[] = [];
  const publishAll = () => {
    for (const w of owners) {
      const t0 = clock.now();
      w.owner.publish(w.peer.values!, clock, (r) => {
        putLatency.push(Math.round(clock.now() - t0));
        putReplicas.push(r.replicas);
      });
    }
  };
  publishAll();
  clock.runFor(120_000);
  publishAll(); // the update every get must see
  clock.runFor(60_000);

  const frames0 = rt.frames();
  const t0 = clock.now();
  const total = o.gets ?? 400;
  const every = o.getEveryMs ?? 250;
  const res: { ok: boolean; missing: boolean; latency: number; messages: number; agreeing: number }[] = [];
  const failed: LinksRun['failed'] = [];
  for (let i = 0; i < total; i++) {
    clock.setTimeout(() => {
      const w = owners[rng.int(owners.length)]!;
      const need = w.owner.seq;
      let from = live[rng.int(live.length)]!;
      if (from === w.peer) from = live[(live.indexOf(from) + 1) % live.length]!;
      from.values!.getRecord(w.owner.target, (r) => {
        const seq = r.record?.type === 'mutable' ? r.record.seq : 0;
        res.push({
          ok: seq >= need,
          missing: !r.record,
          latency: Math.round(r.lookup.durationMs),
          messages: r.lookup.messages,
          agreeing: r.replicas,
        });
        if (seq < need && failed.length < 10) {
          const holders = live.filter((p) => p !== from && p.table.get(w.owner.target)?.type === 'mutable');
          const ep = rt.tn.net.get(from.node.hex)!;
          failed.push({
            reader: from.index,
            contacts: from.node.table.size,
            queries: r.lookup.queries,
            responses: r.lookup.responses,
            failures: r.lookup.failures,
            durationMs: Math.round(r.lookup.durationMs),
            answeredOfClosest: r.lookup.answered.filter(Boolean).length,
            holdersReachable: holders.filter((h) => rt.tn.net.canReach(ep, rt.tn.net.get(h.node.hex)!)).length,
            holders: holders.length,
          });
        }
      });
    }, i * every);
  }
  clock.runFor(total * every);
  for (let g = 0; res.length < total && g < 120; g++) clock.runFor(1000);
  const minutes = (clock.now() - t0) / 60_000;
  const c = rt.tn.net.counters.snapshot();
  const dropped: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) if (k.startsWith('drop.')) dropped[k.slice(5)] = v;
  return {
    puts: putLatency.length,
    putReplicas: summarize(putReplicas),
    putLatencyMs: summarize(putLatency),
    gets: res.length,
    getSuccess: res.length ? round(res.filter((r) => r.ok).length / total, 4) : 0,
    missing: res.filter((r) => r.missing).length,
    stale: res.filter((r) => !r.ok && !r.missing).length,
    getLatencyMs: summarize(res.map((r) => r.latency)),
    getMessages: summarize(res.map((r) => r.messages)),
    agreeingReplicas: round(mean(res.map((r) => r.agreeing)), 2),
    framesPerNodePerMinute: round((rt.frames() - frames0) / Math.max(1, live.length) / Math.max(minutes, 1e-9), 1),
    dropped,
    joinRetried: rt.joinRetried,
    failed,
  };
}

/** Run impaired and baseline (same seed, plain links) and report both. */
export function runLinks(name: string, o: LinksOptions): Record<string, unknown> {
  const impaired = runLinksOnce(o);
  o.log?.(`${name}: impaired run done`);
  const { bandwidth: _b, unreachable: _u, ...plain } = o.network;
  const baseline = runLinksOnce({ ...o, network: plain });
  return {
    scenario: name,
    nodes: o.nodes ?? 200,
    network: o.network,
    getSuccess: impaired.getSuccess,
    baselineGetSuccess: baseline.getSuccess,
    getLatencyMs: impaired.getLatencyMs,
    baselineGetLatencyMs: baseline.getLatencyMs,
    getMessages: impaired.getMessages,
    baselineGetMessages: baseline.getMessages,
    impaired,
    baseline,
    seed: o.seed,
  };
}

export async function bandwidthScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  return runLinks('bandwidth', {
    seed: ctx.seed,
    ...(ctx.nodes ? { nodes: ctx.nodes } : {}),
    network: { bandwidth: 16 * 1024 },
    log: ctx.log,
  });
}

export async function unreachableScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  return runLinks('unreachable-pairs', {
    seed: ctx.seed,
    ...(ctx.nodes ? { nodes: ctx.nodes } : {}),
    network: { unreachable: 0.2 },
    log: ctx.log,
  });
}
