/**
 * The signaling cluster bench: `npm run bench:signal -- --instances 1,2,4 [--json]` (inside the
 * loopback-only namespace; signal.bench.ts hands over to this module when --instances is given).
 *
 * One real redis-server on a loopback port; for each instance count, that many server processes
 * (`--redis`), and two load processes whose clients are spread evenly over the instances and relay
 * ~700 B offers to random targets, so (N-1)/N of the relays cross instances. Per row:
 *   - idle clients held (5,000 per instance by default) and memory per idle connection per instance;
 *   - peak relays/s across the cluster (closed loop), in the default routing and in the other one;
 *   - cross-instance latency p50/p99 at half that peak (open loop);
 *   - CPU used by the instances and by Redis over the peak window.
 * Then, at the largest count, the clients of a SIGKILLed instance are timed until they are
 * welcomed (so registered) on another. Every loop is bounded in count and time.
 */
import { cpus, loadavg } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { CHANNEL_MODES, type ChannelMode } from '../../signal-server/cluster/redis';
import { call, cpuSeconds, percentile, sleep, spawnChild } from '../helpers/bench-ipc';
import { startRedis, type RedisProc } from '../helpers/redis';
import { printClusterReport, type Failover, type RelayRun, type Row } from './signal-cluster-report';

const env = (k: string, d: number): number => Number(process.env[k] ?? d);
const RELAY_CLIENTS = env('BENCH_CLUSTER_CLIENTS', 200);
const WINDOW = env('BENCH_CLUSTER_WINDOW', 2);
const RELAY_MS = env('BENCH_CLUSTER_MS', 5000);
const IDLE_PER_INSTANCE = env('BENCH_CLUSTER_IDLE', 5000);
const FAILOVER_N = env('BENCH_FAILOVER_N', 1000);
const DEFAULT_MODE: ChannelMode = (process.env.BENCH_CLUSTER_CHANNELS as ChannelMode | undefined) ?? 'instance';
const OTHER_MODE: ChannelMode = CHANNEL_MODES.find((m) => m !== DEFAULT_MODE)!;
/** Per-connection limits raised: the bench measures the servers and Redis, not the buckets. */
const OPEN_LIMITS = {
  ratePerSec: 1e6,
  burst: 1e6,
  inboundRatePerSec: 1e6,
  inboundBurst: 1e6,
  globalRatePerSec: 1e6,
  globalBurst: 1e6,
  turnBudget: 1e6,
  overloadLagMs: 1e6,
  maxConnections: 1e6,
  maxConnectionsPerIp: 1e6,
  helloTimeoutMs: 60_000,
  idleTimeoutMs: 600_000,
  shutdownGraceMs: 0,
};
const t0 = Date.now();
const log = (s: string): void => void process.stderr.write(`[cluster bench ${((Date.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);

interface Instance {
  proc: ChildProcess;
  port: number;
  url: string;
}

async function startInstances(n: number, redisUrl: string, prefix: string, mode: ChannelMode): Promise<Instance[]> {
  const opts = { ...OPEN_LIMITS, redis: redisUrl, redisPrefix: prefix, redisChannels: mode };
  return Promise.all(
    Array.from({ length: n }, async () => {
      const proc = spawnChild('test/helpers/signal-bench-server.ts', ['ours', JSON.stringify(opts)]);
      const { port } = await call<{ port: number }>(proc, null, 30_000);
      return { proc, port, url: `ws://127.0.0.1:${port}/signal` };
    }),
  );
}
async function stopInstances(xs: Instance[]): Promise<void> {
  await Promise.all(xs.map((x) => call(x.proc, { cmd: 'stop' }, 15_000).catch(() => {})));
  if (process.env.BENCH_PROF) await sleep(2000); // let the profiles be written
  for (const x of xs) x.proc.kill('SIGKILL');
}
const loads = (k: number): ChildProcess[] => Array.from({ length: k }, () => spawnChild('test/helpers/signal-bench-cluster-load.ts', []));
async function closeLoads(ls: ChildProcess[]): Promise<void> {
  await Promise.all(ls.map((l) => call(l, { cmd: 'close' }, 30_000).catch(() => {})));
  for (const l of ls) l.kill('SIGKILL');
}
const mem = (x: Instance): Promise<{ rss: number; heapUsed: number }> => call(x.proc, { cmd: 'mem', gc: true });

