/**
 * Bench child for the cluster bench (test/bench/signal-cluster.ts), driven over IPC. It holds
 * clients spread evenly over the instances and relays ~700 B offers to random targets among them,
 * so most relays cross instances: closed loop (a fixed number in flight) for the peak, or an open
 * loop at a fixed rate for latency at partial load. It also holds idle clients, and real
 * SignalClients for the fail-over measurement. Every loop is bounded in count and time; every
 * socket goes to 127.0.0.1.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import WebSocket from 'ws';
import { cryptoRng, type Rng } from '../../shared/env/rng';
import { SignalClient } from '../../web/net/signal-client';
import { SDP, connectMany, pct, tsOf } from './signal-bench-clients';

type Cmd =
  | { cmd: 'connect'; ports: number[]; count: number; first: number }
  | { cmd: 'relay'; window: number; rate: number; warmupMs: number; ms: number }
  | { cmd: 'idle'; port: number; count: number; first: number }
  | { cmd: 'failover-setup'; victim: string; others: string[]; count: number; first: number }
  | { cmd: 'failover-run'; killedAt: number; timeoutMs: number }
  | { cmd: 'close' };

const send = (m: unknown): void => void process.send!(m);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.timeOrigin + performance.now();

interface Client {
  ws: WebSocket;
  id: string;
  inst: number;
}
let clients: Client[] = [];
let held: WebSocket[] = [];
let sigs: SignalClient[] = [];

/** Open `count` clients, client i on instance i mod N. */
async function connect(c: Extract<Cmd, { cmd: 'connect' }>): Promise<void> {
  const per = c.ports.map((port, k) => connectMany('ours', port, Math.ceil((c.count - k) / c.ports.length), c.first + k * 100_000));
  const rs = await Promise.all(per);
  const failed = rs.reduce((a, r) => a + r.failed, 0);
  if (failed) return send({ error: `connect failed: ${failed} (${rs.map((r) => r.err).join(' ')})` });
  clients = [];
  const most = Math.max(...rs.map((r) => r.peers.length));
  for (let i = 0; i < most; i++) {
    rs.forEach((r, inst) => {
      const p = r.peers[i];
      if (p) clients.push({ ws: p.ws, id: p.id, inst });
    });
  }
  held.push(...clients.map((x) => x.ws));
  send({ opened: clients.length });
}

/** Relays to random targets: closed loop (window in flight per client) when rate is 0, else open loop at `rate`/s. */
async function relay(c: Extract<Cmd, { cmd: 'relay' }>): Promise<void> {
  const n = clients.length;
  const prefixes = clients.map(
    (x) => `{"t":"relay","to":"${x.id}","payload":{"sid":"0000beef","data":{"type":"offer","sdp":${JSON.stringify(SDP)}},"s":`,
  );
  let stop = false;
  let measuring = false;
  let count = 0;
  let cross = 0;
  let errors = 0;
  const crossLat: number[] = [];
  const localLat: number[] = [];
  const MAX_SAMPLES = 1_000_000;
  const fire = (s: number): void => {
    if (stop) return;
    let t = Math.floor(Math.random() * (n - 1));
    if (t >= s) t++;
    const ws = clients[s]!.ws;
    if (ws.readyState === WebSocket.OPEN) ws.send(`${prefixes[t]}${s},"ts":${performance.now()}}}`);
  };
  const handlers = clients.map((me, t) => {
    const h = (d: Buffer): void => {
      const msg = d.toString();
      if (msg.startsWith('{"t":"error"')) {
        errors++;
        if (c.rate === 0) fire(t);
        return;
      }
      const i = msg.lastIndexOf('"s":');
      if (i < 0) return;
      const s = parseInt(msg.slice(i + 4), 10);
      if (measuring) {
        count++;
        const lat = performance.now() - tsOf(msg);
        const isCross = clients[s]!.inst !== me.inst;
        if (isCross) cross++;
        const arr = isCross ? crossLat : localLat;
        if (arr.length < MAX_SAMPLES) arr.push(lat);
      }
      if (c.rate === 0) fire(s);
    };
    me.ws.on('message', h);
    return h;
  });
  let ticker: ReturnType<typeof setInterval> | null = null;
  if (c.rate === 0) {
    for (let s = 0; s < n; s++) for (let w = 0; w < c.window; w++) fire(s);
  } else {
    // open loop: every 5 ms, the relays due since the last tick, from random senders
    let due = 0;
    let last = performance.now();
    ticker = setInterval(() => {
      const t = performance.now();
      due += ((t - last) * c.rate) / 1000;
      last = t;
      for (; due >= 1; due--) fire(Math.floor(Math.random() * n));
    }, 5);
  }
  await sleep(c.warmupMs);
  measuring = true;
  const t0 = performance.now();
  await sleep(c.ms);
  measuring = false;
  const ms = performance.now() - t0;
  stop = true;
  if (ticker) clearInterval(ticker);
  await sleep(300);
  for (const [i, x] of clients.entries()) x.ws.off('message', handlers[i]!);
  const thin = (a: number[]): number[] => a.filter((_, i) => i % Math.max(1, Math.floor(a.length / 20_000)) === 0);
  send({
    count,
    cross,
    errors,
    ms,
    perSec: (count / ms) * 1000,
    crossP50: pct(crossLat, 50),
    crossP99: pct(crossLat, 99),
    crossSample: thin(crossLat),
    localSample: thin(localLat),
  });
}

