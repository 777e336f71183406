import { describe, expect, it, vi } from 'vitest';
import { DhtNode, toPeer, type DhtInit } from '../../../../shared/dht/node';
import { DhtError } from '../../../../shared/dht/errors';
import { idToHex, randomId, randomIdAtLevel, type NodeId } from '../../../../shared/dht/node-id';
import { decode, type Message } from '../../../../shared/protocol/wire';
import { bruteClosest, idOf, MemoryHub, SeededRng, testSeed } from '../../../helpers/dht';
import { IdList } from '../../../../shared/protocol/id-list';

const SEED = testSeed(0xd47);

function mkNode(hub: MemoryHub, id: NodeId, init: Partial<DhtInit> = {}, seed = 1): DhtNode {
  return new DhtNode(
    { transport: hub.endpoint(idToHex(id)), clock: hub.clock, rng: new SeededRng(seed) },
    { maintenance: false, ...init, id },
  );
}

function sentTypes(hub: MemoryHub, from: DhtNode, to?: DhtNode): string[] {
  return hub
    .sentBy(from.hex)
    .filter((f) => !to || f.to === to.hex)
    .map((f) => decode(f.frame).type);
}

describe('DhtNode over an in-memory transport', () => {
  it('rejects an id that is not 20 bytes', () => {
    const hub = new MemoryHub();
    expect(() => mkNode(hub, new Uint8Array(19))).toThrow(DhtError);
    try {
      mkNode(hub, new Uint8Array(21));
    } catch (e) {
      expect((e as DhtError).code).toBe('BAD_ARGUMENT');
    }
  });

  it('ping: resolves with the RTT and both sides learn each other', async () => {
    const hub = new MemoryHub(undefined, 15);
    const a = mkNode(hub, idOf('a0'));
    const b = mkNode(hub, idOf('b0'));
    const p = a.ping(toPeer(b.id));
    hub.clock.runFor(100);
    await expect(p).resolves.toBe(30);
    expect(a.table.get(b.id)).toBeDefined();
    expect(b.table.get(a.id)).toBeDefined();
    expect(a.table.get(b.id)!.srtt).toBe(30);
  });

  it('ping to a silent peer resolves null after the hard timeout and charges a failure', async () => {
    const hub = new MemoryHub(undefined, 15);
    const a = mkNode(hub, idOf('a0'), { maxFailures: 5 });
    const b = mkNode(hub, idOf('b0'));
    await (async () => {
      const p = a.ping(toPeer(b.id));
      hub.clock.runFor(100);
      await p;
    })();
    hub.mute(b.hex);
    const p = a.ping(toPeer(b.id));
    hub.clock.runFor(a.rpc.hardTimeoutMs(toPeer(b.id)) + 1);
    await expect(p).resolves.toBeNull();
    expect(a.table.get(b.id)!.failures).toBe(1);
  });

  it('refresh re-pings a stale contact; after forgetStaleMs silent it is forgotten, unless no contact of its bucket is live', () => {
    const hub = new MemoryHub(undefined, 15);
    const a = mkNode(hub, idOf('a0'), { k: 2, bitsPerLevel: 1, maxFailures: 1, forgetStaleMs: 3_600_000 });
    const b = mkNode(hub, idOf('b0'));
    const c = mkNode(hub, idOf('b1')); // same bucket of a's table as b
    void a.ping(toPeer(b.id));
    hub.clock.runFor(100);
    const seen = a.table.get(b.id)!.lastSeen;
    hub.mute(b.hex);
    void a.ping(toPeer(b.id));
    hub.clock.runFor(a.rpc.hardTimeoutMs(toPeer(b.id)) + 1);
    expect(a.table.get(b.id)!.failures).toBe(1); // stale: kept, no replacement is waiting
    const pings = () => sentTypes(hub, a, b).filter((t) => t === 'ping').length;
    const before = pings();
    hub.clock.runUntil(seen + 30 * 60_000);
    a.refreshStale();
    expect(pings()).toBe(before + 1); // half an hour silent: kept, and asked again
    hub.clock.runUntil(seen + 60 * 60_000);
    a.refreshStale();
    expect(pings()).toBe(before + 2); // an hour, but no contact of b's bucket is live: kept
    expect(a.table.get(b.id)).toBeDefined();
    void a.ping(toPeer(c.id)); // now the bucket holds a live contact
    hub.clock.runFor(100);
    a.refreshStale();
    expect(pings()).toBe(before + 2); // forgotten, not pinged
    expect(a.table.get(b.id)).toBeUndefined();
    expect(a.table.get(c.id)).toBeDefined();
    expect(a.rpc.counters.get('contact.forgotten')).toBe(1);
  });

  it('find_node answers with the k closest contacts to the target, never the requester', async () => {
    const rng = new SeededRng(SEED);
    const hub = new MemoryHub(undefined, 5);
    const k = 6;
    const b = mkNode(hub, randomId(rng), { k, bitsPerLevel: 1 });
    const a = mkNode(hub, randomId(rng), { k });
    const others = Array.from({ length: 40 }, () => randomId(rng));
    b.table.observe(a.id, a.hex, 0); // first, so a full bucket cannot turn it away
    for (const o of others) b.table.observe(o, idToHex(o), 0);
    expect(b.table.get(a.id)).toBeDefined();
    for (const target of [a.id, randomId(rng), others[3]!]) {
      let res: Message | null = null;
      a.rpc.request(toPeer(b.id), { type: 'find_node', target }, (r) => (res = r));
      hub.clock.runFor(50);
      expect(res).not.toBeNull();
      const got = res as unknown as Message;
      expect(got.type).toBe('nodes');
      const nodes = (got as { nodes: IdList }).nodes.toArray().map(idToHex);
      expect(nodes).not.toContain(a.hex);
      const pool = [...b.table.contacts()].filter((c) => c.hex !== a.hex);
      expect(nodes, `seed=${SEED}`).toEqual(bruteClosest(pool, target, k).map((c) => c.hex));
    }
  });

  it('answers an unhandled request type with BAD_REQUEST and counts it; an extension can serve it', () => {
    const hub = new MemoryHub(undefined, 5);
    const a = mkNode(hub, idOf('a0'));
    const b = mkNode(hub, idOf('b0'));
    let res: Message | null = null;
    a.rpc.request(toPeer(b.id), { type: 'find_value', target: idOf('01') }, (r) => (res = r));
    hub.clock.runFor(50);
    expect(res).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(b.rpc.counters.get('drop.unhandled_request')).toBe(1);
    const seen: string[] = [];
    b.use({
      handle: (_from, msg, reply) => {
        if (msg.type !== 'find_value') return false;
        reply({ type: 'value', nodes: IdList.of([]) });
        return true;
      },
      onNewContact: (p) => seen.push(p.hex),
    });
    a.rpc.request(toPeer(b.id), { type: 'find_value', target: idOf('01') }, (r) => (res = r));
    hub.clock.runFor(50);
    expect(res).toMatchObject({ type: 'value', nodes: { length: 0 } });
    const c = mkNode(hub, idOf('c0'));
    void c.ping(toPeer(b.id));
    hub.clock.runFor(50);
    expect(seen).toEqual([c.hex]); // a was already a contact before the extension was added
  });

  describe('a full bucket pings its least-recently-seen contact before evicting anyone', () => {
    function fullBucket(oldestAnswers: boolean) {
      const rng = new SeededRng(SEED + (oldestAnswers ? 1 : 2));
      const hub = new MemoryHub(undefined, 10);
      const b = mkNode(hub, randomId(rng), { k: 2, bitsPerLevel: 1, replacements: 4, maxFailures: 3 });
      // x, y, z all fall into b's level-0 bucket (k = 2).
      const [x, y, z] = [0, 1, 2].map((i) => mkNode(hub, randomIdAtLevel(b.id, 0, rng), { k: 2 }, 10 + i));
      void x!.ping(toPeer(b.id));
      hub.clock.runFor(100);
      void y!.ping(toPeer(b.id));
      hub.clock.runFor(100);
      expect(b.table.bucketFor(x!.id, false)!.contacts.map((c) => c.hex)).toEqual([x!.hex, y!.hex]);
      const before = hub.sentBy(b.hex).length;
      if (!oldestAnswers) hub.mute(x!.hex);
      void z!.ping(toPeer(b.id));
      hub.clock.runFor(15); // z's ping has arrived; b's ping to x is on its way
      return { hub, b, x: x!, y: y!, z: z!, before };
    }

    it('the oldest answers: it stays (moved to the tail) and the newcomer waits in the replacement cache', () => {
      const { hub, b, x, y, z, before } = fullBucket(true);
      hub.clock.runFor(200);
      const newFrames = hub
        .sentBy(b.hex)
        .slice(before)
        .map((f) => ({ to: f.to, type: decode(f.frame).type }));
      expect(newFrames).toContainEqual({ to: x.hex, type: 'ping' });
      expect(newFrames.filter((f) => f.type === 'ping').length).toBe(1);
      const bucket = b.table.bucketFor(x.id, false)!;
      expect(bucket.contacts.map((c) => c.hex)).toEqual([y.hex, x.hex]);
      expect(bucket.replacements.map((c) => c.hex)).toEqual([z.hex]);
      expect(bucket.pinging).toBe(false);
      hub.clock.runFor(10_000);
      expect(b.table.get(z.id)).toBeUndefined();
    });

    it('the oldest is silent: after the hard timeout it is evicted and the newcomer takes its place', () => {
      const { hub, b, x, y, z } = fullBucket(false);
      expect(sentTypes(hub, b, x)).toContain('ping');
      const bucket = b.table.bucketFor(x.id, false)!;
      expect(bucket.pinging).toBe(true);
      // Still there until the ping's hard timeout.
      hub.clock.runFor(b.rpc.hardTimeoutMs(toPeer(x.id)) - 100);
      expect(b.table.get(x.id)).toBeDefined();
      hub.clock.runFor(2000);
      expect(b.table.get(x.id)).toBeUndefined();
      expect(bucket.contacts.map((c) => c.hex)).toEqual([y.hex, z.hex]);
      expect(bucket.pinging).toBe(false);
      expect(b.table.size).toBe(2);
    });
  });

  it('a small network joins and its lookups find the true closest nodes (seeded)', async () => {
    const rng = new SeededRng(SEED + 3);
    const hub = new MemoryHub(undefined, 20);
    const nodes: DhtNode[] = [];
    for (let i = 0; i < 40; i++) {
      const n = mkNode(hub, randomId(rng), { k: 8 }, 100 + i);
      const seeds = nodes.slice(0, 3).map((m) => m.id);
      n.join(seeds);
      hub.clock.runFor(2000);
      nodes.push(n);
    }
    let overlap = 0;
    for (let q = 0; q < 20; q++) {
      const from = nodes[rng.int(nodes.length)]!;
      const target = randomId(rng);
      const p = from.findNode(target);
      hub.clock.runFor(5000);
      const r = await p;
      const truth = bruteClosest(
        nodes.filter((n) => n !== from),
        target,
        8,
      ).map((n) => n.hex);
      const got = r.closest.map((c) => c.hex);
      expect(got[0], `seed=${SEED + 3} q=${q}`).toBe(truth[0]);
      overlap += truth.filter((x) => got.includes(x)).length / truth.length;
    }
    expect(overlap / 20, `seed=${SEED + 3}`).toBeGreaterThanOrEqual(0.9);
  });

  it('join says `located` once its own lookup is done, before the bucket refreshes that finish it', () => {
    const rng = new SeededRng(SEED + 5);
    const hub = new MemoryHub(undefined, 20);
    const nodes: DhtNode[] = [];
    for (let i = 0; i < 30; i++) {
      const n = mkNode(hub, randomId(rng), { k: 8 }, 200 + i);
      n.join(nodes.slice(0, 3).map((m) => m.id));
      hub.clock.runFor(2000);
      nodes.push(n);
    }
    const late = mkNode(hub, randomId(rng), { k: 8 }, 300);
    const events: Array<[string, number, number]> = [];
    late.join(
      [nodes[0]!.id],
      (r) => events.push(['joined', hub.clock.now(), r.lookups]),
      () => events.push(['located', hub.clock.now(), late.table.size]),
    );
    hub.clock.runFor(5000);
    expect(events.map((e) => e[0])).toEqual(['located', 'joined']);
    // Located with more than its seed known; joined later, after more lookups than its own.
    expect(events[0]![2]).toBeGreaterThan(1);
    expect(events[1]![1]).toBeGreaterThan(events[0]![1]);
    expect(events[1]![2]).toBeGreaterThan(1);
  });

  it('with maintenance on, a joined node refreshes buckets no lookup touched for refreshIntervalMs', () => {
    const rng = new SeededRng(SEED + 4);
    const hub = new MemoryHub(undefined, 10);
    const a = mkNode(hub, randomId(rng), { maintenance: true, refreshIntervalMs: 60_000 }, 1);
    const b = mkNode(hub, randomId(rng), { maintenance: true, refreshIntervalMs: 60_000 }, 2);
    const spy = vi.spyOn(b, 'refreshStale');
    b.join([a.id]);
    hub.clock.runFor(10_000);
    expect(spy).not.toHaveBeenCalled();
    const sentBefore = hub.sentBy(b.hex).length;
    hub.clock.runFor(4 * 60_000);
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(spy.mock.results.some((r) => (r.value as number) > 0)).toBe(true);
    expect(hub.sentBy(b.hex).length).toBeGreaterThan(sentBefore);
    // Buckets a refresh just touched are not refreshed again right away.
    b.refreshStale();
    expect(b.refreshStale()).toBe(0);
    b.destroy();
    a.destroy();
    const n = spy.mock.calls.length;
    hub.clock.runFor(10 * 60_000);
    expect(spy.mock.calls.length).toBe(n);
  });

  it('destroy() fails pending requests and stops answering', async () => {
    const hub = new MemoryHub(undefined, 10);
    const a = mkNode(hub, idOf('a0'));
    const b = mkNode(hub, idOf('b0'));
    const p = a.ping(toPeer(b.id));
    a.destroy();
    await expect(p).resolves.toBeNull();
    b.destroy();
    const c = mkNode(hub, idOf('c0'));
    const q = c.ping(toPeer(b.id));
    hub.clock.runFor(5000);
    await expect(q).resolves.toBeNull();
  });
  it('the first node (joining with no seeds) also keeps its buckets refreshed', () => {
    const hub = new MemoryHub(undefined, 10);
    const node = mkNode(hub, idOf('42'), { maintenance: true, refreshIntervalMs: 60_000 });
    const spy = vi.spyOn(node, 'refreshStale');
    let joined = false;
    node.join([], () => (joined = true));
    expect(joined).toBe(true);
    hub.clock.runFor(5 * 60_000);
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    node.destroy();
  });
});
