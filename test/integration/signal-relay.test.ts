import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { RawClient, authed, sleep, startServer, until } from '../helpers/signal-harness';

describe('signal bootstrap and relay', () => {
  let server: SignalServer;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });
  const join = async (seed: number): Promise<RawClient> => {
    const c = await authed(server, seed);
    clients.push(c);
    return c;
  };

  it('bootstrap returns every other peer when there are few, never self', async () => {
    const a = await join(1);
    const b = await join(2);
    const c = await join(3);
    const w = clients.map((x) => x.nodeId);
    a.send({ t: 'bootstrap', id: 1 });
    const p = await a.next('peers');
    expect(p.id).toBe(1);
    expect([...(p.peers as string[])].sort()).toEqual([b.nodeId, c.nodeId].sort());
    expect(w).toContain(a.nodeId);
  });

  it('bootstrap samples at most 8 distinct live peers, randomly, and forgets closed ones', async () => {
    const peers: RawClient[] = [];
    for (let i = 0; i < 20; i++) peers.push(await join(100 + i));
    const me = peers[0]!;
    const ids = new Set(peers.map((p) => p.nodeId));
    const seen = new Set<string>();
    for (let round = 0; round < 10; round++) {
      me.send({ t: 'bootstrap', id: round });
      const s = (await me.next('peers', (m) => m.id === round)).peers as string[];
      expect(s).toHaveLength(8);
      expect(new Set(s).size).toBe(8);
      expect(s).not.toContain(me.nodeId);
      for (const id of s) expect(ids.has(id)).toBe(true);
      for (const id of s) seen.add(id);
    }
    // 10 samples of 8 out of 19: a fixed sample would show only 8 ids.
    expect(seen.size).toBeGreaterThan(12);
    // close 15 peers: samples only contain the 4 that remain
    const gone = peers.slice(5);
    for (const g of gone) g.close();
    await until(() => server.metrics.peers === 5, 3000, 'peers gone');
    me.send({ t: 'bootstrap', id: 99 });
    const s = (await me.next('peers', (m) => m.id === 99)).peers as string[];
    expect([...s].sort()).toEqual(
      peers
        .slice(1, 5)
        .map((p) => p.nodeId)
        .sort(),
    );
  });

  it('the welcome carries a sample of up to 8 other peers', async () => {
    for (let i = 0; i < 10; i++) await join(200 + i);
    const c = new RawClient(server.wsUrl);
    clients.push(c);
    const w = await c.hello((await import('../helpers/signal-harness')).keyFromSeed(300));
    expect(w.peers).toHaveLength(8);
    expect(w.peers).not.toContain(w.nodeId);
  });

  it('relays to a known id only, with `from` set by the server', async () => {
    const a = await join(1);
    const b = await join(2);
    const bystander = await join(3);
    const offer = { sid: 'abcd1234', data: { type: 'offer', sdp: `v=0\r\n${'a=x\r\n'.repeat(200)}` } };
    a.send({ t: 'relay', to: b.nodeId, payload: offer, from: bystander.nodeId, id: 5 });
    const got = await b.next('relay');
    expect(got.from).toBe(a.nodeId); // spoofed `from` ignored
    expect(got.payload).toEqual(offer);
    b.send({ t: 'relay', to: a.nodeId, payload: [1, 'two', null, { three: true }] });
    expect((await a.next('relay')).payload).toEqual([1, 'two', null, { three: true }]);
    await sleep(100);
    expect(bystander.inbox.filter((m) => m.t === 'relay')).toEqual([]);
    expect(server.metrics.relayed).toBe(2);
  });

  it('relay to an unknown id gets UNKNOWN_TARGET with ref and target', async () => {
    const a = await join(1);
    const ghost = 'f'.repeat(40);
    a.send({ t: 'relay', to: ghost, payload: { x: 1 }, id: 42 });
    const e = await a.error('UNKNOWN_TARGET');
    expect(e.ref).toBe(42);
    expect(e.target).toBe(ghost);
    expect(server.metrics.dropped.get('unknown_target')).toBe(1);
    // a peer that left is unknown too
    const b = await join(2);
    const bid = b.nodeId;
    b.close();
    await until(() => server.metrics.peers === 1, 3000, 'b gone');
    a.send({ t: 'relay', to: bid, payload: 1, id: 43 });
    expect((await a.error('UNKNOWN_TARGET')).ref).toBe(43);
  });
});
