/**
 * The runtime's composition (startNode / P2PNode) with a fake signaling server, a memory store,
 * a virtual clock and a seeded rng, and no WebRTC: a node alone, its status, its seq counter and
 * its errors, and how it sizes the parts it builds.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { DhtError } from '../../../../shared/dht/errors';
import { randomId, idToHex } from '../../../../shared/dht/node-id';
import { SeededRng } from '../../../../shared/env/rng';
import { LINK_DEFAULTS } from '../../../../shared/overlay/constants';
import { linkShares } from '../../../../shared/overlay/setup';
import { mutableTarget, verifyMutable } from '../../../../shared/records/bep44';
import { MemoryRecordStore } from '../../../../shared/records/memory-store';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import { RUNTIME_DEFAULTS } from '../../../../web/runtime/constants';
import { startNode, type NodePhase, type P2PNode, type StartNodeOptions } from '../../../../web/runtime/runtime';
import { testSeed } from '../../../helpers/dht';
import { FakeSocketServer, settleMicrotasks, welcome } from '../../../helpers/fake-websocket';
import { generateKeyPair, nodeIdFromPublicKey } from '../../../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../../../shared/dht/constants';
import { generatePuzzleKeyPair, solvesPuzzle } from '../../../../shared/dht/node-puzzle';

const SEED = testSeed(0x2b7);
const START = 1_700_000_000_000;
/** A node key from a seeded grind that solves the node-id puzzle (a tab's key does). */
const keyPair = (() => {
  const rng = new SeededRng(11);
  return generatePuzzleKeyPair(NODE_PUZZLE_BITS, () => generateKeyPair(rng.bytes(32))).keyPair;
})();
const running: P2PNode[] = [];

afterEach(async () => {
  for (const n of running.splice(0)) await n.close();
});

interface Rig {
  node: P2PNode;
  clock: VirtualClock;
  server: FakeSocketServer;
  store: MemoryRecordStore;
  phases: NodePhase[];
}

async function start(o: Partial<StartNodeOptions> = {}, clock = new VirtualClock(START), store = new MemoryRecordStore()): Promise<Rig> {
  const server = new FakeSocketServer();
  const node = await startNode({
    keyPair,
    store,
    signalUrl: 'wss://signal.test/signal',
    WebSocket: server.WebSocket,
    clock,
    rng: new SeededRng(SEED),
    ...o,
  });
  running.push(node);
  const phases: NodePhase[] = [];
  node.onStatus((s) => {
    if (phases.at(-1) !== s.phase) phases.push(s.phase);
  });
  return { node, clock, server, store, phases };
}

/** The signaling server welcomes the node with `peers` (none: it is alone). */
async function welcomeNode(r: Rig, peers: string[] = []): Promise<void> {
  const nonce = r.server.challenge();
  await settleMicrotasks();
  welcome(r.server.last, nonce, { peers });
}

async function joinedAlone(o: Partial<StartNodeOptions> = {}, clock?: VirtualClock, store?: MemoryRecordStore): Promise<Rig> {
  const r = await start(o, clock, store);
  await welcomeNode(r);
  await r.node.ready();
  return r;
}

/** Await `p` while letting virtual time pass in small steps (a put's lookup runs on the clock). */
async function drive<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  const watched = p.finally(() => (done = true));
  for (let i = 0; i < 1000 && !done; i++) {
    await settleMicrotasks();
    if (!done) clock.runFor(10);
  }
  return watched;
}

