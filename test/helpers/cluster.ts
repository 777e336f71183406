/**
 * Signaling cluster helpers: instances joined through a real redis-server (helpers/redis.ts), either
 * in this process (to read their hub and metrics) or as child processes (to SIGKILL one the way a
 * crashed machine dies). Everything listens on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SignalServer, SignalServerOptions } from '../../signal-server/server';
import { startServer } from './signal-harness';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** An in-process instance of the cluster on `redisUrl` (keys under `prefix`). */
export function startInstance(redisUrl: string, prefix: string, opts: SignalServerOptions = {}): Promise<SignalServer> {
  return startServer({ redis: redisUrl, redisPrefix: prefix, redisLeaseMs: 3000, shutdownGraceMs: 200, ...opts });
}

export interface ChildInstance {
  readonly url: string;
  readonly wsUrl: string;
  readonly proc: ChildProcess;
  /** SIGKILL and wait for the exit: no close frames, no goodbye to Redis. */
  kill(): Promise<void>;
}

/** `p2p-signal` in a child process, joined to the cluster; resolves once it listens. */
export function spawnInstance(redisUrl: string, prefix: string, args: string[] = []): Promise<ChildInstance> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(ROOT, 'signal-server/main.ts'),
      '--port',
      '0',
      '--static',
      '',
      '--redis',
      redisUrl,
      '--redis-prefix',
      prefix,
      '--overload-lag-ms',
      '100000',
      // The tests' clients are made-up keys (keyFromSeed), not ground ones.
      '--node-puzzle-bits',
      '0',
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`instance did not start: ${out.slice(0, 500)}`));
    }, 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      const { url, signal } = JSON.parse(line) as { url: string; signal: string };
      resolvePromise({
        url,
        wsUrl: signal,
        proc,
        kill: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            proc.once('exit', () => done());
            proc.kill('SIGKILL');
          }),
      });
    });
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited with ${code}: ${out.slice(0, 500)}`));
    });
  });
}

/** GET a JSON or text document from an instance. */
export async function fetchText(base: string, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, text: await res.text() };
}
