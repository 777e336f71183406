/**
 * Replication analysis: churn runs over a grid of replication level k (ValuesInit.replicas),
 * owner republish interval (replicateMs = 2 × republish) and median session length, measuring
 * availability against traffic. Returns the rows, a markdown table and an SVG plot (strings; the
 * report tool writes them to docs/).
 */
import { scatterPlot, type PlotSeries } from '../../../shared/sim/svg-plot';
import { runChurn, type ChurnSummary } from './churn';
import { round } from './record-owner';

export interface ReplicationOptions {
  seed: number;
  /** @default 100 */
  nodes?: number;
  /** Simulated hours per run (the first 30 min are warm-up). @default 2 */
  hours?: number;
  /** Replication levels swept at `baseRepublishMin`. @default [2, 4, 8, 16, 20] */
  ks?: number[];
  /** Republish intervals (min) swept at `baseK`. @default [5, 10, 20, 40, 60] */
  republishMins?: number[];
  /** Median session lengths (min), crossed with both sweeps. @default [10, 30, 120] */
  sessionMins?: number[];
  /** @default 10 */
  baseRepublishMin?: number;
  /** @default 8 */
  baseK?: number;
  /** Run the full k × republish × session grid instead of the two planes. @default false */
  full?: boolean;
  /** @default 10000 */
  getEveryMs?: number;
  log?: (line: string) => void;
}

export interface ReplicationRow {
  k: number;
  republishMin: number;
  sessionMin: number;
  availability: number;
  gets: number;
  missing: number;
  stale: number;
  messagesPerNodePerMinute: number;
  bytesPerNodePerSecond: number;
  departures: number;
  /** Replicas agreeing with the newest record in a get: 10th percentile and minimum. */
  agreeingP10: number;
  agreeingMin: number;
}

export function replicationGrid(o: ReplicationOptions): { k: number; republishMin: number; sessionMin: number }[] {
  const ks = o.ks ?? [2, 4, 8, 16, 20];
  const reps = o.republishMins ?? [5, 10, 20, 40, 60];
  const sessions = o.sessionMins ?? [10, 30, 120];
  const baseRep = o.baseRepublishMin ?? 10;
  const baseK = o.baseK ?? 8;
  const grid: { k: number; republishMin: number; sessionMin: number }[] = [];
  const seen = new Set<string>();
  const add = (k: number, republishMin: number, sessionMin: number) => {
    const key = `${k}/${republishMin}/${sessionMin}`;
    if (seen.has(key)) return;
    seen.add(key);
    grid.push({ k, republishMin, sessionMin });
  };
  for (const s of sessions) {
    if (o.full) {
      for (const k of ks) for (const r of reps) add(k, r, s);
      continue;
    }
    for (const k of ks) add(k, baseRep, s);
    for (const r of reps) add(baseK, r, s);
  }
  return grid;
}

export function runReplication(o: ReplicationOptions): { rows: ReplicationRow[]; table: string; svg: string } {
  const rows: ReplicationRow[] = [];
  const grid = replicationGrid(o);
  grid.forEach((g, i) => {
    const s: ChurnSummary = runChurn({
      seed: o.seed + i,
      nodes: o.nodes ?? 100,
      hours: o.hours ?? 2,
      medianSessionMin: g.sessionMin,
      getEveryMs: o.getEveryMs ?? 10_000,
      warmupMs: 30 * 60_000,
      probe: true,
      values: { replicas: g.k, republishMs: g.republishMin * 60_000, replicateMs: 2 * g.republishMin * 60_000 },
    });
    const row: ReplicationRow = {
      k: g.k,
      republishMin: g.republishMin,
      sessionMin: g.sessionMin,
      availability: s.availability,
      gets: s.gets,
      missing: s.missing,
      stale: s.stale,
      messagesPerNodePerMinute: s.messagesPerNodePerMinute,
      bytesPerNodePerSecond: s.bytesPerNodePerSecond,
      departures: s.departures,
      agreeingP10: s.agreeingP10,
      agreeingMin: s.agreeingMin,
    };
    rows.push(row);
    o.log?.(`replication ${i + 1}/${grid.length}: ${JSON.stringify(row)}`);
  });
  return { rows, table: markdownTable(rows), svg: plot(rows) };
}

export function markdownTable(rows: ReplicationRow[]): string {
  const head =
    '| median session (min) | k | republish (min) | availability | failed gets (missing / stale) of gets | agreeing replicas p10 / min | msgs/node/min | bytes/node/s | departures |';
  const sep = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const sorted = [...rows].sort((a, b) => a.sessionMin - b.sessionMin || a.k - b.k || a.republishMin - b.republishMin);
  const lines = sorted.map(
    (r) =>
      `| ${r.sessionMin} | ${r.k} | ${r.republishMin} | ${r.availability.toFixed(4)} | ${r.missing} / ${r.stale} of ${r.gets} | ${r.agreeingP10} / ${r.agreeingMin} | ${r.messagesPerNodePerMinute} | ${r.bytesPerNodePerSecond} | ${r.departures} |`,
  );
  return `${[head, sep, ...lines].join('\n')}\n`;
}

function plot(rows: ReplicationRow[]): string {
  const sessions = [...new Set(rows.map((r) => r.sessionMin))].sort((a, b) => a - b);
  const series: PlotSeries[] = sessions.map((s) => ({
    name: `median session ${s} min`,
    points: rows
      .filter((r) => r.sessionMin === s)
      .map((r) => ({ x: r.messagesPerNodePerMinute, y: r.availability, label: `k${r.k}/${r.republishMin}m` })),
  }));
  const minY = Math.min(...rows.map((r) => r.availability));
  return scatterPlot(series, {
    title: 'Availability vs maintenance traffic (churn, Weibull shape 0.5)',
    xLabel: 'frames per live node per minute (all traffic)',
    yLabel: 'availability (gets returning the newest seq)',
    yRange: [Math.max(0, round(minY - (1 - minY) * 0.1 - 0.001, 3)), 1.0005],
  });
}

export async function replicationScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  const r = runReplication({ seed: ctx.seed, ...(ctx.nodes ? { nodes: ctx.nodes } : {}), log: ctx.log });
  return { scenario: 'replication', rows: r.rows, table: r.table, svg: r.svg, seed: ctx.seed };
}
