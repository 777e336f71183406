/**
 * The signaling attacks of issue 16, at their original size, against a loopback server:
 * `npm run bench:signal-attack` (inside ../shared/tools/loopback-only). Prints a markdown table and,
 * last, one JSON line with every figure. `BENCH_ONLY=nested,amplify,halfopen,hellos,welcome` picks phases.
 *
 * - nested (1): 32 connections from one address relay 8 KB payloads nested 4,000 deep at 9.5
 *   frames/s each; a well-behaved pair measures relay round trips (A -> B -> A), one every 100 ms.
 * - amplify (6): 32 connections relay 8 KB of `1e20,1e20,...` to a victim at 9.5 frames/s each; an
 *   honest sender relays 40 offers to the same victim. Bytes out against bytes in, per frame.
 * - halfopen (7): 5,000 TCP sockets from 2 addresses that never finish an HTTP request (half silent,
 *   half trickling a header every 2 s), against a server whose descriptor limit is 4,096; 23 honest
 *   newcomers from other addresses try to join meanwhile.
 * - hellos (8): one address registers ids as fast as it can (32 at a time) and asks for TURN credentials.
 * - welcome (8): 20 honest ids from 20 /24s, then 320 ids from 10 attacker addresses; 50 newcomers
 *   (one /24 each) count attacker ids in their welcome samples.
 *
 * The server runs alone in a child process pinned to CPU 0; the attackers in one pinned to CPU 1;
 * the well-behaved clients in a third, unpinned. Every loop is bounded in count and time.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttackCmd } from '../helpers/signal-attack-load';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

if (process.env.LOOPBACK_ONLY !== '1') {
  const r = spawnSync(resolve(ROOT, '../shared/tools/loopback-only'), [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const ONLY = new Set((process.env.BENCH_ONLY ?? 'nested,amplify,halfopen,hellos,welcome').split(','));
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 20_000);
const HALFOPEN_MS = Number(process.env.BENCH_HALFOPEN_MS ?? 30_000);
const HELLO_MS = Number(process.env.BENCH_HELLO_MS ?? 10_000);
/** The TURN credential lifetime the server is configured with in the hellos phase (the CLI default). */
const TURN_TTL_SEC = Number(process.env.BENCH_TURN_TTL ?? 3600);
const startedAt = Date.now();
const loadStart = loadavg().map((x) => x.toFixed(1));
const log = (s: string): void => void process.stderr.write(`[attack ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pin(child: ChildProcess, cpu: number): void {
  if (cpu < 0 || cpus().length < 2 || child.pid === undefined || process.env.BENCH_PIN === '0') return;
  try {
    execFileSync('taskset', ['-pc', String(cpu), String(child.pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: unpinned
  }
}

/** A node child with IPC, optionally under a lower descriptor limit (bash `ulimit -n`, then exec). */
function child(file: string, args: string[], cpu: number, nofile = 0): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', '--max-old-space-size=4096', resolve(ROOT, file), ...args];
  const c = spawn('bash', ['-c', `${nofile ? `ulimit -n ${nofile} && ` : ''}exec "$@"`, 'child', ...node], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  pin(c, cpu);
  return c;
}

const queues = new WeakMap<ChildProcess, Promise<unknown>>();
function call<T>(c: ChildProcess, msg: AttackCmd | object | null, timeoutMs = 240_000): Promise<T> {
  const prev = queues.get(c) ?? Promise.resolve();
  const next = prev
    .catch(() => {})
    .then(
      () =>
        new Promise<T>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`child timed out on ${JSON.stringify(msg).slice(0, 80)}`)), timeoutMs);
          c.once('message', (m: T & { error?: string }) => {
            clearTimeout(t);
            if (m && typeof m === 'object' && 'error' in m && m.error) reject(new Error(m.error));
            else resolve(m);
          });
          if (msg !== null) c.send(msg);
        }),
    );
  queues.set(c, next);
  return next;
}

interface Srv {
  proc: ChildProcess;
  port: number;
}
async function startSrv(opts: object, nofile = 0): Promise<Srv> {
  const proc = child('test/helpers/signal-bench-server.ts', ['ours', JSON.stringify({ shutdownGraceMs: 0, ...opts })], 0, nofile);
  const { port } = await call<{ port: number }>(proc, null, 30_000);
  return { proc, port };
}
async function stopSrv(s: Srv): Promise<void> {
  await call(s.proc, { cmd: 'stop' }, 15_000).catch(() => {});
  s.proc.kill('SIGKILL');
}
const stats = (s: Srv): Promise<Record<string, number>> => call(s.proc, { cmd: 'stats' });
const fds = (s: Srv): number => {
  try {
    return readdirSync(`/proc/${s.proc.pid}/fd`).length;
  } catch {
    return NaN;
  }
};
function loader(cpu: number): ChildProcess {
  return child('test/helpers/signal-attack-load.ts', [], cpu);
}
async function closeLoader(c: ChildProcess): Promise<void> {
  await call(c, { cmd: 'close' }, 30_000).catch(() => {});
  c.kill('SIGKILL');
}

interface Join {
  ids: string[];
  refusals: number;
  ms: number;
}
const attackerSrc = (n: number): string[] => Array.from({ length: n }, (_, i) => `127.1.${i}.1`);
const honestSrc = (n: number, first = 0): string[] => Array.from({ length: n }, (_, i) => `127.0.${10 + first + i}.1`);

// ---- phases ---------------------------------------------------------------------------------

interface Echo {
  sent: number;
  received: number;
  lost: number;
  p50: number;
  p99: number;
  max: number;
  codes: Record<string, number>;
}

async function nested(): Promise<Record<string, unknown>> {
  const s = await startSrv({});
  const h = loader(-1);
  const a = loader(1);
  try {
    await call<Join>(h, { cmd: 'join', port: s.port, n: 2, src: honestSrc(2), retryMs: 200, ms: 30_000 });
    const atk = await call<Join>(a, { cmd: 'join', port: s.port, n: 32, src: ['127.0.99.1'], retryMs: 200, ms: 60_000 });
    const base = await call<Echo>(h, { cmd: 'echo', intervalMs: 100, ms: 3000, settleMs: 2000 });
    // attackers relay to each other (a ring): the work is the server's, not a victim's budget
    const ring = atk.ids.map((_, i) => atk.ids[(i + 1) % atk.ids.length]!);
    await call(s.proc, { cmd: 'reset-loop' });
    const flood = call<Record<string, unknown>>(a, { cmd: 'flood', kind: 'nested', perSec: 9.5, ms: FLOOD_MS, targets: ring });
    const under = await call<Echo>(h, { cmd: 'echo', intervalMs: 100, ms: FLOOD_MS, settleMs: 30_000 });
    const fl = await flood;
    return { attackers: atk.ids.length, base, under, flood: fl, server: await stats(s) };
  } finally {
    await Promise.all([closeLoader(h), closeLoader(a)]);
    await stopSrv(s);
  }
}

interface VictimStats {
  frames: number;
  bytes: number;
  max: number;
  over32k: number;
  fromAttack: number;
  attackBytes: number;
  honestReceived: number;
  p50: number;
  p99: number;
}

async function amplify(): Promise<Record<string, unknown>> {
  const s = await startSrv({});
  const h = loader(-1);
  const a = loader(1);
  try {
    const hon = await call<Join>(h, { cmd: 'join', port: s.port, n: 2, src: honestSrc(2), retryMs: 200, ms: 30_000 });
    await call<Join>(a, { cmd: 'join', port: s.port, n: 32, src: ['127.0.99.1'], retryMs: 200, ms: 60_000 });
    const victimId = hon.ids[0]!;
    await call(h, { cmd: 'victim-start', index: 0 });
    const flood = call<{ sent: number; frameBytes: number; codes: Record<string, number> }>(a, {
      cmd: 'flood',
      kind: 'amplify',
      perSec: 9.5,
      ms: FLOOD_MS,
      targets: [victimId],
    });
    await sleep(1000);
    const honest = await call<{ sent: number; codes: Record<string, number> }>(h, {
      cmd: 'oneway-to',
      id: victimId,
      c: { from: 1, intervalMs: 250, ms: 10_000, settleMs: 3000 },
    });
    const fl = await flood;
    await sleep(2000);
    const v = await call<VictimStats & { max: number }>(h, { cmd: 'victim-stop' });
    const st = await stats(s);
    return {
      attackSent: fl.sent,
      attackFrameBytes: fl.frameBytes,
      attackCodes: fl.codes,
      victim: v,
      honest,
      // bytes the victim received per attack frame, minus the bytes of that frame as sent
      overheadPerFrame: v.fromAttack ? v.attackBytes / v.fromAttack - fl.frameBytes : NaN,
      ratio: v.fromAttack ? v.attackBytes / (v.fromAttack * fl.frameBytes) : NaN,
      server: st,
    };
  } finally {
    await Promise.all([closeLoader(h), closeLoader(a)]);
    await stopSrv(s);
  }
}

async function halfopen(): Promise<Record<string, unknown>> {
  // 4,096 descriptors: the limit the original run hit (4,069 pinned).
  const s = await startSrv({}, 4096);
  const h = loader(-1);
  const a = loader(1);
  try {
    const attack = call<Record<string, unknown>>(a, {
      cmd: 'halfopen',
      port: s.port,
      count: 5000,
      src: ['127.0.77.1', '127.0.77.2'],
      ms: HALFOPEN_MS,
    });
    let peakFds = 0;
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 10_000; i++) {
        peakFds = Math.max(peakFds, fds(s));
        await sleep(250);
      }
    })();
    await sleep(5000);
    const fdsAt5s = fds(s);
    const newcomers = await call<{ ok: number; refused: string[] }>(h, {
      cmd: 'newcomers',
      port: s.port,
      count: 23,
      first: 0,
      exclude: [],
      hold: true,
    });
    const res = await attack;
    sampling = false;
    await sampler;
    return { newcomers, attack: res, fdsAt5s, peakFds, server: await stats(s) };
  } finally {
    await Promise.all([closeLoader(h), closeLoader(a)]);
    await stopSrv(s);
  }
}

async function hellos(): Promise<Record<string, unknown>> {
  const s = await startSrv({ turnSecret: { urls: ['turn:127.0.0.1:3478'], secret: 'bench-secret', ttlSec: TURN_TTL_SEC } });
  const a = loader(1);
  try {
    const r = await call<Record<string, number>>(a, { cmd: 'hellos', port: s.port, src: '127.0.88.1', ms: HELLO_MS, concurrency: 32 });
    return { ...r, turnTtlSec: TURN_TTL_SEC, server: await stats(s) };
  } finally {
    await closeLoader(a);
    await stopSrv(s);
  }
}

async function welcome(): Promise<Record<string, unknown>> {
  const s = await startSrv({});
  const h = loader(-1);
  const a = loader(1);
  try {
    const hon = await call<Join>(h, { cmd: 'join', port: s.port, n: 20, src: honestSrc(20), retryMs: 500, ms: 60_000 });
    const atk = await call<Join>(a, { cmd: 'join', port: s.port, n: 320, src: attackerSrc(10), retryMs: 500, ms: 120_000 });
    const r = await call<{ ok: number; sampled: number; fromAttackers: number; onlyAttackers: number; refused: string[] }>(h, {
      cmd: 'newcomers',
      port: s.port,
      count: 50,
      first: 0,
      exclude: atk.ids,
      hold: false,
    });
    const prefixes = 20 + 10;
    return {
      honest: hon.ids.length,
      attackerIds: atk.ids.length,
      attackerJoinMs: atk.ms,
      attackerRefusals: atk.refusals,
      newcomers: r.ok,
      share: r.fromAttackers / r.sampled,
      prefixShare: 10 / prefixes,
      onlyAttackers: r.onlyAttackers,
      refused: r.refused,
    };
  } finally {
    await Promise.all([closeLoader(h), closeLoader(a)]);
    await stopSrv(s);
  }
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`${cpus().length} cpus, node ${process.version}, phases ${[...ONLY].join(',')}`);
  const out: Record<string, Record<string, unknown>> = {};
  const phases: [string, () => Promise<Record<string, unknown>>][] = [
    ['nested', nested],
    ['amplify', amplify],
    ['halfopen', halfopen],
    ['hellos', hellos],
    ['welcome', welcome],
  ];
  for (const [name, run] of phases) {
    if (!ONLY.has(name)) continue;
    log(`phase ${name}`);
    try {
      out[name] = await run();
    } catch (e) {
      out[name] = { error: String(e instanceof Error ? e.message : e) };
    }
    log(`phase ${name}: ${JSON.stringify(out[name]).slice(0, 400)}`);
  }
  const f1 = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const g = (o: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  const rows: [string, string, string][] = [];
  if (out.nested) {
    const n = out.nested;
    rows.push(
      ['(1) well-behaved relay round trip, no flood: p50 / p99 ms', `${f1(g(n, 'base', 'p50'))} / ${f1(g(n, 'base', 'p99'))}`, ''],
      [
        `(1) during the nested flood: p50 / p99 / max ms (${g(n, 'under', 'received')}/${g(n, 'under', 'sent')} back)`,
        `${f1(g(n, 'under', 'p50'))} / ${f1(g(n, 'under', 'p99'))} / ${f1(g(n, 'under', 'max'))}`,
        'p99 < 100 ms',
      ],
      ['(1) well-behaved relays lost during the flood', String(g(n, 'under', 'lost')), '0'],
      [
        '(1) server event-loop delay p99 / max during the flood, ms',
        `${f1(g(n, 'server', 'loopDelayP99Ms'))} / ${f1(g(n, 'server', 'loopDelayMaxMs'))}`,
        '',
      ],
    );
  }
  if (out.amplify) {
    const m = out.amplify;
    rows.push(
      ['(6) bytes out per attack frame minus bytes in', f1(g(m, 'overheadPerFrame')), '<= 200'],
      ['(6) bytes out / bytes in (relayed attack frames)', f1(g(m, 'ratio')), ''],
      [
        '(6) largest frame the victim received, bytes / frames over 32 KiB',
        `${g(m, 'victim', 'max')} / ${g(m, 'victim', 'over32k')}`,
        '<= 16,584 / 0',
      ],
      [
        `(6) honest sender to the victim: delivered / sent (errors ${JSON.stringify(g(m, 'honest', 'codes'))})`,
        `${g(m, 'victim', 'honestReceived')} / ${g(m, 'honest', 'sent')}`,
        'all',
      ],
      ['(6) honest one-way latency p50 / p99 ms', `${f1(g(m, 'victim', 'p50'))} / ${f1(g(m, 'victim', 'p99'))}`, 'p99 < 100 ms'],
    );
  }
  if (out.halfopen) {
    const hh = out.halfopen;
    rows.push(
      [
        '(7) honest newcomers refused while 5,000 half-open sockets from 2 addresses are held',
        `${(g(hh, 'newcomers', 'refused') as string[] | undefined)?.length ?? 'n/a'} of 23`,
        '0',
      ],
      ['(7) server descriptors at 5 s / peak', `${g(hh, 'fdsAt5s')} / ${g(hh, 'peakFds')}`, ''],
      ['(7) attack sockets still open at the end', String(g(hh, 'attack', 'stillOpen')), ''],
    );
  }
  if (out.hellos) {
    const hl = out.hellos;
    rows.push(
      [
        `(8) new ids welcomed from one address in ${f1(g(hl, 'seconds'))} s (32 at a time, as fast as it can)`,
        `${g(hl, 'welcomes')} (${f1(g(hl, 'welcomesPerSec'))}/s)`,
        `<= ${f1(60 + 2 * Number(g(hl, 'seconds')))} (burst 60 + 120/min)`,
      ],
      [
        `(8) distinct TURN credentials from one address in that time (TTL ${TURN_TTL_SEC} s)`,
        `${g(hl, 'turnCreds')} (${f1(g(hl, 'turnCredsPerMin'))}/min)`,
        `<= ${f1(10 + Number(g(hl, 'seconds')) / 6)} (burst 10 + 10/min)`,
      ],
    );
  }
  if (out.welcome) {
    const w = out.welcome;
    rows.push(
      [
        `(8) attacker share of welcome samples (${g(w, 'attackerIds')} ids from 10 addresses, ${g(w, 'honest')} honest)`,
        `${f1(100 * Number(g(w, 'share')))}%`,
        `<= ${f1(100 * Number(g(w, 'prefixShare')))}% (their share of prefixes)`,
      ],
      ['(8) newcomers whose sample was only attacker ids', `${g(w, 'onlyAttackers')} of ${g(w, 'newcomers')}`, ''],
    );
  }
  const table = ['| figure | measured | target |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];
  const notes = `Host load average at start / end: ${loadStart.join(' ')} / ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; ${cpus().length} x ${cpus()[0]?.model ?? '?'}; wall ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`;
  process.stdout.write(`${table.join('\n')}\n\n${notes}\n${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
