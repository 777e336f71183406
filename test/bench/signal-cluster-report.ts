/**
 * The cluster bench's output: one markdown table, notes, and (with --json) a last line of JSON:
 * {"cluster":[{"instances","relaysPerSec","crossP50Ms","crossP99Ms","idleClients","kbPerIdleConnection"}, ...],
 *  "failoverMs":{"p50","p90"}}. With one instance no relay crosses instances: its cross figures are null.
 */
import { cpus, loadavg } from 'node:os';
import type { ChannelMode } from '../../signal-server/cluster/redis';

export interface RelayRun {
  perSec: number;
  crossP50: number;
  crossP99: number;
  localP50: number;
  localP99: number;
  crossShare: number;
  errors: number;
  serverCores: number;
  redisCores: number;
}

export interface Row {
  instances: number;
  mode: ChannelMode;
  peak: RelayRun;
  half: RelayRun;
  /** The same instance count with the other relay routing (no half-load run). */
  other: Row | null;
  idleClients: number;
  idleSetupPerSec: number;
  kbPerIdle: number;
  heapKbPerIdle: number;
  redisBytesPerIdle: number;
}

export interface Failover {
  p50: number;
  p90: number;
  max: number;
  missing: number;
  clients: number;
  instances: number;
}

export interface ClusterReport {
  rows: Row[];
  /** The last one is reported in the JSON. */
  failovers: Failover[];
  json: boolean;
  loadStart: string;
  defaultMode: ChannelMode;
  otherMode: ChannelMode;
}

const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const r1 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);

export function printClusterReport(r: ClusterReport): void {
  const base = r.rows.find((x) => x.instances === 1)?.peak.perSec ?? NaN;
  const lines = [
    `| instances | routing | relays/s, cluster | x one instance | share crossing | cross p50 / p99 at half peak | local p50 / p99 at half peak | instances' CPU (cores) | relays/s per instance core | Redis CPU (cores) | relays/s per Redis core | idle clients held | hellos/s | KB per idle connection per instance, RSS / heap | Redis bytes per idle client |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const line = (x: Row, main: boolean): string =>
    `| ${x.instances} | ${x.mode} | ${n0(x.peak.perSec)} | ${f2(x.peak.perSec / base)} | ${(x.peak.crossShare * 100).toFixed(0)}% | ${
      !main ? 'not run' : x.instances > 1 ? `${f1(x.half.crossP50)} / ${f1(x.half.crossP99)} ms` : 'none cross'
    } | ${main ? `${f1(x.half.localP50)} / ${f1(x.half.localP99)} ms` : 'not run'} | ${f2(x.peak.serverCores)} | ${n0(x.peak.perSec / x.peak.serverCores)} | ${f2(
      x.peak.redisCores,
    )} | ${n0(x.peak.perSec / x.peak.redisCores)} | ${n0(x.idleClients)} | ${n0(x.idleSetupPerSec)} | ${f2(x.kbPerIdle)} / ${f2(x.heapKbPerIdle)} | ${n0(
      x.redisBytesPerIdle,
    )} |`;
  for (const x of r.rows) {
    lines.push(line(x, true));
    if (x.other) lines.push(line(x.other, false));
  }
  const fo = r.failovers.at(-1) ?? { p50: NaN, p90: NaN, max: NaN, missing: 0, clients: 0, instances: 0 };
  lines.push('');
  for (const f of r.failovers) {
    lines.push(
      `Fail-over: ${n0(f.clients)} clients of one of ${f.instances} instances, SIGKILLed: welcomed (registered) on another after p50 ${n0(f.p50)} ms, p90 ${n0(f.p90)} ms, max ${n0(f.max)} ms; ${f.missing} not back within 60 s.`,
    );
  }
  lines.push(
    "Fail-over clients are real SignalClients with the browser's backoff (first retry after 250-500 ms) and the other instances in their URL list.",
    `Peak: closed loop, ${Number(process.env.BENCH_CLUSTER_CLIENTS ?? 200)} clients x ${Number(process.env.BENCH_CLUSTER_WINDOW ?? 2)} relays in flight, random targets, ~700 B offers. Per-core columns divide the peak by the CPU the instances (all together) or Redis used in that window. Error frames during peak runs: ${r.rows.map((x) => x.peak.errors).join(', ')}.`,
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}; instances, Redis and the two load processes share these cores unpinned. Load average at start / end: ${r.loadStart} / ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (r.json) {
    const out = {
      cluster: r.rows.map((x) => ({
        instances: x.instances,
        relaysPerSec: Math.round(x.peak.perSec),
        crossP50Ms: x.instances > 1 ? r1(x.half.crossP50) : null,
        crossP99Ms: x.instances > 1 ? r1(x.half.crossP99) : null,
        idleClients: x.idleClients,
        kbPerIdleConnection: r1(x.kbPerIdle),
      })),
      failoverMs: { p50: r1(fo.p50), p90: r1(fo.p90) },
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}
