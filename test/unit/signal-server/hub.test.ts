/**
 * SignalHub driven sans-IO on a virtual clock: every limit is checked exactly, with no sockets
 * and no dependence on how fast the machine is. test/integration/signal-*.test.ts cover the same
 * server over real WebSockets.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../shared/crypto/bytes';
import { nodeIdFromPublicKey } from '../../../shared/crypto/ed25519';
import { puzzleBitsOf } from '../../../shared/dht/node-puzzle';
import { HubHarness, keyOf } from '../../helpers/hub-harness';

describe('SignalHub: hello', () => {
  it('challenges, welcomes a proven key with a sample of other peers, and lists it', () => {
    const h = new HubHarness();
    const a = h.join(1);
    const b = h.join(2);
    expect(a.nodeId).toMatch(/^[0-9a-f]{40}$/);
    expect(b.io.of('welcome')[0]!.peers).toEqual([a.nodeId]);
    expect(h.hub.peerCount).toBe(2);
    expect(h.metrics.helloOk).toBe(2);
  });

  it('a bad signature is refused and closed with 1008; nothing is listed', () => {
    const h = new HubHarness();
    const { io, conn } = h.open();
    const c = h.client(io, conn!);
    c.send({ t: 'hello', publicKey: 'ab'.repeat(32), signature: 'cd'.repeat(64) });
    expect(io.of('error', 'BAD_SIGNATURE')).toHaveLength(1);
    expect(io.closedWith).toEqual({ code: 1008, reason: 'BAD_SIGNATURE' });
    expect(h.hub.peerCount).toBe(0);
    expect(h.metrics.helloFailed).toBe(1);
  });

  it('with nodePuzzleBits, a hello whose node id does not solve the puzzle is refused (WEAK_ID, 1008); one that does is welcome', () => {
    const BITS = 4;
    const bitsOf = (seed: number) => puzzleBitsOf(nodeIdFromPublicKey(keyOf(seed).publicKey));
    const seeds = Array.from({ length: 400 }, (_, i) => i + 1);
    const weak = seeds.find((s) => bitsOf(s) < BITS)!;
    const strong = seeds.find((s) => bitsOf(s) >= BITS)!;
    const h = new HubHarness({ nodePuzzleBits: BITS });
    const { io, conn } = h.open();
    h.hello(h.client(io, conn!), weak);
    expect(io.of('error', 'WEAK_ID')).toHaveLength(1);
    expect(io.closedWith).toEqual({ code: 1008, reason: 'WEAK_ID' });
    expect(h.hub.peerCount).toBe(0);
    expect(h.metrics.helloFailed).toBe(1);
    expect(h.join(strong).nodeId).toBe(bytesToHex(nodeIdFromPublicKey(keyOf(strong).publicKey)));
    // Off (the programmatic default): the weak key is welcome too.
    expect(new HubHarness().join(weak).nodeId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the same key again replaces the old session (REPLACED, 4000)', () => {
    const h = new HubHarness();
    const first = h.join(1);
    const second = h.join(1);
    expect(second.nodeId).toBe(first.nodeId);
    expect(first.io.of('error', 'REPLACED')).toHaveLength(1);
    expect(first.io.closedWith).toEqual({ code: 4000, reason: 'REPLACED' });
    expect(h.hub.peerCount).toBe(1);
  });

  it('a second hello, and relay or bootstrap before hello, are refused with a code', () => {
    const h = new HubHarness();
    const a = h.join(1);
    a.send({ t: 'hello', publicKey: 'ab'.repeat(32), signature: 'cd'.repeat(64) });
    expect(a.io.of('error', 'ALREADY_AUTHENTICATED')).toHaveLength(1);
    const { io, conn } = h.open();
    const anon = h.client(io, conn!);
    anon.send({ t: 'relay', to: a.nodeId, payload: 1, id: 4 });
    anon.send({ t: 'bootstrap', id: 5 });
    expect(io.of('error', 'NOT_AUTHENTICATED').map((f) => f.ref)).toEqual([4, 5]);
  });

  it('a connection silent past helloTimeoutMs is closed with HELLO_TIMEOUT', () => {
    const h = new HubHarness({ helloTimeoutMs: 1000 });
    h.hub.start();
    const { io } = h.open();
    h.clock.runFor(900);
    expect(io.closedWith).toBeNull();
    h.clock.runFor(500);
    expect(io.of('error', 'HELLO_TIMEOUT')).toHaveLength(1);
    expect(io.closedWith).toEqual({ code: 1008, reason: 'HELLO_TIMEOUT' });
    expect(h.hub.size).toBe(0);
  });
});

describe('SignalHub: bad input', () => {
  it('malformed, unknown and binary frames are answered with a code and counted; the connection stays', () => {
    const h = new HubHarness();
    const a = h.join(1);
    for (const bad of ['not json', '[1,2]', 'null', '{"t":5}', '{"t":"relay","to":"xyz","payload":1}']) a.send(bad);
    expect(a.io.of('error', 'MALFORMED')).toHaveLength(5);
    a.send({ t: 'subscribe', id: 9 });
    expect(a.io.of('error', 'UNKNOWN_TYPE')[0]!.ref).toBe(9);
    h.hub.message(a.conn, null, 3);
    expect(a.io.of('error', 'MALFORMED')).toHaveLength(6);
    expect(h.metrics.dropped.get('malformed')).toBe(6);
    a.send({ t: 'ping', id: 1 });
    expect(a.io.of('pong')).toEqual([{ t: 'pong', id: 1 }]);
    expect(a.io.closedWith).toBeNull();
  });

  it('a frame over maxFrameBytes gets OVERSIZED', () => {
    const h = new HubHarness({ maxFrameBytes: 1024 });
    const a = h.join(1);
    a.send({ t: 'relay', to: 'a'.repeat(40), payload: 'x'.repeat(2000) });
    expect(a.io.of('error', 'OVERSIZED')).toHaveLength(1);
  });

  it('a relay to an absent id gets UNKNOWN_TARGET with the request id', () => {
    const h = new HubHarness();
    const a = h.join(1);
    a.send({ t: 'relay', to: 'f'.repeat(40), payload: 1, id: 3 });
    expect(a.io.of('error', 'UNKNOWN_TARGET')[0]).toMatchObject({ target: 'f'.repeat(40), ref: 3 });
  });
});

describe('SignalHub: limits', () => {
  it('token bucket: exactly burst frames pass at once, then RATE_LIMITED and a pause; tokens refill with time', () => {
    const h = new HubHarness({ ratePerSec: 10, burst: 5 });
    const a = h.join(1); // hello took one token
    let passed = 0;
    for (let i = 0; i < 30; i++) if (a.send({ t: 'ping', id: i })) passed++;
    expect(passed).toBe(4);
    expect(a.io.of('pong')).toHaveLength(4);
    expect(a.io.of('error', 'RATE_LIMITED')).toHaveLength(1); // one notice a second at most
    expect(h.metrics.dropped.get('rate_limited')).toBe(26);
    expect(a.io.paused).toBe(true);
    h.clock.runFor(10_000); // the pause ends; 10 s refill the bucket to its burst
    expect(a.io.paused).toBe(false);
    passed = 0;
    for (let i = 0; i < 10; i++) if (a.send({ t: 'ping', id: 100 + i })) passed++;
    expect(passed).toBe(5);
    h.clock.runFor(300); // 10/s: three more tokens
    passed = 0;
    for (let i = 0; i < 10; i++) if (a.send({ t: 'ping', id: 200 + i })) passed++;
    expect(passed).toBe(3);
  });

  it('server-wide budget: bursting clients share globalBurst; a quiet client (half its bucket or more) still passes', () => {
    const h = new HubHarness({ ratePerSec: 1000, burst: 100, globalRatePerSec: 1, globalBurst: 5 });
    const flooder = h.join(1);
    const quiet = h.join(2);
    let passed = 0;
    for (let i = 0; i < 80; i++) if (flooder.send({ t: 'ping', id: i })) passed++;
    // quiet while half its bucket is left after the frame (99 down to 51 banked: 49 frames), then 5 global tokens
    expect(passed).toBe(49 + 5);
    expect(h.metrics.dropped.get('overload')).toBe(26);
    expect(flooder.io.of('error', 'RATE_LIMITED')).toHaveLength(1);
    for (let i = 0; i < 2; i++) expect(quiet.send({ t: 'ping', id: 100 + i })).toBe(true);
    expect(quiet.io.of('error')).toEqual([]);
  });

  it('an event loop reported lagging sheds bursting clients for the given time; quiet ones pass on their own budget', () => {
    const h = new HubHarness({ ratePerSec: 100, burst: 10 });
    const busy = h.join(1);
    const quiet = h.join(2);
    for (let i = 0; i < 4; i++) busy.send({ t: 'ping', id: i }); // bucket no longer near full
    h.hub.overloaded(500);
    expect(busy.send({ t: 'ping', id: 50 })).toBe(false);
    expect(quiet.send({ t: 'ping', id: 51 })).toBe(true);
    expect(h.metrics.overloadEpisodes).toBe(1);
    h.clock.runFor(10_000);
    expect(busy.send({ t: 'ping', id: 52 })).toBe(true);
  });

  it('many senders to one target: its inbound budget passes burst + rate·t and answers the rest TARGET_BUSY', () => {
    const h = new HubHarness({ inboundRatePerSec: 5, inboundBurst: 12 });
    const target = h.join(1);
    const senders = [h.join(2), h.join(3), h.join(4)];
    for (const s of senders) for (let i = 0; i < 10; i++) s.send({ t: 'relay', to: target.nodeId, payload: i, id: i });
    expect(target.io.of('relay')).toHaveLength(12);
    expect(senders.flatMap((s) => s.io.of('error', 'TARGET_BUSY'))).toHaveLength(18);
    // a second later the budget holds 5 again (the senders are quiet: well under their own rate)
    h.clock.runFor(1000);
    for (let i = 0; i < 10; i++) senders[0]!.send({ t: 'relay', to: target.nodeId, payload: i, id: 100 + i });
    expect(target.io.of('relay')).toHaveLength(17);
  });

  it('relays reach the target with the sender id and the payload as sent', () => {
    const h = new HubHarness();
    const a = h.join(1);
    const b = h.join(2);
    a.send({ t: 'relay', to: b.nodeId, payload: { sdp: 'v=0', n: [1, 2] } });
    expect(b.io.of('relay')).toEqual([{ t: 'relay', from: a.nodeId, payload: { sdp: 'v=0', n: [1, 2] } }]);
    expect(h.metrics.relayed).toBe(1);
  });

  it('caps: SERVER_FULL past maxConnections, IP_LIMIT past maxConnectionsPerIp, both closed 1013', () => {
    const h = new HubHarness({ maxConnections: 3, maxConnectionsPerIp: 2 });
    h.open('10.0.0.1');
    h.open('10.0.0.1');
    const third = h.open('10.0.0.1');
    expect(third.conn).toBeNull();
    expect(third.io.of('error', 'IP_LIMIT')).toHaveLength(1);
    expect(third.io.closedWith).toEqual({ code: 1013, reason: 'IP_LIMIT' });
    expect(h.open('10.0.0.2').conn).not.toBeNull();
    const fourth = h.open('10.0.0.3');
    expect(fourth.io.of('error', 'SERVER_FULL')).toHaveLength(1);
    expect(h.metrics.rejected.get('ip_limit')).toBe(1);
    expect(h.metrics.rejected.get('server_full')).toBe(1);
  });

  it('idle clients are pinged after heartbeatMs and closed after idleTimeoutMs; a pong keeps one alive', () => {
    const h = new HubHarness({ heartbeatMs: 100, idleTimeoutMs: 1000 });
    h.hub.start();
    const dead = h.join(1);
    const alive = h.join(2);
    for (let t = 0; t < 15; t++) {
      h.clock.runFor(100);
      h.hub.pong(alive.conn);
    }
    expect(dead.io.pings).toBeGreaterThan(0);
    expect(dead.io.of('error', 'IDLE_TIMEOUT')).toHaveLength(1);
    expect(dead.io.closedWith).toEqual({ code: 1008, reason: 'IDLE_TIMEOUT' });
    expect(alive.io.closedWith).toBeNull();
    expect(h.hub.peerCount).toBe(1);
  });

  it('a client that stops reading: relays to it are dropped (TARGET_BUSY), and after slowConsumerMs it is cut off', () => {
    const h = new HubHarness({ maxBufferedBytes: 1000, slowConsumerMs: 2000 });
    const victim = h.join(1);
    const sender = h.join(2);
    victim.io.backlog = 5000;
    sender.send({ t: 'relay', to: victim.nodeId, payload: 1, id: 1 });
    expect(sender.io.of('error', 'TARGET_BUSY')[0]).toMatchObject({ ref: 1, target: victim.nodeId });
    h.clock.runFor(1999);
    sender.send({ t: 'relay', to: victim.nodeId, payload: 2, id: 2 });
    expect(victim.io.terminated).toBe(false);
    h.clock.runFor(1);
    sender.send({ t: 'relay', to: victim.nodeId, payload: 3, id: 3 });
    expect(victim.io.terminated).toBe(true);
    expect(h.metrics.dropped.get('slow_consumer')).toBe(1);
    expect(sender.io.of('error', 'UNKNOWN_TARGET').map((f) => f.ref)).toEqual([3]);
    sender.send({ t: 'relay', to: victim.nodeId, payload: 4, id: 4 });
    expect(sender.io.of('error', 'UNKNOWN_TARGET').map((f) => f.ref)).toEqual([3, 4]);
  });

  it('a flood from 5 clients is held to burst + rate·t each, while a quiet pair relays every message', () => {
    const RATE = 50;
    const BURST = 200;
    const h = new HubHarness({ ratePerSec: RATE, burst: BURST, inboundRatePerSec: 1000, inboundBurst: 10_000 });
    const a = h.join(1);
    const b = h.join(2);
    const flooders = [3, 4, 5, 6, 7].map((s) => h.join(s));
    let good = 0;
    // 3 virtual seconds: every flooder offers 100 frames every 10 ms unless paused (TCP backpressure),
    // the good client one relay every 20 ms.
    for (let tick = 0; tick < 300; tick++) {
      for (const f of flooders) for (let k = 0; k < 100 && !f.io.paused; k++) f.send({ t: 'relay', to: b.nodeId, payload: 'x' });
      if (tick % 2 === 0 && a.send({ t: 'relay', to: b.nodeId, payload: { probe: tick } })) good++;
      h.clock.runFor(10);
    }
    const fromFlood = b.io.of('relay').filter((f) => f.from !== a.nodeId).length;
    expect(good).toBe(150);
    expect(b.io.of('relay').filter((f) => f.from === a.nodeId)).toHaveLength(150);
    expect(fromFlood).toBeLessThanOrEqual(5 * (BURST + RATE * 3));
    expect(fromFlood).toBeGreaterThanOrEqual(5 * BURST);
    expect(h.metrics.rateLimitedTotal).toBeGreaterThanOrEqual(5);
  });

  it('shutdown closes everyone with GOING_AWAY (1001) and refuses newcomers', () => {
    const h = new HubHarness();
    const a = h.join(1);
    h.hub.shutdown();
    expect(a.io.closedWith).toEqual({ code: 1001, reason: 'GOING_AWAY' });
    const late = h.open();
    expect(late.conn).toBeNull();
    expect(late.io.of('error', 'GOING_AWAY')).toHaveLength(1);
  });
});
