import { describe, expect, it } from 'vitest';
import { Lookup, type LookupEvent, type LookupOptions, type LookupResult, type QueryFn } from '../../../../../shared/dht/lookup/lookup';
import { idToHex, randomId, type NodeId } from '../../../../../shared/dht/node-id';
import {
  bruteClosest,
  idOf,
  makeUniverse,
  peerOf,
  scriptedQuery,
  SeededRng,
  testSeed,
  VirtualClock,
  type UniverseNode,
} from '../../../../helpers/dht';

const SEED = testSeed(0x100c);

interface Run {
  result: LookupResult | undefined;
  events: { at: number; e: LookupEvent<unknown> }[];
  doneCalls: number;
  lookup: Lookup<unknown>;
}

function run(
  clock: VirtualClock,
  o: Omit<LookupOptions<unknown>, 'onDone' | 'onEvent' | 'clock'> & { stopOn?: (e: LookupEvent<unknown>) => boolean },
): Run {
  const r: Run = { result: undefined, events: [], doneCalls: 0, lookup: undefined as unknown as Lookup<unknown> };
  r.lookup = new Lookup<unknown>({
    ...o,
    clock,
    onEvent: (e) => {
      r.events.push({ at: clock.now(), e });
      if (o.stopOn?.(e)) r.lookup.stop();
    },
    onDone: (res) => {
      r.doneCalls++;
      r.result = res;
    },
  });
  r.lookup.start();
  clock.runUntilIdle();
  return r;
}

/** A hand-written script: each peer answers after `delay` ms with `closer`, or fails (null). */
type Script = Map<string, { delay: number; closer: NodeId[] | null }>;
function scripted(clock: VirtualClock, script: Script, asked: string[] = []): QueryFn<unknown> {
  return (peer, done) => {
    asked.push(peer.hex);
    const s = script.get(peer.hex);
    if (!s) throw new Error(`unscripted peer ${peer.hex}`);
    clock.setTimeout(() => done(s.closer ? { closer: s.closer } : null), s.delay);
  };
}

const T = idOf(''); // target 000...
const h = idToHex;

