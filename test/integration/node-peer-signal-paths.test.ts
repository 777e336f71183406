/**
 * The runtime's path choice for signals (web/runtime/signal-paths.ts), with stand-ins for the
 * signaling client, the overlay router and the DHT's RPC (no network): greedy overlay first,
 * the relay through the closest connected peer when greedy routing has no hop, the server when
 * the overlay has nothing, the server fallback when an overlay route dead-ends, and real signed
 * envelopes opened on the other side.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/crypto/bytes';
import { generateKeyPair, nodeIdHexFromPublicKey } from '../../shared/crypto/ed25519';
import { systemClock } from '../../shared/env/clock';
import { cryptoRng } from '../../shared/env/rng';
import type { OverlayRouter } from '../../shared/overlay/overlay-router';
import type { ErrorMsg } from '../../shared/protocol/signaling';
import type { SignalClient } from '../../web/net/signal-client';
import type { SignalHandler, SignalPayload } from '../../web/net/signaler';
import { SignalPaths } from '../../web/runtime/signal-paths';
import { VirtualClock } from '../../shared/sim/virtual-clock';

const OFFER: SignalPayload = { sid: 'aabbccdd00112233', data: { type: 'offer', sdp: 'v=0 fake' } };

function setup(opts: { serverOpen: boolean; greedy: boolean; delivered: boolean; connected: string[]; clock?: VirtualClock }) {
  const keys = generateKeyPair();
  const serverSent: Array<[string, SignalPayload]> = [];
  let serverHandler: SignalHandler = () => {};
  let errorHandler: (e: ErrorMsg) => void = () => {};
  let requests = 0;
  const client = {
    get state() {
      return opts.serverOpen ? 'open' : 'reconnecting';
    },
    relay: (to: string, s: SignalPayload) => {
      serverSent.push([to, s]);
      return ++requests;
    },
    onSignal: (h: SignalHandler) => (serverHandler = h),
    on: (event: string, h: (e: ErrorMsg) => void) => {
      if (event === 'error') errorHandler = h;
      return () => {};
    },
  } as unknown as SignalClient;
  const forwarded: Array<{ to: string; env: Uint8Array }> = [];
  const router = {
    // The real router also relays through the nearest connected peer (tested in overlay-router.test.ts).
    canRoute: () => opts.greedy || opts.connected.length > 0,
    counters: { get: () => 0 },
    forward: (to: string, env: Uint8Array, cb?: (ok: boolean) => void) => {
      forwarded.push({ to, env });
      cb?.(opts.delivered);
    },
  } as unknown as OverlayRouter;
  const paths = new SignalPaths({ keys, clock: opts.clock ?? systemClock, rng: cryptoRng, client });
  paths.attach(router);
  const got: Array<[string, SignalPayload]> = [];
  paths.onSignal((from, s) => got.push([from, s]));
  return {
    keys,
    paths,
    serverSent,
    forwarded,
    got,
    serverIn: (from: string, s: SignalPayload) => serverHandler(from, s),
    serverError: (e: ErrorMsg) => errorHandler(e),
  };
}

const id = (byte: number) => bytesToHex(new Uint8Array(20).fill(byte));

describe('SignalPaths: overlay first, server fallback', () => {
  it('an offer the server could not deliver (UNKNOWN_TARGET) comes back as a reject of that attempt', () => {
    const s = setup({ serverOpen: true, greedy: false, delivered: true, connected: [] });
    s.paths.send(id(9), OFFER); // request 1
    const candidate: SignalPayload = { sid: OFFER.sid, data: { type: 'candidate', candidate: {} } as never };
    s.paths.send(id(9), candidate); // request 2: not an offer
    s.serverError({ t: 'error', code: 'UNKNOWN_TARGET', target: id(9), ref: 2 });
    s.serverError({ t: 'error', code: 'RATE_LIMITED', ref: 1 });
    expect(s.got).toEqual([]);
    s.serverError({ t: 'error', code: 'UNKNOWN_TARGET', target: id(9), ref: 1 });
    expect(s.got).toEqual([[id(9), { sid: OFFER.sid, reject: 'UNKNOWN_TARGET' }]]);
    s.serverError({ t: 'error', code: 'UNKNOWN_TARGET', target: id(9), ref: 1 }); // once
    expect(s.got).toHaveLength(1);
  });

  it('a peer that signaled us through the server is answered through it for 30 s (while the server is up)', () => {
    const clock = new VirtualClock();
    const opts = { serverOpen: true, greedy: true, delivered: true, connected: [id(1)], clock };
    const s = setup(opts);
    s.serverIn(id(9), OFFER); // e.g. a tab that just came back: no overlay path to it yet
    const answer: SignalPayload = { sid: OFFER.sid, data: { type: 'answer', sdp: 'v=0 fake' } };
    s.paths.send(id(9), answer);
    expect(s.serverSent).toEqual([[id(9), answer]]);
    expect(s.forwarded).toEqual([]);
    s.paths.send(id(8), answer); // anyone else: the overlay as before
    expect(s.forwarded.map((f) => f.to)).toEqual([id(8)]);
    opts.serverOpen = false; // the server down: the overlay is all there is
    s.paths.send(id(9), answer);
    expect(s.forwarded.map((f) => f.to)).toEqual([id(8), id(9)]);
    opts.serverOpen = true;
    clock.runFor(30_000); // later: the overlay again
    s.paths.send(id(9), answer);
    expect(s.forwarded.map((f) => f.to)).toEqual([id(8), id(9), id(9)]);
    expect(s.serverSent).toHaveLength(1);
  });

  it('greedy overlay when the router has a hop; nothing goes to the server when it is delivered', () => {
    const s = setup({ serverOpen: true, greedy: true, delivered: true, connected: [id(1)] });
    s.paths.send(id(9), OFFER);
    expect(s.forwarded.map((f) => f.to)).toEqual([id(9)]);
    expect(s.serverSent).toEqual([]);
    expect(s.paths.counts()).toMatchObject({ overlay: 1, server: 0, fallback: 0, relay: 0 });
  });

  it('an overlay route that dead-ends is re-sent through the server if it is up, else counted lost', () => {
    const up = setup({ serverOpen: true, greedy: true, delivered: false, connected: [id(1)] });
    up.paths.send(id(9), OFFER);
    expect(up.serverSent).toEqual([[id(9), OFFER]]);
    expect(up.paths.counts()).toMatchObject({ overlay: 1, fallback: 1, lost: 0 });
    const down = setup({ serverOpen: false, greedy: true, delivered: false, connected: [id(1)] });
    down.paths.send(id(9), OFFER);
    expect(down.serverSent).toEqual([]);
    expect(down.paths.counts()).toMatchObject({ overlay: 1, fallback: 0, lost: 1 });
  });

  it('no connected peer: the server if it is up, else unroutable', () => {
    const up = setup({ serverOpen: true, greedy: false, delivered: false, connected: [] });
    up.paths.send(id(9), OFFER);
    expect(up.serverSent).toEqual([[id(9), OFFER]]);
    expect(up.paths.counts()).toMatchObject({ overlay: 0, server: 1 });
    const down = setup({ serverOpen: false, greedy: false, delivered: false, connected: [] });
    down.paths.send(id(9), OFFER);
    expect(down.paths.counts()).toMatchObject({ overlay: 0, server: 0, unroutable: 1 });
  });

  it('envelopes are signed by the sender and opened (and attributed) by the receiver; server signals pass through', () => {
    const a = setup({ serverOpen: false, greedy: true, delivered: true, connected: [id(1)] });
    const b = setup({ serverOpen: false, greedy: true, delivered: true, connected: [id(1)] });
    const aId = nodeIdHexFromPublicKey(a.keys.publicKey);
    const bId = nodeIdHexFromPublicKey(b.keys.publicKey);
    a.paths.send(bId, OFFER);
    const env = a.forwarded[0]!.env;
    b.paths.receive(env);
    expect(b.got).toEqual([[aId, OFFER]]);
    // A replay and a tampered copy are dropped.
    b.paths.receive(env);
    const bad = Uint8Array.from(env);
    bad[bad.length - 2]! ^= 1;
    b.paths.receive(bad);
    expect(b.got).toHaveLength(1);
    expect(b.paths.overlay.drops.replay + b.paths.overlay.drops.bad_signature + b.paths.overlay.drops.bad_payload).toBe(2);
    b.serverIn(id(7), OFFER);
    expect(b.got).toHaveLength(2);
    expect(b.paths.counts()).toMatchObject({ receivedOverlay: 1, receivedServer: 1 });
  });
});
