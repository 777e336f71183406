/**
 * A real redis-server for tests and benches: started on a free 127.0.0.1 port with no persistence,
 * stopped (or killed, to simulate a crash) by its pid, and restartable on the same port.
 *   const r = await startRedis(); ... r.url ... await r.kill(); await r.restart(); await r.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisProc {
  readonly port: number;
  readonly url: string;
  /** The redis-server pid (undefined while down). */
  readonly pid: number | undefined;
  /** SIGKILL: connections drop without a goodbye, every key is gone (no persistence). */
  kill(): Promise<void>;
  /** Start again on the same port (empty). */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** A port the kernel just handed out on 127.0.0.1 (free at that moment). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** PING until +PONG (bounded). */
async function waitReady(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port });
      const t = setTimeout(() => done(false), 500);
      const done = (v: boolean): void => {
        clearTimeout(t);
        c.destroy();
        resolve(v);
      };
      c.once('error', () => done(false));
      c.once('connect', () => c.write('PING\r\n'));
      c.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`redis-server on port ${port} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));
}

export async function startRedis(port?: number): Promise<RedisProc> {
  const p0 = port ?? (await freePort());
  let proc: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const child = spawn(REDIS_SERVER, ['--port', String(p0), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', () => {});
    proc = child;
    await waitReady(p0);
  };
  await launch();
  const stopWith = async (sig: NodeJS.Signals): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p) return;
    p.kill(sig);
    await exited(p);
  };
  return {
    port: p0,
    url: `redis://127.0.0.1:${p0}`,
    get pid() {
      return proc?.pid;
    },
    kill: () => stopWith('SIGKILL'),
    restart: launch,
    stop: () => stopWith('SIGTERM'),
  };
}
