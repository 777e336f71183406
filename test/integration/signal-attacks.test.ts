/**
 * The attacks of issue 16 over real sockets on 127.0.0.0/8, reduced in size and asserted on
 * properties that hold on a loaded machine (counts, bytes, closes), never on latency. The timing
 * figures at full size are the bench's: `npm run bench:signal-attack`.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SeededRng } from '../../shared/env/rng';
import type { SignalServer, SignalServerOptions } from '../../signal-server/server';
import { SignalClient } from '../../web/net/signal-client';
import { RawClient, authed, keyFromSeed, startServer, until } from '../helpers/signal-harness';

describe('signal server under attack (loopback)', () => {
  let server: SignalServer | null = null;
  const clients: RawClient[] = [];
  const sockets: Socket[] = [];
  const start = async (opts: SignalServerOptions = {}): Promise<SignalServer> => (server = await startServer(opts));
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = null;
  });

  it('(1, 6) relays arrive as sent: 1e20 stays 4 bytes, bytes out <= bytes in + 200; depth 4,000 is MALFORMED and reaches nobody', async () => {
    const s = await start();
    const a = await authed(s, 1);
    const b = await authed(s, 2);
    clients.push(a, b);
    const raw: string[] = [];
    b.ws.on('message', (d: Buffer) => raw.push(d.toString()));
    const flat = `{"t":"relay","to":"${b.nodeId}","payload":[${Array.from({ length: 1600 }, () => '1e20').join(',')}]}`;
    a.send(flat);
    await b.next('relay');
    const out = raw.find((f) => f.startsWith('{"t":"relay"'))!;
    expect(out.length).toBeLessThanOrEqual(flat.length + 200);
    expect(out.endsWith(`${Array.from({ length: 1600 }, () => '1e20').join(',')}]}`)).toBe(true);
    a.send(`{"t":"relay","to":"${b.nodeId}","payload":${'['.repeat(4000)}${']'.repeat(4000)},"id":9}`);
    const err = await a.error('MALFORMED');
    expect(err.ref).toBeUndefined();
    expect(err.message).toMatch(/nested deeper/);
    a.send({ t: 'ping', id: 10 });
    await a.next('pong', (m) => m.id === 10);
    expect(raw.filter((f) => f.startsWith('{"t":"relay"'))).toHaveLength(1);
  });

  it('(7) 1,000 half-open sockets from 2 addresses: at most maxPendingPerIp held each, silent ones cut, 23 newcomers all join', async () => {
    const s = await start({ maxPendingPerIp: 16, upgradeTimeoutMs: 1000 });
    let closed = 0;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, s.metrics.pendingSockets);
    }, 5);
    try {
      for (let i = 0; i < 1000; i++) {
        const sock = tcpConnect({ host: '127.0.0.1', port: s.port, localAddress: i % 2 ? '127.0.77.1' : '127.0.77.2' });
        sock.on('error', () => {});
        sock.on('close', () => closed++);
        sockets.push(sock);
      }
      for (let i = 0; i < 23; i++) {
        const c = new RawClient(s.wsUrl, { localAddress: `127.3.${i}.1` });
        clients.push(c);
        await c.opened;
        await c.hello(keyFromSeed(100 + i));
      }
      expect(s.hub.peerCount).toBe(23);
      // The server holds none of them once upgradeTimeoutMs has passed. (How many the kernel still
      // queues, never accepted, depends on the host's backlog: the attacker's side is not counted.)
      await until(() => s.metrics.pendingSockets === 0, 30_000, 'no attack socket held');
    } finally {
      clearInterval(sampler);
    }
    // every attack socket the server accepted was refused at once or cut after upgradeTimeoutMs of silence
    const refused = s.metrics.rejected.get('pending_ip_limit') ?? 0;
    const cut = s.metrics.rejected.get('upgrade_timeout') ?? 0;
    expect(refused + cut).toBeLessThanOrEqual(1000);
    expect(cut).toBeGreaterThanOrEqual(32);
    // 16 per attacking address, plus the one newcomer in its handshake
    expect(peak).toBeLessThanOrEqual(33);
  });

  it('(8) one address gets helloBurst sessions, then RATE_LIMITED and close 1013; another address is unaffected', async () => {
    const s = await start({ helloBurst: 5, helloPerMin: 1 });
    for (let i = 0; i < 5; i++) clients.push(await authed(s, i, { localAddress: '127.0.88.1' }));
    const sixth = new RawClient(s.wsUrl, { localAddress: '127.0.88.1' });
    clients.push(sixth);
    await sixth.opened;
    void sixth.hello(keyFromSeed(6)).catch(() => {});
    await sixth.error('RATE_LIMITED');
    expect((await sixth.closed).code).toBe(1013);
    clients.push(await authed(s, 7, { localAddress: '127.0.88.2' }));
    expect(s.metrics.helloOk).toBe(6);
  });

  it('SignalClient asks for TURN credentials after a welcome that offers them, and hands them out with it', async () => {
    const s = await start({
      turnSecret: { urls: ['turn:127.0.0.1:3478'], secret: 'k', ttlSec: 300 },
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
    });
    const c = new SignalClient({ url: s.wsUrl, keyPair: keyFromSeed(1), WebSocket, rng: new SeededRng(1) });
    try {
      const seen: number[] = [];
      c.on('welcome', (w) => seen.push(w.iceServers.length));
      const w = await c.connect();
      expect(w.iceServers).toHaveLength(2);
      expect(w.iceServers[1]!.username).toMatch(new RegExp(`^\\d+:${c.nodeId}$`));
      expect(seen).toEqual([2]);
      // a refresh before they expire; the per-id budget (2 a minute) then refuses a third
      const fresh = await c.turnCredentials();
      expect(fresh[0]!.username).toMatch(new RegExp(`^\\d+:${c.nodeId}$`));
      await expect(c.turnCredentials()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      c.close();
    }
  });
});
