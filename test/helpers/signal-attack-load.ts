/**
 * Bench child for test/bench/signal-attack.bench.ts: the attacks of issue 16 against the signaling
 * server, and the well-behaved clients that measure them, driven over IPC (one command at a time).
 * Every loop is bounded in count and time; every socket is on 127.0.0.0/8, from the source
 * addresses the command names (the server keys its per-address limits on them).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { helloSigningBytes } from '../../shared/protocol/signaling';
import { SDP, connect, pct, tsOf, type Peer } from './signal-bench-clients';

export interface OnewayCmd {
  from: number;
  intervalMs: number;
  ms: number;
  settleMs: number;
}

export type AttackCmd =
  | { cmd: 'join'; port: number; n: number; src: string[]; retryMs: number; ms: number }
  | { cmd: 'flood'; kind: 'nested' | 'amplify'; perSec: number; ms: number; targets: string[] }
  | { cmd: 'echo'; intervalMs: number; ms: number; settleMs: number }
  | { cmd: 'oneway-to'; id: string; c: OnewayCmd }
  | { cmd: 'victim-start'; index: number }
  | { cmd: 'victim-stop' }
  | { cmd: 'halfopen'; port: number; count: number; src: string[]; ms: number }
  | { cmd: 'newcomers'; port: number; count: number; first: number; exclude: string[]; hold: boolean }
  | { cmd: 'hellos'; port: number; src: string; ms: number; concurrency: number }
  | { cmd: 'close' };

const send = (m: unknown): void => void process.send!(m);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const src = (list: string[], i: number): string => list[i % list.length]!;

/** Clients this child holds (joined with 'join'), in order. */
let peers: Peer[] = [];

/** Open `n` authenticated clients over the source addresses `src`, retrying refusals (hello limits) until `ms`. */
async function join(c: Extract<AttackCmd, { cmd: 'join' }>): Promise<{ ids: string[]; refusals: number; ms: number }> {
  const t0 = Date.now();
  const end = t0 + c.ms;
  let refusals = 0;
  const got: Peer[] = new Array(c.n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < c.n && Date.now() < end) {
      const i = next++;
      for (let tries = 0; Date.now() < end && tries < 10_000; tries++) {
        try {
          got[i] = await connectFrom(c.port, src(c.src, i));
          break;
        } catch {
          refusals++;
          await sleep(c.retryMs);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(64, c.n) }, worker));
  const ok = got.filter((p): p is Peer => p !== undefined);
  peers.push(...ok);
  return { ids: ok.map((p) => p.id), refusals, ms: Date.now() - t0 };
}

/** `connect` from signal-bench-clients, but from a chosen source address (it spreads by index). */
function connectFrom(port: number, from: string): Promise<Peer> {
  // signal-bench-clients picks 127.0.(10 + i % 64).1; map the address back to such an index when it
  // is one of those, else open the socket here.
  const m = /^127\.0\.(\d+)\.1$/.exec(from);
  if (m && Number(m[1]) >= 10 && Number(m[1]) < 74) return connect('ours', port, Number(m[1]) - 10);
  return connectAt(port, from);
}