/** The DhtError code `p` has already been rejected with (after pending callbacks ran). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  const out: { settled: boolean; err?: unknown } = { settled: false };
  p.then(
    () => (out.settled = true),
    (err: unknown) => Object.assign(out, { settled: true, err }),
  );
  await settleMicrotasks();
  if (!out.settled) throw new Error('expected a DhtError, still pending');
  if (out.err instanceof DhtError) return out.err.code;
  throw out.err ?? new Error('expected a DhtError, resolved');
}

describe('runtime: identity and joining', () => {
  it('loads its records while the key pair is still loading (a tab reads both side by side)', async () => {
    const store = new MemoryRecordStore();
    let keyGiven = false;
    let loadedBeforeKey: boolean | undefined;
    const loadAll = store.loadAll.bind(store);
    store.loadAll = () => {
      loadedBeforeKey = !keyGiven;
      return loadAll();
    };
    let give!: (k: typeof keyPair) => void;
    const server = new FakeSocketServer();
    const starting = startNode({
      keyPair: new Promise((resolve) => {
        give = resolve;
      }),
      store,
      signalUrl: 'wss://signal.test/signal',
      WebSocket: server.WebSocket,
      clock: new VirtualClock(START),
      rng: new SeededRng(SEED),
    });
    await settleMicrotasks();
    expect(loadedBeforeKey).toBe(true);
    keyGiven = true;
    give(keyPair);
    const node = await starting;
    running.push(node);
    expect(node.publicKey).toBe(bytesToHex(keyPair.publicKey));
  });

  it("the node's id is SHA-1 of its public key", async () => {
    const { node } = await start();
    const sha1 = createHash('sha1').update(keyPair.publicKey).digest('hex');
    expect(node.id).toBe(sha1);
    expect(node.dht.hex).toBe(sha1);
    expect(node.client.nodeId).toBe(sha1);
    expect(node.publicKey).toBe(bytesToHex(keyPair.publicKey));
  });

  it('a node key whose id does not solve the node-id puzzle is refused (BAD_ARGUMENT), unless the puzzle is off', async () => {
    const rng = new SeededRng(12);
    let weak = generateKeyPair(rng.bytes(32));
    while (solvesPuzzle(nodeIdFromPublicKey(weak.publicKey), NODE_PUZZLE_BITS)) weak = generateKeyPair(rng.bytes(32));
    const err = await start({ keyPair: weak }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DhtError);
    expect((err as DhtError).code).toBe('BAD_ARGUMENT');
    const { node } = await start({ keyPair: weak, dht: { puzzleBits: 0 } });
    expect(node.dht.solves(randomId(new SeededRng(3)))).toBe(true);
  });

  it('with the puzzle on, the DHT neither files nor asks an id that does not solve it', async () => {
    const { node } = await start();
    const rng = new SeededRng(13);
    let weak = randomId(rng);
    while (solvesPuzzle(weak, NODE_PUZZLE_BITS)) weak = randomId(rng);
    node.dht.observe({ id: weak, hex: idToHex(weak) });
    expect(node.dht.table.size).toBe(0);
    expect(node.dht.rpc.counters.get('drop.puzzle')).toBe(1);
  });

  it("status goes 'connecting' → 'bootstrapping' → 'joined' after a welcome with no peers, and ready() resolves", async () => {
    const r = await start();
    expect(r.node.status).toMatchObject({ phase: 'connecting', signal: 'connecting', peers: 0, contacts: 0 });
    let ready = false;
    const p = r.node.ready().then(() => (ready = true));
    await settleMicrotasks();
    expect(ready).toBe(false);
    await welcomeNode(r);
    await p;
    expect(r.phases).toEqual(['connecting', 'bootstrapping', 'joined']);
    expect(r.node.status).toMatchObject({ phase: 'joined', signal: 'open', contacts: 0 });
    expect(r.node.stats().joinedAfterMs).toBe(0);
    await expect(r.node.ready()).resolves.toBeUndefined();
    // Alone there is no own lookup: located with the join.
    await expect(r.node.located()).resolves.toBeUndefined();
    expect(r.node.stats().transport.open, 'nothing dialed').toBe(0);
  });

  it('alone, the node asks the server for a fresh sample after aloneRetryMs.first', async () => {
    const r = await joinedAlone();
    const ws = r.server.last;
    r.clock.runFor(RUNTIME_DEFAULTS.aloneRetryMs.first - 1);
    expect(ws.receivedOf('bootstrap').length).toBe(0);
    r.clock.runFor(1);
    expect(ws.receivedOf('bootstrap').length).toBe(1);
  });
});

describe('runtime: composition', () => {
  it('the DHT gets RUNTIME_DEFAULTS.minTimeoutMs unless overridden (seen in the hard timeout of an unmeasured peer)', async () => {
    const peer = { id: hexToBytes('cd'.repeat(20)), hex: 'cd'.repeat(20) };
    const { node } = await start();
    // max(minTimeoutMs, 2 × initialRttMs): 3000 with the runtime's floor, 1000 with the core's.
    expect(node.dht.rpc.hardTimeoutMs(peer, false)).toBe(RUNTIME_DEFAULTS.minTimeoutMs);
    const tuned = await start({ dht: { minTimeoutMs: 1_800 } });
    expect(tuned.node.dht.rpc.hardTimeoutMs(peer, false)).toBe(1_800);
  });

  it('the link keeper accepts maxInbound links sized from the transport budget: 6 at the default 24, 4 at 12', async () => {
    const inboundAccepted = (node: P2PNode): number => {
      let accepted = 0;
      for (let i = 0; i < 10; i++) {
        const hex = (i + 1).toString(16).padStart(40, '0');
        node.dht.serve({ id: hexToBytes(hex), hex }, { type: 'link', rid: i, keep: true }, (res) => {
          if (res.type === 'linked' && res.accepted) accepted++;
        });
      }
      return accepted;
    };
    const { node } = await joinedAlone();
    expect(node.transport.pool.init.maxOpen).toBe(24);
    expect(linkShares(24)).toEqual({ near: 8, far: 8, maxInbound: 6 });
    expect(inboundAccepted(node)).toBe(6);
    expect(node.links.links.size).toBe(6);
    for (const hex of node.links.links) expect(node.transport.pool.isProtected(hex), 'kept links are protected').toBe(true);
    const small = await joinedAlone({ transport: { pool: { maxOpen: 12 } } });
    expect(inboundAccepted(small.node)).toBe(linkShares(12).maxInbound);
    expect(linkShares(12).maxInbound).toBe(4);
  });

  it('the link keeper keeps near 8 + far 8 of a full routing table at the default budget, 6 + 0 at 12', async () => {
    // maintain() asks each chosen contact for a LINK. Node has no WebRTC, so the transport's dial
    // fails as it starts (simple-peer finds no RTCPeerConnection) and nothing connects.
    expect(typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection).toBe('undefined');
    const chosen = async (o: Partial<StartNodeOptions>) => {
      const { node, clock } = await joinedAlone(o);
      const rng = new SeededRng(SEED);
      for (let i = 0; i < 120; i++) {
        const id = randomId(rng);
        node.dht.table.observe(id, idToHex(id), clock.now());
      }
      node.links.maintain();
      const near = node.dht.table.closest(hexToBytes(node.id), 8).map((c) => c.hex);
      expect(node.peers(), 'nothing connected').toEqual([]);
      expect(node.transport.stats()).toMatchObject({ open: 0, connecting: 0 });
      return { links: node.links.links, near };
    };
    const big = await chosen({});
    expect(big.links.size, `seed ${SEED}`).toBe(LINK_DEFAULTS.near + LINK_DEFAULTS.far);
    for (const hex of big.near) expect(big.links.has(hex), `near link ${hex.slice(0, 8)} (seed ${SEED})`).toBe(true);
    const small = await chosen({ transport: { pool: { maxOpen: 12 } } });
    expect(small.links.size, `seed ${SEED}`).toBe(6);
    expect([...small.links].sort(), `seed ${SEED}`).toEqual(big.near.slice(0, 6).sort());
  });
});

describe('runtime: put, get and errors', () => {
  it('put() signs with an increasing seq and stores locally when alone (0 replicas); get() finds it', async () => {
    const { node, clock } = await joinedAlone();
    const a = await drive(clock, node.put('profile', 'v1'));
    const b = await drive(clock, node.put('profile', 'v2'));
    expect(a.seq, 'the first seq is the time floor').toBe(START);
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.replicas).toBe(0);
    const target = mutableTarget(keyPair.publicKey, utf8.encode('profile'));
    expect(b.target).toBe(bytesToHex(target));
    const entry = node.table.getEntry(target);
    expect(entry?.origin).toBe('own');
    expect(entry?.record.type === 'mutable' && entry.record.seq).toBe(b.seq);
    expect(entry?.record.type === 'mutable' && verifyMutable(entry.record)).toBe(true);
    expect(node.status).toMatchObject({ records: 1, ownRecords: 1 });
    const got = await drive(clock, node.get(node.publicKey, 'profile'));
    expect(got).toMatchObject({ value: 'v2', seq: b.seq });
    expect(await drive(clock, node.get(node.publicKey, 'nothing here'))).toBeNull();
  });

  it('get() with a malformed key throws DhtError BAD_ARGUMENT', async () => {
    const { node } = await joinedAlone();
    for (const bad of ['', 'xyz', 'AB'.repeat(32), 'ab'.repeat(31), 'ab'.repeat(33)]) {
      expect(await codeOf(node.get(bad, 's')), JSON.stringify(bad)).toBe('BAD_ARGUMENT');
    }
    await expect(node.connect('not-a-peer')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('after close(), put() and get() throw CLOSED, a pending ready() (and located()) rejects with CLOSED, and no timer is left', async () => {
    const r = await start();
    const pending = r.node.ready();
    await r.node.close();
    expect(await codeOf(pending)).toBe('CLOSED');
    expect(await codeOf(r.node.ready())).toBe('CLOSED');
    expect(await codeOf(r.node.located())).toBe('CLOSED');
    expect(await codeOf(r.node.put('s', 'v'))).toBe('CLOSED');
    expect(await codeOf(r.node.get(r.node.publicKey, 's'))).toBe('CLOSED');
    expect(r.node.status).toMatchObject({ phase: 'closed', signal: 'closed' });
    expect(r.phases.at(-1)).toBe('closed');
    expect(r.server.last.closedByClient?.code).toBe(1000);
    expect(r.clock.liveTimers).toBe(0);
    await r.node.close();
  });

  it('a restart on the same store keeps the seq increasing, even with the clock set back or the counter lost', async () => {
    const store = new MemoryRecordStore();
    const first = await joinedAlone({}, new VirtualClock(START), store);
    await drive(first.clock, first.node.put('s', 'one'));
    const last = (await drive(first.clock, first.node.put('s', 'two'))).seq;
    await first.node.close();

    // The clock now reads an hour earlier: the time floor alone would reuse lower seqs.
    const again = await joinedAlone({}, new VirtualClock(START - 3_600_000), store);
    expect(again.node.status.ownRecords, 'own record loaded from the store').toBe(1);
    const next = await drive(again.clock, again.node.put('s', 'three'));
    expect(next.seq).toBe(last + 1);
    await again.node.close();

    // A store holding the record but not the counter: put() continues from the record's seq.
    const recordsOnly = new MemoryRecordStore();
    for (const e of (await store.loadAll()).records) await recordsOnly.put(e);
    const restored = await joinedAlone({}, new VirtualClock(START - 3_600_000), recordsOnly);
    expect((await drive(restored.clock, restored.node.put('s', 'restored'))).seq).toBe(next.seq + 1);
    await restored.node.close();

    // Without the record in the store, the persisted counter alone still wins.
    await store.delete(next.target);
    const bare = await joinedAlone({}, new VirtualClock(START - 7_200_000), store);
    expect(bare.node.status.ownRecords).toBe(0);
    expect((await drive(bare.clock, bare.node.put('s', 'four'))).seq).toBe(next.seq + 1);
  });
});
