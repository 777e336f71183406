/**
 * Drive the signaling hub sans-IO: fake sockets that record what the hub sends, a virtual clock
 * and a seeded rng, so every limit can be checked exactly, with no wall-clock dependence.
 */
import { generateKeyPair, sign } from '../../shared/crypto/ed25519';
import { bytesToHex } from '../../shared/crypto/bytes';
import { SeededRng } from '../../shared/env/rng';
import { helloSigningBytes } from '../../shared/protocol/signaling';
import { VirtualClock } from '../../shared/sim/virtual-clock';
import type { Cluster } from '../../signal-server/cluster/cluster';
import { SignalHub, type Conn, type ConnIO, type HubLimits, type TurnMinter } from '../../signal-server/hub';
import { silentLogger } from '../../signal-server/log';
import { SignalMetrics } from '../../signal-server/metrics';
import { sha1Hex, verifyEd25519 } from '../../signal-server/node-crypto';

export type Frame = Record<string, unknown>;

/** A key pair from an integer seed (distinct for every seed below 2^32). */
export function keyOf(seed: number): ReturnType<typeof generateKeyPair> {
  const bytes = new Uint8Array(32).fill(seed & 255);
  new DataView(bytes.buffer).setUint32(4, seed >>> 0);
  return generateKeyPair(bytes);
}

/** A socket as the hub sees it: everything it is sent, its close, its pause state. */
export class FakeIO implements ConnIO {
  readonly frames: Frame[] = [];
  /** The frames as sent, text. */
  readonly raw: string[] = [];
  closedWith: { code: number; reason: string } | null = null;
  terminated = false;
  paused = false;
  pings = 0;
  /** Unsent bytes the hub sees (set by tests of slow consumers). */
  backlog = 0;

  send(frame: string): void {
    this.raw.push(frame);
    this.frames.push(JSON.parse(frame) as Frame);
  }
  buffered(): number {
    return this.backlog;
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
  terminate(): void {
    this.terminated = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  ping(): void {
    this.pings++;
  }
  /** Frames of type `t` (and error code `code`). */
  of(t: string, code?: string): Frame[] {
    return this.frames.filter((f) => f.t === t && (code === undefined || f.code === code));
  }
}

export interface HubClient {
  io: FakeIO;
  conn: Conn;
  nodeId: string;
  /** Send a frame as the socket would: counted and rate-limited first, then decoded. False: dropped by a limit. */
  send(msg: Frame | string): boolean;
}

export class HubHarness {
  readonly clock = new VirtualClock(1_700_000_000_000);
  readonly rng = new SeededRng(1);
  readonly metrics = new SignalMetrics();
  readonly hub: SignalHub;

  constructor(limits: Partial<HubLimits> = {}, cluster?: Cluster, turn: TurnMinter | null = null) {
    this.hub = new SignalHub(
      {
        clock: this.clock,
        rng: this.rng,
        verify: verifyEd25519,
        nodeIdOf: sha1Hex,
        metrics: this.metrics,
        log: silentLogger,
        ...(cluster ? { cluster } : {}),
      },
      limits,
      () => [],
      turn,
    );
  }

  /** Answer the challenge with the key from `seed` (the welcome may come later, in a cluster). */
  hello(c: HubClient, seed: number): void {
    const kp = keyOf(seed);
    const nonce = c.io.of('challenge')[0]!.nonce as string;
    c.send({ t: 'hello', publicKey: bytesToHex(kp.publicKey), signature: bytesToHex(sign(helloSigningBytes(nonce), kp.secretKey)) });
  }

  /** Open a socket from `ip`; null when the hub refused it (the io then holds the error). */
  open(ip = '127.0.0.1'): { io: FakeIO; conn: Conn | null } {
    const io = new FakeIO();
    return { io, conn: this.hub.open(io, ip) };
  }

  client(io: FakeIO, conn: Conn): HubClient {
    const hub = this.hub;
    return {
      io,
      conn,
      nodeId: conn.nodeId ?? '',
      send(msg) {
        const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
        const size = new TextEncoder().encode(text).length;
        if (!hub.allow(conn, size)) return false;
        hub.message(conn, text, size);
        return true;
      },
    };
  }

  /** A connection that said hello with the key from `seed`. */
  join(seed: number, ip = '127.0.0.1'): HubClient {
    const { io, conn } = this.open(ip);
    if (!conn) throw new Error(`refused: ${JSON.stringify(io.frames)}`);
    const kp = keyOf(seed);
    const nonce = io.of('challenge')[0]!.nonce as string;
    const c = this.client(io, conn);
    c.send({ t: 'hello', publicKey: bytesToHex(kp.publicKey), signature: bytesToHex(sign(helloSigningBytes(nonce), kp.secretKey)) });
    const welcome = io.of('welcome')[0];
    if (!welcome) throw new Error(`no welcome: ${JSON.stringify(io.frames)}`);
    return { ...c, nodeId: welcome.nodeId as string };
  }
}
