/**
 * The values layer (DhtValues) over a small simulated network on the virtual clock: put and get,
 * refusals, read-repair, expiry, the per-peer STORE rate limit and the get quorum.
 */
import { describe, expect, it } from 'vitest';
import { bytesEqual, bytesToHex } from '../../../../shared/crypto/bytes';
import type { DhtExtension, DhtNode } from '../../../../shared/dht/node';
import type { LookupPeer } from '../../../../shared/dht/peer';
import type { ResponseBody } from '../../../../shared/dht/rpc';
import type { RequestMessage } from '../../../../shared/protocol/wire';
import type { DhtRecord, MutableRecord } from '../../../../shared/records/types';
import type { GetResult, PutResult } from '../../../../shared/records/values';
import { VALUES_DEFAULTS } from '../../../../shared/records/constants';
import {
  createRecordsTestnet,
  type RecordPeer,
  type RecordsTestnet,
  type RecordsTestnetOptions,
} from '../../../../shared/sim/records-testnet';
import { testSeed } from '../../../helpers/dht';
import { keyFromSeed, rec, targetOf } from '../../../helpers/records';

const SEED = testSeed(0x5a1);
const REPLICAS = 8;
const alice = keyFromSeed(101);

function seqOf(r: DhtRecord | undefined): number | undefined {
  return r?.type === 'mutable' ? r.seq : undefined;
}

function build(n: number, o: Partial<RecordsTestnetOptions> = {}): RecordsTestnet {
  return createRecordsTestnet(n, { seed: SEED, settleMs: 10_000, ...o, values: { maintenance: false, replicas: REPLICAS, ...o.values } });
}

/** Run the virtual clock until a callback-style operation reports, at most 60 virtual seconds. */
function settle<T>(rt: RecordsTestnet, start: (cb: (r: T) => void) => void): T {
  const box: { r?: T } = {};
  start((r) => (box.r = r));
  for (let i = 0; !('r' in box) && i < 240; i++) rt.clock.runFor(250);
  if (!('r' in box)) throw new Error(`operation never finished (seed ${SEED})`);
  return box.r as T;
}

function put(p: RecordPeer, r: DhtRecord, rt: RecordsTestnet, own = false): PutResult {
  return settle<PutResult>(rt, (cb) => p.values!.putRecord(r, cb, { own }));
}

function get(p: RecordPeer, target: Uint8Array, rt: RecordsTestnet, quorum?: number): GetResult {
  return settle<GetResult>(rt, (cb) => p.values!.getRecord(target, cb, quorum === undefined ? {} : { quorum }));
}

/** Live nodes other than `except` that hold `target`, with the seq each holds. */
function holders(rt: RecordsTestnet, target: Uint8Array, except?: RecordPeer): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const p of rt.live()) if (p !== except && p.table.has(target)) out.set(p.node.hex, seqOf(p.table.get(target)));
  return out;
}

/** A live node that is not among the `n` closest to target (so a get from it must go over the network). */
function farNode(rt: RecordsTestnet, target: Uint8Array, n: number, not: RecordPeer[] = []): RecordPeer {
  const near = new Set(rt.trueClosest(target, n).map((p) => p.node.hex));
  const p = rt.live().find((x) => !near.has(x.node.hex) && !not.includes(x));
  if (!p) throw new Error(`no far node (seed ${SEED})`);
  return p;
}

/** Answers FIND_VALUE with a forged record once switched on; passes everything else to the honest layer. */
class Forger implements DhtExtension {
  forged: MutableRecord | undefined;
  served = 0;
  constructor(private readonly node: DhtNode) {}
  handle(from: LookupPeer, msg: RequestMessage, reply: (res: ResponseBody) => void): boolean {
    const f = this.forged;
    if (msg.type !== 'find_value' || !f || !bytesEqual(msg.target, targetOf(f))) return false;
    this.served++;
    reply({ type: 'value', record: f, nodes: this.node.closestIds(msg.target, from.hex) });
    return true;
  }
}

/** The nodes a put sent its STORE to: the first `replicas` of its lookup's closest. */
function destinations(res: PutResult): Set<string> {
  return new Set(res.lookup.closest.slice(0, REPLICAS).map((p) => p.hex));
}

