/**
 * The hub's defences against the attacks of issue 16, sans-IO on a virtual clock: relays forwarded
 * as the sender's text, cost-based charging, shedding during lag for every class, the targets'
 * reserve for quiet senders, per-address hello and TURN budgets (IPv6 by /64), prefix-diverse
 * bootstrap samples and the price of an UNKNOWN_TARGET answer.
 */
import { describe, expect, it } from 'vitest';
import { HubHarness } from '../../helpers/hub-harness';

const ID = (c: string): string => c.repeat(40);

describe('SignalHub: relays forwarded as sent', () => {
  it('the payload reaches the target byte for byte (numbers, spacing, escapes), with a header under 200 bytes', () => {
    const h = new HubHarness();
    const a = h.join(1);
    const b = h.join(2);
    const payloads = [
      '[1e20, 1E+2,-0.5e-3]',
      '{ "sid" : "x\\u00e9\\n" , "data":[true,false,null] }',
      '"plain"',
      '0',
      '{"a":{"b":{"c":[[[]]]}}}',
    ];
    for (const p of payloads) {
      const frame = `{"t":"relay","to":"${b.nodeId}","payload":${p}}`;
      expect(a.send(frame)).toBe(true);
      const out = b.io.raw.at(-1)!;
      expect(out).toBe(`{"t":"relay","from":"${a.nodeId}","payload":${p}}`);
      expect(out.length).toBeLessThanOrEqual(frame.length + 200);
    }
    expect(b.io.of('relay')).toHaveLength(payloads.length);
  });

  it('a payload nested deeper than maxJsonDepth is MALFORMED and reaches nobody', () => {
    const h = new HubHarness({ maxJsonDepth: 32 });
    const a = h.join(1);
    const b = h.join(2);
    const deep = `${'['.repeat(4000)}${']'.repeat(4000)}`;
    a.send(`{"t":"relay","to":"${b.nodeId}","payload":${deep},"id":7}`);
    expect(a.io.of('error', 'MALFORMED')[0]!.message).toMatch(/nested deeper than 32/);
    // exactly at the limit passes: the frame object is level 1, so 31 levels of payload
    a.send(`{"t":"relay","to":"${b.nodeId}","payload":${'['.repeat(31)}${']'.repeat(31)}}`);
    expect(b.io.of('relay')).toHaveLength(1);
    a.send(`{"t":"relay","to":"${b.nodeId}","payload":${'['.repeat(32)}${']'.repeat(32)}}`);
    expect(a.io.of('error', 'MALFORMED')).toHaveLength(2);
    expect(b.io.of('relay')).toHaveLength(1);
  });

  it('checks the same fields as the parser, in the same order, and the last of a repeated key wins', () => {
    const h = new HubHarness();
    const a = h.join(1);
    const b = h.join(2);
    a.send(`{"t":"relay","to":"${b.nodeId}","payload":1,"id":-1}`);
    expect(a.io.of('error', 'MALFORMED').at(-1)!.message).toBe('bad id');
    a.send(`{"t":"relay","to":"xyz","payload":1,"id":3}`);
    expect(a.io.of('error', 'MALFORMED').at(-1)).toMatchObject({ message: 'bad relay target', ref: 3 });
    a.send(`{"t":"relay","to":"${b.nodeId}","id":4}`);
    expect(a.io.of('error', 'MALFORMED').at(-1)).toMatchObject({ message: 'missing payload', ref: 4 });
    a.send(`{"t":"relay","to":"${ID('0')}","payload":1,"payload":2,"to":"${b.nodeId}"}`);
    expect(b.io.raw.at(-1)).toBe(`{"t":"relay","from":"${a.nodeId}","payload":2}`);
    // an escaped type is still a relay
    a.send(`{"t":"rel\\u0061y","to":"${b.nodeId}","payload":3}`);
    expect(b.io.raw.at(-1)).toBe(`{"t":"relay","from":"${a.nodeId}","payload":3}`);
    const { io, conn } = h.open('127.0.0.9');
    h.client(io, conn!).send(`{"t":"relay","to":"${b.nodeId}","payload":1,"id":5}`);
    expect(io.of('error', 'NOT_AUTHENTICATED')[0]!.ref).toBe(5);
  });
});