describe('Lookup over a scripted universe', () => {
  it('finds the true closest nodes for many random targets (seeded)', () => {
    const rng = new SeededRng(SEED);
    const uni = makeUniverse(300, rng, 8, 1);
    const nodes = [...uni.values()];
    let exact = 0;
    let overlap = 0;
    const L = 60;
    for (let i = 0; i < L; i++) {
      const clock = new VirtualClock();
      const from = nodes[rng.int(nodes.length)]!;
      const target = randomId(rng);
      const delays = new Map(nodes.map((n) => [n.hex, 5 + rng.int(300)]));
      const sq = scriptedQuery(uni, target, { clock, delay: (x) => delays.get(x)!, answerSize: 8 });
      const r = run(clock, {
        target,
        self: from.id,
        seeds: from.table.closest(target, 8),
        query: sq.query,
        // Above every delay: nobody is slow here (the slow-candidate cases are below).
        softTimeoutMs: () => 400,
        k: 8,
        alpha: 3,
        beta: 3,
      });
      const truth = bruteClosest(
        nodes.filter((n) => n !== from),
        target,
        8,
      ).map((n) => n.hex);
      const got = r.result!.closest.map((c) => c.hex);
      const msg = `seed=${SEED} lookup=${i} target=${h(target)}`;
      expect(got[0], msg).toBe(truth[0]);
      expect(got, msg).not.toContain(from.hex);
      expect(r.result!.answered[0], msg).toBe(true);
      if (got.join() === truth.join()) exact++;
      overlap += truth.filter((x) => got.includes(x)).length / truth.length;
    }
    expect(overlap / L, `seed=${SEED}`).toBeGreaterThanOrEqual(0.95);
    expect(exact, `seed=${SEED}`).toBeGreaterThan(L / 2);
  });

  it('never has more than alpha (+1 per failure seen, at most +2) non-slow requests in flight, and uses every slot it may', () => {
    const rng = new SeededRng(SEED + 1);
    const uni = makeUniverse(200, rng, 8, 1);
    const nodes = [...uni.values()];
    for (const alpha of [1, 2, 3, 5]) {
      for (let i = 0; i < 10; i++) {
        const clock = new VirtualClock();
        const from = nodes[rng.int(nodes.length)]!;
        const target = randomId(rng);
        const dead = new Set(nodes.filter(() => rng.int(5) === 0).map((n) => n.hex));
        const delays = new Map(nodes.map((n) => [n.hex, 5 + rng.int(400)]));
        const sq = scriptedQuery(uni, target, { clock, delay: (x) => delays.get(x)!, dead, failAfterMs: 700 });
        const active = new Set<string>();
        let maxActive = 0;
        let failures = 0;
        let overLimit = 0;
        let sawFull = false;
        const r = run(clock, {
          target,
          self: from.id,
          seeds: from.table.closest(target, 8),
          query: sq.query,
          softTimeoutMs: () => 150,
          k: 8,
          alpha,
          beta: 3,
          stopOn: (e) => {
            if (e.type === 'query') active.add(e.peer);
            else active.delete(e.peer);
            if (e.type === 'failure') failures++;
            // The widened limit applies in discovery; the final phase may ask up to the quorum (= beta here).
            const limit = Math.max(alpha + Math.min(failures, 2), 3);
            if (active.size > limit) overLimit++;
            maxActive = Math.max(maxActive, active.size);
            if (active.size === alpha) sawFull = true;
            return false;
          },
        });
        expect(r.result, `seed=${SEED + 1}`).toBeDefined();
        expect(overLimit, `seed=${SEED + 1} alpha=${alpha} i=${i} maxActive=${maxActive}`).toBe(0);
        expect(maxActive, `seed=${SEED + 1} alpha=${alpha} i=${i}`).toBeLessThanOrEqual(Math.max(alpha + 2, 3));
        expect(sawFull, `seed=${SEED + 1} alpha=${alpha} i=${i}`).toBe(true);
      }
    }
  });

  it('a request past its soft timeout frees a slot at once, and its late answer (within the grace period) is still used', () => {
    const clock = new VirtualClock();
    const X = idOf('01'); // only the slow peer knows X, the node closest to T
    const A = idOf('10');
    const B = idOf('20');
    const script: Script = new Map([
      [h(A), { delay: 150, closer: [X] }], // soft timeout 100: slow at 100, answers at 150
      [h(B), { delay: 400, closer: [] }],
      [h(X), { delay: 400, closer: [] }],
    ]);
    const asked: string[] = [];
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [peerOf(A), peerOf(B)],
      query: scripted(clock, script, asked),
      softTimeoutMs: (p) => (p.hex === h(A) ? 100 : 10_000),
      k: 8,
      alpha: 1,
      beta: 1,
    });
    expect(r.events.find((x) => x.e.type === 'slow')).toEqual({ at: 100, e: { type: 'slow', peer: h(A) } });
    expect(r.events.find((x) => x.e.type === 'query' && x.e.peer === h(B))!.at).toBe(100);
    expect(r.events.find((x) => x.e.type === 'response' && x.e.peer === h(A))!.at).toBe(150);
    expect(asked).toEqual([A, B, X].map(h));
    expect(r.result!.closest.map((c) => c.hex)).toEqual([X, A, B].map(h)); // A answered late: live again
    expect(r.result!.answered).toEqual([true, true, true]);
    expect(r.result!.responses).toBe(3);
    expect(r.result!.failures).toBe(0);
    expect(r.result!.durationMs).toBe(900);
  });

  it('a slow peer is given up after one more soft period: its later answer is ignored', () => {
    const clock = new VirtualClock();
    const X = idOf('01');
    const A = idOf('10');
    const B = idOf('20');
    const script: Script = new Map([
      [h(A), { delay: 1000, closer: [X] }],
      [h(B), { delay: 400, closer: [] }],
    ]);
    const asked: string[] = [];
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [peerOf(A), peerOf(B)],
      query: scripted(clock, script, asked),
      softTimeoutMs: (p) => (p.hex === h(A) ? 100 : 10_000),
      k: 8,
      alpha: 1,
      beta: 1,
    });
    expect(r.events.filter((x) => x.e.peer === h(A)).map((x) => `${x.at} ${x.e.type}`)).toEqual(['0 query', '100 slow', '200 failure']);
    expect(asked).toEqual([A, B].map(h));
    expect(r.result!.closest.map((c) => c.hex)).toEqual([h(B)]);
    expect(r.result!.failures).toBe(1);
    expect(r.result!.durationMs).toBe(500);
    expect(r.doneCalls).toBe(1);
  });

  it('failed peers are skipped, counted, reported and left out of the result', () => {
    const clock = new VirtualClock();
    const A = idOf('10');
    const B = idOf('20');
    const C = idOf('30');
    const E = idOf('08');
    const script: Script = new Map([
      [h(A), { delay: 50, closer: null }],
      [h(B), { delay: 20, closer: [E] }],
      [h(C), { delay: 30, closer: [] }],
      [h(E), { delay: 500, closer: null }],
    ]);
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [A, B, C].map(peerOf),
      query: scripted(clock, script),
      softTimeoutMs: () => 10_000,
      k: 8,
      alpha: 3,
      beta: 3,
    });
    expect(r.result!.closest.map((c) => c.hex)).toEqual([B, C].map(h));
    expect(r.result!.answered).toEqual([true, true]);
    expect(r.result!.failures).toBe(2);
    expect(r.events.filter((x) => x.e.type === 'failure').map((x) => (x.e as { peer: string }).peer)).toEqual([A, E].map(h));
  });

  it('ends once the beta closest live candidates have answered (beta termination)', () => {
    const peers = ['10', '20', '30', '40', '50'].map(idOf);
    for (const beta of [1, 2, 3, 5]) {
      const clock = new VirtualClock();
      const script: Script = new Map(peers.map((p) => [h(p), { delay: 10, closer: [] }]));
      const asked: string[] = [];
      const r = run(clock, {
        target: T,
        self: idOf('ff'),
        seeds: peers.map(peerOf),
        query: scripted(clock, script, asked),
        softTimeoutMs: () => 1000,
        k: 8,
        alpha: 1,
        beta,
      });
      expect(asked, `beta=${beta}`).toEqual(peers.slice(0, beta).map(h));
      expect(r.result!.queries).toBe(beta);
      expect(r.result!.answered).toEqual(peers.map((_, i) => i < beta));
      expect(r.result!.stopped).toBe(false);
    }
  });

  it('stop() ends the lookup at once: one onDone, stopped=true, later answers ignored', () => {
    const rng = new SeededRng(SEED + 2);
    const uni = makeUniverse(100, rng, 8, 1);
    const nodes = [...uni.values()];
    const clock = new VirtualClock();
    const from = nodes[0]!;
    const target = randomId(rng);
    const sq = scriptedQuery(uni, target, { clock, delay: () => 50 });
    let responses = 0;
    const r = run(clock, {
      target,
      self: from.id,
      seeds: from.table.closest(target, 8),
      query: sq.query,
      softTimeoutMs: () => 1000,
      k: 8,
      alpha: 3,
      beta: 3,
      stopOn: (e) => e.type === 'response' && ++responses === 1,
    });
    expect(r.doneCalls).toBe(1);
    expect(r.result!.stopped).toBe(true);
    expect(r.result!.responses).toBe(1);
    expect(r.result!.queries).toBe(3);
    expect(r.lookup.done).toBe(true);
    // The other two in-flight answers arrived after stop() and changed nothing.
    expect(sq.answeredAt.size).toBe(3);
    expect(r.events.filter((x) => x.e.type === 'response').length).toBe(1);
    r.lookup.stop();
    expect(r.doneCalls).toBe(1);
  });

  it('answers as packed id lists (as NODES answers arrive) give exactly the result of id arrays', () => {
    const rng = new SeededRng(SEED + 21);
    const uni = makeUniverse(300, rng, 8, 2);
    const nodes = [...uni.values()];
    for (let q = 0; q < 20; q++) {
      const from = nodes[rng.int(nodes.length)]!;
      // Half the targets are members (the lookup must also skip its own id in a packed answer).
      const target = q % 2 ? nodes[rng.int(nodes.length)]!.id : randomId(rng);
      const once = (packed: boolean) => {
        const clock = new VirtualClock();
        const sq = scriptedQuery(uni, target, { clock, delay: (x) => 10 + (parseInt(x.slice(0, 2), 16) % 40), packed });
        const r = run(clock, {
          target,
          self: from.id,
          seeds: from.table.closest(target, 8),
          query: sq.query,
          softTimeoutMs: () => 100,
          k: 8,
          alpha: 3,
          beta: 3,
        });
        const x = r.result!;
        return {
          closest: x.closest.map((c) => c.hex),
          answered: x.answered,
          queries: x.queries,
          rounds: x.rounds,
          ms: x.durationMs,
          asked: sq.asked,
        };
      };
      const packed = once(true);
      expect(packed.closest.length, `seed=${SEED + 21} q=${q}`).toBe(8);
      expect(packed, `seed=${SEED + 21} q=${q}`).toEqual(once(false));
      expect(packed.closest).not.toContain(from.hex);
    }
  });

  it('tracks depth along the referral chain; rounds is the deepest answer used', () => {
    const clock = new VirtualClock();
    const A = idOf('40');
    const B = idOf('20');
    const C = idOf('10');
    const Z = idOf('80'); // seed, answers with nothing
    const script: Script = new Map([
      [h(A), { delay: 10, closer: [B] }],
      [h(B), { delay: 10, closer: [C] }],
      [h(C), { delay: 10, closer: [] }],
      [h(Z), { delay: 10, closer: [] }],
    ]);
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [A, Z].map(peerOf),
      query: scripted(clock, script),
      softTimeoutMs: () => 1000,
      k: 8,
      alpha: 3,
      beta: 2,
    });
    const depths = Object.fromEntries(
      r.events.filter((x) => x.e.type === 'query').map((x) => [(x.e as { peer: string }).peer, (x.e as { depth: number }).depth]),
    );
    expect(depths).toEqual({ [h(A)]: 1, [h(Z)]: 1, [h(B)]: 2, [h(C)]: 3 });
    expect(r.result!.rounds).toBe(3);
    expect(r.result!.messages).toBe(r.result!.queries + r.result!.responses);
    expect(r.result!.messages).toBe(8);
  });

  it('respects the maxQueries cap', () => {
    const rng = new SeededRng(SEED + 3);
    const uni = makeUniverse(200, rng, 8, 1);
    const nodes = [...uni.values()];
    for (const cap of [1, 4, 7]) {
      const clock = new VirtualClock();
      const from = nodes[rng.int(nodes.length)]!;
      const target = randomId(rng);
      // Far seeds so the lookup would need many more queries than the cap.
      const seeds = bruteClosest(nodes, target).slice(-8);
      const sq = scriptedQuery(uni, target, { clock, delay: () => 20 });
      const r = run(clock, {
        target,
        self: from.id,
        seeds,
        query: sq.query,
        softTimeoutMs: () => 1000,
        k: 8,
        alpha: 3,
        beta: 3,
        maxQueries: cap,
      });
      expect(sq.asked.length, `seed=${SEED + 3} cap=${cap}`).toBe(cap);
      expect(r.result!.queries).toBe(cap);
      expect(r.doneCalls).toBe(1);
    }
  });

  it('never queries itself or the same peer twice, even when many peers return it', () => {
    const clock = new VirtualClock();
    const self = idOf('05');
    const A = idOf('10');
    const B = idOf('20');
    const C = idOf('0c');
    const script: Script = new Map([
      [h(A), { delay: 10, closer: [self, C, B, new Uint8Array(C)] }],
      [h(B), { delay: 15, closer: [self, C, A] }],
      [h(C), { delay: 10, closer: [self, A, B, C] }],
    ]);
    const asked: string[] = [];
    const r = run(clock, {
      target: T,
      self,
      seeds: [A, B, peerOf(self)].map((x) => ('hex' in x ? x : peerOf(x))),
      query: scripted(clock, script, asked),
      softTimeoutMs: () => 1000,
      k: 8,
      alpha: 3,
      beta: 3,
    });
    expect([...asked].sort()).toEqual([A, B, C].map(h).sort());
    expect(r.result!.closest.map((c) => c.hex)).toEqual([C, A, B].map(h));
  });

  it('with no seeds it finishes at once with an empty result', () => {
    const clock = new VirtualClock();
    const r = run(clock, { target: T, self: idOf('ff'), seeds: [], query: () => {}, softTimeoutMs: () => 100, k: 8, alpha: 3, beta: 3 });
    expect(r.doneCalls).toBe(1);
    expect(r.result!.closest).toEqual([]);
    expect(r.result!.queries).toBe(0);
  });

  it('returns at most k candidates, closest first', () => {
    const rng = new SeededRng(SEED + 4);
    const uni = makeUniverse(150, rng, 8, 1);
    const nodes: UniverseNode[] = [...uni.values()];
    const clock = new VirtualClock();
    const target = randomId(rng);
    const sq = scriptedQuery(uni, target, { clock, delay: () => 10 });
    const r = run(clock, {
      target,
      self: nodes[0]!.id,
      seeds: nodes[0]!.table.closest(target, 8),
      query: sq.query,
      softTimeoutMs: () => 100,
      k: 5,
      alpha: 3,
      beta: 3,
    });
    const got = r.result!.closest;
    expect(got.length).toBe(5);
    expect(got.map((c) => c.hex)).toEqual(bruteClosest(got, target).map((c) => c.hex));
  });
  it('converged but a slow candidate is closer than every answer: the lookup waits for it alone', () => {
    // LookupResult.closest: the closest node is never dropped for being slow, while dead nodes
    // deeper in the list cost no waiting.
    for (const [delay, want, ends] of [
      [150, ['01', '10', '20', '30'], 150], // answers in its grace period: first in the result
      [300, ['10', '20', '30'], 200], // given up at 2 x soft timeout: left out
    ] as const) {
      const clock = new VirtualClock();
      const A = idOf('01');
      const others = ['10', '20', '30'].map(idOf);
      const script: Script = new Map();
      script.set(h(A), { delay, closer: [] });
      for (const o of others) script.set(h(o), { delay: 10, closer: [] });
      const r = run(clock, {
        target: T,
        self: idOf('ff'),
        seeds: [A, ...others].map(peerOf),
        query: scripted(clock, script),
        softTimeoutMs: () => 100,
        k: 8,
        alpha: 4,
        beta: 3,
      });
      expect(
        r.result!.closest.map((c) => c.hex),
        `delay=${delay}`,
      ).toEqual(want.map((x) => h(idOf(x))));
      expect(r.result!.durationMs, `delay=${delay}`).toBe(ends);
    }
  });

  it('a slow candidate farther than an answer is not waited for', () => {
    const clock = new VirtualClock();
    const near = ['01', '02', '03'].map(idOf);
    const far = idOf('80');
    const script: Script = new Map();
    for (const n of near) script.set(h(n), { delay: 10, closer: [] });
    script.set(h(far), { delay: 5000, closer: [] });
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [...near, far].map(peerOf),
      query: scripted(clock, script),
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 4,
      beta: 3,
    });
    expect(r.result!.durationMs).toBe(10);
    expect(r.result!.closest.slice(0, 3).map((c) => c.hex)).toEqual(near.map(h));
    expect(r.result!.answered.slice(0, 3)).toEqual([true, true, true]);
  });

  it('admit: ids from answers that it refuses are never asked nor listed (the node-id puzzle)', () => {
    const clock = new VirtualClock();
    const seed = idOf('80');
    const good = ['40', '20'].map(idOf);
    const bad = ['01', '02', '03'].map(idOf); // closer to the target than every good id
    const asked: string[] = [];
    const script: Script = new Map([[h(seed), { delay: 5, closer: [...bad, ...good] }]]);
    for (const id of good) script.set(h(id), { delay: 5, closer: [...bad] });
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [peerOf(seed)],
      query: scripted(clock, script, asked),
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 3,
      beta: 3,
      admit: (id) => !bad.some((b) => h(b) === h(id)),
    });
    const badHex = bad.map(h);
    expect(asked.sort()).toEqual([seed, ...good].map(h).sort());
    expect(r.result!.closest.map((p) => p.hex).filter((x) => badHex.includes(x))).toEqual([]);
    expect(r.result!.closest.length).toBe(3);
  });

  it('a query function that answers synchronously: nothing is queried after onDone', () => {
    const clock = new VirtualClock();
    const seeds: NodeId[] = ['10', '20', '30', '40', '50', '60'].map(idOf);
    const asked: string[] = [];
    let askedAtDone = -1;
    const lookup = new Lookup<never>({
      target: T,
      self: idOf('ff'),
      seeds: seeds.map(peerOf),
      query: (peer, done) => {
        asked.push(peer.hex);
        done({ closer: [] });
      },
      clock,
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 1,
      beta: 1,
      onDone: () => (askedAtDone = asked.length),
    }).start();
    clock.runUntilIdle();
    expect(lookup.done).toBe(true);
    expect(askedAtDone).toBe(1);
    expect(asked).toEqual([h(seeds[0]!)]);
  });

  it('synchronous failures (e.g. an overloaded RPC layer) fail every candidate once and finish', () => {
    const clock = new VirtualClock();
    const seeds: NodeId[] = ['10', '20', '30', '40'].map(idOf);
    const asked: string[] = [];
    let result: LookupResult | undefined;
    new Lookup<never>({
      target: T,
      self: idOf('ff'),
      seeds: seeds.map(peerOf),
      query: (peer, done) => {
        asked.push(peer.hex);
        done(null);
      },
      clock,
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 3,
      beta: 3,
      onDone: (x) => (result = x),
    }).start();
    expect(result!.failures).toBe(4);
    expect(result!.closest).toEqual([]);
    expect(asked).toEqual(seeds.map(h));
  });
});