describe('DhtValues put and get', () => {
  it('a put stores on `replicas` close nodes; a get from a far node returns the newest seq with at least `replicas` agreeing', () => {
    // Equal link latencies: a get does not wait for a slow close node (lookup.test.ts covers
    // that), and here every holder must be heard.
    const rt = build(40, { network: { jitter: 0 } });
    const owner = rt.peers[0]!;
    const target = targetOf(rec(alice, 1));
    const near = new Set(rt.trueClosest(target, 2 * REPLICAS).map((p) => p.node.hex));
    const first = put(owner, rec(alice, 1), rt, true);
    expect(first.replicas, `seed ${SEED}`).toBe(REPLICAS);
    expect(first.refused, `seed ${SEED}`).toEqual({});
    expect([...holders(rt, target, owner).keys()].sort(), `holders are the put's destinations (seed ${SEED})`).toEqual(
      [...destinations(first)].sort(),
    );
    for (const hex of destinations(first)) expect(near.has(hex), `holder ${hex.slice(0, 8)} is close (seed ${SEED})`).toBe(true);
    const second = put(owner, rec(alice, 2), rt, true);
    expect(second.replicas, `seed ${SEED}`).toBe(REPLICAS);
    expect(second.seq).toBe(2);
    const held = holders(rt, target, owner);
    for (const hex of destinations(second)) expect(held.get(hex), `seed ${SEED}`).toBe(2);
    expect(owner.table.getEntry(target)?.origin).toBe('own');
    expect(seqOf(owner.table.get(target))).toBe(2);

    const reader = farNode(rt, target, 12, [owner]);
    const servedBy = (p: RecordPeer) => p.values!.counters.get('serve.value');
    const before = rt.peers.map(servedBy);
    const got = get(reader, target, rt);
    const servedNewest = rt.peers.filter((p, i) => servedBy(p) > before[i]! && seqOf(p.table.get(target)) === 2).length;
    expect(seqOf(got.record), `seed ${SEED}`).toBe(2);
    expect(got.replicas, `seed ${SEED}`).toBeGreaterThanOrEqual(REPLICAS);
    expect(got.replicas, `no more agree than served seq 2 (seed ${SEED})`).toBeLessThanOrEqual(servedNewest);
    expect(got.invalid, `seed ${SEED}`).toBe(0);
  });

  it('a put of an older seq is refused with SEQ_TOO_LOW by every holder of the newer one, counted in `refused`, and changes nothing', () => {
    const rt = build(40);
    const owner = rt.peers[0]!;
    const target = targetOf(rec(alice, 1));
    put(owner, rec(alice, 5), rt, true);
    const before = holders(rt, target);
    const replayer = farNode(rt, target, 2 * REPLICAS, [owner]);
    const old = put(replayer, rec(alice, 4), rt);
    const refusing = [...destinations(old)].filter((hex) => before.get(hex) === 5).length;
    expect(refusing, `the replay reached the holders (seed ${SEED})`).toBeGreaterThanOrEqual(REPLICAS - 2);
    expect(old.refused, `seed ${SEED}`).toEqual({ SEQ_TOO_LOW: refusing });
    expect(old.replicas, `only nodes without seq 5 accept (seed ${SEED})`).toBe(REPLICAS - refusing);
    for (const [hex, seq] of before) expect(seqOf(rt.get(hex)!.table.get(target)), `seed ${SEED}`).toBe(seq);
    const counted = rt.live().reduce((n, p) => n + (p.values?.counters.get('refused.SEQ_TOO_LOW') ?? 0), 0);
    expect(counted, `seed ${SEED}`).toBe(refusing);
  });

  it('a forged record is refused with BAD_SIGNATURE, never stored, and never returned by a get even when served', () => {
    const forgers = new Map<string, Forger>();
    const rt = build(40, {
      replaceHonest: false,
      before: (node) => {
        const f = new Forger(node);
        forgers.set(node.hex, f);
        return f;
      },
    });
    const owner = rt.peers[0]!;
    const good = rec(alice, 2);
    const target = targetOf(good);
    put(owner, good, rt, true);
    const forged: MutableRecord = { ...rec(alice, 9, 'evil'), v: new TextEncoder().encode('worse') };
    const onlyGood = (what: string) => {
      const held = holders(rt, target);
      expect(held.size, `seed ${SEED}`).toBeGreaterThanOrEqual(REPLICAS);
      for (const [hex, seq] of held) expect(seq, `${what}: ${hex.slice(0, 8)} (seed ${SEED})`).toBe(2);
    };
    const writer = farNode(rt, target, 2 * REPLICAS, [owner]);
    const res = put(writer, forged, rt);
    expect(res.replicas, `seed ${SEED}`).toBe(0);
    expect(res.refused, `seed ${SEED}`).toEqual({ BAD_SIGNATURE: REPLICAS });
    onlyGood('after the forged put');

    // Two of the closest holders now serve the forgery instead of their honest copy.
    const liars = rt
      .trueClosest(target, REPLICAS)
      .filter((p) => p !== owner && p.table.has(target))
      .slice(0, 2);
    expect(liars.length, `seed ${SEED}`).toBe(2);
    for (const p of liars) forgers.get(p.node.hex)!.forged = forged;
    const got = get(farNode(rt, target, 12, [owner, writer]), target, rt);
    const served = liars.reduce((n, p) => n + forgers.get(p.node.hex)!.served, 0);
    expect(served, `the forgery was served (seed ${SEED})`).toBeGreaterThan(0);
    expect(got.invalid, `seed ${SEED}`).toBeGreaterThan(0);
    expect(got.invalid, `seed ${SEED}`).toBeLessThanOrEqual(served);
    expect(seqOf(got.record), `seed ${SEED}`).toBe(2);
    expect(bytesToHex((got.record as MutableRecord).sig)).toBe(bytesToHex(good.sig));
    rt.clock.runFor(5_000);
    onlyGood('after read-repair');
  });

  it('read-repair: a close holder with a stale copy gets the newest record after a get', () => {
    for (const readRepair of [true, false]) {
      const rt = build(40, { values: { readRepair } });
      const owner = rt.peers[0]!;
      const target = targetOf(rec(alice, 1));
      put(owner, rec(alice, 1), rt, true);
      // The closest holder misses the owner's update to seq 2; every other holder gets it.
      const held = rt.trueClosest(target, rt.live().length).filter((p) => p !== owner && p.table.has(target));
      expect(held.length, `seed ${SEED}`).toBe(REPLICAS);
      const stale = held[0]!;
      const now = rt.clock.now();
      for (const p of held.slice(1)) expect(p.table.put(target, rec(alice, 2), { now }).ok).toBe(true);
      const got = get(farNode(rt, target, 12, [owner]), target, rt);
      rt.clock.runFor(5_000);
      expect(seqOf(got.record), `seed ${SEED}`).toBe(2);
      expect(got.stale, `seed ${SEED}`).toBeGreaterThanOrEqual(1);
      if (readRepair) {
        expect(got.repaired, `seed ${SEED}`).toBeGreaterThanOrEqual(1);
        expect(seqOf(stale.table.get(target)), `repaired holder (seed ${SEED})`).toBe(2);
      } else {
        expect(got.repaired).toBe(0);
        expect(seqOf(stale.table.get(target)), `control: no repair without readRepair (seed ${SEED})`).toBe(1);
      }
    }
  });
});

