import { describe, expect, it } from 'vitest';
import { Rpc, type RpcHooks, type RpcInit } from '../../../../shared/dht/rpc';
import { decode, encode, type Message, type RequestMessage } from '../../../../shared/protocol/wire';
import type { RttSample } from '../../../../shared/dht/rtt';
import { idToHex, randomId } from '../../../../shared/dht/node-id';
import { idOf, peerOf, RecordingTransport, SeededRng, testSeed, VirtualClock } from '../../../helpers/dht';
import { IdList } from '../../../../shared/protocol/id-list';

const SEED = testSeed(0x3bc);
const INIT: RpcInit = { minTimeoutMs: 250, maxTimeoutMs: 5000, initialRttMs: 500, maxInflight: 8 };

function setup(init: Partial<RpcInit> = {}, rtts = new Map<string, RttSample>()) {
  const clock = new VirtualClock();
  const transport = new RecordingTransport();
  const calls = { requests: [] as { from: string; msg: RequestMessage }[], alive: [] as string[], timeouts: [] as string[] };
  let onRequest: RpcHooks['onRequest'] = (from, msg, reply) => {
    calls.requests.push({ from: from.hex, msg });
    if (msg.type === 'ping') reply({ type: 'pong' });
  };
  const hooks: RpcHooks = {
    onRequest: (f, m, r) => onRequest(f, m, r),
    onAlive: (p) => calls.alive.push(p.hex),
    onTimeout: (p) => calls.timeouts.push(p.hex),
    rttOf: (p) => rtts.get(p.hex),
  };
  const rpc = new Rpc(transport, clock, new SeededRng(SEED), { ...INIT, ...init }, hooks);
  return { clock, transport, rpc, calls, rtts, setOnRequest: (f: RpcHooks['onRequest']) => (onRequest = f) };
}

const A = peerOf(idOf('aa'));
const B = peerOf(idOf('bb'));

function lastRid(t: RecordingTransport): number {
  return decode(t.sent[t.sent.length - 1]!.frame).rid;
}

