/**
 * The cluster under failure, with a real redis-server on a loopback port: an instance SIGKILLed
 * (its SignalClients move to another instance from their URL list and re-register; its peers that
 * do not come back vanish from the directory after the lease), and Redis SIGKILLed and restarted
 * empty while clients keep relaying locally (degraded health, error frames for everything else,
 * then a re-sync). Every socket is on 127.0.0.0/8; every loop is bounded in count and time.
 */
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Rng } from '../../shared/env/rng';
import { cryptoRng } from '../../shared/env/rng';
import type { SignalServer } from '../../signal-server/server';
import { SignalClient } from '../../web/net/signal-client';
import { fetchText, spawnInstance, startInstance, type ChildInstance } from '../helpers/cluster';
import { startRedis, type RedisProc } from '../helpers/redis';
import { RawClient, authed, keyFromSeed, sleep, until } from '../helpers/signal-harness';

/** Start at the first URL of the list (the test decides where a client lands), jitter as usual. */
const firstUrlRng: Rng = { next: () => cryptoRng.next(), int: () => 0, bytes: (n) => cryptoRng.bytes(n) };

describe('signaling cluster under failure', () => {
  let redis: RedisProc;
  const servers: SignalServer[] = [];
  const children: ChildInstance[] = [];
  const raw: RawClient[] = [];
  const sigs: SignalClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const c of sigs.splice(0)) c.close();
    for (const c of raw.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
    for (const ch of children.splice(0)) await ch.kill();
  });

  it('an instance killed: its clients reconnect to another, re-register, and its other peers vanish', async () => {
    const prefix = 'kill:';
    const dead = await spawnInstance(redis.url, prefix, ['--redis-lease-ms', '1500']);
    children.push(dead);
    const live = await startInstance(redis.url, prefix, { redisLeaseMs: 1500 });
    servers.push(live);
    const movers = Array.from({ length: 6 }, (_, i) => {
      const c = new SignalClient({
        url: [dead.wsUrl, live.wsUrl],
        keyPair: keyFromSeed(100 + i),
        WebSocket,
        rng: firstUrlRng,
        backoff: { baseMs: 100, maxMs: 1000 },
      });
      sigs.push(c);
      return c;
    });
    await Promise.all(movers.map((c) => c.connect()));
    expect(movers.every((c) => c.url === dead.wsUrl)).toBe(true);
    // a raw client on the doomed instance that will not come back
    const lost = new RawClient(dead.wsUrl);
    raw.push(lost);
    await lost.opened;
    await lost.hello(keyFromSeed(150));
    const watcher = await authed(live, 160);
    raw.push(watcher);
    watcher.send({ t: 'relay', to: movers[0]!.nodeId, payload: 'before', id: 1 });
    const got: unknown[] = [];
    movers[0]!.on('relay', (ev) => got.push(ev.payload));
    await until(() => got.length === 1, 5000, 'cross-instance relay before the kill');

    const attempts = movers.map(() => 0);
    movers.forEach((c, i) => {
      c.on('state', (e) => {
        if (e.state === 'connecting') attempts[i]!++;
      });
    });
    const back = movers.map((c) => new Promise<void>((r) => c.on('welcome', () => r())));
    await dead.kill();
    await Promise.all(back);
    expect(movers.every((c) => c.state === 'open' && c.url === live.wsUrl)).toBe(true);
    // each went straight to the next URL of its list: one attempt after the drop, no retries
    expect(attempts).toEqual(movers.map(() => 1));
    expect(live.hub.peerCount).toBe(7);

    // re-registered: reachable, and in bootstrap samples
    for (const [i, c] of movers.entries()) watcher.send({ t: 'relay', to: c.nodeId, payload: `after${i}`, id: 10 + i });
    await until(() => got.includes('after0'), 5000, 'relay after fail-over');
    watcher.send({ t: 'bootstrap', id: 2 });
    const sample = (await watcher.next('peers')).peers as string[];
    for (const c of movers.slice(0, 5)) expect(sample).toContain(c.nodeId);

    // the peer that did not come back: relays to it fail at once (its owner is gone) ...
    watcher.send({ t: 'relay', to: lost.nodeId, payload: 'x', id: 3 });
    expect(await watcher.error('UNKNOWN_TARGET')).toMatchObject({ ref: 3, target: lost.nodeId });
    // ... and its entry vanishes from the directory when its lease ends
    const end = Date.now() + 6000;
    let seen = true;
    while (seen && Date.now() < end) {
      watcher.send({ t: 'bootstrap', id: 4 });
      seen = ((await watcher.next('peers')).peers as string[]).includes(lost.nodeId);
      if (seen) await sleep(200);
    }
    expect(seen).toBe(false);
  });

  it('Redis killed and restarted: local relays go on, others get error frames, then a re-sync', async () => {
    const prefix = 'redis:';
    const a = await startInstance(redis.url, prefix);
    const b = await startInstance(redis.url, prefix);
    servers.push(a, b);
    const c1 = await authed(a, 201);
    const c2 = await authed(a, 202);
    const c3 = await authed(b, 203);
    raw.push(c1, c2, c3);

    // c1 -> c2 on the same instance, every 20 ms, for the whole outage (bounded: 500 frames, 20 s)
    let sent = 0;
    let received = 0;
    let stop = false;
    c2.ws.on('message', (d) => {
      if (d.toString().includes('"payload":"tick"')) received++;
    });
    const loop = (async () => {
      const end = Date.now() + 20_000;
      while (!stop && sent < 500 && Date.now() < end) {
        c1.send({ t: 'relay', to: c2.nodeId, payload: 'tick' });
        sent++;
        await sleep(20);
      }
    })();

    await redis.kill();
    await until(() => a.cluster.state === 'degraded' && b.cluster.state === 'degraded', 5000, 'degraded');
    const sentAtOutage = sent;
    const health = JSON.parse((await fetchText(a.url, '/healthz')).text) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'degraded', peers: 2, cluster: { instance: a.cluster.instanceId, redis: 'down' } });
    expect((await fetchText(a.url, '/metrics')).text).toMatch(/^signal_cluster_up 0$/m);

    // a relay to another instance's client is answered, never lost
    c1.send({ t: 'relay', to: c3.nodeId, payload: 'x', id: 31 });
    expect(await c1.error('UNKNOWN_TARGET')).toMatchObject({ ref: 31, target: c3.nodeId });
    c3.send({ t: 'relay', to: c1.nodeId, payload: 'y', id: 32 });
    expect(await c3.error('UNKNOWN_TARGET')).toMatchObject({ ref: 32 });
    // a newcomer is served locally while Redis is down
    const c4 = await authed(a, 204);
    raw.push(c4);
    c4.send({ t: 'relay', to: c2.nodeId, payload: 'local', id: 33 });
    expect((await c2.next('relay', (m) => m.payload === 'local')).from).toBe(c4.nodeId);
    await until(() => sent > sentAtOutage + 5, 5000, 'local relays during the outage');

    await redis.restart(); // empty: every registration must be re-made by the instances
    await until(() => a.cluster.state === 'ok' && b.cluster.state === 'ok', 10_000, 're-synced');
    expect(JSON.parse((await fetchText(b.url, '/healthz')).text)).toMatchObject({ status: 'ok', cluster: { redis: 'up' } });
    expect((await fetchText(a.url, '/metrics')).text).toMatch(/^signal_cluster_up 1$/m);
    expect(a.metrics.cluster!.resyncs).toBeGreaterThanOrEqual(2);

    // cross-instance relays work again, to clients registered before and during the outage
    c3.send({ t: 'relay', to: c4.nodeId, payload: 'welcome back', id: 34 });
    expect((await c4.next('relay')).payload).toBe('welcome back');
    c1.send({ t: 'relay', to: c3.nodeId, payload: 'again', id: 35 });
    expect((await c3.next('relay')).payload).toBe('again');
    c3.send({ t: 'bootstrap', id: 36 });
    expect([...((await c3.next('peers')).peers as string[])].sort()).toEqual([c1.nodeId, c2.nodeId, c4.nodeId].sort());

    stop = true;
    await loop;
    await until(() => received === sent, 5000, 'every local relay delivered');
    expect(c1.inbox.filter((m) => m.t === 'error' && m.ref === undefined)).toEqual([]);
  });
});
