/**
 * npm run bench: the DHT simulator at N = 1,000 and 10,000 (and 100,000 with --huge), healthy and
 * after 25% of nodes crash. Each configuration runs in its own process (so peakHeapMB is its own)
 * and the table is printed at the end, with the targets.
 *
 * The simulator CLI is bundled once with esbuild and run by plain node: the same code as
 * `npm run sim`, without tsx's loader (which names every closure it creates, ~8% of the wall time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const huge = process.argv.includes('--huge');
const seed = process.env.SEED ?? '1';
const latency = 50;
const runs: { label: string; args: string[]; minutes?: number }[] = [
  { label: 'N=1,000', args: ['--nodes', '1000', '--lookups', '1000'] },
  { label: 'N=1,000 kill 25%', args: ['--nodes', '1000', '--lookups', '1000', '--kill', '0.25'] },
  { label: 'N=10,000', args: ['--nodes', '10000', '--lookups', '1000'] },
  { label: 'N=10,000 kill 25%', args: ['--nodes', '10000', '--lookups', '1000', '--kill', '0.25'] },
  // At 50 joins per virtual second a 100,000-node network would be 33 virtual minutes old when
  // the last node joins, and every node's bucket refresh would outweigh the joins: join 10x faster.
  ...(huge
    ? [{ label: 'N=100,000 (joins 2 ms apart)', args: ['--nodes', '100000', '--lookups', '1000', '--join-spacing-ms', '2'], minutes: 90 }]
    : []),
];

interface Summary {
  nodes: number;
  success: number;
  kAccuracy: number;
  rounds: { p50: number; p90: number };
  latencyMs: { p50: number; p90: number };
  messages: { p50: number; p90: number };
  contactsPerNode: number;
  joinWallSeconds: number;
  wallSeconds: number;
  peakHeapMB: number;
  heapKBPerNode: number;
  liveKBPerNode?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'dht-bench-'));
const cli = join(dir, 'sim-cli.mjs');
await build({
  entryPoints: ['test/tools/sim-cli.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: cli,
  logLevel: 'warning',
});

const rows: string[][] = [];
for (const r of runs) {
  process.stderr.write(`running ${r.label} ...\n`);
  const res = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=16384',
      '--max-semi-space-size=64',
      cli,
      ...r.args,
      '--seed',
      seed,
      '--latency-ms',
      String(latency),
      '--json',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: (r.minutes ?? 20) * 60_000 },
  );
  const last = res.stdout.trim().split('\n').pop() ?? '';
  let s: Summary;
  try {
    s = JSON.parse(last) as Summary;
  } catch {
    console.error(`${r.label}: no summary (exit ${res.status}, seed ${seed})`);
    rows.push([r.label, 'failed']);
    continue;
  }
  rows.push([
    r.label,
    s.success.toFixed(4),
    s.kAccuracy.toFixed(3),
    `${s.rounds.p50} / ${s.rounds.p90}`,
    `${s.latencyMs.p50} / ${s.latencyMs.p90}`,
    `${s.messages.p50} / ${s.messages.p90}`,
    String(s.contactsPerNode),
    `${s.wallSeconds}`,
    `${s.peakHeapMB} (${s.heapKBPerNode} KB/node)`,
    s.liveKBPerNode === undefined ? '' : `${s.liveKBPerNode}`,
  ]);
}

rmSync(dir, { recursive: true, force: true });

const head = [
  'run',
  'success',
  'kAccuracy',
  'rounds p50/p90',
  'latency ms p50/p90',
  'msgs p50/p90',
  'contacts/node',
  'wall s',
  'peak heap MB',
  'live KB/node',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`\nDHT simulator, seed ${seed}, link latency ${latency} ms one-way (RTT ~${2 * latency} ms), k=20 alpha=3 beta=3 b=3`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(
  '\nTargets at N=10,000: wall <= 60 s (join + 1,000 lookups), success >= 0.999, kAccuracy >= 0.95, rounds p50 <= 3, msgs p50 <= 60; after kill 25%: success >= 0.99, latency p50 <= 400 ms (4 x RTT).',
);
