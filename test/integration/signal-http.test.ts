import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../signal-server/config';
import type { SignalServer } from '../../signal-server/server';
import { RawClient, startServer } from '../helpers/signal-harness';

/** Raw GET (fetch normalizes `..` away, so traversal attempts need the raw path). */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('signal server HTTP', () => {
  let dir: string;
  let server: SignalServer;
  let bare: SignalServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signal-static-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'style.css'), 'body{}');
    await writeFile(join(dir, '..', 'signal-secret.txt'), 'secret').catch(() => {});
    server = await startServer({ staticDir: dir });
    bare = await startServer({ staticDir: join(dir, 'does-not-exist') });
  });
  afterAll(async () => {
    await server.close();
    await bare.close();
    await rm(dir, { recursive: true, force: true });
    await rm(join(dir, '..', 'signal-secret.txt'), { force: true });
  });

  it('serves files with content types, SPA fallback, and 404 for missing assets', async () => {
    expect(await get(server.url, '/')).toMatchObject({
      status: 200,
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><title>app</title>',
    });
    expect(await get(server.url, '/assets/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect((await get(server.url, '/assets/style.css')).type).toBe('text/css; charset=utf-8');
    expect(await get(server.url, '/chat/room-1')).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
    expect((await get(server.url, '/assets/missing.js')).status).toBe(404);
    expect(await get(server.url, '/assets/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await get(server.url, '/', 'POST')).status).toBe(405);
  });

  it('never serves outside the static directory', async () => {
    for (const p of [
      '/../signal-secret.txt',
      '/..%2fsignal-secret.txt',
      '/%2e%2e/signal-secret.txt',
      '/assets/../../signal-secret.txt',
      '/..\\signal-secret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const r = await get(server.url, p);
      expect(r.body).not.toContain('secret');
      expect([200, 400, 404]).toContain(r.status);
    }
  });

  it('serves a placeholder page when the app is not built', async () => {
    const r = await get(bare.url, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('signaling server');
    expect((await get(bare.url, '/some/route')).body).toContain('npm run build');
  });

  it('/healthz and /metrics', async () => {
    const c = new RawClient(server.wsUrl);
    await c.next('challenge');
    const h = await get(server.url, '/healthz');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body)).toMatchObject({ status: 'ok', connections: 1, peers: 0 });
    const m = await get(server.url, '/metrics');
    expect(m.type).toContain('text/plain; version=0.0.4');
    for (const name of [
      'signal_connected_peers',
      'signal_messages_relayed_total',
      'signal_messages_dropped_total',
      'signal_rate_limited_clients',
      'signal_bytes_in_total',
      'signal_bytes_out_total',
    ]) {
      expect(m.body).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(m.body).toMatch(/^signal_connections 1$/m);
    c.close();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const c = new RawClient(`${server.url.replace('http', 'ws')}/other`);
    await expect(c.opened).rejects.toThrow(/404/);
  });
});

describe('signal server CLI', () => {
  it('parses flags and env, flags winning', () => {
    const r = parseConfig(['--port', '9000', '--max-per-ip=4', '--turn', 'turn:127.0.0.1:3478', '--turn-username', 'u', '--trust-proxy'], {
      SIGNAL_PORT: '1',
      SIGNAL_HOST: '0.0.0.0',
      SIGNAL_TURN_CREDENTIAL: 'p',
      SIGNAL_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    });
    if (!r.ok || r.help) throw new Error('parse failed');
    expect(r.options).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      maxConnectionsPerIp: 4,
      trustProxy: true,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }],
    });
    expect(parseConfig(['--nope'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--port', 'x'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--ice-servers', '[{"urls":"http://x"}]'], {})).toMatchObject({ ok: false });
    expect(parseConfig([], { SIGNAL_MAX_FRAME_BYTES: '99999' })).toMatchObject({ ok: false });
    expect(parseConfig(['--help'], {})).toEqual({ ok: true, help: true });
  });

  it('--turn-secret: per-client TURN credentials instead of a static password; bad combinations are refused', () => {
    const r = parseConfig(['--turn', 'turn:127.0.0.1:3478', '--turn-secret', 's3cret', '--turn-ttl', '600'], {});
    if (!r.ok || r.help) throw new Error('parse failed');
    expect(r.options.turnSecret).toEqual({ urls: ['turn:127.0.0.1:3478'], secret: 's3cret', ttlSec: 600 });
    expect(r.options.iceServers).toEqual([]); // the TURN entry is minted per client, never static
    expect(parseConfig(['--turn-secret', 's'], {})).toMatchObject({ ok: false, error: '--turn-secret needs --turn URLs' });
    expect(parseConfig(['--turn', 'turn:127.0.0.1', '--turn-secret', 's', '--turn-username', 'u'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--turn', 'turn:127.0.0.1', '--turn-secret', 's', '--turn-ttl', '5'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--turn', 'http://127.0.0.1', '--turn-secret', 's'], {})).toMatchObject({ ok: false });
  });

  it('bin.mjs prints the URL, serves, and on SIGTERM closes clients with 1001', async () => {
    const child = spawn(process.execPath, ['signal-server/bin.mjs', '--port', '0', '--static', '', '--log-level', 'info'], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
        child.stdout.on('data', () => {
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      for (const line of out.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('level');
      const c = new RawClient(`${url.replace('http', 'ws')}/signal`);
      await c.next('challenge');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      await c.error('GOING_AWAY');
      expect(await c.closed).toEqual({ code: 1001, reason: 'GOING_AWAY' });
      expect(await exited).toBe(0);
      expect(out).toContain('"msg":"shutting down"');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--help lists every option with its environment variable', async () => {
    const child = spawn(process.execPath, ['signal-server/bin.mjs', '--help'], { cwd: join(__dirname, '..', '..') });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    for (const s of [
      '--port',
      'SIGNAL_PORT',
      '--host',
      '--static',
      '--allowed-origins',
      '--turn-credential',
      '--ice-servers',
      '--rate',
      '--max-per-ip',
      '--max-connections',
    ]) {
      expect(out).toContain(s);
    }
  });
});