async function idle(c: Extract<Cmd, { cmd: 'idle' }>): Promise<void> {
  const r = await connectMany('ours', c.port, c.count, c.first);
  held.push(...r.peers.map((p) => p.ws));
  send({ opened: r.peers.length, failed: r.failed, err: r.err });
}

/** Real SignalClients, each starting on `victim` with the other instances (rotated) after it. */
async function failoverSetup(c: Extract<Cmd, { cmd: 'failover-setup' }>): Promise<void> {
  const firstUrl: Rng = { next: () => cryptoRng.next(), int: () => 0, bytes: (k) => cryptoRng.bytes(k) };
  sigs = [];
  for (let i = 0; i < c.count; i++) {
    // node:crypto signs the hello: a browser signs its own hello in parallel with everyone else's,
    // which one load process signing a thousand in pure JS would not show.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const others = c.others.map((_, k) => c.others[(i + k) % c.others.length]!);
    sigs.push(
      new SignalClient({
        url: [c.victim, ...others],
        signer: { publicKey: pub, sign: (m) => new Uint8Array(sign(null, m, privateKey)) },
        WebSocket: WebSocket as unknown as ConstructorParameters<typeof SignalClient>[0]['WebSocket'],
        rng: firstUrl,
        // The browser runtime's defaults (web/runtime/constants.ts).
        backoff: { baseMs: 500, maxMs: 5000 },
      }),
    );
  }
  const deadline = now() + 120_000;
  for (let i = 0; i < sigs.length; i += 100) {
    if (now() > deadline) return send({ error: 'fail-over clients did not connect in time' });
    await Promise.all(sigs.slice(i, i + 100).map((s) => s.connect()));
  }
  welcomedAt = [];
  droppedAt = [];
  attempts = 0;
  for (const s of sigs) {
    s.on('welcome', () => welcomedAt.push(now()));
    s.on('state', (e) => {
      if (e.state === 'reconnecting') droppedAt.push(now());
      if (e.state === 'connecting') attempts++;
    });
  }
  send({ connected: sigs.filter((s) => s.url === c.victim && s.state === 'open').length });
}

/** Welcomes, drops seen and connection attempts after the fail-over clients were all connected (epoch ms). */
let welcomedAt: number[] = [];
let droppedAt: number[] = [];
let attempts = 0;

/** After the victim was killed at `killedAt` (epoch ms): how long until each client was welcomed elsewhere. */
async function failoverRun(c: Extract<Cmd, { cmd: 'failover-run' }>): Promise<void> {
  const end = now() + c.timeoutMs;
  while (welcomedAt.length < sigs.length && now() < end) await sleep(20);
  const elsewhere = sigs.filter((s) => s.state === 'open').length;
  const dropped = droppedAt.map((t) => t - c.killedAt);
  send({ times: welcomedAt.map((t) => t - c.killedAt), missing: sigs.length - welcomedAt.length, elsewhere, dropped, attempts });
}

process.on('message', (m: Cmd) => {
  const run = async (): Promise<void> => {
    switch (m.cmd) {
      case 'connect':
        return connect(m);
      case 'relay':
        return relay(m);
      case 'idle':
        return idle(m);
      case 'failover-setup':
        return failoverSetup(m);
      case 'failover-run':
        return failoverRun(m);
      case 'close':
        for (const s of sigs) s.close();
        for (const ws of held) ws.terminate();
        sigs = [];
        held = [];
        clients = [];
        return send({ closed: true });
    }
  };
  run().catch((e: unknown) => send({ error: String(e) }));
});
process.on('disconnect', () => process.exit(0));