describe('Rpc: requests and response matching', () => {
  it('matches a response by request id and peer, reports the RTT and updates the estimators', () => {
    const rtts = new Map<string, RttSample>([[A.hex, { srtt: 0, rttvar: 0 }]]);
    const { clock, transport, rpc, calls } = setup({}, rtts);
    const got: { res: Message | null; rtt: number }[] = [];
    rpc.request(A, { type: 'find_node', target: idOf('01') }, (res, rtt) => got.push({ res, rtt }));
    expect(transport.sent.length).toBe(1);
    expect(transport.sent[0]!.to).toBe(A.hex);
    const sent = decode(transport.sent[0]!.frame);
    expect(sent.type).toBe('find_node');
    expect(rpc.inflight).toBe(1);
    clock.runFor(120);
    transport.receive(A.hex, encode({ type: 'nodes', rid: sent.rid, nodes: IdList.of([idOf('02')]) }));
    expect(got).toEqual([{ res: { type: 'nodes', rid: sent.rid, nodes: IdList.of([idOf('02')]) }, rtt: 120 }]);
    expect(calls.alive).toEqual([A.hex]);
    expect(rtts.get(A.hex)).toEqual({ srtt: 120, rttvar: 60 });
    expect(rpc.global).toEqual({ srtt: 120, rttvar: 60 });
    expect(rpc.inflight).toBe(0);
    expect(rpc.counters.get('sent.find_node')).toBe(1);
    expect(rpc.counters.get('recv.nodes')).toBe(1);
    // The same response again is unmatched now.
    transport.receive(A.hex, encode({ type: 'nodes', rid: sent.rid, nodes: IdList.of([]) }));
    expect(rpc.counters.get('drop.unmatched_response')).toBe(1);
    expect(got.length).toBe(1);
  });

  it('drops a response with the right id from the wrong peer, counts it, and still accepts the right one', () => {
    const { clock, transport, rpc, calls } = setup();
    let got: Message | null | undefined;
    rpc.request(A, { type: 'ping' }, (res) => (got = res));
    const rid = lastRid(transport);
    clock.runFor(10);
    transport.receive(B.hex, encode({ type: 'pong', rid }));
    expect(got).toBeUndefined();
    expect(rpc.counters.get('drop.unmatched_response')).toBe(1);
    expect(calls.alive).toEqual([]);
    transport.receive(A.hex, encode({ type: 'pong', rid: (rid + 1) >>> 0 }));
    expect(rpc.counters.get('drop.unmatched_response')).toBe(2);
    transport.receive(A.hex, encode({ type: 'pong', rid }));
    expect(got).toEqual({ type: 'pong', rid });
  });

  it('gives every outstanding request a distinct id', () => {
    const { transport, rpc } = setup({ maxInflight: 100 });
    for (let i = 0; i < 50; i++) rpc.request(A, { type: 'ping' }, () => {});
    const rids = transport.sent.map((s) => decode(s.frame).rid);
    expect(new Set(rids).size).toBe(50);
  });

  it('hard timeout: calls onTimeout and the callback with null, exactly at hardTimeoutMs; a late answer is unmatched but proves the peer alive', () => {
    const { clock, transport, rpc, calls } = setup();
    const hard = rpc.hardTimeoutMs(A);
    expect(hard).toBe(1000); // never measured: max(minTimeoutMs, 2 x initialRttMs)
    let got: Message | null | undefined;
    rpc.request(A, { type: 'ping' }, (res) => (got = res));
    const rid = lastRid(transport);
    clock.runFor(hard - 1);
    expect(got).toBeUndefined();
    expect(calls.timeouts).toEqual([]);
    clock.runFor(1);
    expect(got).toBeNull();
    expect(calls.timeouts).toEqual([A.hex]);
    expect(rpc.counters.get('request.timeout')).toBe(1);
    expect(rpc.inflight).toBe(0);
    transport.receive(A.hex, encode({ type: 'pong', rid }));
    expect(rpc.counters.get('drop.unmatched_response')).toBe(1);
    expect(calls.timeouts).toEqual([A.hex]);
    // Unmatched, but a message from A all the same: A is alive (its bucket is updated).
    expect(calls.alive).toEqual([A.hex]);
    expect(got).toBeNull();
  });

  it('an answer cancels the hard timeout', () => {
    const { clock, transport, rpc, calls } = setup();
    const got: (Message | null)[] = [];
    rpc.request(A, { type: 'ping' }, (res) => got.push(res));
    transport.receive(A.hex, encode({ type: 'pong', rid: lastRid(transport) }));
    clock.runFor(10_000);
    expect(got.length).toBe(1);
    expect(calls.timeouts).toEqual([]);
  });

  it('lookupTimeouts gives the soft and spare timeouts together, with one hop selection', () => {
    const rtts = new Map<string, RttSample>([[A.hex, { srtt: 100, rttvar: 30 }]]);
    const { rpc } = setup({}, rtts);
    let vias = 0;
    rpc.setTunnel({
      via: (p) => {
        vias++;
        return p.hex === B.hex ? A : undefined;
      },
      wrap: (_p, inner) => ({ type: 'tunnel', target: B.id, ttl: 8, origin: A.id, pk: new Uint8Array(32), sig: new Uint8Array(64), inner }),
      open: () => undefined,
    });
    for (const peer of [A, B]) {
      vias = 0;
      const both = rpc.lookupTimeouts(peer);
      expect(vias).toBe(1);
      expect(both).toEqual({ soft: rpc.softTimeoutMs(peer), spare: rpc.spareTimeoutMs(peer) });
    }
    expect(rpc.lookupTimeouts(A)).toEqual({ soft: 145, spare: 115 });
    rpc.tunnelRtt.srtt = 300;
    rpc.tunnelRtt.rttvar = 20;
    expect(rpc.lookupTimeouts(B)).toEqual({ soft: 330, spare: 310 }); // tunneled: the path's estimate
  });

  it('timeouts derive from the RTT estimate: per-contact first, then node-wide, then initialRttMs', () => {
    const rtts = new Map<string, RttSample>([[A.hex, { srtt: 100, rttvar: 10 }]]);
    const { rpc } = setup({}, rtts);
    // soft: srtt + 1.5 x rttvar (at least srtt), tighter than the RTO; hard: 2 x RTO within [min, max]
    expect(rpc.softTimeoutMs(A)).toBe(115);
    rtts.set(A.hex, { srtt: 100, rttvar: 30 });
    expect(rpc.softTimeoutMs(A)).toBe(145);
    expect(rpc.spareTimeoutMs(A)).toBe(115); // spare: srtt + 0.5 x rttvar, never above soft
    expect(rpc.hardTimeoutMs(A)).toBe(440);
    rtts.set(A.hex, { srtt: 100, rttvar: 10 });
    expect(rpc.hardTimeoutMs(A)).toBe(280);
    expect(rpc.softTimeoutMs(B)).toBe(500);
    expect(rpc.spareTimeoutMs(B)).toBe(500); // nothing measured yet: no earlier spare
    rpc.global.srtt = 40;
    rpc.global.rttvar = 1;
    expect(rpc.softTimeoutMs(B)).toBe(41.5); // 40 + 1.5 x 1
    rpc.global.srtt = 10;
    expect(rpc.spareTimeoutMs(B)).toBe(20); // floor
    rpc.global.srtt = 40;
    expect(rpc.hardTimeoutMs(B)).toBe(250); // 2 x 50 = 100, below minTimeoutMs
    rtts.set(A.hex, { srtt: 4000, rttvar: 1000 });
    expect(rpc.softTimeoutMs(A)).toBe(5000); // capped at maxTimeoutMs
    expect(rpc.hardTimeoutMs(A)).toBe(5000);
  });

  it('refuses beyond maxInflight (callback null, synchronously) and counts it', () => {
    const { transport, rpc } = setup({ maxInflight: 2 });
    rpc.request(A, { type: 'ping' }, () => {});
    rpc.request(A, { type: 'ping' }, () => {});
    let got: Message | null | undefined;
    rpc.request(A, { type: 'ping' }, (r) => (got = r));
    expect(got).toBeNull();
    expect(transport.sent.length).toBe(2);
    expect(rpc.counters.get('request.overloaded')).toBe(1);
  });

  it('destroy() fails every pending request and refuses new ones; frames are ignored afterwards', () => {
    const { transport, rpc, calls } = setup();
    const got: (Message | null)[] = [];
    rpc.request(A, { type: 'ping' }, (r) => got.push(r));
    rpc.destroy();
    expect(got).toEqual([null]);
    rpc.request(A, { type: 'ping' }, (r) => got.push(r));
    expect(got).toEqual([null, null]);
    transport.receive(A.hex, encode({ type: 'ping', rid: 1 }));
    expect(calls.requests).toEqual([]);
  });
});

