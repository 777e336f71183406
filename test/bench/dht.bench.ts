/**
 * npm run bench: the DHT simulator at N = 1,000 and 10,000 (and 100,000 with --huge), healthy and
 * after 25% of nodes crash, then the private-presence scenario at 10,000 nodes. Each configuration
 * runs in its own process (so peakHeapMB is its own) and the tables are printed at the end, with
 * the issues' targets. `--only dht` or `--only presence` runs one part.
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
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && only !== 'dht' && only !== 'presence') {
  console.error('usage: npm run bench -- [--huge] [--only dht|presence]');
  process.exit(2);
}
const seed = process.env.SEED ?? '1';
const latency = 50;
const dhtRuns: { label: string; args: string[]; minutes?: number }[] = [
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
/**
 * Presence at 10,000 nodes, a fifth of them malicious: 100 users (the CLI default is nodes / 10) and
 * 25 min of finds, which still cross a period rollover (the CLI default is 120). Every delivered
 * frame and every stored record is still scanned, and the flood keeps its 1,000 requests. Most of
 * the time goes to the 10,000 nodes' own upkeep (bucket refreshes, FIND_NODE answers), not to users.
 */
const presence = {
  label: 'N=10,000 presence',
  args: ['--scenario', 'presence', '--nodes', '10000', '--users', '100', '--find-minutes', '25'],
  minutes: 60,
};

interface DhtSummary {
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

interface PresenceSummary {
  users: number;
  requests: number;
  requestSuccess: number;
  offlineRequests: number;
  offlineRequestSuccess: number;
  finds: number;
  findSuccess: number;
  findMs: { p50: number; p90: number };
  identityKeyLeaks: number;
  bytesScanned: number;
  recordsScanned: number;
  recordsStored: number;
  linkablePeriods: number;
  forgedPresenceAccepted: number;
  attackerForgeAttempts: number;
  periodsCrossed: number;
  requestFloodCost: { requests: number; ratio: number; pendingKept: number };
  wallSeconds: number;
  peakHeapMB: number;
  maxRssMB: number;
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

/** One configuration in its own process: its last stdout line parsed, or undefined (reported with the seed). */
function runCli<T>(label: string, args: string[], minutes: number): T | undefined {
  process.stderr.write(`running ${label} ...\n`);
  const res = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=16384', '--max-semi-space-size=64', cli, ...args, '--seed', seed, '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: minutes * 60_000 },
  );
  const last = res.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    console.error(`${label}: no summary (exit ${res.status}, seed ${seed})`);
    return undefined;
  }
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const dhtRows: string[][] = [];
for (const r of only === 'presence' ? [] : dhtRuns) {
  const s = runCli<DhtSummary>(r.label, [...r.args, '--latency-ms', String(latency)], r.minutes ?? 20);
  if (!s) {
    dhtRows.push([r.label, 'failed']);
    continue;
  }
  dhtRows.push([
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

const p = only === 'dht' ? undefined : runCli<PresenceSummary>(presence.label, presence.args, presence.minutes);
rmSync(dir, { recursive: true, force: true });

if (only !== 'presence') {
  console.log(`\nDHT simulator, seed ${seed}, link latency ${latency} ms one-way (RTT ~${2 * latency} ms), k=20 alpha=3 beta=3 b=3`);
  printTable(
    [
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
    ],
    dhtRows,
  );
  console.log(
    '\nTargets at N=10,000: wall <= 60 s (join + 1,000 lookups), success >= 0.999, kAccuracy >= 0.95, rounds p50 <= 3, msgs p50 <= 60; after kill 25%: success >= 0.99, latency p50 <= 400 ms (4 x RTT).',
  );
}
if (only !== 'dht') {
  console.log(`\nPresence, seed ${seed}: ${presence.args.slice(2).join(' ')}`);
  const row = p
    ? [
        `${presence.label}, ${p.users} users`,
        `${p.requestSuccess} (${p.requests})`,
        `${p.offlineRequestSuccess} (${p.offlineRequests})`,
        `${p.findSuccess} (${p.finds})`,
        `${p.findMs.p50} / ${p.findMs.p90}`,
        `${p.identityKeyLeaks} (${(p.bytesScanned / 1e6).toFixed(0)} MB, ${p.recordsScanned} of ${p.recordsStored} records)`,
        String(p.linkablePeriods),
        `${p.forgedPresenceAccepted} of ${p.attackerForgeAttempts}`,
        `${p.requestFloodCost.ratio} (${p.requestFloodCost.pendingKept} of ${p.requestFloodCost.requests} kept)`,
        String(p.periodsCrossed),
        `${p.wallSeconds}`,
        `${p.peakHeapMB} / ${p.maxRssMB}`,
      ]
    : [presence.label, 'failed'];
  printTable(
    [
      'run',
      'requests ok',
      'offline ok',
      'finds ok',
      'find ms p50/p90',
      'IK leaks (scanned)',
      'linkable',
      'forged accepted',
      'flood cost ratio',
      'rollovers',
      'wall s',
      'peak heap / RSS MB',
    ],
    [row],
  );
  console.log(
    '\nGoals: requests >= 0.999, offline requests >= 0.99 (seen within 1 min of return), finds >= 0.999, IK leaks 0, linkable periods 0, forged presence accepted 0.',
  );
  if (p) console.log(JSON.stringify(p));
}