describe('SignalHub: cost, not frames', () => {
  it('an 8 KB frame costs 1 + 8192/bytesPerToken tokens: the bucket passes burst / cost of them', () => {
    const h = new HubHarness({ ratePerSec: 10, burst: 120, bytesPerToken: 2048 });
    const a = h.join(1); // hello: 1 token
    const b = h.join(2);
    const frame = `{"t":"relay","to":"${b.nodeId}","payload":"${'x'.repeat(8192 - 74)}"}`;
    expect(frame.length).toBe(8192);
    let passed = 0;
    for (let i = 0; i < 40; i++) if (a.send(frame)) passed++;
    const cost = 1 + Math.floor(8192 / 2048);
    expect(passed).toBe(Math.floor(119 / cost));
    expect(a.io.paused).toBe(true);
  });

  it('while the loop lags, quiet clients pass on a budget of their own, and are shed once it is spent', () => {
    const h = new HubHarness({ globalRatePerSec: 1, globalBurst: 3 });
    const quiet = Array.from({ length: 6 }, (_, i) => h.join(10 + i, `10.0.${i}.1`));
    h.hub.overloaded(500);
    const passed = quiet.map((c) => c.send({ t: 'ping', id: 1 }));
    expect(passed).toEqual([true, true, true, false, false, false]);
    expect(h.metrics.dropped.get('overload')).toBe(3);
    h.clock.runFor(10_000);
    expect(quiet[5]!.send({ t: 'ping', id: 2 })).toBe(true);
  });

  it('a client rate-limited in the last 10 s, or a frame over 4 KB, is never quiet', () => {
    const h = new HubHarness({ ratePerSec: 10, burst: 10 });
    const a = h.join(1, '10.0.0.1');
    const b = h.join(2, '10.0.0.2');
    for (let i = 0; i < 20; i++) a.send({ t: 'ping', id: i });
    h.clock.runFor(2000); // pause over, bucket full again
    h.hub.overloaded(500);
    expect(a.send({ t: 'ping', id: 50 })).toBe(false); // limited 2 s ago: shed while the loop lags
    expect(b.send({ t: 'ping', id: 51, pad: 'x'.repeat(5000) })).toBe(false); // costs 3
    expect(b.send({ t: 'ping', id: 52 })).toBe(true);
    h.clock.runFor(12_000);
    h.hub.overloaded(500);
    expect(a.send({ t: 'ping', id: 53 })).toBe(true);
  });

  it("a target's last quarter of inbound budget is kept for quiet senders", () => {
    const h = new HubHarness({ ratePerSec: 10, burst: 10, inboundRatePerSec: 1, inboundBurst: 8 });
    const target = h.join(1);
    const busy = h.join(2, '10.0.0.2');
    const quiet = h.join(3, '10.0.0.3');
    for (let i = 0; i < 9; i++) busy.send({ t: 'relay', to: target.nodeId, payload: i });
    // its first 4 frames are quiet (half its bucket left after each) and take from the whole
    // budget; the next ones stop at the reserve of 2
    expect(target.io.of('relay')).toHaveLength(6);
    expect(busy.io.of('error', 'TARGET_BUSY')).toHaveLength(3);
    for (let i = 0; i < 2; i++) expect(quiet.send({ t: 'relay', to: target.nodeId, payload: 'hi', id: i })).toBe(true);
    expect(target.io.of('relay')).toHaveLength(8);
    expect(quiet.io.of('error', 'TARGET_BUSY')).toHaveLength(0);
  });

  it('a relay to an absent id costs unknownTargetCost extra tokens', () => {
    const h = new HubHarness({ ratePerSec: 10, burst: 120, unknownTargetCost: 4 });
    const a = h.join(1);
    let passed = 0;
    for (let i = 0; i < 200; i++) if (a.send({ t: 'relay', to: ID((i % 10).toString()), payload: 1 })) passed++;
    // 119 tokens left after hello; each probe costs 1 + 4
    expect(passed).toBe(Math.ceil(119 / 5));
  });
});

