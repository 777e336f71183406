/**
 * Core bugs found while writing the issue-2 test suite. Each test states the documented behaviour
 * and FAILS against the current core; the report describes file, line and a suggested fix.
 * Once the core is fixed these become ordinary regression tests.
 */
import { describe, expect, it, vi } from 'vitest';
import { Lookup, type LookupResult, type QueryFn } from '../../../shared/dht/lookup';
import { DhtNode } from '../../../shared/dht/node';
import { idToHex, type NodeId } from '../../../shared/dht/node-id';
import { idOf, MemoryHub, peerOf, VirtualClock, SeededRng } from '../../helpers/dht';

const h = idToHex;
const T = idOf('');

describe('core bugs (expected to fail until fixed)', () => {
  it('lookup.ts: a live candidate that is merely slower than its soft timeout is dropped from the result', () => {
    // Doc (lookup.ts, LookupResult.closest): "Up to k closest candidates not known to be dead".
    // A is the closest node and answers at t=300, but its soft timeout (100 ms) makes it SLOW;
    // step() then skips it in the convergence check and finish() excludes SLOW candidates, so the
    // lookup returns at t=100 without the true closest node and A's answer is thrown away.
    const clock = new VirtualClock();
    const A = idOf('01');
    const others = ['10', '20', '30'].map(idOf);
    const delay = new Map<string, number>([[h(A), 300], ...others.map((o) => [h(o), 10] as [string, number])]);
    const query: QueryFn<never> = (peer, done) => {
      clock.setTimeout(() => done({ closer: [] }), delay.get(peer.hex)!);
    };
    let result: LookupResult | undefined;
    new Lookup<never>({
      target: T,
      self: idOf('ff'),
      seeds: [A, ...others].map(peerOf),
      query,
      clock,
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 4,
      beta: 3,
      onDone: (r) => (result = r),
    }).start();
    clock.runUntilIdle();
    expect(result!.closest[0]?.hex, 'the live closest node (answers at 300 ms) must be in the result').toBe(h(A));
  });

  it('lookup.ts: a query function that answers synchronously makes the lookup keep querying after onDone', () => {
    // step() launches candidates in a for-loop; launch() calls query(), whose synchronous done()
    // runs settle() -> step() -> finish() re-entrantly. Back in the outer loop, `active` is 0 again
    // and launch() does not check `finished`, so every remaining NEW candidate is queried after
    // the result was delivered. The real RPC does call back synchronously (destroyed, or
    // maxInflight reached: rpc.ts request()).
    const clock = new VirtualClock();
    const seeds: NodeId[] = ['10', '20', '30', '40', '50', '60'].map(idOf);
    const asked: string[] = [];
    const query: QueryFn<never> = (peer, done) => {
      asked.push(peer.hex);
      done({ closer: [] });
    };
    let askedAtDone = -1;
    new Lookup<never>({
      target: T,
      self: idOf('ff'),
      seeds: seeds.map(peerOf),
      query,
      clock,
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 1,
      beta: 1,
      onDone: () => (askedAtDone = asked.length),
    }).start();
    clock.runUntilIdle();
    expect(askedAtDone).toBe(1);
    expect(asked, 'no query may be sent after onDone').toEqual([h(seeds[0]!)]);
  });

  it('node.ts: a node that joins with no (valid) seeds never starts bucket refresh', () => {
    // join() returns early when `peers.length === 0` without calling scheduleRefresh(), so the
    // first node of a network (or one whose bootstrap sample was empty) never refreshes its
    // buckets, although `maintenance` defaults to true. Others can still fill its table by
    // contacting it, but its stale buckets are never refreshed.
    const hub = new MemoryHub(new VirtualClock(), 10);
    const id = idOf('42');
    const node = new DhtNode({ transport: hub.endpoint(h(id)), clock: hub.clock, rng: new SeededRng(1) }, { id, refreshIntervalMs: 60_000 });
    const spy = vi.spyOn(node, 'refreshStale');
    node.join([]);
    hub.clock.runFor(5 * 60_000);
    expect(spy.mock.calls.length, 'refreshStale must run periodically').toBeGreaterThan(0);
    node.destroy();
  });
});