async function redisUsedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function relayRun(xs: Instance[], gens: ChildProcess[], redis: RedisProc, rate: number): Promise<RelayRun> {
  const pids = xs.map((x) => x.proc.pid);
  const warmupMs = 1000;
  const pending = Promise.all(
    gens.map((g) =>
      call<{ count: number; cross: number; errors: number; perSec: number; crossSample: number[]; localSample: number[] }>(g, {
        cmd: 'relay',
        window: WINDOW,
        rate: rate / gens.length,
        warmupMs,
        ms: RELAY_MS,
      }),
    ),
  );
  await sleep(warmupMs + 100);
  const serverCpu = (): number => pids.reduce<number>((a, p) => a + cpuSeconds(p), 0);
  const c0 = { s: serverCpu(), r: cpuSeconds(redis.pid), at: performance.now() };
  await sleep(RELAY_MS - 300);
  const wall = (performance.now() - c0.at) / 1000;
  const serverCores = (serverCpu() - c0.s) / wall;
  const redisCores = (cpuSeconds(redis.pid) - c0.r) / wall;
  const rs = await pending;
  const cross = rs.flatMap((r) => r.crossSample);
  const local = rs.flatMap((r) => r.localSample);
  const count = rs.reduce((a, r) => a + r.count, 0);
  return {
    perSec: rs.reduce((a, r) => a + r.perSec, 0),
    crossP50: percentile(cross, 50),
    crossP99: percentile(cross, 99),
    localP50: percentile(local, 50),
    localP99: percentile(local, 99),
    crossShare: count ? rs.reduce((a, r) => a + r.cross, 0) / count : NaN,
    errors: rs.reduce((a, r) => a + r.errors, 0),
    serverCores,
    redisCores,
  };
}

async function row(n: number, redis: RedisProc, rc: Redis, mode: ChannelMode, withHalf: boolean): Promise<Row> {
  const xs = await startInstances(n, redis.url, `bench${n}${mode}:`, mode);
  const gens = loads(2);
  try {
    await sleep(300);
    const m0 = await Promise.all(xs.map(mem));
    const r0 = await redisUsedMemory(rc);
    log(`${n} instance(s), ${mode} channels: ${IDLE_PER_INSTANCE * n} idle clients`);
    const tIdle = performance.now();
    const idle = await Promise.all(
      xs.flatMap((x, i) =>
        gens.map((g, k) =>
          call<{ opened: number; failed: number; err: string }>(g, {
            cmd: 'idle',
            port: x.port,
            count: Math.ceil(IDLE_PER_INSTANCE / gens.length),
            first: 1_000_000 * (i + 1) + 500_000 * k,
          }),
        ),
      ),
    );
    const idleSetupPerSec = (idle.reduce((a, r) => a + r.opened, 0) / (performance.now() - tIdle)) * 1000;
    const failed = idle.reduce((a, r) => a + r.failed, 0);
    if (failed) log(`idle: ${failed} failed (${idle.find((r) => r.err)?.err})`);
    await sleep(1000);
    const m1 = await Promise.all(xs.map(mem));
    const idleClients = idle.reduce((a, r) => a + r.opened, 0);
    const perInst = idleClients / n;
    const kbPerIdle = xs.reduce((a, _, i) => a + (m1[i]!.rss - m0[i]!.rss), 0) / n / perInst / 1024;
    const heapKbPerIdle = xs.reduce((a, _, i) => a + (m1[i]!.heapUsed - m0[i]!.heapUsed), 0) / n / perInst / 1024;
    const redisBytesPerIdle = ((await redisUsedMemory(rc)) - r0) / idleClients;

    await Promise.all(gens.map((g) => call(g, { cmd: 'connect', ports: xs.map((x) => x.port), count: RELAY_CLIENTS / 2, first: 10_000 })));
    log(`${n} instance(s): ${Math.round(idleSetupPerSec)} hellos/s; peak relays (${mode} channels)`);
    const peak = await relayRun(xs, gens, redis, 0);
    log(
      `${n}: ${Math.round(peak.perSec)}/s (latency at peak: cross p50 ${peak.crossP50.toFixed(1)} ms, local p50 ${peak.localP50.toFixed(1)} ms)${withHalf ? `; half load at ${Math.round(peak.perSec / 2)}/s` : ''}`,
    );
    const half = withHalf ? await relayRun(xs, gens, redis, peak.perSec / 2) : peak;
    return { instances: n, mode, peak, half, other: null, idleClients, idleSetupPerSec, kbPerIdle, heapKbPerIdle, redisBytesPerIdle };
  } finally {
    await closeLoads(gens);
    await stopInstances(xs);
  }
}

