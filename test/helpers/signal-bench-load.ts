/**
 * Bench child: a load generator that speaks our protocol (hello signed with node:crypto) or the
 * PeerJS server's, driven over IPC by test/bench/signal.bench.ts. Every loop is bounded in count
 * and time; every socket goes to 127.0.0.1 (from 127.0.x.1 source addresses).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { SDP, connectMany, pct, tsOf, type Kind, type Peer } from './signal-bench-clients';
type Cmd =
  | { cmd: 'idle'; kind: Kind; port: number; count: number; first: number }
  | { cmd: 'relay'; kind: Kind; port: number; pairs: number; window: number; warmupMs: number; ms: number; first: number }
  | { cmd: 'good'; port: number; pairs: number; first: number }
  | { cmd: 'good-run'; intervalMs: number; ms: number }
  | { cmd: 'flood'; port: number; count: number; first: number; targets: string[] }
  | { cmd: 'flood-run'; ms: number }
  | { cmd: 'close' };

const send = (m: unknown): void => void process.send!(m);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let held: WebSocket[] = [];

async function relay(c: Extract<Cmd, { cmd: 'relay' }>): Promise<void> {
  const { peers, failed, err } = await connectMany(c.kind, c.port, c.pairs * 2, c.first);
  held.push(...peers.map((p) => p.ws));
  if (failed) return send({ error: `connect failed: ${failed} (${err})` });
  const lat: number[] = [];
  let measuring = false;
  let count = 0;
  let stop = false;
  const MAX_SAMPLES = 2_000_000;
  for (let k = 0; k < c.pairs; k++) {
    const a = peers[2 * k]!;
    const b = peers[2 * k + 1]!;
    const prefix =
      c.kind === 'ours'
        ? `{"t":"relay","to":"${b.id}","payload":{"sid":"${k.toString(16).padStart(8, '0')}","data":{"type":"offer","sdp":${JSON.stringify(SDP)}},"ts":`
        : `{"type":"OFFER","dst":"${b.id}","payload":{"type":"data","sdp":${JSON.stringify(SDP)},"ts":`;
    const fire = (): void => {
      if (!stop) a.ws.send(`${prefix + performance.now()}}}`);
    };
    b.ws.on('message', (d: Buffer) => {
      const s = d.toString();
      if (measuring) {
        count++;
        if (lat.length < MAX_SAMPLES) lat.push(performance.now() - tsOf(s));
      }
      fire();
    });
    for (let w = 0; w < c.window; w++) fire();
  }
  await sleep(c.warmupMs);
  measuring = true;
  const t0 = performance.now();
  await sleep(c.ms);
  measuring = false;
  const ms = performance.now() - t0;
  stop = true;
  await sleep(200);
  // a uniform subsample of latencies so the bench can merge several generators
  const step = Math.max(1, Math.floor(lat.length / 20_000));
  const sample = lat.filter((_, i) => i % step === 0);
  send({ count, ms, perSec: (count / ms) * 1000, p50: pct(lat, 50), p99: pct(lat, 99), sample });
}

// ---- fairness: well-behaved pairs and flooders, in separate processes ----------------------

let good: Peer[] = [];
async function goodSetup(c: Extract<Cmd, { cmd: 'good' }>): Promise<void> {
  const r = await connectMany('ours', c.port, c.pairs * 2, c.first);
  if (r.failed) return send({ error: `good connect failed: ${r.failed} (${r.err})` });
  good = r.peers;
  held.push(...good.map((p) => p.ws));
  send({ ids: good.map((p) => p.id) });
}

async function goodRun(c: Extract<Cmd, { cmd: 'good-run' }>): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const lat: number[] = [];
  let errors = 0;
  let sent = 0;
  const handlers: ((d: Buffer) => void)[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  good.forEach((p, i) => {
    const partner = good[i ^ 1]!;
    const h = (d: Buffer): void => {
      const s = d.toString();
      if (s.includes(`"from":"${partner.id}"`) && s.includes('"ts":')) lat.push(performance.now() - tsOf(s));
      else if (s.startsWith('{"t":"error"') && s.includes('TARGET_BUSY')) errors++;
    };
    p.ws.on('message', h);
    handlers.push(h);
    const prefix = `{"t":"relay","to":"${partner.id}","payload":{"sid":"0000beef","data":{"type":"offer","sdp":${JSON.stringify(SDP)}},"ts":`;
    // staggered start so the 100 clients do not fire in lockstep
    timers.push(
      setTimeout(() => {
        timers.push(
          setInterval(() => {
            p.ws.send(`${prefix + performance.now()}}}`);
            sent++;
          }, c.intervalMs),
        );
      }, Math.random() * c.intervalMs) as unknown as ReturnType<typeof setInterval>,
    );
  });
  await sleep(c.ms);
  for (const t of timers) clearInterval(t);
  // wait (bounded) for stragglers, so late relays count in the percentiles instead of vanishing
  const settle = Date.now() + Number(process.env.BENCH_SETTLE_MS ?? 3000);
  while (Date.now() < settle && lat.length + errors < sent) await sleep(20);
  good.forEach((p, i) => {
    p.ws.off('message', handlers[i]!);
  });
  loop.disable();
  send({ sent, received: lat.length, errors, p50: pct(lat, 50), p99: pct(lat, 99), max: pct(lat, 100), loopMaxMs: loop.max / 1e6 });
}

let flooders: Peer[] = [];
let floodTargets: string[] = [];
async function floodSetup(c: Extract<Cmd, { cmd: 'flood' }>): Promise<void> {
  const r = await connectMany('ours', c.port, c.count, c.first);
  if (r.failed) return send({ error: `flooder connect failed: ${r.failed} (${r.err})` });
  flooders = r.peers;
  floodTargets = c.targets;
  held.push(...flooders.map((p) => p.ws));
  for (const f of flooders) f.ws.on('message', () => {}); // read what comes back (error frames)
  send({ flooders: flooders.length });
}

async function floodRun(c: Extract<Cmd, { cmd: 'flood-run' }>): Promise<void> {
  const junk = 'x'.repeat(1000);
  const frames = floodTargets.map((to) => `{"t":"relay","to":"${to}","payload":"${junk}"}`);
  let sent = 0;
  const end = Date.now() + c.ms;
  const MAX_FRAMES = 50_000_000;
  while (Date.now() < end && sent < MAX_FRAMES) {
    for (let i = 0; i < flooders.length; i++) {
      const ws = flooders[i]!.ws;
      if (ws.readyState !== WebSocket.OPEN) continue;
      for (let k = 0; k < 16 && ws.bufferedAmount < 64 * 1024; k++) {
        ws.send(frames[(sent + i) % frames.length]!);
        sent++;
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  const open = flooders.filter((f) => f.ws.readyState === WebSocket.OPEN).length;
  send({ sent, stillOpen: open });
}

process.on('message', (m: Cmd) => {
  const run = async (): Promise<void> => {
    switch (m.cmd) {
      case 'idle': {
        const r = await connectMany(m.kind, m.port, m.count, m.first);
        held.push(...r.peers.map((p) => p.ws));
        return send({ opened: r.peers.length, failed: r.failed, err: r.err });
      }
      case 'relay':
        return relay(m);
      case 'good':
        return goodSetup(m);
      case 'good-run':
        return goodRun(m);
      case 'flood':
        return floodSetup(m);
      case 'flood-run':
        return floodRun(m);
      case 'close':
        for (const ws of held) ws.terminate();
        held = [];
        good = [];
        flooders = [];
        return send({ closed: true });
    }
  };
  run().catch((e: unknown) => send({ error: String(e) }));
});
process.on('disconnect', () => process.exit(0));