function connectAt(port: number, from: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const id = createHash('sha1').update(pub).digest('hex');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`, { perMessageDeflate: false, localAddress: from, handshakeTimeout: 20_000 });
    const timer = setTimeout(() => done(new Error('connect timeout')), 30_000);
    const done = (p: Peer | Error): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      if (p instanceof Error) {
        ws.terminate();
        reject(p);
      } else resolve(p);
    };
    ws.on('message', (d: Buffer) => {
      const msg = JSON.parse(d.toString()) as { t: string; nonce?: string; code?: string };
      if (msg.t === 'challenge') {
        const sig = sign(null, helloSigningBytes(msg.nonce!), privateKey);
        ws.send(JSON.stringify({ t: 'hello', publicKey: pub.toString('hex'), signature: sig.toString('hex') }));
      } else if (msg.t === 'welcome') {
        ws.on('error', () => {});
        done({ ws, id });
      } else if (msg.t === 'error') done(new Error(msg.code));
    });
    ws.on('error', (e) => done(e));
    ws.on('close', () => done(new Error('closed during connect')));
  });
}

/** The attack payloads, about 8 KB each: 4,000 nested arrays, or `1e20` repeated (21 digits once re-serialized). */
function payloadOf(kind: 'nested' | 'amplify'): string {
  if (kind === 'nested') return `${'['.repeat(4000)}${']'.repeat(4000)}`;
  return `[${Array.from({ length: 1600 }, () => '1e20').join(',')}]`;
}

async function flood(c: Extract<AttackCmd, { cmd: 'flood' }>): Promise<unknown> {
  const payload = payloadOf(c.kind);
  const frames = peers.map((_, i) => `{"t":"relay","to":"${c.targets[i % c.targets.length]}","payload":${payload}}`);
  let sent = 0;
  let skipped = 0;
  let errors = 0;
  const codes = new Map<string, number>();
  const onMsg = (d: Buffer): void => {
    const s = d.toString();
    if (s.startsWith('{"t":"error"')) {
      errors++;
      const code = /"code":"([A-Z_]+)"/.exec(s)?.[1] ?? '?';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  for (const p of peers) p.ws.on('message', onMsg);
  const every = 1000 / c.perSec;
  const timers: NodeJS.Timeout[] = [];
  peers.forEach((p, i) => {
    timers.push(
      setTimeout(
        () => {
          timers.push(
            setInterval(() => {
              // bounded: a socket the server stopped reading keeps at most 256 KB queued here
              if (p.ws.readyState !== WebSocket.OPEN || p.ws.bufferedAmount > 256 * 1024) return void skipped++;
              p.ws.send(frames[i]!);
              sent++;
            }, every),
          );
        },
        (i * every) / peers.length,
      ),
    );
  });
  await sleep(c.ms);
  for (const t of timers) clearInterval(t);
  for (const p of peers) p.ws.off('message', onMsg);
  return {
    sent,
    skipped,
    errors,
    codes: Object.fromEntries(codes),
    frameBytes: Buffer.byteLength(frames[0] ?? ''),
    open: peers.filter((p) => p.ws.readyState === WebSocket.OPEN).length,
  };
}

/** peers[0] relays to peers[1], which echoes back: round-trip latency and losses of a well-behaved pair. */
async function echo(c: Extract<AttackCmd, { cmd: 'echo' }>): Promise<unknown> {
  const a = peers[0]!;
  const b = peers[1]!;
  const lat: number[] = [];
  let sent = 0;
  const codes = new Map<string, number>();
  const prefixA = `{"t":"relay","to":"${b.id}","payload":{"sid":"0000beef","data":{"type":"offer","sdp":${JSON.stringify(SDP)}},"ts":`;
  const onB = (d: Buffer): void => {
    const s = d.toString();
    if (!s.startsWith('{"t":"relay"')) return;
    const ts = tsOf(s);
    b.ws.send(`{"t":"relay","to":"${a.id}","payload":{"sid":"0000beef","echo":true,"ts":${ts}}}`);
  };
  const onA = (d: Buffer): void => {
    const s = d.toString();
    if (s.startsWith('{"t":"relay"')) lat.push(performance.now() - tsOf(s));
    else if (s.startsWith('{"t":"error"')) {
      const code = /"code":"([A-Z_]+)"/.exec(s)?.[1] ?? '?';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  b.ws.on('message', onB);
  a.ws.on('message', onA);
  const timer = setInterval(() => {
    a.ws.send(`${prefixA + performance.now()}}}`);
    sent++;
  }, c.intervalMs);
  await sleep(c.ms);
  clearInterval(timer);
  const settle = Date.now() + c.settleMs;
  while (Date.now() < settle && lat.length < sent) await sleep(20);
  a.ws.off('message', onA);
  b.ws.off('message', onB);
  return {
    sent,
    received: lat.length,
    lost: sent - lat.length,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: pct(lat, 100),
    codes: Object.fromEntries(codes),
  };
}

/** What the victim (peers[index]) receives: relay frames, their bytes, the largest, those over 32 KiB. */
const victim = { frames: 0, bytes: 0, max: 0, over32k: 0, fromAttack: 0, attackBytes: 0 };
let victimHandler: ((d: Buffer) => void) | null = null;
let victimPeer: Peer | null = null;

function victimStart(index: number): void {
  Object.assign(victim, { frames: 0, bytes: 0, max: 0, over32k: 0, fromAttack: 0, attackBytes: 0 });
  victimPeer = peers[index]!;
  victimHandler = (d: Buffer): void => {
    const s = d.toString();
    if (!s.startsWith('{"t":"relay"')) return;
    victim.frames++;
    victim.bytes += d.length;
    victim.max = Math.max(victim.max, d.length);
    if (d.length > 32 * 1024) victim.over32k++;
    if (!s.includes('"ts":')) {
      victim.fromAttack++;
      victim.attackBytes += d.length;
    }
  };
  victimPeer.ws.on('message', victimHandler);
}

/** peers[from] relays to peers[to] (another child's victim: one-way latency on one host clock is fine). */
async function oneway(c: OnewayCmd, toId: string): Promise<unknown> {
  const a = peers[c.from]!;
  let sent = 0;
  const codes = new Map<string, number>();
  const onA = (d: Buffer): void => {
    const s = d.toString();
    if (s.startsWith('{"t":"error"')) {
      const code = /"code":"([A-Z_]+)"/.exec(s)?.[1] ?? '?';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  a.ws.on('message', onA);
  const prefix = `{"t":"relay","to":"${toId}","payload":{"sid":"0000cafe","data":{"type":"offer","sdp":${JSON.stringify(SDP)}},"ts":`;
  const timer = setInterval(() => {
    a.ws.send(`${prefix + performance.now()}}}`);
    sent++;
  }, c.intervalMs);
  await sleep(c.ms);
  clearInterval(timer);
  await sleep(c.settleMs);
  a.ws.off('message', onA);
  return { sent, codes: Object.fromEntries(codes) };
}

/** Honest one-way latencies seen by the victim (frames with a `ts`). */
const onewayLat: number[] = [];

/** `count` TCP sockets from `src` that never finish an HTTP request: half send nothing, half trickle a header. */
async function halfopen(c: Extract<AttackCmd, { cmd: 'halfopen' }>): Promise<unknown> {
  const socks: Socket[] = [];
  let connected = 0;
  let refusedOrReset = 0;
  let closedByServer = 0;
  const closedAt: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < c.count && Date.now() - t0 < c.ms; i++) {
    const s = tcpConnect({ host: '127.0.0.1', port: c.port, localAddress: src(c.src, i) });
    s.on('connect', () => {
      connected++;
      if (i % 2 === 1) s.write('GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    });
    s.on('error', () => {
      refusedOrReset++;
    });
    s.on('close', () => {
      closedByServer++;
      closedAt.push(Date.now() - t0);
    });
    socks.push(s);
    if (i % 200 === 199) await sleep(5);
  }
  const trickle = setInterval(() => {
    for (let i = 1; i < socks.length; i += 2) if (!socks[i]!.destroyed) socks[i]!.write('X-a: b\r\n');
  }, 2000);
  const openAt = async (): Promise<number> => socks.filter((s) => !s.destroyed && !s.closed).length;
  const samples: { t: number; open: number }[] = [];
  while (Date.now() - t0 < c.ms) {
    await sleep(1000);
    samples.push({ t: Date.now() - t0, open: await openAt() });
  }
  clearInterval(trickle);
  const stillOpen = await openAt();
  for (const s of socks) s.destroy();
  closedAt.sort((a, b) => a - b);
  return { attempted: socks.length, connected, refusedOrReset, closedByServer, stillOpen, closedP50Ms: pct(closedAt, 50), samples };
}

/** `count` newcomers from distinct addresses 127.3.n.1: join, and report refusals and welcome samples. */
async function newcomers(c: Extract<AttackCmd, { cmd: 'newcomers' }>): Promise<unknown> {
  const attackers = new Set(c.exclude);
  let ok = 0;
  const refused: string[] = [];
  let sampled = 0;
  let fromAttackers = 0;
  let onlyAttackers = 0;
  for (let i = 0; i < c.count; i++) {
    const n = c.first + i;
    const from = `127.3.${n & 255}.1`; // one /24 each
    try {
      const p = await withWelcome(c.port, from);
      ok++;
      const bad = p.peers.filter((x) => attackers.has(x)).length;
      sampled += p.peers.length;
      fromAttackers += bad;
      if (bad > 0 && bad === p.peers.length) onlyAttackers++;
      if (c.hold) peers.push(p.peer);
      else p.peer.ws.terminate();
    } catch (e) {
      refused.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { ok, refused, sampled, fromAttackers, onlyAttackers };
}

/** connectAt, keeping the welcome's peer sample. */
function withWelcome(port: number, from: string): Promise<{ peer: Peer; peers: string[] }> {
  return new Promise((resolve, reject) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const id = createHash('sha1').update(pub).digest('hex');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`, { perMessageDeflate: false, localAddress: from, handshakeTimeout: 20_000 });
    let settled = false;
    const timer = setTimeout(() => fail(new Error('connect timeout')), 20_000);
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(e);
    };
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString()) as { t: string; nonce?: string; code?: string; peers?: string[] };
      if (m.t === 'challenge') {
        const sig = sign(null, helloSigningBytes(m.nonce!), privateKey);
        ws.send(JSON.stringify({ t: 'hello', publicKey: pub.toString('hex'), signature: sig.toString('hex') }));
      } else if (m.t === 'welcome' && !settled) {
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners('message');
        resolve({ peer: { ws, id }, peers: m.peers ?? [] });
      } else if (m.t === 'error') fail(new Error(m.code));
    });
    ws.on('error', (e) => fail(e));
    ws.on('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.on('close', () => fail(new Error('closed during connect')));
  });
}

