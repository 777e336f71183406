/**
 * Two signaling instances joined by a real redis-server (started on a loopback port by the test):
 * hello, relay and bootstrap across instances, the same id on both (newest wins, by the REPLACED
 * rules), errors that come back from the remote instance, and the per-address cap across the
 * cluster; in both relay routings (a channel per instance, a sharded channel per node id). Every
 * socket is on 127.0.0.0/8.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { startInstance } from '../helpers/cluster';
import { startRedis, type RedisProc } from '../helpers/redis';
import { RawClient, authed, keyFromSeed, sleep, until } from '../helpers/signal-harness';

describe.each(['instance', 'id'] as const)('signaling cluster: two instances over Redis (a channel per %s)', (channels) => {
  let redis: RedisProc;
  const servers: SignalServer[] = [];
  const clients: RawClient[] = [];
  let n = 0;
  /** Two fresh instances under a prefix of their own (tests share one redis-server). */
  const pair = async (opts = {}): Promise<[SignalServer, SignalServer]> => {
    const prefix = `t${++n}:`;
    const a = await startInstance(redis.url, prefix, { redisChannels: channels, ...opts });
    const b = await startInstance(redis.url, prefix, { redisChannels: channels, ...opts });
    servers.push(a, b);
    expect([a.cluster.state, b.cluster.state]).toEqual(['ok', 'ok']);
    return [a, b];
  };
  const join = async (s: SignalServer, seed: number, localAddress?: string): Promise<RawClient> => {
    const c = await authed(s, seed, localAddress ? { localAddress } : {});
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
  });

  it('hello, relay and bootstrap across two instances', async () => {
    const [a, b] = await pair({ inboundRatePerSec: 1, inboundBurst: 3 });
    const c1 = await join(a, 1);
    const c2 = await join(b, 2);
    // a welcome on b samples the whole cluster: c1 (on a) and c2 (on b)
    const c3 = new RawClient(b.wsUrl);
    clients.push(c3);
    await c3.opened;
    const w3 = await c3.hello(keyFromSeed(3));
    expect([...w3.peers].sort()).toEqual([c1.nodeId, c2.nodeId].sort());
    c1.send({ t: 'bootstrap', id: 1 });
    expect([...((await c1.next('peers')).peers as string[])].sort()).toEqual([c2.nodeId, c3.nodeId].sort());
    c2.send({ t: 'bootstrap', id: 2 });
    const p2 = await c2.next('peers');
    expect(p2.id).toBe(2);
    expect([...(p2.peers as string[])].sort()).toEqual([c1.nodeId, c3.nodeId].sort());

    // relays cross in both directions, from set by the server
    c1.send({ t: 'relay', to: c2.nodeId, payload: { sdp: 'offer' }, from: 'f'.repeat(40) });
    expect(await c2.next('relay')).toEqual({ t: 'relay', from: c1.nodeId, payload: { sdp: 'offer' } });
    c2.send({ t: 'relay', to: c1.nodeId, payload: ['answer', 1, null] });
    expect(await c1.next('relay')).toEqual({ t: 'relay', from: c2.nodeId, payload: ['answer', 1, null] });
    expect(a.metrics.cluster?.forwarded).toBe(1);
    expect(b.metrics.cluster?.received).toBe(1);
    expect(b.metrics.relayed).toBe(1);

    // an id no instance holds: UNKNOWN_TARGET with the request's ref
    c1.send({ t: 'relay', to: 'e'.repeat(40), payload: 1, id: 7 });
    expect(await c1.error('UNKNOWN_TARGET')).toMatchObject({ ref: 7, target: 'e'.repeat(40) });

    // the target's inbound budget lives where the target is; its refusal comes back to the sender
    for (let i = 0; i < 3; i++) c1.send({ t: 'relay', to: c3.nodeId, payload: i, id: 100 + i });
    for (let i = 0; i < 3; i++) expect((await c3.next('relay')).payload).toBe(i);
    c1.send({ t: 'relay', to: c3.nodeId, payload: 'too many', id: 200 });
    expect(await c1.error('TARGET_BUSY')).toMatchObject({ ref: 200, target: c3.nodeId });
    expect(b.metrics.dropped.get('target_busy')).toBe(1);

    // an id that left is gone cluster-wide at once (released, not left to its lease)
    c2.close();
    await until(() => b.hub.peerCount === 1, 5000, 'c2 gone on b');
    await sleep(50);
    c1.send({ t: 'relay', to: c2.nodeId, payload: 'late', id: 9 });
    expect(await c1.error('UNKNOWN_TARGET')).toMatchObject({ ref: 9 });
    c1.send({ t: 'bootstrap', id: 3 });
    expect((await c1.next('peers')).peers).toEqual([c3.nodeId]);
  });

  it('the same id registered on two instances: the newest wins, relays follow it', async () => {
    const [a, b] = await pair();
    const first = await join(a, 10);
    const other = await join(b, 11);
    const second = await join(b, 10); // same key, other instance
    expect(await first.error('REPLACED')).toBeTruthy();
    expect((await first.closed).code).toBe(4000);
    await until(() => a.hub.peerCount === 0, 5000, 'first unlisted on a');
    // relays to the id reach the newest connection, from either instance
    other.send({ t: 'relay', to: second.nodeId, payload: 'local' });
    expect((await second.next('relay')).payload).toBe('local');
    const onA = await join(a, 12);
    onA.send({ t: 'relay', to: second.nodeId, payload: 'remote' });
    expect((await second.next('relay')).payload).toBe('remote');

    // and back again: a third connection on a displaces the one on b
    const third = await join(a, 10);
    expect((await second.closed).code).toBe(4000);
    other.send({ t: 'relay', to: third.nodeId, payload: 'follows', id: 4 });
    expect((await third.next('relay')).payload).toBe('follows');
    // the displaced connections' releases did not drop the newest claim
    await sleep(300);
    other.send({ t: 'relay', to: third.nodeId, payload: 'still', id: 5 });
    expect((await third.next('relay')).payload).toBe('still');
    expect(other.inbox.filter((m) => m.t === 'error')).toEqual([]);
    expect(third.closeInfo).toBeNull();
  });

  it('the per-address cap holds across instances', async () => {
    const [a, b] = await pair({ maxConnectionsPerIp: 3 });
    const ip = '127.0.0.7';
    await join(a, 20, ip);
    const x = await join(a, 21, ip);
    await join(b, 22, ip);
    // a fourth from the same address is refused on either instance, though each holds fewer than 3
    for (const s of [a, b]) {
      const over = new RawClient(s.wsUrl, { localAddress: ip });
      clients.push(over);
      expect(await over.error('IP_LIMIT')).toBeTruthy();
      expect((await over.closed).code).toBe(1013);
    }
    // another address is not affected
    await join(b, 23, '127.0.0.8');
    // a slot freed on one instance can be used on the other
    x.close();
    await until(() => a.hub.size === 1, 5000, 'x gone');
    await sleep(100);
    const again = await join(b, 24, ip);
    expect(again.closeInfo).toBeNull();
    expect(a.metrics.rejected.get('ip_limit')! + b.metrics.rejected.get('ip_limit')!).toBe(2);
  });
});
