/**
 * npx tsx test/tools/replication-report.ts [--seed 1] [--nodes 100] [--hours 2] [--full] [--rows rows.json]
 * Runs the replication sweep (test/sim/scenarios/replication) and writes docs/replication.svg and
 * the generated table inside docs/replication.md (between the GENERATED markers; the prose around
 * it is kept). The rows are printed as the last JSON line; --rows FILE re-renders from saved rows.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdownTable, runReplication, type ReplicationRow } from '../sim/scenarios/replication';
import { scatterPlot } from '../../shared/sim/svg-plot';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '100' },
    hours: { type: 'string', default: '2' },
    full: { type: 'boolean', default: false },
    rows: { type: 'string' },
  },
});

const docs = new URL('../../docs/', import.meta.url);
let rows: ReplicationRow[];
let svg: string;
let table: string;
if (values.rows) {
  rows = JSON.parse(readFileSync(values.rows, 'utf8')) as ReplicationRow[];
  table = markdownTable(rows);
  const r = runReplicationRender(rows);
  svg = r;
} else {
  const started = performance.now();
  const r = runReplication({
    seed: Number(values.seed),
    nodes: Number(values.nodes),
    hours: Number(values.hours),
    full: values.full,
    log: (l) => process.stderr.write(`${l}  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`),
  });
  rows = r.rows;
  svg = r.svg;
  table = r.table;
}

function runReplicationRender(rs: ReplicationRow[]): string {
  // Same plot as the scenario, re-rendered from saved rows.
  const sessions = [...new Set(rs.map((r) => r.sessionMin))].sort((a, b) => a - b);
  const minY = Math.min(...rs.map((r) => r.availability));
  return scatterPlot(
    sessions.map((s) => ({
      name: `median session ${s} min`,
      points: rs
        .filter((r) => r.sessionMin === s)
        .map((r) => ({ x: r.messagesPerNodePerMinute, y: r.availability, label: `k${r.k}/${r.republishMin}m` })),
    })),
    {
      title: 'Availability vs maintenance traffic (churn, Weibull shape 0.5)',
      xLabel: 'frames per live node per minute (all traffic)',
      yLabel: 'availability (gets returning the newest seq)',
      yRange: [Math.max(0, Math.round((minY - (1 - minY) * 0.1 - 0.001) * 1000) / 1000), 1.0005],
    },
  );
}

writeFileSync(new URL('replication.svg', docs), svg);
const mdUrl = new URL('replication.md', docs);
const BEGIN = '<!-- GENERATED TABLE BEGIN -->';
const END = '<!-- GENERATED TABLE END -->';
const md = existsSync(mdUrl) ? readFileSync(mdUrl, 'utf8') : `# Replication analysis\n\n${BEGIN}\n${END}\n`;
const i = md.indexOf(BEGIN);
const j = md.indexOf(END);
const out = i >= 0 && j > i ? `${md.slice(0, i + BEGIN.length)}\n${table}${md.slice(j)}` : `${md}\n${BEGIN}\n${table}${END}\n`;
writeFileSync(mdUrl, out);
console.log(JSON.stringify({ wrote: ['docs/replication.md', 'docs/replication.svg'], rows }));