describe('Rpc: serving requests', () => {
  it('passes a request to onRequest and echoes its id in the reply, at most once', () => {
    const { transport, rpc, calls, setOnRequest } = setup();
    let reply: ((r: { type: 'pong' }) => void) | undefined;
    setOnRequest((from, msg, r) => {
      calls.requests.push({ from: from.hex, msg });
      reply = r;
    });
    transport.receive(A.hex, encode({ type: 'ping', rid: 77 }));
    expect(calls.requests).toEqual([{ from: A.hex, msg: { type: 'ping', rid: 77 } }]);
    expect(calls.alive).toEqual([A.hex]);
    expect(transport.sent).toEqual([]);
    reply!({ type: 'pong' });
    reply!({ type: 'pong' });
    expect(transport.sent.length).toBe(1);
    expect(transport.sent[0]!.to).toBe(A.hex);
    expect(decode(transport.sent[0]!.frame)).toEqual({ type: 'pong', rid: 77 });
    expect(rpc.counters.get('recv.ping')).toBe(1);
    expect(rpc.counters.get('sent.pong')).toBe(1);
  });
});

describe('Rpc: remote garbage is dropped and counted, never thrown', () => {
  it('counts malformed frames by WireError code under drop.*', () => {
    const { transport, rpc, calls } = setup();
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([]), 'drop.TRUNCATED'],
      [new Uint8Array([0x10, 0x01, 0, 0]), 'drop.TRUNCATED'],
      [new Uint8Array([0x20, 0x01, 0, 0, 0, 1]), 'drop.BAD_VERSION'],
      [new Uint8Array([0x10, 0x7f, 0, 0, 0, 1]), 'drop.UNKNOWN_TYPE'],
      [new Uint8Array([0x10, 0x01, 0, 0, 0, 1, 0]), 'drop.TRAILING_BYTES'],
      [new Uint8Array([0x10, 0x04, 0, 0, 0, 1, 33]), 'drop.LENGTH_OUT_OF_RANGE'],
      [new Uint8Array([0x10, 0x0b, 0, 0, 0, 1, 2]), 'drop.BAD_VALUE'],
      [new Uint8Array(9000), 'drop.FRAME_TOO_LARGE'],
    ];
    for (const [frame, counter] of cases) {
      const before = rpc.counters.get(counter);
      expect(() => transport.receive(A.hex, frame)).not.toThrow();
      expect(rpc.counters.get(counter), counter).toBe(before + 1);
    }
    expect(calls.requests).toEqual([]);
    expect(calls.alive).toEqual([]);
  });

  it('drops frames from a malformed peer id before decoding', () => {
    const { transport, rpc, calls } = setup();
    for (const from of ['', 'zz', A.hex.toUpperCase(), `${A.hex}0`, A.hex.slice(1)])
      transport.receive(from, encode({ type: 'ping', rid: 1 }));
    expect(rpc.counters.get('drop.bad_peer_id')).toBe(5);
    expect(calls.requests).toEqual([]);
  });

  it('survives 20k seeded random frames: every one is either served or counted under drop.*', () => {
    const rng = new SeededRng(SEED + 1);
    const { transport, rpc, calls } = setup({ maxInflight: 1 });
    const valid = encode({ type: 'find_node', rid: 5, target: randomId(rng) });
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      let f: Uint8Array;
      if (i % 2 === 0) f = rng.bytes(rng.int(64));
      else {
        f = valid.slice(0, rng.int(valid.length + 1));
        if (f.length > 0) f[rng.int(f.length)] ^= 1 << rng.int(8);
      }
      try {
        transport.receive(idToHex(randomId(rng)), f);
      } catch (e) {
        throw new Error(`seed=${SEED + 1} i=${i}: Rpc threw on a remote frame: ${String(e)}`);
      }
    }
    const drops = Object.entries(rpc.counters.snapshot())
      .filter(([k]) => k.startsWith('drop.'))
      .reduce((a, [, v]) => a + v, 0);
    const served = Object.entries(rpc.counters.snapshot())
      .filter(([k]) => k.startsWith('recv.'))
      .reduce((a, [, v]) => a + v, 0);
    expect(drops + served, `seed=${SEED + 1}`).toBe(N);
    expect(drops).toBeGreaterThan(N / 2);
    expect(calls.requests.length).toBe(
      rpc.counters.get('recv.ping') +
        rpc.counters.get('recv.find_node') +
        rpc.counters.get('recv.find_value') +
        rpc.counters.get('recv.store') +
        rpc.counters.get('recv.route'),
    );
  });
});

describe('Rpc: dial allowance', () => {
  it('adds dialTimeoutMs to both timeouts only for peers the transport is not connected to', () => {
    const { rpc, transport } = setup({ dialTimeoutMs: 2000 });
    const connected = peerOf(idOf('01'));
    const dialing = peerOf(idOf('02'));
    const base = rpc.hardTimeoutMs(connected);
    const baseSoft = rpc.softTimeoutMs(connected);
    // No isConnected on the transport: no allowance at all.
    expect(rpc.hardTimeoutMs(dialing)).toBe(base);
    Object.assign(transport, { isConnected: (p: string) => p === connected.hex });
    expect(rpc.hardTimeoutMs(connected)).toBe(base);
    expect(rpc.hardTimeoutMs(dialing)).toBe(base + 2000);
    expect(rpc.softTimeoutMs(dialing)).toBe(baseSoft + 2000);
  });
});