describe('Lookup: proximity for the first round', () => {
  it('asks the `first` peers before XOR order, then converges as usual', () => {
    const clock = new VirtualClock();
    const near = [idOf('01'), idOf('02'), idOf('03'), idOf('04'), idOf('05')];
    const script: Script = new Map(near.map((id) => [h(id), { delay: 10, closer: [] as NodeId[] }]));
    const asked: string[] = [];
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: near.map(peerOf),
      first: [peerOf(near[4]!), peerOf(near[3]!)],
      query: scripted(clock, script, asked),
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 3,
      beta: 3,
    });
    // The two named first, then the XOR-closest remaining one fills alpha.
    expect(asked.slice(0, 3)).toEqual([h(near[4]!), h(near[3]!), h(near[0]!)]);
    expect(r.result!.closest.slice(0, 3).map((c) => c.hex)).toEqual(near.slice(0, 3).map(h));
  });
});

describe('Lookup: spare timeouts (late requests)', () => {
  it('a request past its spare timeout frees its slot and widens the lookup, and its answer still counts', () => {
    const clock = new VirtualClock();
    const X = idOf('01'); // only A knows X, the node closest to T
    const A = idOf('10');
    const B = idOf('20');
    const C = idOf('30');
    const script: Script = new Map([
      [h(A), { delay: 80, closer: [X] }], // spare 40, soft 100: late at 40, answers at 80
      [h(B), { delay: 10, closer: [] }],
      [h(C), { delay: 10, closer: [] }],
      [h(X), { delay: 10, closer: [] }],
    ]);
    const asked: string[] = [];
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [A, B, C].map(peerOf),
      query: scripted(clock, script, asked),
      softTimeoutMs: () => 100,
      spareTimeoutMs: () => 40,
      k: 8,
      alpha: 1,
      beta: 1,
    });
    const at = (type: string, p: NodeId) => r.events.find((x) => x.e.type === type && x.e.peer === h(p))?.at;
    expect(at('late', A)).toBe(40);
    // One late request: alpha 1 + 1 in flight, so B and C both go out at 40.
    expect(at('query', B)).toBe(40);
    expect(at('query', C)).toBe(40);
    expect(at('response', A)).toBe(80);
    expect(asked).toEqual([A, B, C, X].map(h));
    expect(r.result!.closest[0]!.hex).toBe(h(X));
    expect(r.events.some((x) => x.e.type === 'slow')).toBe(false);
    expect(r.result!.failures).toBe(0);
  });

  it('a late candidate farther than an answer does not hold up convergence; one closer than every answer does', () => {
    for (const [nearDelay, ends] of [
      [10, 40], // the closest answered at 10; the second goes late at 40 and is not waited for
      [60, 60], // the closest is late too (spare 40) but not slow: the lookup waits for it
    ] as const) {
      const clock = new VirtualClock();
      const near = idOf('01');
      const mid = idOf('02');
      const far = idOf('80');
      const script: Script = new Map([
        [h(near), { delay: nearDelay, closer: [] }],
        [h(mid), { delay: 5000, closer: [] }], // dead in practice
        [h(far), { delay: 10, closer: [] }],
      ]);
      const r = run(clock, {
        target: T,
        self: idOf('ff'),
        seeds: [near, mid, far].map(peerOf),
        query: scripted(clock, script),
        softTimeoutMs: () => 100,
        spareTimeoutMs: () => 40,
        k: 8,
        alpha: 3,
        beta: 2,
      });
      // Without a spare timeout this lookup would wait for `mid` until its soft timeout (100).
      expect(r.result!.durationMs, `nearDelay=${nearDelay}`).toBe(ends);
      // The late candidate is listed (unanswered), between the answers, by distance.
      expect(r.result!.closest.map((c) => c.hex)).toEqual([near, mid, far].map(h));
      expect(r.result!.answered).toEqual([true, false, true]);
    }
  });

  it('without a spare timeout nothing goes late (background lookups keep failure-only widening)', () => {
    const clock = new VirtualClock();
    const A = idOf('10');
    const B = idOf('20');
    const script: Script = new Map([
      [h(A), { delay: 80, closer: [] }],
      [h(B), { delay: 10, closer: [] }],
    ]);
    const r = run(clock, {
      target: T,
      self: idOf('ff'),
      seeds: [A, B].map(peerOf),
      query: scripted(clock, script),
      softTimeoutMs: () => 100,
      k: 8,
      alpha: 1,
      beta: 2,
    });
    expect(r.events.some((x) => x.e.type === 'late')).toBe(false);
    expect(r.events.find((x) => x.e.type === 'query' && x.e.peer === h(B))!.at).toBe(80);
    expect(r.result!.durationMs).toBe(90);
  });
});
