/**
 * Test helpers for the signaling server: a server on 127.0.0.1 port 0 with a silent logger, and a
 * raw `ws` client with an inbox (`next(type)`) that speaks the protocol by hand, so tests can send
 * exactly the bytes they want (garbage included).
 */
import WebSocket from 'ws';
import { generateKeyPair, nodeIdHexFromPublicKey, sign, type KeyPair } from '../../shared/crypto/ed25519';
import { bytesToHex } from '../../shared/crypto/bytes';
import { helloSigningBytes, type ServerMessage, type WelcomeMsg } from '../../shared/protocol/signaling';
import { silentLogger } from '../../signal-server/log';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/server';

/**
 * A server on 127.0.0.1:0. Event-loop-lag load shedding is off unless a test sets `overloadLagMs`:
 * on a busy 2-core CI box the test process itself lags, which would shed the test's own bursts.
 */
export function startServer(opts: SignalServerOptions = {}): Promise<SignalServer> {
  return createSignalServer({ port: 0, host: '127.0.0.1', staticDir: null, log: silentLogger, overloadLagMs: 1e9, ...opts });
}

/** A deterministic key pair from a small integer seed. */
export function keyFromSeed(n: number): KeyPair {
  const seed = new Uint8Array(32);
  new DataView(seed.buffer).setUint32(0, n + 1);
  return generateKeyPair(seed);
}

export type Msg = ServerMessage & Record<string, unknown>;

export interface RawClientOptions {
  localAddress?: string;
  origin?: string;
  /** false: do not answer transport pings (to look dead). */
  autoPong?: boolean;
}

export class RawClient {
  readonly ws: WebSocket;
  readonly inbox: Msg[] = [];
  private waiters: { pred(m: Msg): boolean; resolve(m: Msg): void }[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | null = null;
  keyPair: KeyPair | null = null;

  constructor(url: string, opts: RawClientOptions = {}) {
    this.ws = new WebSocket(url, {
      perMessageDeflate: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.autoPong === false ? { autoPong: false } : {}),
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode} ${String(res.headers['x-signal-error'])}`)),
      );
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as Msg;
      const i = this.waiters.findIndex((w) => w.pred(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.inbox.push(m);
    });
  }

  /** The next message matching `t` (and `pred`), from the inbox or the wire. */
  next(t: string, pred: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    const match = (m: Msg): boolean => m.t === t && pred(m);
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        pred: match,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${t}; inbox: ${JSON.stringify(this.inbox).slice(0, 300)}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** The next error frame with this code. */
  error(code: string, timeoutMs = 5000): Promise<Msg> {
    return this.next('error', (m) => m.code === code, timeoutMs);
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Answer the challenge; resolves with the welcome. `tamper` breaks the signature. */
  async hello(keyPair: KeyPair, tamper = false): Promise<WelcomeMsg> {
    this.keyPair = keyPair;
    const ch = await this.next('challenge');
    const sig = sign(helloSigningBytes(String(ch.nonce)), keyPair.secretKey);
    if (tamper) sig[0]! ^= 1;
    this.send({ t: 'hello', publicKey: bytesToHex(keyPair.publicKey), signature: bytesToHex(sig) });
    if (tamper) return undefined as unknown as WelcomeMsg;
    return (await this.next('welcome')) as unknown as WelcomeMsg;
  }

  get nodeId(): string {
    if (!this.keyPair) throw new Error('no hello yet');
    return nodeIdHexFromPublicKey(this.keyPair.publicKey);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Open a raw client and complete hello with key `seed`. */
export async function authed(server: SignalServer, seed: number, opts: RawClientOptions = {}): Promise<RawClient> {
  const c = new RawClient(server.wsUrl, opts);
  await c.opened;
  await c.hello(keyFromSeed(seed));
  return c;
}

/** Poll until `cond` holds (bounded). */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