describe('SignalHub: per-address budgets', () => {
  it('hellos: helloBurst at once from one address, then RATE_LIMITED and close 1013; refills at helloPerMin', () => {
    const h = new HubHarness({ helloPerMin: 60, helloBurst: 3 });
    for (let i = 0; i < 3; i++) h.join(1 + i, '192.0.2.7');
    const { io, conn } = h.open('192.0.2.7');
    h.hello(h.client(io, conn!), 9);
    expect(io.of('error', 'RATE_LIMITED')).toHaveLength(1);
    expect(io.closedWith).toEqual({ code: 1013, reason: 'RATE_LIMITED' });
    expect(h.metrics.helloOk).toBe(3);
    h.join(10, '192.0.2.8'); // another address is unaffected
    h.clock.runFor(1000);
    h.join(11, '192.0.2.7'); // one a second
    expect(h.metrics.dropped.get('hello_limited')).toBe(1);
  });

  it('IPv6 addresses count by /64: one prefix cannot mint addresses around the hello budget or the connection cap', () => {
    const h = new HubHarness({ helloPerMin: 60, helloBurst: 2, maxConnectionsPerIp: 3 });
    h.join(1, '2001:db8:1:2::1');
    h.join(2, '2001:db8:1:2:ffff:0:0:7');
    const { io, conn } = h.open('2001:db8:1:2::abcd');
    h.hello(h.client(io, conn!), 3);
    expect(io.of('error', 'RATE_LIMITED')).toHaveLength(1);
    h.join(4, '2001:db8:1:3::1'); // the next /64
    h.open('2001:db8:1:2::5');
    h.open('2001:db8:1:2::6');
    expect(h.hub.admit('2001:db8:1:2::99')).toBe('IP_LIMIT');
    expect(h.hub.admit('2001:db8:1:3::99')).toBeNull();
  });

  it('TURN: offered in the welcome, minted on request, at most turnPerMinPerId per id and turnPerMinPerIp per address', () => {
    let minted = 0;
    const turn = { ttlSec: 600, mint: (id: string) => ({ urls: 'turn:127.0.0.1:3478', username: `${++minted}:${id}`, credential: 'c' }) };
    const h = new HubHarness({ turnPerMinPerId: 2, turnPerMinPerIp: 3 }, undefined, turn);
    const a = h.join(1, '198.51.100.1');
    const welcome = a.io.of('welcome')[0]!;
    expect(welcome.turn).toBe(true);
    expect(welcome.iceServers).toEqual([]);
    for (let i = 0; i < 3; i++) a.send({ t: 'turn', id: i });
    expect(a.io.of('turn').map((f) => f.id)).toEqual([0, 1]);
    expect(a.io.of('turn')[0]).toMatchObject({ ttlSec: 600, iceServers: [{ username: `1:${a.nodeId}` }] });
    expect(a.io.of('error', 'RATE_LIMITED')[0]!.ref).toBe(2);
    const b = h.join(2, '198.51.100.1');
    b.send({ t: 'turn', id: 1 });
    b.send({ t: 'turn', id: 2 });
    expect(b.io.of('turn')).toHaveLength(1); // the address had 3
    expect(h.metrics.turnCredentials).toBe(3);
    h.clock.runFor(60_000);
    b.send({ t: 'turn', id: 3 });
    expect(b.io.of('turn')).toHaveLength(2);
    // no secret configured: refused with a code
    const plain = new HubHarness();
    const c = plain.join(1);
    expect(c.io.of('welcome')[0]!.turn).toBeUndefined();
    c.send({ t: 'turn', id: 5 });
    expect(c.io.of('error', 'UNKNOWN_TYPE')[0]!.ref).toBe(5);
  });
});

describe('SignalHub: bootstrap samples spread over prefixes', () => {
  it('10 addresses with 32 ids each get at most their share of prefixes among 30, not their share of ids', () => {
    const h = new HubHarness({ helloBurst: 100, maxConnectionsPerIp: 100 });
    const honest = new Set<string>();
    for (let i = 0; i < 20; i++) honest.add(h.join(1000 + i, `198.51.${i}.10`).nodeId);
    for (let a = 0; a < 10; a++) for (let k = 0; k < 32; k++) h.join(2000 + a * 32 + k, `203.0.${a}.1`);
    let sampled = 0;
    let attack = 0;
    let onlyAttack = 0;
    for (let n = 0; n < 200; n++) {
      const c = h.join(5000 + n, `192.0.${n % 250}.${1 + Math.floor(n / 250)}`);
      const peers = c.io.of('welcome')[0]!.peers as string[];
      const bad = peers.filter((p) => !honest.has(p)).length;
      sampled += peers.length;
      attack += bad;
      if (bad === peers.length) onlyAttack++;
      c.io.closedWith = null;
      h.hub.closed(c.conn);
    }
    expect(sampled).toBe(200 * 8);
    // uniform over ids would be 320 / 340 = 94%; over prefixes it is 10 / 30
    expect(attack / sampled).toBeLessThan(10 / 30 + 0.05);
    expect(onlyAttack).toBe(0);
  });

  it('fewer prefixes than the sample: every peer can still be drawn, never self, never twice', () => {
    const h = new HubHarness({ helloBurst: 100 });
    const all = Array.from({ length: 6 }, (_, i) => h.join(1 + i, i < 5 ? '10.1.1.1' : '10.2.2.2'));
    const peers = h.hub.sample(all[0]!.conn);
    expect(new Set(peers).size).toBe(5);
    expect(peers).not.toContain(all[0]!.nodeId);
  });
});