describe('DhtValues maintenance', () => {
  it('a record whose owner stopped refreshing expires network-wide after the 2 h TTL; a refreshed one stays', () => {
    const rt = build(30, { values: { maintenance: true, replicas: REPLICAS } });
    const ttl = rt.peers[0]!.table.ttlMs;
    expect(ttl).toBe(2 * 60 * 60_000);
    const gone = rt.peers[0]!;
    const stays = rt.peers[1]!;
    const bob = keyFromSeed(102);
    const goneTarget = targetOf(rec(alice, 1));
    const staysTarget = targetOf(rec(bob, 1));
    put(gone, rec(alice, 1), rt, true);
    put(stays, rec(bob, 1), rt, true);
    const leftAt = rt.clock.now();
    rt.remove(gone, 'leave');
    // Holders re-replicate (get + read-repair) and republish meanwhile; copies must keep their age.
    rt.clock.runUntil(leftAt + ttl - 10 * 60_000);
    expect(holders(rt, goneTarget).size, `held shortly before the TTL (seed ${SEED})`).toBeGreaterThan(0);
    // Past the TTL plus one expiry sweep (every 5 min, ±10%).
    rt.clock.runUntil(leftAt + ttl + 6 * 60_000);
    expect(holders(rt, goneTarget).size, `held after the TTL (seed ${SEED})`).toBe(0);
    for (const p of rt.live()) expect(p.table.getEntry(goneTarget), `seed ${SEED}`).toBeUndefined();
    // Control: the record whose owner stays is still held, most copies refreshed by the last republish.
    const republishMs = VALUES_DEFAULTS.republishMs * 1.1;
    const fresh = rt
      .live()
      .filter((p) => p !== stays && rt.clock.now() - (p.table.getEntry(staysTarget)?.lastRefreshed ?? -Infinity) <= republishMs);
    expect(fresh.length, `control: a republished record (seed ${SEED})`).toBeGreaterThan(REPLICAS / 2);
  });
});

describe('DhtValues republish of own records', () => {
  it('a round skips an own record stored within `freshMs` (Kademlia §2.5) and stores the others; 0 stores them all', () => {
    const rt = build(20);
    const owner = rt.peers[2]!;
    const old = rec(alice, 1);
    const other = keyFromSeed(102);
    put(owner, old, rt, true);
    rt.clock.runFor(15 * 60_000);
    put(owner, rec(other, 1), rt, true); // stored 15 min after the first
    const v = owner.values!;
    const before = v.counters.get('republish.own');
    expect(v.republishOwn(10 * 60_000)).toBe(1); // only the first: the second is 0 min old
    expect(v.counters.get('republish.own') - before).toBe(1);
    rt.clock.runFor(60_000);
    // The first was just stored again, so now neither is due; with 0 both are.
    expect(v.republishOwn(10 * 60_000)).toBe(0);
    expect(v.republishOwn(0)).toBe(2);
    // A replica (not ours) is never republished.
    put(rt.peers[3]!, rec(keyFromSeed(103), 1), rt);
    expect(v.republishOwn(0)).toBe(2);
  });
});