/**
 * One address registers ids as fast as it can for `ms` (`concurrency` at a time: hello, then close),
 * and asks for TURN credentials after each welcome. Counts welcomes and distinct credentials.
 */
async function hellos(c: Extract<AttackCmd, { cmd: 'hellos' }>): Promise<unknown> {
  const keys = Array.from({ length: 256 }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    return { privateKey, pub: pub.toString('hex'), id: createHash('sha1').update(pub).digest('hex') };
  });
  let welcomes = 0;
  let refused = 0;
  const creds = new Set<string>();
  const ids = new Set<string>();
  const t0 = Date.now();
  const end = t0 + c.ms;
  let k = 0;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const key = keys[k++ % keys.length]!;
      const ws = new WebSocket(`ws://127.0.0.1:${c.port}/signal`, {
        perMessageDeflate: false,
        localAddress: c.src,
        handshakeTimeout: 5000,
      });
      const timer = setTimeout(() => finish(), 3000);
      let finished = false;
      let welcomed = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        ws.terminate();
        resolve();
      };
      const take = (servers: { username?: string; credential?: string }[] | undefined): void => {
        for (const s of servers ?? []) if (s.username && s.credential) creds.add(`${s.username}|${s.credential}`);
      };
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as {
          t: string;
          nonce?: string;
          iceServers?: { username?: string; credential?: string }[];
          turn?: boolean;
        };
        if (m.t === 'challenge') {
          const sig = sign(null, helloSigningBytes(m.nonce!), key.privateKey);
          ws.send(JSON.stringify({ t: 'hello', publicKey: key.pub, signature: sig.toString('hex') }));
        } else if (m.t === 'welcome') {
          welcomes++;
          welcomed = true;
          ids.add(key.id);
          take(m.iceServers);
          if (m.turn) ws.send('{"t":"turn","id":1}');
          else finish();
        } else if (m.t === 'turn') {
          take(m.iceServers);
          finish();
        } else if (m.t === 'error') {
          if (!welcomed) refused++;
          finish();
        }
      });
      ws.on('error', () => finish());
      ws.on('close', () => finish());
    });
  await Promise.all(
    Array.from({ length: c.concurrency }, async () => {
      for (let i = 0; i < 1_000_000 && Date.now() < end; i++) await once();
    }),
  );
  const s = (Date.now() - t0) / 1000;
  return {
    seconds: s,
    welcomes,
    welcomesPerSec: welcomes / s,
    distinctIds: ids.size,
    refused,
    turnCreds: creds.size,
    turnCredsPerMin: (creds.size / s) * 60,
  };
}