/** Kill one of `n` instances holding `count` SignalClients; ms until each is welcomed elsewhere. */
async function failover(n: number, redis: RedisProc, count: number): Promise<Failover> {
  const xs = await startInstances(n, redis.url, `failover${count}:`, DEFAULT_MODE);
  const [g] = loads(1);
  try {
    const victim = xs[0]!;
    const others = xs.slice(1).map((x) => x.url);
    const r = await call<{ connected: number }>(g!, {
      cmd: 'failover-setup',
      victim: victim.url,
      others,
      count,
      first: 50_000,
    });
    log(`fail-over: ${r.connected} clients on the victim; SIGKILL`);
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    const out = await call<{ times: number[]; missing: number; dropped: number[]; attempts: number }>(
      g!,
      { cmd: 'failover-run', killedAt, timeoutMs: 60_000 },
      90_000,
    );
    log(
      `fail-over: drops seen after p50 ${Math.round(percentile(out.dropped, 50))} ms (max ${Math.round(percentile(out.dropped, 100))}), ${out.attempts} connection attempts for ${count} clients`,
    );
    return {
      p50: percentile(out.times, 50),
      p90: percentile(out.times, 90),
      max: percentile(out.times, 100),
      missing: out.missing,
      clients: r.connected,
      instances: n,
    };
  } finally {
    await closeLoads([g!]);
    await stopInstances(xs.slice(1));
  }
}

export async function runClusterBench(argv: string[]): Promise<void> {
  const i = argv.indexOf('--instances');
  const counts = (argv[i + 1] ?? '1,2,4')
    .split(',')
    .map(Number)
    .filter((x) => Number.isInteger(x) && x >= 1 && x <= 16);
  const json = argv.includes('--json');
  const loadStart = loadavg().map((x) => x.toFixed(1));
  log(`instances ${counts.join(',')}, ${cpus().length} cpus, default routing: ${DEFAULT_MODE}`);
  const redis = await startRedis();
  const rc = new Redis(redis.url, { lazyConnect: false });
  const rows: Row[] = [];
  const fos: Failover[] = [];
  try {
    for (const n of counts) {
      const r = await row(n, redis, rc, DEFAULT_MODE, true);
      await rc.flushall();
      if (n > 1) r.other = await row(n, redis, rc, OTHER_MODE, false);
      await rc.flushall();
      rows.push(r);
    }
    const most = Math.max(...counts);
    // a small crowd, then the default one: the last is what the JSON reports
    if (most > 1) for (const k of [...new Set([200, FAILOVER_N])]) fos.push(await failover(most, redis, k));
  } finally {
    rc.disconnect();
    await redis.stop();
  }
  printClusterReport({ rows, failovers: fos, json, loadStart: loadStart.join(' '), defaultMode: DEFAULT_MODE, otherMode: OTHER_MODE });
}

/** Run the cluster bench and exit (0, or 1 with the error on stderr). */
export function clusterBenchCli(argv: string[]): Promise<never> {
  return runClusterBench(argv).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`cluster bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