describe('DhtValues limits', () => {
  it('STOREs from one peer beyond the burst are answered RATE_LIMITED; tokens refill at the rate, per peer', () => {
    const rt = build(20, { values: { storeRate: { perSecond: 2, burst: 5 } } });
    const [holder, a, b] = [rt.peers[3]!, rt.peers[4]!, rt.peers[5]!];
    const r = rec(alice, 1);
    const body = { type: 'store' as const, target: targetOf(r), record: r };
    const peer = { id: holder.node.id, hex: holder.node.hex };
    const burst = (from: RecordPeer, n: number): string[] => {
      const answers: string[] = [];
      for (let i = 0; i < n; i++)
        from.node.rpc.request(peer, body, (res) => answers.push(res?.type === 'error' ? res.code : (res?.type ?? 'none')));
      rt.clock.runFor(400); // one round trip; well under the 1 s that would refill two tokens
      return answers;
    };
    const firstAt = rt.clock.now();
    const fromA = burst(a, 8);
    expect(fromA.filter((x) => x === 'stored').length, `seed ${SEED}`).toBe(5);
    expect(fromA.filter((x) => x === 'RATE_LIMITED').length, `seed ${SEED}`).toBe(3);
    expect(holder.values!.counters.get('refused.RATE_LIMITED')).toBe(3);
    // Another peer has its own bucket.
    expect(burst(b, 5), `seed ${SEED}`).toEqual(Array(5).fill('stored'));
    // A's bucket refills at 2 per second from its first burst's arrival (same link latency both times).
    rt.clock.runFor(1_000);
    const gap = rt.clock.now() - firstAt;
    const refill = Math.floor((gap / 1000) * 2);
    expect(refill).toBe(3);
    const again = burst(a, 5);
    expect(again.filter((x) => x === 'stored').length, `seed ${SEED}`).toBe(refill);
    expect(holder.values!.counters.get('refused.RATE_LIMITED')).toBe(3 + 5 - refill);
  });

  it('a put refused by rate-limited holders counts RATE_LIMITED in `refused`', () => {
    const rt = build(40, { values: { storeRate: { perSecond: 0.001, burst: 1 } } });
    const writer = rt.peers[0]!;
    const target = targetOf(rec(alice, 1));
    const first = put(writer, rec(alice, 1), rt);
    expect(first.replicas, `seed ${SEED}`).toBe(REPLICAS);
    const second = put(writer, rec(alice, 2), rt);
    // Nodes that took the first STORE have no token left for the writer; any other takes the second.
    const limited = [...destinations(second)].filter((hex) => destinations(first).has(hex));
    expect(limited.length, `seed ${SEED}`).toBeGreaterThanOrEqual(REPLICAS - 2);
    expect(second.refused, `seed ${SEED}`).toEqual({ RATE_LIMITED: limited.length });
    expect(second.replicas, `seed ${SEED}`).toBe(REPLICAS - limited.length);
    for (const hex of limited) expect(seqOf(rt.get(hex)!.table.get(target)), `seed ${SEED}`).toBe(1);
  });

  it('a get waits for `getQuorum` answers, and a per-call quorum overrides it', () => {
    const rt = build(60, { values: { getQuorum: 15 } });
    const target = targetOf(rec(alice, 1));
    const reader = farNode(rt, target, 20);
    const served = () =>
      rt.peers.reduce((n, p) => n + (p.values?.counters.get('serve.miss') ?? 0) + (p.values?.counters.get('serve.value') ?? 0), 0);
    const responses = (quorum: number | undefined): number => {
      const before = served();
      const got = get(reader, target, rt, quorum);
      expect(served() - before, `FIND_VALUE answers counted by the servers (seed ${SEED})`).toBeGreaterThanOrEqual(got.lookup.responses);
      return got.lookup.responses;
    };
    // The lookup ends only once `quorum` of the closest live candidates have answered.
    expect(responses(undefined), `getQuorum 15 (seed ${SEED})`).toBeGreaterThanOrEqual(15);
    expect(responses(20), `quorum 20 (seed ${SEED})`).toBeGreaterThanOrEqual(20);
    // Control: a quorum of beta (3) stops much earlier, so the counts above come from the quorum.
    expect(responses(3), `quorum 3 (seed ${SEED})`).toBeLessThan(12);
  });
});
