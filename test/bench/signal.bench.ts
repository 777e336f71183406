/**
 * Signaling server benchmark: `npm run bench:signal` (runs inside ../shared/tools/loopback-only).
 * With `-- --instances 1,2,4 [--json]` it runs the cluster bench instead (signal-cluster.ts).
 *
 * The server under test runs alone in a child process pinned to CPU 0 (so "one core" is literal
 * and its memory is measured without the clients'); load generators run in other child processes
 * pinned to CPU 1. Compares our server with the PeerJS server (`peer`) on idle memory per
 * connection and relay throughput, then runs the fairness scenario (1,000 flooders vs 100
 * well-behaved clients) against ours. Prints a markdown table. Every loop is bounded in count and
 * time; every socket is on 127.0.0.0/8.
 */
import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

if (process.env.LOOPBACK_ONLY !== '1') {
  // Never run a load test outside the loopback-only namespace: re-exec through it.
  const r = spawnSync(resolve(ROOT, '../shared/tools/loopback-only'), [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

// With `-- --instances 1,2,4 [--json]`: the cluster bench instead (signal-cluster.ts); it exits.
if (process.argv.includes('--instances')) await (await import('./signal-cluster')).clusterBenchCli(process.argv.slice(2));

const IDLE_N = Number(process.env.BENCH_IDLE_N ?? 10_000);
const RELAY_PAIRS = Number(process.env.BENCH_RELAY_PAIRS ?? 100);
const RELAY_WINDOW = Number(process.env.BENCH_RELAY_WINDOW ?? 4);
const RELAY_MS = Number(process.env.BENCH_RELAY_MS ?? 5000);
const FLOODERS = Number(process.env.BENCH_FLOODERS ?? 1000);
const GOOD_PAIRS = 50; // 100 well-behaved clients
const FAIR_MS = Number(process.env.BENCH_FAIR_MS ?? 10_000);
const TWO_CORES = cpus().length >= 2;
/** Comma-separated subset of idle,max,relay,fair (default: all). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'idle,max,relay,fair').split(','));
const startedAt = Date.now();
const loadStart = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');

function nofile(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '')
    .split(/\s{2,}/)
    .slice(1, 3)
    .map(Number);
  return { soft: soft || 1024, hard: hard || 1024 };
}

/** Inside our own network namespace the port range is ours to widen (TIME_WAIT between phases). */
function widenPortRange(): string {
  try {
    writeFileSync('/proc/sys/net/ipv4/ip_local_port_range', '1024 65000');
  } catch {
    // not permitted: keep the default
  }
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().replace(/\s+/g, '-');
  } catch {
    return '?';
  }
}

function pin(child: ChildProcess, cpu: number): void {
  if (cpu < 0) return;
  if (!TWO_CORES || child.pid === undefined || process.env.BENCH_PIN === '0') return;
  try {
    execFileSync('taskset', ['-pc', String(cpu), String(child.pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: run unpinned
  }
}

function spawnChild(file: string, args: string[], cpu: number): ChildProcess {
  const c = fork(resolve(ROOT, file), args, {
    cwd: ROOT,
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      '--max-old-space-size=4096',
      ...(process.env.BENCH_PROF && file.includes('server') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  pin(c, cpu);
  return c;
}

const queues = new WeakMap<ChildProcess, Promise<unknown>>();

/** One request at a time per child (IPC answers carry no id). */
function call<T>(c: ChildProcess, msg: unknown, timeoutMs = 180_000): Promise<T> {
  const prev = queues.get(c) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(() => callNow<T>(c, msg, timeoutMs));
  queues.set(c, next);
  return next;
}

function callNow<T>(c: ChildProcess, msg: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`child timed out on ${JSON.stringify(msg).slice(0, 80)}`)), timeoutMs);
    c.once('message', (m: T & { error?: string }) => {
      clearTimeout(t);
      if (m && typeof m === 'object' && 'error' in m && m.error) reject(new Error(m.error));
      else resolve(m);
    });
    if (msg !== null) c.send(msg as object);
  });
}

interface Mem {
  rss: number;
  heapUsed: number;
}
interface Srv {
  proc: ChildProcess;
  port: number;
}

async function startSrv(kind: 'ours' | 'peerjs', opts: object = {}): Promise<Srv> {
  const proc = spawnChild('test/helpers/signal-bench-server.ts', [kind, JSON.stringify(opts)], 0);
  const { port } = await call<{ port: number }>(proc, null, 30_000);
  return { proc, port };
}
const mem = (s: Srv, gc = true): Promise<Mem> => call<Mem>(s.proc, { cmd: 'mem', gc });
/** CPU time of the server process from /proc (no IPC: a busy child would answer late). */
function cpu(s: Srv): { cpuUs: number; at: number } {
  const stat = readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 Hz)
  return { cpuUs: ticks * 10_000, at: performance.now() };
}
const stats = (s: Srv): Promise<Record<string, number>> => call(s.proc, { cmd: 'stats' });
async function stopSrv(s: Srv): Promise<void> {
  await call(s.proc, { cmd: 'stop' }, 15_000).catch(() => {});
  s.proc.kill('SIGKILL');
}
/** A load generator pinned to CPU 1 (cpu = -1: unpinned, free to use spare cycles on both). */
function load(cpu = 1): ChildProcess {
  return spawnChild('test/helpers/signal-bench-load.ts', [], cpu);
}
async function closeLoad(l: ChildProcess): Promise<void> {
  await call(l, { cmd: 'close' }, 30_000).catch(() => {});
  l.kill('SIGKILL');
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const kb = (bytes: number): string => (bytes / 1024).toFixed(2);
const log = (s: string): void => void process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${s}\n`);

// ---- phases -------------------------------------------------------------------------------

interface IdleResult {
  n: number;
  rssPerConn: number;
  heapPerConn: number;
  openPerSec: number;
}

async function idle(kind: 'ours' | 'peerjs'): Promise<IdleResult> {
  const s = await startSrv(kind, {
    maxConnections: 100_000,
    maxConnectionsPerIp: 1000,
    helloTimeoutMs: 60_000,
    idleTimeoutMs: 300_000,
    shutdownGraceMs: 0,
  });
  const l = load();
  try {
    await sleep(300);
    const m0 = await mem(s);
    const t0 = Date.now();
    const r = await call<{ opened: number; failed: number; err: string }>(l, { cmd: 'idle', kind, port: s.port, count: IDLE_N, first: 0 });
    const openPerSec = (r.opened / (Date.now() - t0)) * 1000;
    if (r.failed) log(`${kind} idle: ${r.failed} failed (${r.err})`);
    await sleep(1000);
    const m1 = await mem(s);
    return { n: r.opened, rssPerConn: (m1.rss - m0.rss) / r.opened, heapPerConn: (m1.heapUsed - m0.heapUsed) / r.opened, openPerSec };
  } finally {
    await stopSrv(s);
    await closeLoad(l);
  }
}

/** Ramp our server as far as the fd limit allows (two load processes: each has its own fd limit). */
async function maxHeld(target: number): Promise<{ held: number; failedAt: string; rssPerConn: number; heapPerConn: number }> {
  const s = await startSrv('ours', {
    maxConnections: 100_000,
    maxConnectionsPerIp: 1000,
    helloTimeoutMs: 60_000,
    idleTimeoutMs: 300_000,
    shutdownGraceMs: 0,
  });
  const loads = [load(), load()];
  try {
    await sleep(300);
    const m0 = await mem(s);
    const half = Math.ceil(target / 2);
    const rs = await Promise.all(
      loads.map((l, i) =>
        call<{ opened: number; failed: number; err: string }>(l, {
          cmd: 'idle',
          kind: 'ours',
          port: s.port,
          count: Math.min(half, target - i * half),
          first: 100_000 * (i + 1),
        }),
      ),
    );
    await sleep(1000);
    const st = await stats(s);
    const m1 = await mem(s);
    const held = st.peers ?? 0;
    return {
      held,
      failedAt: rs
        .map((r) => r.err)
        .filter(Boolean)
        .join('; '),
      rssPerConn: (m1.rss - m0.rss) / held,
      heapPerConn: (m1.heapUsed - m0.heapUsed) / held,
    };
  } finally {
    await stopSrv(s);
    await Promise.all(loads.map(closeLoad));
  }
}

interface RelayResult {
  perSec: number;
  p50: number;
  p99: number;
  serverCpu: number;
}

async function relay(kind: 'ours' | 'peerjs'): Promise<RelayResult> {
  // Throughput run: per-connection rate limits raised so the limit measured is the server's, not the bucket's.
  const s = await startSrv(kind, {
    ratePerSec: 1_000_000,
    burst: 1_000_000,
    inboundRatePerSec: 1_000_000,
    inboundBurst: 1_000_000,
    globalRatePerSec: 1_000_000,
    globalBurst: 1_000_000,
    overloadLagMs: 1_000_000,
    turnBudget: 1_000_000,
    maxConnectionsPerIp: 1000,
    shutdownGraceMs: 0,
  });
  // Two unpinned generators: the clients' JSON and masking work must not be what limits the run.
  const loads = [load(-1), load(-1)];
  try {
    const pending = Promise.all(
      loads.map((l, i) =>
        call<{ count: number; ms: number; perSec: number; sample: number[] }>(l, {
          cmd: 'relay',
          kind,
          port: s.port,
          pairs: RELAY_PAIRS / 2,
          window: RELAY_WINDOW,
          warmupMs: 1000,
          ms: RELAY_MS,
          first: 1000 * i,
        }),
      ),
    );
    // server CPU over (most of) the measuring window
    await sleep(1200);
    const c1 = cpu(s);
    await sleep(RELAY_MS - 400);
    const c2 = cpu(s);
    const rs = await pending;
    const sample = rs.flatMap((x) => x.sample).sort((a, b) => a - b);
    const pct = (p: number): number => sample[Math.min(sample.length - 1, Math.floor((p / 100) * sample.length))] ?? NaN;
    const r = { perSec: rs.reduce((a, x) => a + x.perSec, 0), p50: pct(50), p99: pct(99) };
    return { perSec: r.perSec, p50: r.p50, p99: r.p99, serverCpu: (c2.cpuUs - c1.cpuUs) / 1000 / (c2.at - c1.at) };
  } finally {
    await stopSrv(s);
    await Promise.all(loads.map(closeLoad));
  }
}

interface FairResult {
  base: { p50: number; p99: number; received: number; sent: number };
  under: { p50: number; p99: number; max: number; received: number; sent: number; errors: number };
  floodSent: number;
  stillOpen: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  stats: Record<string, number>;
}

async function fairness(): Promise<FairResult> {
  // Default limits (10 msg/s, burst 120, 32 per address): this is the production configuration.
  const s = await startSrv('ours', { shutdownGraceMs: 0 });
  // The attacker gets its own CPU (1); the well-behaved clients are light and share CPU 0 with the server.
  const g = load(0);
  const f = load();
  try {
    const { ids } = await call<{ ids: string[] }>(g, { cmd: 'good', port: s.port, pairs: GOOD_PAIRS, first: 0 });
    await call(f, { cmd: 'flood', port: s.port, count: FLOODERS, first: 1000, targets: ids });
    const base = await call<FairResult['base']>(g, { cmd: 'good-run', intervalMs: 200, ms: 3000 });
    const rssBefore = (await mem(s, false)).rss;
    let rssPeak = rssBefore;
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 200; i++) {
        rssPeak = Math.max(rssPeak, (await mem(s, false)).rss);
        await sleep(250);
      }
    })();
    await call(s.proc, { cmd: 'reset-loop' });
    const flood = call<{ sent: number; stillOpen: number }>(f, { cmd: 'flood-run', ms: FAIR_MS });
    await sleep(500);
    const under = await call<FairResult['under']>(g, { cmd: 'good-run', intervalMs: 200, ms: FAIR_MS - 1000 });
    const fl = await flood;
    sampling = false;
    await sampler;
    const st = await stats(s);
    const rssAfter = (await mem(s, true)).rss;
    return { base, under, floodSent: fl.sent, stillOpen: fl.stillOpen, rssBefore, rssPeak, rssAfter, stats: st };
  } finally {
    await stopSrv(s);
    await Promise.all([closeLoad(g), closeLoad(f)]);
  }
}

// ---- main ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const fd = nofile();
  const ports = widenPortRange();
  log(`fd limit ${fd.soft}/${fd.hard}, port range ${ports}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), node ${process.version}`);

  const nanIdle: IdleResult = { n: 0, rssPerConn: NaN, heapPerConn: NaN, openPerSec: NaN };
  const nanRelay: RelayResult = { perSec: NaN, p50: NaN, p99: NaN, serverCpu: NaN };
  let oursIdle = nanIdle;
  let peerIdle = nanIdle;
  if (ONLY.has('idle')) {
    log(`idle: ours, ${IDLE_N} clients`);
    oursIdle = await idle('ours');
    log(`idle: peerjs, ${IDLE_N} clients`);
    peerIdle = await idle('peerjs');
  }
  const target = Number(process.env.BENCH_MAX_N ?? Math.max(IDLE_N, fd.hard - 500));
  let max = { held: 0, failedAt: '', rssPerConn: NaN, heapPerConn: NaN };
  if (ONLY.has('max')) {
    log(`max held: ours, ramp to ${target}`);
    max = await maxHeld(target);
  }
  let oursRelay = nanRelay;
  let peerRelay = nanRelay;
  if (ONLY.has('relay')) {
    log('relay: ours');
    oursRelay = await relay('ours');
    log('relay: peerjs');
    peerRelay = await relay('peerjs');
  }
  const nanLat = { p50: NaN, p99: NaN, max: NaN, received: 0, sent: 0, errors: 0 };
  let fair: FairResult = {
    base: nanLat,
    under: nanLat,
    floodSent: 0,
    stillOpen: 0,
    rssBefore: NaN,
    rssPeak: NaN,
    rssAfter: NaN,
    stats: {},
  };
  if (ONLY.has('fair')) {
    log(`fairness: ${FLOODERS} flooders vs ${GOOD_PAIRS * 2} well-behaved`);
    fair = await fairness();
  }

  const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
  const rows: [string, string, string, string][] = [
    ['Concurrent idle WS clients held (authenticated)', `${n0(max.held)} (ramp target ${n0(target)})`, 'n/a', '>= 10,000'],
    [
      `Server memory per idle connection at ${n0(IDLE_N)}: JS heap`,
      `${kb(oursIdle.heapPerConn)} KB`,
      `${kb(peerIdle.heapPerConn)} KB`,
      '<= 4 KB',
    ],
    [
      `Server memory per idle connection at ${n0(IDLE_N)}: RSS`,
      `${kb(oursIdle.rssPerConn)} KB`,
      `${kb(peerIdle.rssPerConn)} KB`,
      '<= 4 KB',
    ],
    [`Server memory per idle connection at ${n0(max.held)}: heap / RSS`, `${kb(max.heapPerConn)} / ${kb(max.rssPerConn)} KB`, 'n/a', ''],
    ['Connection setup rate (hello incl. Ed25519 verify for ours)', `${n0(oursIdle.openPerSec)}/s`, `${n0(peerIdle.openPerSec)}/s`, ''],
    [
      `Relay throughput, server on 1 core (${RELAY_PAIRS} pairs x ${RELAY_WINDOW} in flight, ~700 B SDP offers)`,
      `${n0(oursRelay.perSec)}/s`,
      `${n0(peerRelay.perSec)}/s`,
      '>= 20,000/s',
    ],
    [
      'Relay latency p50 / p99 at that load',
      `${f1(oursRelay.p50)} / ${f1(oursRelay.p99)} ms`,
      `${f1(peerRelay.p50)} / ${f1(peerRelay.p99)} ms`,
      '',
    ],
    ['Server CPU during relay run', `${(oursRelay.serverCpu * 100).toFixed(0)}%`, `${(peerRelay.serverCpu * 100).toFixed(0)}%`, ''],
    [
      'Relay capacity per server core, extrapolated (throughput / server CPU share; rough on a loaded host)',
      `${n0(oursRelay.perSec / oursRelay.serverCpu)}/s`,
      `${n0(peerRelay.perSec / peerRelay.serverCpu)}/s`,
      '>= 20,000/s',
    ],
    [
      `Fairness: well-behaved p50 / p99, no flood (${n0(fair.base.received)} relays)`,
      `${f1(fair.base.p50)} / ${f1(fair.base.p99)} ms`,
      'n/a',
      '',
    ],
    [
      `Fairness: well-behaved p50 / p99 / max under flood (${n0(fair.under.received)}/${n0(fair.under.sent)} delivered, ${n0(fair.under.errors)} TARGET_BUSY)`,
      `${f1(fair.under.p50)} / ${f1(fair.under.p99)} / ${f1(fair.under.max)} ms`,
      'n/a',
      'p99 < 100 ms',
    ],
    [
      `Fairness: ${n0(FLOODERS)} flooders' frames sent / relayed / dropped (rate limit + shedding)`,
      `${n0(fair.floodSent)} / ${n0((fair.stats.relayed ?? 0) - fair.base.received - fair.under.received)} / ${n0((fair.stats.droppedRateLimited ?? 0) + (fair.stats.droppedOverload ?? 0))}`,
      'n/a',
      '',
    ],
    [
      'Fairness: server RSS before / peak / after flood',
      `${(fair.rssBefore / 2 ** 20).toFixed(0)} / ${(fair.rssPeak / 2 ** 20).toFixed(0)} / ${(fair.rssAfter / 2 ** 20).toFixed(0)} MB`,
      'n/a',
      'bounded',
    ],
  ];
  const out = ['| metric | ours | PeerJS server (peer 1.0.2) | goal |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];
  const notes = [
    '',
    `Host load average at start / end: ${loadStart} / ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (shared 2-core machine: other jobs compete for CPU).`,
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}; server pinned to CPU 0, load generators to CPU 1 (relay run: two unpinned generators).`,
    `Held-clients limit: RLIMIT_NOFILE ${fd.soft} (hard ${fd.hard}, not raisable here) per process; the server needs one fd per client.` +
      (max.failedAt ? ` First connect error: ${max.failedAt}.` : ''),
    `Fairness server counters: ${JSON.stringify(fair.stats)}; well-behaved client process max event-loop delay ${JSON.stringify(fair.under)}.`,
    `Flooders still connected after the flood: ${fair.stillOpen}/${FLOODERS} (they are paused by TCP backpressure, not disconnected). Bench wall time ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
  ];
  process.stdout.write(`${out.join('\n')}\n${notes.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
