import { describe, expect, it } from 'vitest';
import { SimNetwork, type SimNetworkOptions } from '../../../../shared/sim/network';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import { SeededRng } from '../../../../shared/env/rng';
import { mean, pairHash, percentile, summarize } from '../../../../shared/sim/stats';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(0x5e7);
const hex = (i: number) => i.toString(16).padStart(40, '0');

function net(opts: SimNetworkOptions = {}, n = 4) {
  const clock = new VirtualClock();
  const network = new SimNetwork(clock, new SeededRng(SEED), opts);
  const got: { to: number; from: string; at: number; len: number }[] = [];
  const eps = Array.from({ length: n }, (_, i) => {
    const e = network.endpoint(hex(i));
    e.onFrame((from, f) => got.push({ to: i, from, at: clock.now(), len: f.length }));
    return e;
  });
  return { clock, network, eps, got };
}

describe('SimNetwork', () => {
  it('per-link latency is stable, symmetric and within latencyMs x [1 - jitter, 1 + jitter]', () => {
    const { network, eps } = net({ latencyMs: 100, jitter: 0.5 }, 30);
    const all: number[] = [];
    for (const a of eps)
      for (const b of eps) {
        if (a === b) continue;
        const l = network.latency(a, b);
        expect(l).toBe(network.latency(b, a));
        expect(l).toBeGreaterThanOrEqual(50);
        expect(l).toBeLessThanOrEqual(150);
        all.push(l);
      }
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(50); // it does spread
  });

  it('delivers a frame after the link latency, with the sender id', () => {
    const { clock, network, eps, got } = net({ latencyMs: 40 });
    eps[0]!.send(hex(1), new Uint8Array(3));
    clock.runUntilIdle();
    expect(got).toEqual([{ to: 1, from: hex(0), at: network.latency(eps[0]!, eps[1]!), len: 3 }]);
    expect(network.counters.get('frames')).toBe(1);
    expect(network.counters.get('bytes')).toBe(3);
  });

  it('loss = 1 drops everything; a moderate loss drops about that fraction (seeded)', () => {
    const all = net({ loss: 1 });
    for (let i = 0; i < 50; i++) all.eps[0]!.send(hex(1), new Uint8Array(1));
    all.clock.runUntilIdle();
    expect(all.got.length).toBe(0);
    expect(all.network.counters.get('drop.loss')).toBe(50);
    const some = net({ loss: 0.3 });
    for (let i = 0; i < 2000; i++) some.eps[0]!.send(hex(1), new Uint8Array(1));
    some.clock.runUntilIdle();
    expect(some.got.length, `seed=${SEED}`).toBeGreaterThan(1250);
    expect(some.got.length, `seed=${SEED}`).toBeLessThan(1550);
  });

  it('partition drops frames between groups until heal()', () => {
    const { clock, network, eps, got } = net();
    network.partition((e) => e.index % 2);
    eps[0]!.send(hex(1), new Uint8Array(1)); // across
    eps[0]!.send(hex(2), new Uint8Array(1)); // same side
    clock.runUntilIdle();
    expect(got.map((g) => g.to)).toEqual([2]);
    expect(network.counters.get('drop.unreachable')).toBe(1);
    network.heal();
    eps[0]!.send(hex(1), new Uint8Array(1));
    clock.runUntilIdle();
    expect(got.map((g) => g.to)).toEqual([2, 1]);
  });

  it('unreachable pairs never talk, in either direction; the others always do', () => {
    const { clock, network, eps, got } = net({ unreachable: 0.3 }, 20);
    let blocked = 0;
    for (const a of eps)
      for (const b of eps) {
        if (a === b) continue;
        expect(network.canReach(a, b)).toBe(network.canReach(b, a));
        if (!network.canReach(a, b)) blocked++;
        a.send(b.hex, new Uint8Array(1));
      }
    clock.runUntilIdle();
    expect(got.length).toBe(380 - blocked);
    expect(blocked).toBeGreaterThan(60);
    expect(blocked).toBeLessThan(180);
  });

  it('a crashed node neither sends nor receives, frames in flight to it are lost, and nobody is told', () => {
    const { clock, network, eps, got } = net();
    const told: string[] = [];
    eps[0]!.onPeerDown((p) => told.push(p));
    eps[0]!.send(hex(1), new Uint8Array(1));
    network.crash(hex(1));
    clock.runUntilIdle();
    eps[0]!.send(hex(1), new Uint8Array(1));
    eps[1]!.send(hex(0), new Uint8Array(1));
    clock.runUntilIdle();
    expect(got).toEqual([]);
    expect(network.counters.get('drop.dead')).toBe(1);
    expect(told).toEqual([]);
  });

  it('a graceful leave tells the other end of every open connection', () => {
    const { clock, network, eps } = net({ connections: { setupRtts: 3, maxOpen: 8 } });
    const told: string[][] = eps.map(() => []);
    eps.forEach((e, i) => {
      e.onPeerDown((p) => told[i]!.push(p));
    });
    eps[0]!.send(hex(1), new Uint8Array(1));
    eps[0]!.send(hex(2), new Uint8Array(1));
    clock.runUntilIdle();
    network.leave(hex(0));
    expect(told[1]).toEqual([hex(0)]);
    expect(told[2]).toEqual([hex(0)]);
    expect(told[3]).toEqual([]);
  });

  it('bandwidth caps serialize frames: 1000 B at 1000 B/s take a second each', () => {
    const { clock, network, eps, got } = net({ latencyMs: 50, jitter: 0, bandwidth: 1000 });
    eps[0]!.send(hex(1), new Uint8Array(1000));
    eps[0]!.send(hex(1), new Uint8Array(1000));
    clock.runUntilIdle();
    expect(network.latency(eps[0]!, eps[1]!)).toBe(50);
    expect(got.map((g) => g.at)).toEqual([1050, 2050]);
  });

  it('the WebRTC model charges setupRtts round trips on a new connection only, and caps open connections (LRU)', () => {
    const { clock, network, eps, got } = net({ latencyMs: 20, jitter: 0, connections: { setupRtts: 3, maxOpen: 2 } });
    eps[0]!.send(hex(1), new Uint8Array(1));
    clock.runUntilIdle();
    expect(got[0]!.at).toBe(3 * 2 * 20 + 20);
    const t = clock.now();
    eps[0]!.send(hex(1), new Uint8Array(1));
    clock.runUntilIdle();
    expect(got[1]!.at - t).toBe(20);
    expect(network.counters.get('connections')).toBe(1);
    eps[0]!.send(hex(2), new Uint8Array(1));
    eps[0]!.send(hex(3), new Uint8Array(1)); // third connection: evicts the least recently used (to 1)
    clock.runUntilIdle();
    expect(network.counters.get('connections')).toBe(3);
    expect(network.counters.get('evictions')).toBe(1);
    expect([...eps[0]!.open.keys()]).toEqual([hex(2), hex(3)]);
    expect(eps[1]!.open.has(hex(0))).toBe(false);
    expect(eps[0]!.connectionsCreated).toBe(3);
  });
});

describe('stats', () => {
  it('percentile uses the nearest-rank method; summarize and mean', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 90)).toBe(90);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([], 50)).toBe(0);
    expect(summarize([3, 1, 2])).toEqual({ p50: 2, p90: 3, p99: 3 });
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBe(0);
    expect(v[0]).toBe(100); // input not mutated
  });

  it('pairHash is symmetric, salted and spreads over 32 bits', () => {
    const seen = new Set<number>();
    for (let a = 0; a < 40; a++)
      for (let b = 0; b < 40; b++) {
        expect(pairHash(a, b, 1)).toBe(pairHash(b, a, 1));
        const h = pairHash(a, b, 1);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThan(2 ** 32);
        if (a <= b) seen.add(h);
      }
    expect(seen.size).toBe(820);
    expect(pairHash(3, 4, 1)).not.toBe(pairHash(3, 4, 2));
  });
});
