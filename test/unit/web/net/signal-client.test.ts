/**
 * The signaling client's connection logic against a fake WebSocket, with the test as the server:
 * handshake, state events, reconnect with backoff, REPLACED, close, bootstrap, garbage frames and
 * the heartbeat. Time is a VirtualClock; the backoff jitter comes from a seeded rng.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { nodeIdHexFromPublicKey } from '../../../../shared/crypto/ed25519';
import { SeededRng } from '../../../../shared/env/rng';
import { CLOSE_CODES, SIGNALING_VERSION } from '../../../../shared/protocol/signaling';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import type { BackoffOptions } from '../../../../web/net/backoff';
import { SignalClient, SignalClientError, type SignalClientEvents, type SignalClientOptions } from '../../../../web/net/signal-client';
import { testSeed } from '../../../helpers/dht';
import { FakeSocketServer, settleMicrotasks, verifyHello, welcome, type FakeWebSocket } from '../../../helpers/fake-websocket';
import { keyFromSeed } from '../../../helpers/records';

const SEED = testSeed(0x51c);
const keyPair = keyFromSeed(7);
const NODE_ID = nodeIdHexFromPublicKey(keyPair.publicKey);
const PEER = 'ab'.repeat(20);

interface Rig {
  clock: VirtualClock;
  server: FakeSocketServer;
  client: SignalClient;
  states: SignalClientEvents['state'][];
}

function rig(o: Partial<SignalClientOptions> = {}, backoff: BackoffOptions = { baseMs: 1000, maxMs: 8000, jitter: 0.5 }): Rig {
  const clock = new VirtualClock(1_000_000);
  const server = new FakeSocketServer();
  const client = new SignalClient({
    url: 'wss://signal.test/signal',
    keyPair,
    WebSocket: server.WebSocket,
    clock,
    rng: new SeededRng(SEED),
    backoff,
    ...o,
  });
  const states: SignalClientEvents['state'][] = [];
  client.on('state', (s) => states.push(s));
  return { clock, server, client, states };
}

/** Challenge on the newest socket, wait for the signed hello, answer with a welcome. */
async function handshake(r: Rig, o: Parameters<typeof welcome>[2] = {}): Promise<FakeWebSocket> {
  const ws = r.server.last;
  const nonce = r.server.challenge(ws);
  await settleMicrotasks();
  welcome(ws, nonce, o);
  return ws;
}

async function connected(o: Partial<SignalClientOptions> = {}, backoff?: BackoffOptions): Promise<Rig> {
  const r = rig(o, backoff);
  const p = r.client.connect();
  await handshake(r);
  await p;
  return r;
}

/** Run the clock to `at` and report whether a new socket appeared exactly then (not before). */
function reconnectsAt(r: Rig, at: number): boolean {
  const n = r.server.sockets.length;
  r.clock.runUntil(at - 1);
  if (r.server.sockets.length !== n) return false;
  r.clock.runUntil(at);
  return r.server.sockets.length === n + 1;
}

/** The error `p` has already been rejected with (after pending callbacks ran); fails at once otherwise. */
async function rejection(p: Promise<unknown>): Promise<SignalClientError> {
  const out: { settled: boolean; err?: unknown } = { settled: false };
  p.then(
    () => (out.settled = true),
    (err: unknown) => Object.assign(out, { settled: true, err }),
  );
  await settleMicrotasks();
  if (!out.settled) throw new Error('expected a rejection, still pending');
  if (out.err instanceof SignalClientError) return out.err;
  throw out.err ?? new Error('expected a rejection, resolved');
}

