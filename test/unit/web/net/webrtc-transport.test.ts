import { beforeEach, describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../shared/env/rng';
import { FRAME_BYE, FRAME_DATA } from '../../../../web/net/frame';
import type { SignalPayload, Signaler } from '../../../../web/net/signaler';
import { WebRtcTransport, type WebRtcTransportInit } from '../../../../web/net/webrtc-transport';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import { FakePeer, FakePeerCtor } from '../../../helpers/fake-simple-peer';

const LO = '1'.repeat(40);
const HI = 'f'.repeat(40);
const OTHER = 'a'.repeat(40);
const enc = (s: string) => new TextEncoder().encode(s);
const OFFER = { type: 'offer', sdp: 'v=0' } as const;

function make(id: string, init: WebRtcTransportInit = {}) {
  const clock = new VirtualClock();
  const out: Array<[string, SignalPayload]> = [];
  let deliver: (from: string, s: SignalPayload) => void = () => {};
  const signaler: Signaler = { send: (to, s) => out.push([to, s]), onSignal: (h) => (deliver = h) };
  const t = new WebRtcTransport({ id, signaler, clock, rng: new SeededRng(1), SimplePeer: FakePeerCtor }, init);
  const frames: Array<[string, string]> = [];
  const downs: string[] = [];
  t.onFrame((f, b) => frames.push([f, new TextDecoder().decode(b)]));
  t.onPeerDown((p) => downs.push(p));
  return { t, clock, out, frames, downs, signal: (from: string, s: SignalPayload) => deliver(from, s) };
}

const last = () => FakePeer.all[FakePeer.all.length - 1]!;

/**
 * After a glare `side` gave up its own `dial` for the peer's offer: the dial is destroyed, a new
 * connection answers that offer, and once it connects the frame that waited (`queued`) goes on it,
 * with no peer-down.
 */
function answersInstead(side: ReturnType<typeof make>, dial: FakePeer, queued: string): void {
  expect(dial.destroyed).toBe(true);
  const answerer = last();
  expect(answerer).not.toBe(dial);
  expect(answerer.initiator).toBe(false);
  expect(answerer.signals).toEqual([OFFER]);
  answerer.emit('connect');
  expect(new TextDecoder().decode(answerer.sent[0]!.subarray(1))).toBe(queued);
  expect(side.downs).toEqual([]);
}

beforeEach(() => {
  FakePeer.all = [];
});

describe('WebRtcTransport (fake simple-peer)', () => {
  it('configures simple-peer with no ICE servers by default, iceCompleteTimeout 200, and setIceServers later', () => {
    const { t } = make(LO);
    t.send(HI, enc('x'));
    expect(last().opts).toMatchObject({ initiator: true, trickle: true, iceCompleteTimeout: 200, config: { iceServers: [] } });
    expect('wrtc' in last().opts).toBe(false);
    const turn = { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' };
    t.setIceServers([turn]);
    t.send(OTHER, enc('y'));
    expect(last().opts.config).toEqual({ iceServers: [turn] });
  });

  it('queues while connecting, flushes on connect, tags each signal with the attempt sid', () => {
    const { t, out } = make(LO);
    t.send(HI, enc('a'));
    t.send(HI, enc('b'));
    const p = last();
    p.emit('signal', OFFER);
    expect(out).toHaveLength(1);
    const [to, sig] = out[0]!;
    expect(to).toBe(HI);
    expect(sig).toMatchObject({ data: OFFER });
    expect(sig.sid).toMatch(/^[0-9a-f]{16}$/);
    expect(p.sent).toEqual([]);
    p.emit('connect');
    expect(p.sent.map((b) => [b[0], new TextDecoder().decode(b.subarray(1))])).toEqual([
      [FRAME_DATA, 'a'],
      [FRAME_DATA, 'b'],
    ]);
    expect(t.stats()).toMatchObject({ open: 1, framesOut: 2, lifetimeConnections: 1 });
  });

  it('bounds the queue while connecting and counts queue_full', () => {
    const { t } = make(LO, { maxQueuedFrames: 3 });
    for (let i = 0; i < 5; i++) t.send(HI, enc(String(i)));
    expect(t.stats().drops.queue_full).toBe(2);
    expect(FakePeer.all).toHaveLength(1);
  });

  it('drops queued frames and reports the peer down on connect timeout', () => {
    const { t, clock, downs } = make(LO, { connectTimeoutMs: 1000 });
    t.send(HI, enc('a'));
    clock.runFor(999);
    expect(downs).toEqual([]);
    clock.runFor(1);
    expect(downs).toEqual([HI]);
    expect(t.stats().drops.connect_timeout).toBe(1);
    expect(last().destroyed).toBe(true);
    expect(t.stats().connecting).toBe(0);
  });

  it('glare: the lower id ignores the remote offer, the higher id abandons its own dial and answers', () => {
    const lo = make(LO);
    lo.t.send(HI, enc('from lo'));
    const loDial = last();
    lo.signal(HI, { sid: 'bbbbbbbbbbbbbbbb', data: OFFER });
    expect(lo.t.stats().drops.glare_ignored).toBe(1);
    expect(loDial.destroyed).toBe(false);
    expect(FakePeer.all).toHaveLength(1);

    const hi = make(HI);
    hi.t.send(LO, enc('from hi'));
    const hiDial = last();
    hi.signal(LO, { sid: 'aaaaaaaaaaaaaaaa', data: OFFER });
    // hi's queued frame moves to the surviving connection; no peer-down for a glare loss.
    answersInstead(hi, hiDial, 'from hi');
    expect(hi.t.stats().glares).toBe(1);
    // The budget counts both RTCPeerConnections hi created.
    expect(hi.t.stats().lifetimeConnections).toBe(2);
  });

  it('glare with a dial of ours too old to have crossed theirs: their offer replaces it, whatever the ids', () => {
    // lo dialed hi while hi was away (its offer went nowhere); hi comes back and dials lo.
    const lo = make(LO, { glareWindowMs: 2_000 });
    lo.t.send(HI, enc('waiting for hi'));
    const stale = last();
    lo.clock.runFor(1_999);
    lo.signal(HI, { sid: 'bbbbbbbbbbbbbbbb', data: OFFER });
    expect(lo.t.stats().drops.glare_ignored).toBe(1); // within the window: a real glare, lo's dial wins
    expect(stale.destroyed).toBe(false);
    lo.clock.runFor(1);
    lo.signal(HI, { sid: 'cccccccccccccccc', data: OFFER });
    expect(lo.t.stats().drops.glare_ignored).toBe(1);
    // What waited for hi goes on the connection hi asked for; no peer-down.
    answersInstead(lo, stale, 'waiting for hi');
    expect(lo.t.stats().glares).toBe(2);
  });

  it('a late glare offer that replaced a working connection is rejected as STALE and fails fast', () => {
    // lo's view: its own dial connected, then hi's (abandoned) offer arrives late.
    const lo = make(LO);
    lo.t.send(HI, enc('x'));
    last().emit('connect');
    lo.signal(HI, { sid: 'bbbbbbbbbbbbbbbb', data: OFFER });
    const answerer = last();
    answerer.emit('signal', { type: 'answer', sdp: 'v=0' });
    // hi's view: an answer for an attempt it abandoned -> reject.
    const hi = make(HI);
    hi.signal(LO, { sid: 'bbbbbbbbbbbbbbbb', data: { type: 'answer', sdp: 'v=0' } });
    expect(hi.out).toEqual([[LO, { sid: 'bbbbbbbbbbbbbbbb', reject: 'STALE' }]]);
    // The reject reaches lo: the replacement attempt fails at once instead of in 15 s.
    lo.signal(HI, hi.out[0]![1]);
    expect(answerer.destroyed).toBe(true);
    expect(lo.downs).toEqual([HI]);
    expect(lo.t.stats().connecting).toBe(0);
  });

  it('drops signals for unknown attempts, and rejects offers when the budget refuses', () => {
    const { t, out, signal } = make(LO, { pool: { maxOpen: 1 } });
    signal(HI, {
      sid: 'cccccccccccccccc',
      data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } },
    });
    expect(t.stats().drops.stale_signal).toBe(1);
    expect(out).toEqual([]); // candidates for unknown attempts are dropped silently
    t.protect(OTHER, 'chat');
    t.send(OTHER, enc('x'));
    last().emit('connect');
    signal(HI, { sid: 'dddddddddddddddd', data: OFFER });
    expect(out.at(-1)).toEqual([HI, { sid: 'dddddddddddddddd', reject: 'POOL_FULL' }]);
    expect(t.stats().drops.pool_full).toBe(1);
  });

  it('a reject from the remote fails the dial fast', async () => {
    const { t, out, signal, downs } = make(LO);
    const p = t.connect(HI);
    last().emit('signal', OFFER);
    signal(HI, { sid: out[0]![1].sid, reject: 'POOL_FULL' });
    await expect(p).rejects.toMatchObject({ code: 'REJECTED' });
    expect(downs).toEqual([HI]);
  });

  it('drops oversized frames both ways, garbage frames in, and frames over the buffer bound', () => {
    const { t, frames } = make(LO, { maxFrameBytes: 4, maxBufferedBytes: 10 });
    t.send(HI, enc('12345'));
    expect(t.stats().drops.frame_too_large).toBe(1);
    t.send(HI, enc('1234'));
    const p = last();
    p.emit('connect');
    p.emit('data', Uint8Array.of(FRAME_DATA, 1, 2, 3, 4, 5));
    p.emit('data', Uint8Array.of(0x7f, 1));
    p.emit('data', 'a string');
    p.emit('data', new Uint8Array(0));
    p.emit('data', Uint8Array.of(FRAME_DATA, 0x6f, 0x6b));
    expect(frames).toEqual([[HI, 'ok']]);
    expect(t.stats().drops).toMatchObject({ frame_too_large: 2, bad_frame: 3 });
    p.bufferSize = 11;
    t.send(HI, enc('b'));
    expect(t.stats().drops.backpressure).toBe(1);
    expect(t.stats().framesOut).toBe(1);
  });

  it('a BYE closes quietly; a close without one reports the peer down', () => {
    const { t, downs } = make(LO);
    t.send(HI, enc('x'));
    const p1 = last();
    p1.emit('connect');
    p1.emit('data', Uint8Array.of(FRAME_BYE));
    expect(t.isConnected(HI)).toBe(false);
    expect(downs).toEqual([]);
    t.send(HI, enc('y'));
    const p2 = last();
    expect(p2).not.toBe(p1);
    p2.emit('connect');
    p2.destroy();
    expect(downs).toEqual([HI]);
  });

  it('evicts idle unprotected connections with a BYE, keeps protected ones', () => {
    const { t, clock, downs } = make(LO, { idleSweepMs: 1000, pool: { idleTimeoutMs: 5000 } });
    t.protect(OTHER, 'routing');
    t.send(HI, enc('x'));
    const pHi = last();
    pHi.emit('connect');
    t.send(OTHER, enc('x'));
    last().emit('connect');
    clock.runFor(6000);
    expect(pHi.sent.at(-1)).toEqual(Uint8Array.of(FRAME_BYE));
    expect(t.peers()).toEqual([OTHER]);
    clock.runFor(200); // BYE linger
    expect(pHi.destroyed).toBe(true);
    expect(downs).toEqual([]);
  });

  it('treats a long ICE disconnect as a failure, a short one not', () => {
    const { t, clock, downs } = make(LO, { disconnectGraceMs: 3000 });
    t.send(HI, enc('x'));
    const p = last();
    p.emit('connect');
    p.emit('iceStateChange', 'disconnected', 'complete');
    clock.runFor(2000);
    p.emit('iceStateChange', 'connected', 'complete');
    clock.runFor(5000);
    expect(downs).toEqual([]);
    p.emit('iceStateChange', 'disconnected', 'complete');
    clock.runFor(3000);
    expect(downs).toEqual([HI]);
    expect(p.destroyed).toBe(true);
  });

  it('a throwing frame handler is counted and does not break the connection', () => {
    const { t } = make(LO);
    t.onFrame(() => {
      throw new Error('bug in the core');
    });
    t.send(HI, enc('x'));
    const p = last();
    p.emit('connect');
    p.emit('data', Uint8Array.of(FRAME_DATA, 1));
    p.emit('data', Uint8Array.of(FRAME_DATA, 2));
    expect(t.stats()).toMatchObject({ handlerErrors: 2, framesIn: 2, open: 1 });
    expect(p.destroyed).toBe(false);
  });

  it('without WebRTC (simple-peer throws) send never throws; the dial fails with a code', async () => {
    const signaler: Signaler = { send: () => {}, onSignal: () => {} };
    const NoRtc = (() => {
      throw new Error('No WebRTC support: Specify `opts.wrtc` option in this environment');
    }) as unknown as typeof FakePeerCtor;
    const t = new WebRtcTransport({ id: LO, signaler, clock: new VirtualClock(), SimplePeer: NoRtc });
    expect(() => t.send(HI, enc('x'))).not.toThrow();
    expect(t.stats().drops.connect_failed).toBe(1);
    await expect(t.connect(HI)).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(t.pool.size).toBe(0);
    t.destroy();
  });

  it('destroy() closes everything, fails pending connects, and refuses further sends', async () => {
    const { t, clock } = make(LO);
    const pending = t.connect(HI);
    t.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'DESTROYED' });
    expect(last().destroyed).toBe(true);
    t.send(HI, enc('x'));
    expect(t.stats().drops.destroyed).toBe(1);
    expect(clock.liveTimers).toBe(0);
  });

  it('leave() says BYE on each open connection, refuses new work, and destroys after the linger', async () => {
    const { t, clock, out, signal } = make(LO, { byeLingerMs: 100 });
    t.send(HI, enc('x'));
    const open = last();
    open.emit('connect');
    const pending = t.connect(OTHER);
    const connecting = last();
    const left = t.leave();
    // The open link got a BYE (after its data frame); the connecting one got nothing to read.
    expect(open.sent.map((f) => f[0])).toEqual([FRAME_DATA, FRAME_BYE]);
    expect(connecting.sent).toEqual([]);
    await expect(pending).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    // Nothing new meanwhile: no send, no dial, no answer to an offer.
    const peersBefore = FakePeer.all.length;
    const signalsBefore = out.length;
    t.send(HI, enc('y'));
    await expect(t.connect(HI)).rejects.toMatchObject({ code: 'DESTROYED' });
    signal('b'.repeat(40), { sid: 's1', data: OFFER });
    expect(FakePeer.all.length).toBe(peersBefore);
    expect(out.length).toBe(signalsBefore);
    expect(t.stats().drops.destroyed).toBe(1);
    // The BYE flushes for byeLingerMs before the channel goes.
    clock.runFor(99);
    expect(open.destroyed).toBe(false);
    clock.runFor(1);
    await left;
    expect(open.destroyed).toBe(true);
    expect(connecting.destroyed).toBe(true);
    expect(clock.liveTimers).toBe(0);
  });

  it('leave() with no open connection destroys at once', async () => {
    const { t, clock } = make(LO);
    const pending = t.connect(HI);
    await t.leave();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(last().destroyed).toBe(true);
    expect(clock.liveTimers).toBe(0);
  });
});