process.on('message', (m: AttackCmd) => {
  const run = async (): Promise<unknown> => {
    switch (m.cmd) {
      case 'join':
        return join(m);
      case 'flood':
        return flood(m);
      case 'echo':
        return echo(m);
      case 'victim-start':
        onewayLat.length = 0;
        victimStart(m.index);
        victimPeer!.ws.on('message', (d: Buffer) => {
          const s = d.toString();
          if (s.startsWith('{"t":"relay"') && s.includes('"ts":')) onewayLat.push(performance.now() - tsOf(s));
        });
        return { ok: true };
      case 'victim-stop': {
        if (victimPeer && victimHandler) victimPeer.ws.off('message', victimHandler);
        const lat = [...onewayLat];
        return { ...victim, honestReceived: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), latMax: pct(lat, 100) };
      }
      case 'oneway-to':
        return oneway(m.c, m.id);
      case 'halfopen':
        return halfopen(m);
      case 'newcomers':
        return newcomers(m);
      case 'hellos':
        return hellos(m);
      case 'close':
        for (const p of peers) p.ws.terminate();
        peers = [];
        return { closed: true };
    }
  };
  run().then(send, (e: unknown) => send({ error: String(e instanceof Error ? e.stack : e) }));
});
process.on('disconnect', () => process.exit(0));