describe('SignalClient handshake', () => {
  it('connect → challenge → signed hello → welcome resolves connect(), with every state change announced', async () => {
    const r = rig();
    let resolved = false;
    const p = r.client.connect().then((w) => {
      resolved = true;
      return w;
    });
    expect(r.client.state).toBe('connecting');
    expect(r.server.sockets.length).toBe(1);
    expect(r.server.last.url).toBe('wss://signal.test/signal');
    r.server.last.accept();
    expect(r.client.state).toBe('authenticating');
    const nonce = r.server.challenge();
    await settleMicrotasks();
    const [hello] = r.server.last.receivedOf('hello');
    expect(hello?.publicKey).toBe(bytesToHex(keyPair.publicKey));
    expect(verifyHello(hello!, nonce)).toBe(NODE_ID);
    expect(verifyHello(hello!, r.server.nonce()), 'signature is bound to the nonce').toBeUndefined();
    expect(resolved).toBe(false);
    r.server.last.deliver({
      t: 'welcome',
      nodeId: NODE_ID,
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      peers: [PEER],
      heartbeatMs: 15_000,
      limits: { maxFrameBytes: 1, ratePerSec: 1, burst: 1 },
    });
    const w = await p;
    expect(w.peers).toEqual([PEER]);
    expect(r.client.welcome).toBe(w);
    expect(r.client.nodeId).toBe(NODE_ID);
    expect(r.states.map((s) => s.state)).toEqual(['connecting', 'authenticating', 'open']);
    // Once open, connect() answers at once with the last welcome, without a new socket.
    await expect(r.client.connect()).resolves.toBe(w);
    expect(r.server.sockets.length).toBe(1);
  });

  it('an attempt that never reaches welcome is given up after connectTimeoutMs and retried', async () => {
    const r = rig({ connectTimeoutMs: 5_000 });
    void r.client.connect();
    const first = r.server.last;
    first.accept();
    r.clock.runFor(4_999);
    expect(r.client.state).toBe('authenticating');
    r.clock.runFor(1);
    expect(r.client.state).toBe('reconnecting');
    expect(first.closedByClient?.code).toBe(4100);
    expect(r.states.at(-1)?.closeReason).toBe('connect timeout');
  });
});

describe('SignalClient reconnect', () => {
  it('a dropped connection reconnects after a backoff within [base·(1−jitter), base] and says hello again', async () => {
    const r = await connected();
    const first = r.server.last;
    const droppedAt = r.clock.now();
    first.drop(1006, 'network');
    const ev = r.states.at(-1)!;
    expect(ev).toMatchObject({ state: 'reconnecting', closeCode: 1006, closeReason: 'network' });
    expect(ev.delayMs, `seed ${SEED}`).toBeGreaterThanOrEqual(500);
    expect(ev.delayMs, `seed ${SEED}`).toBeLessThanOrEqual(1000);
    expect(reconnectsAt(r, droppedAt + ev.delayMs!), `seed ${SEED}`).toBe(true);
    expect(r.client.state).toBe('connecting');
    const again = await handshake(r);
    expect(again).not.toBe(first);
    expect(again.receivedOf('hello').length).toBe(1);
    expect(r.client.state).toBe('open');
  });

  it('consecutive failures back off exponentially up to maxMs (jitter 0: 1, 2, 4, 8, 8 s); a welcome resets it', async () => {
    const r = await connected({}, { baseMs: 1000, maxMs: 8000, jitter: 0 });
    const delays = (n: number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        r.server.last.drop(1006);
        const ev = r.states.at(-1)!;
        out.push(ev.delayMs!);
        expect(reconnectsAt(r, r.clock.now() + ev.delayMs!)).toBe(true);
      }
      return out;
    };
    expect(delays(5)).toEqual([1000, 2000, 4000, 8000, 8000]);
    await handshake(r);
    expect(delays(2), 'after a success').toEqual([1000, 2000]);
  });

  it('with jitter, each delay lies in [d·(1−jitter), d] for d = min(maxMs, base·2^n), and the delays are not all equal', async () => {
    const r = await connected({}, { baseMs: 1000, maxMs: 16_000, jitter: 0.5 });
    const seen: number[] = [];
    for (let n = 0; n < 7; n++) {
      r.server.last.drop(1006);
      const delay = r.states.at(-1)!.delayMs!;
      const d = Math.min(16_000, 1000 * 2 ** n);
      expect(delay, `attempt ${n} (seed ${SEED})`).toBeGreaterThanOrEqual(d / 2);
      expect(delay, `attempt ${n} (seed ${SEED})`).toBeLessThanOrEqual(d);
      seen.push(delay / d);
      expect(reconnectsAt(r, r.clock.now() + delay), `seed ${SEED}`).toBe(true);
    }
    expect(new Set(seen).size, `jitter is random (seed ${SEED})`).toBeGreaterThan(1);
  });

  it('a socket that cannot even be constructed counts as a drop and is retried with backoff', async () => {
    const r = await connected({}, { baseMs: 1000, maxMs: 8000, jitter: 0 });
    r.server.refuse = true;
    r.server.last.drop(1006);
    r.clock.runFor(1000);
    expect(r.states.at(-1)).toMatchObject({ state: 'reconnecting', closeCode: 1006, delayMs: 2000 });
    r.server.refuse = false;
    expect(reconnectsAt(r, r.clock.now() + 2000)).toBe(true);
  });

  it('close code 4000 REPLACED closes for good: no reconnect, a pending connect() rejects with REPLACED', async () => {
    const r = await connected();
    r.server.last.drop(CLOSE_CODES.REPLACED, 'REPLACED');
    expect(r.states.at(-1)).toMatchObject({ state: 'closed', closeCode: 4000 });
    r.clock.runFor(10 * 60_000);
    expect(r.server.sockets.length).toBe(1);
    expect(r.clock.liveTimers).toBe(0);
    expect((await rejection(r.client.connect())).code).toBe('CLOSED');

    const early = rig();
    const p = early.client.connect();
    early.server.last.accept();
    early.server.last.drop(CLOSE_CODES.REPLACED, 'REPLACED');
    expect((await rejection(p)).code).toBe('REPLACED');
    early.clock.runFor(60_000);
    expect(early.server.sockets.length).toBe(1);
  });

  it('reconnect: false closes after the first drop', async () => {
    const r = await connected({ reconnect: false });
    r.server.last.drop(1001, 'GOING_AWAY');
    expect(r.states.at(-1)).toMatchObject({ state: 'closed', closeCode: 1001 });
    r.clock.runFor(60_000);
    expect(r.server.sockets.length).toBe(1);
  });

  it('close() stops reconnecting, closes the socket with 1000 and rejects pending bootstrap() and connect()', async () => {
    const r = await connected();
    const ws = r.server.last;
    const boot = r.client.bootstrap();
    r.client.close();
    expect((await rejection(boot)).code).toBe('CLOSED');
    expect(ws.closedByClient?.code).toBe(1000);
    expect(r.client.state).toBe('closed');
    expect(r.clock.liveTimers, 'heartbeat and request timers cleared').toBe(0);
    r.client.close();
    expect(r.states.filter((s) => s.state === 'closed').length, 'closing twice announces once').toBe(1);

    // Closing while a reconnect is scheduled cancels it.
    const q = await connected();
    q.server.last.drop(1006);
    expect(q.client.state).toBe('reconnecting');
    const waiting = q.client.connect();
    q.client.close();
    expect((await rejection(waiting)).code).toBe('CLOSED');
    q.clock.runFor(10 * 60_000);
    expect(q.server.sockets.length).toBe(1);
  });
});

