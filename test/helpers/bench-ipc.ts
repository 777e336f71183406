/**
 * Bench plumbing: child processes run through tsx with an IPC channel, one request at a time per
 * child (answers carry no id), and CPU time read from /proc so a busy child need not answer.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Fork `file` (relative to the repo) with tsx; pin it to `cpu` unless it is -1. */
export function spawnChild(file: string, args: string[], cpu = -1): ChildProcess {
  const c = fork(resolve(ROOT, file), args, {
    cwd: ROOT,
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      '--max-old-space-size=4096',
      // BENCH_PROF=DIR: CPU profiles of the server children, for finding where the time goes.
      ...(process.env.BENCH_PROF && file.includes('server') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (cpu >= 0 && c.pid !== undefined && process.env.BENCH_PIN !== '0') {
    try {
      execFileSync('taskset', ['-pc', String(cpu), String(c.pid)], { stdio: 'ignore' });
    } catch {
      // taskset missing: run unpinned
    }
  }
  return c;
}

const queues = new WeakMap<ChildProcess, Promise<unknown>>();

/** Send `msg` (null: only wait for the next message) and resolve with the child's answer. */
export function call<T>(c: ChildProcess, msg: unknown, timeoutMs = 180_000): Promise<T> {
  const prev = queues.get(c) ?? Promise.resolve();
  const next = prev
    .catch(() => {})
    .then(
      () =>
        new Promise<T>((resolvePromise, reject) => {
          const t = setTimeout(() => reject(new Error(`child timed out on ${JSON.stringify(msg).slice(0, 80)}`)), timeoutMs);
          c.once('message', (m: T & { error?: string }) => {
            clearTimeout(t);
            if (m && typeof m === 'object' && 'error' in m && m.error) reject(new Error(m.error));
            else resolvePromise(m);
          });
          if (msg !== null) c.send(msg as object);
        }),
    );
  queues.set(c, next);
  return next;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // clock ticks at 100 Hz
  } catch {
    return NaN;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function percentile(a: number[], p: number): number {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
