import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SeededRng } from '../../shared/env/rng';
import type { SignalServer } from '../../signal-server/server';
import { Backoff } from '../../web/net/backoff';
import { SignalClient, SignalClientError, type SignalClientEvents } from '../../web/net/signal-client';
import type { SignalPayload } from '../../web/net/signaler';
import { keyFromSeed, sleep, startServer, until } from '../helpers/signal-harness';

type StateEv = SignalClientEvents['state'];

describe('SignalClient against the server (Node, ws)', () => {
  const servers: SignalServer[] = [];
  const clients: SignalClient[] = [];
  const client = (url: string, seed: number, extra = {}): SignalClient => {
    const c = new SignalClient({
      url,
      keyPair: keyFromSeed(seed),
      WebSocket,
      backoff: { baseMs: 50, maxMs: 800, factor: 2, jitter: 0.5 },
      rng: new SeededRng(seed),
      ...extra,
    });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
  });

  it('connects, bootstraps, relays and implements the transport Signaler', async () => {
    const s = await startServer();
    servers.push(s);
    const a = client(s.wsUrl, 1);
    const b = client(s.wsUrl, 2);
    const wa = await a.connect();
    expect(wa.nodeId).toBe(a.nodeId);
    await b.connect();
    expect(await a.bootstrap()).toEqual([b.nodeId]);
    const got: unknown[] = [];
    b.on('relay', (ev) => got.push(ev));
    a.relay(b.nodeId, { hello: 'b' });
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ from: a.nodeId, payload: { hello: 'b' } });

    const signals: [string, SignalPayload][] = [];
    b.onSignal((from, sig) => signals.push([from, sig]));
    const offer: SignalPayload = { sid: 'deadbeef', data: { type: 'offer', sdp: 'v=0\r\n' } };
    a.send(b.nodeId, offer);
    a.relay(b.nodeId, { not: 'a signal' }); // dropped and counted by b's Signaler side
    await until(() => signals.length === 1 && b.dropped.badSignal === 1);
    expect(signals[0]).toEqual([a.nodeId, offer]);

    const errors: unknown[] = [];
    a.on('error', (e) => errors.push(e));
    const id = a.relay('e'.repeat(40), 'x');
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'UNKNOWN_TARGET', ref: id, target: 'e'.repeat(40) });
  });

  it('reconnects with exponential backoff and jitter after a server restart', async () => {
    const s1 = await startServer();
    const port = s1.port;
    const a = client(s1.wsUrl, 11);
    const b = client(s1.wsUrl, 12);
    await Promise.all([a.connect(), b.connect()]);
    const states: StateEv[] = [];
    a.on('state', (ev) => states.push(ev));
    await s1.close();
    await until(() => states.some((e) => e.state === 'reconnecting'), 3000, 'reconnecting');
    expect(states.find((e) => e.state === 'reconnecting')?.closeCode).toBe(1001);
    // stay down long enough for several attempts
    await until(() => states.filter((e) => e.state === 'reconnecting').length >= 4, 5000, '4 attempts');
    const delays = states.filter((e) => e.state === 'reconnecting').map((e) => e.delayMs!);
    for (let i = 0; i < 4; i++) {
      const cap = Math.min(800, 50 * 2 ** i);
      expect(delays[i]).toBeGreaterThanOrEqual(cap / 2);
      expect(delays[i]).toBeLessThanOrEqual(cap);
    }
    expect(new Set(delays.slice(0, 4).map((d, i) => d / (50 * 2 ** i))).size).toBeGreaterThan(1); // jittered
    const s2 = await startServer({ port });
    servers.push(s2);
    const [wa] = await Promise.all([a.connect(), b.connect()]);
    expect(wa.nodeId).toBe(a.nodeId);
    expect(a.state).toBe('open');
    expect(await a.bootstrap()).toEqual([b.nodeId]);
    // a dropped connection after a welcome starts the backoff over
    const before = states.length;
    s2.hub.shutdown();
    await until(() => states.slice(before).some((e) => e.state === 'reconnecting'), 3000);
    expect(states.slice(before).find((e) => e.state === 'reconnecting')!.delayMs!).toBeLessThanOrEqual(50);
  });

  it('does not reconnect when replaced by a newer session of the same node id', async () => {
    const s = await startServer();
    servers.push(s);
    const first = client(s.wsUrl, 21);
    await first.connect();
    const states: StateEv[] = [];
    first.on('state', (ev) => states.push(ev));
    const second = client(s.wsUrl, 21);
    await second.connect();
    await until(() => first.state === 'closed', 3000, 'first closed');
    expect(states.at(-1)).toMatchObject({ state: 'closed', closeCode: 4000 });
    await sleep(200);
    expect(first.state).toBe('closed');
    expect(s.metrics.peers).toBe(1);
    await expect(first.bootstrap()).rejects.toBeInstanceOf(SignalClientError);
  });

  it('drops a silent server after two missed heartbeats and reconnects', async () => {
    // A fake server: challenge, welcome with a 100 ms heartbeat, then silence (no pongs).
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    let conns = 0;
    wss.on('connection', (ws) => {
      conns++;
      ws.send(JSON.stringify({ t: 'challenge', v: 1, nonce: 'ab'.repeat(16) }));
      ws.once('message', () => {
        const nodeId = clients[0]!.nodeId;
        ws.send(
          JSON.stringify({
            t: 'welcome',
            nodeId,
            iceServers: [],
            peers: [],
            heartbeatMs: 100,
            limits: { maxFrameBytes: 16384, ratePerSec: 50, burst: 200 },
          }),
        );
      });
    });
    try {
      const c = client(`ws://127.0.0.1:${port}/signal`, 31);
      await c.connect();
      const states: StateEv[] = [];
      c.on('state', (e) => states.push(e));
      await until(() => states.some((e) => e.state === 'reconnecting'), 3000, 'gave up on silent server');
      expect(states.find((e) => e.state === 'reconnecting')!.closeReason).toBe('server silent');
      await until(() => conns >= 2, 3000, 'reconnected');
    } finally {
      clients.splice(0).forEach((c) => {
        c.close();
      });
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => wss.close(r));
    }
  });

  it('Backoff is deterministic with a seeded rng and bounded by maxMs', () => {
    const a = new Backoff({ baseMs: 100, maxMs: 1000, rng: new SeededRng(7) });
    const b = new Backoff({ baseMs: 100, maxMs: 1000, rng: new SeededRng(7) });
    const da = Array.from({ length: 10 }, () => a.next());
    const db = Array.from({ length: 10 }, () => b.next());
    expect(da).toEqual(db);
    da.forEach((d, i) => {
      const cap = Math.min(1000, 100 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    });
    a.reset();
    expect(a.next()).toBeLessThanOrEqual(100);
  });
});
