/**
 * Issue 16 (2): strangers cannot burn the connection budget. 30 attacker ids send 1,000 offers,
 * each id re-offering every 15 s (what filled a tab's 24 slots and spent its 400 lifetime
 * connections before). The tab holds 16 routing links and a chat link. A control run with the
 * strangers' budget opened up (the policy before) shows what the same flood did.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../shared/env/rng';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import type { SignalPayload, Signaler } from '../../../../web/net/signaler';
import { WebRtcTransport, type WebRtcTransportInit } from '../../../../web/net/webrtc-transport';
import { FakePeer, FakePeerCtor } from '../../../helpers/fake-simple-peer';

const hex = (prefix: string, n: number) => prefix + n.toString(16).padStart(40 - prefix.length, '0');
const SELF = hex('5', 1);
const ROUTING = Array.from({ length: 16 }, (_, i) => hex('a', i));
const CHAT = hex('c', 1);
const ATTACKERS = Array.from({ length: 30 }, (_, i) => hex('e', i));
const OFFER = { type: 'offer', sdp: 'v=0' } as const;

function flood(init: WebRtcTransportInit) {
  const clock = new VirtualClock();
  let deliver: (from: string, s: SignalPayload) => void = () => {};
  const refusals = new Map<string, number>();
  const signaler: Signaler = {
    send: (_to, s) => {
      if ('reject' in s) refusals.set(s.reject, (refusals.get(s.reject) ?? 0) + 1);
    },
    onSignal: (h) => (deliver = h),
  };
  const t = new WebRtcTransport({ id: SELF, signaler, clock, rng: new SeededRng(16), SimplePeer: FakePeerCtor }, init);
  // Our links: dialed by us, open.
  for (const p of [...ROUTING, CHAT]) {
    t.protect(p, p === CHAT ? 'chat' : 'routing');
    t.send(p, new Uint8Array([1]));
    FakePeer.all.at(-1)!.emit('connect');
  }
  const ours = FakePeer.all.length;
  const linkPeers = FakePeer.all.slice();
  // The flood: every attacker id offers every 15 s, in turn, 1,000 offers in all.
  let sent = 0;
  while (sent < 1000) {
    for (const a of ATTACKERS) {
      if (sent >= 1000) break;
      deliver(a, { sid: (sent + 1).toString(16).padStart(16, '0'), data: OFFER });
      sent++;
      clock.runFor(15_000 / ATTACKERS.length);
    }
  }
  const strangers = t.stats().lifetimeConnections - ours;
  // After the flood, a new routing link can still be made.
  const late = hex('b', 1);
  t.protect(late, 'routing');
  t.send(late, new Uint8Array([2]));
  const lateDialed = FakePeer.all.at(-1)!.opts.initiator === true && !FakePeer.all.at(-1)!.destroyed;
  if (process.env.FLOOD_LOG)
    console.log(
      JSON.stringify({ strangers, lifetimeUsed: t.stats().lifetimeConnections, refusals: Object.fromEntries(refusals), lateDialed }),
    );
  return { t, clock, sent, strangers, linkPeers, refusals, lateDialed, allocated: FakePeer.all.length - ours - 1 };
}

beforeEach(() => {
  FakePeer.all = [];
});

describe('connection budget under an offer flood (issue 16)', () => {
  it('1,000 unsolicited offers from 30 ids leave ≥ 90% of the lifetime budget and every routing and chat link', () => {
    const r = flood({});
    expect(r.sent).toBe(1000);
    const lifetime = r.t.pool.init.lifetimeLimit;
    expect(r.strangers, 'connections spent on strangers').toBeLessThanOrEqual(lifetime * 0.1);
    expect(r.allocated, 'peer connections allocated for the flood').toBe(r.strangers);
    for (const p of [...ROUTING, CHAT]) expect(r.t.isConnected(p), p).toBe(true);
    expect(r.linkPeers.every((p) => !p.destroyed)).toBe(true);
    expect(r.lateDialed).toBe(true);
    expect(r.refusals.get('UNSOLICITED') ?? 0).toBe(1000 - r.strangers);
    expect(r.t.stats().drops.unsolicited).toBe(1000 - r.strangers);
  });

  it('control: with the strangers budget opened up (the policy before), the same flood spends the lifetime', () => {
    const r = flood({
      pool: {
        strangerSlots: 24,
        strangerLifetime: 1000,
        strangerRate: { perMinute: 1e6, burst: 1e6 },
        strangerPerSender: { perHour: 1e6, burst: 1e6 },
      },
    });
    expect(r.strangers).toBeGreaterThan(r.t.pool.init.lifetimeLimit * 0.5);
  });

  it('a bootstrap sample or a protected peer is no stranger', () => {
    const r = flood({});
    const friend = hex('d', 1);
    r.t.pool.allow(friend, r.clock.now() + 60_000);
    expect(r.t.pool.hasReason(friend)).toBe(true);
    r.clock.runFor(60_001);
    expect(r.t.pool.hasReason(friend)).toBe(false);
    expect(r.t.pool.hasReason(ROUTING[0]!)).toBe(true);
  });
});