describe('SignalClient requests and input', () => {
  it('bootstrap() resolves with the peers the server sends for its id; another id is ignored', async () => {
    const r = await connected();
    const ws = r.server.last;
    const p = r.client.bootstrap();
    const [req] = ws.receivedOf('bootstrap');
    expect(req?.id).toBeTypeOf('number');
    ws.deliver({ t: 'peers', id: req!.id! + 1, peers: ['cd'.repeat(20)] });
    ws.deliver({ t: 'peers', id: req!.id!, peers: [PEER] });
    await expect(p).resolves.toEqual([PEER]);
    expect(r.clock.liveTimers, 'only the heartbeat is left').toBe(1);
  });

  it('bootstrap() rejects with TIMEOUT after requestTimeoutMs, with NOT_CONNECTED before open, and with DISCONNECTED on a drop', async () => {
    const r = await connected({ requestTimeoutMs: 3_000 });
    const p = r.client.bootstrap();
    let settled = false;
    p.catch(() => (settled = true));
    r.clock.runFor(2_999);
    await settleMicrotasks();
    expect(settled).toBe(false);
    r.clock.runFor(1);
    expect((await rejection(p)).code).toBe('TIMEOUT');

    const q = r.client.bootstrap();
    r.server.last.drop(1006);
    expect((await rejection(q)).code).toBe('DISCONNECTED');
    expect((await rejection(r.client.bootstrap())).code).toBe('NOT_CONNECTED');
  });

  it('malformed server frames are counted in `dropped`, never thrown, and change nothing', async () => {
    const r = await connected();
    const ws = r.server.last;
    const signals: string[] = [];
    r.client.onSignal((from) => signals.push(from));
    const errors: string[] = [];
    r.client.on('error', (e) => errors.push(e.code));
    const garbage: (string | Uint8Array)[] = [
      new Uint8Array([1, 2, 3]),
      'not json',
      '[1,2]',
      '{"no":"type"}',
      JSON.stringify({ t: 'surprise' }),
      JSON.stringify({ t: 'peers', peers: ['zz'] }),
      JSON.stringify({ t: 'welcome', nodeId: 'nope' }),
      JSON.stringify({ t: 'error', code: 'NOT_A_CODE' }),
      JSON.stringify({ t: 'relay', from: PEER }),
      JSON.stringify({ t: 'challenge', v: SIGNALING_VERSION, nonce: r.server.nonce() }), // already open
      JSON.stringify({
        t: 'welcome',
        nodeId: PEER,
        iceServers: [],
        peers: [],
        heartbeatMs: 1,
        limits: { maxFrameBytes: 1, ratePerSec: 1, burst: 1 },
      }), // someone else's
      `{"t":"ping","pad":"${'x'.repeat(40_000)}"}`,
    ];
    for (const g of garbage) expect(() => ws.deliver(g)).not.toThrow();
    expect(r.client.dropped.malformed).toBe(garbage.length);
    ws.deliver({ t: 'relay', from: PEER, payload: { not: 'a signal' } });
    expect(r.client.dropped.badSignal).toBe(1);
    expect(signals).toEqual([]);
    expect(errors).toEqual([]);
    expect(r.client.state).toBe('open');
    expect(r.states.map((s) => s.state)).toEqual(['connecting', 'authenticating', 'open']);
    // A challenge with another protocol version is dropped too, before welcome.
    const fresh = rig();
    void fresh.client.connect();
    fresh.server.last.accept();
    fresh.server.last.deliver({ t: 'challenge', v: SIGNALING_VERSION + 1, nonce: fresh.server.nonce() });
    await settleMicrotasks();
    expect(fresh.client.dropped.malformed).toBe(1);
    expect(fresh.server.last.sent).toEqual([]);
  });

  it('a repeated welcome restarts the one heartbeat instead of adding another', async () => {
    const r = rig();
    void r.client.connect();
    const ws = await handshake(r, { heartbeatMs: 1_000 });
    for (let i = 0; i < 3; i++)
      ws.deliver({
        t: 'welcome',
        nodeId: NODE_ID,
        iceServers: [],
        peers: [],
        heartbeatMs: 1_000,
        limits: { maxFrameBytes: 1, ratePerSec: 1, burst: 1 },
      });
    expect(r.clock.liveTimers).toBe(1);
    const before = ws.receivedOf('ping').length;
    r.clock.runFor(1_000);
    expect(ws.receivedOf('ping').length - before).toBe(1);
  });

  it('the heartbeat pings every heartbeatMs and gives up on a server silent for over 2 beats', async () => {
    const r = rig();
    void r.client.connect();
    const ws = await handshake(r, { heartbeatMs: 1_000 });
    const t0 = r.clock.now();
    r.clock.runUntil(t0 + 2_999);
    expect(ws.receivedOf('ping').length).toBe(2);
    expect(r.client.state).toBe('open');
    r.clock.runUntil(t0 + 3_000);
    expect(r.client.state).toBe('reconnecting');
    expect(ws.closedByClient?.code).toBe(4100);
    expect(r.states.at(-1)).toMatchObject({ state: 'reconnecting', closeCode: 4100, closeReason: 'server silent' });

    // Control: a server that answers each ping keeps the connection open.
    const live = rig();
    void live.client.connect();
    const lw = await handshake(live, { heartbeatMs: 1_000 });
    for (let i = 0; i < 20; i++) {
      live.clock.runFor(1_000);
      if (lw.receivedOf('ping').length > i) lw.deliver({ t: 'pong' });
    }
    expect(lw.receivedOf('ping').length).toBe(20);
    expect(live.client.state).toBe('open');
    // The client answers the server's pings, echoing the id.
    lw.deliver({ t: 'ping', id: 9 });
    expect(lw.receivedOf('pong')).toEqual([{ t: 'pong', id: 9 }]);
  });
});
