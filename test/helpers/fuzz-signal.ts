/**
 * The signaling fuzz target: mutated client frames fed to a real SignalHub (sans-IO, virtual
 * clock, limits opened wide so every frame is decoded), from an authenticated client and from one
 * that has not said hello. Each case checks:
 * - nothing throws;
 * - every frame the hub sends parses with the client's own parser and stays within the documented
 *   bound (maxFrameBytes + 200 for a relay; MAX_FRAME_BYTES otherwise);
 * - a relay goes out as the sender's payload text, at most 200 bytes longer than the frame in;
 * - the scanner agrees with JSON.parse (plus the depth limit on the text) on whether the frame is valid;
 * - no case takes longer than `slowMs` (a case over it is timed twice more; the fastest counts,
 *   so a stall of the host is not reported as a slow input).
 */
import { generateKeyPair, sign } from '../../shared/crypto/ed25519';
import { bytesToHex } from '../../shared/crypto/bytes';
import { SeededRng } from '../../shared/env/rng';
import { MAX_FRAME_BYTES, helloSigningBytes, parseServerMessage } from '../../shared/protocol/signaling';
import { VirtualClock } from '../../shared/sim/virtual-clock';
import { scanFrame } from '../../signal-server/frame-scan';
import { SignalHub, type Conn, type ConnIO } from '../../signal-server/hub';
import { silentLogger } from '../../signal-server/log';
import { SignalMetrics } from '../../signal-server/metrics';
import { sha1Hex, verifyEd25519 } from '../../signal-server/node-crypto';

export interface FuzzTarget {
  readonly name: string;
  /** Valid frames to mutate. */
  seeds(): Uint8Array[];
  /** Run one input; throws on a broken invariant. */
  run(input: Uint8Array): void;
  /** Counters for the report. */
  stats(): Record<string, number>;
}

const DEPTH = 32;
const enc = new TextEncoder();

class RecordingIO implements ConnIO {
  out: string[] = [];
  closed = false;
  send(frame: string): void {
    this.out.push(frame);
  }
  buffered(): number {
    return 0;
  }
  close(): void {
    this.closed = true;
  }
  terminate(): void {
    this.closed = true;
  }
  pause(): void {}
  resume(): void {}
  ping(): void {}
}

/** Deepest bracket nesting in JSON text, outside strings (valid JSON assumed). */
function textDepth(text: string): number {
  let d = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++d);
    else if (c === 93 || c === 125) d--;
  }
  return max;
}

export function signalTarget(opts: { slowMs?: number } = {}): FuzzTarget {
  const slowMs = opts.slowMs ?? 250;
  const clock = new VirtualClock(1_700_000_000_000);
  const metrics = new SignalMetrics();
  const wide = 1e12;
  const hub = new SignalHub(
    { clock, rng: new SeededRng(7), verify: verifyEd25519, nodeIdOf: sha1Hex, metrics, log: silentLogger },
    {
      ratePerSec: wide,
      burst: wide,
      globalRatePerSec: wide,
      globalBurst: wide,
      turnBudget: wide,
      inboundRatePerSec: wide,
      inboundBurst: wide,
      helloPerMin: wide,
      helloBurst: wide,
      maxConnectionsPerIp: wide,
      maxConnections: wide,
      maxJsonDepth: DEPTH,
    },
    () => [{ urls: 'stun:127.0.0.1:3478' }],
    { ttlSec: 600, mint: (id) => ({ urls: 'turn:127.0.0.1:3478', username: `1:${id}`, credential: 'x' }) },
  );
  const key = generateKeyPair(new Uint8Array(32).fill(3));
  const other = generateKeyPair(new Uint8Array(32).fill(4));
  const join = (kp: typeof key, ip: string): { io: RecordingIO; conn: Conn } => {
    const io = new RecordingIO();
    const conn = hub.open(io, ip)!;
    const nonce = (JSON.parse(io.out[0]!) as { nonce: string }).nonce;
    const hello = JSON.stringify({
      t: 'hello',
      publicKey: bytesToHex(kp.publicKey),
      signature: bytesToHex(sign(helloSigningBytes(nonce), kp.secretKey)),
    });
    hub.allow(conn, hello.length);
    hub.message(conn, hello, hello.length);
    return { io, conn };
  };
  let authed = join(key, '10.0.0.1');
  const target = join(other, '10.0.0.2');
  const targetId = target.conn.nodeId!;
  let anon: { io: RecordingIO; conn: Conn } | null = null;
  const counts = { cases: 0, valid: 0, relayed: 0, maxMs: 0, retimed: 0, scanDisagree: 0 };

  const check = (io: RecordingIO, input: string): void => {
    for (const f of io.out) {
      const relay = f.startsWith('{"t":"relay"');
      const bound = relay ? hub.limits.maxFrameBytes + 200 : MAX_FRAME_BYTES;
      if (f.length > bound) throw new Error(`frame of ${f.length} > ${bound}: ${f.slice(0, 120)}`);
      const p = parseServerMessage(f);
      if (!p.ok) throw new Error(`hub sent a frame the client rejects (${p.detail}): ${f.slice(0, 200)}`);
      if (relay) {
        counts.relayed++;
        if (f.length > input.length + 200) throw new Error(`relay grew: ${input.length} in, ${f.length} out`);
      }
    }
    io.out = [];
  };

  return {
    name: 'signal',
    seeds(): Uint8Array[] {
      const sdp =
        'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=setup:actpass\r\n';
      const frames: unknown[] = [
        { t: 'hello', publicKey: 'ab'.repeat(32), signature: 'cd'.repeat(64) },
        { t: 'bootstrap', id: 1 },
        { t: 'relay', to: targetId, payload: { sid: '0000beef', data: { type: 'offer', sdp } }, id: 2 },
        {
          t: 'relay',
          to: targetId,
          payload: {
            sid: '0000beef',
            data: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
          },
        },
        { t: 'relay', to: targetId, payload: { sid: '0000beef', reject: 'busy' }, id: 3 },
        { t: 'relay', to: targetId, payload: [1e20, -0.5, 'x', null, true, { a: [] }], id: 4 },
        { t: 'ping', id: 5 },
        { t: 'pong' },
        { t: 'turn', id: 6 },
      ];
      return frames.map((f) => enc.encode(JSON.stringify(f)));
    },
    run(input: Uint8Array): void {
      counts.cases++;
      const text = new TextDecoder().decode(input);
      const size = enc.encode(text).length;
      const t0 = performance.now();
      // differential: the scanner and JSON.parse (with the same depth limit) agree
      const scan = scanFrame(text, DEPTH);
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        parses = false;
      }
      const expectOk = parses && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && textDepth(text) <= DEPTH;
      if (scan.ok !== expectOk) {
        counts.scanDisagree++;
        throw new Error(
          `scanner says ${scan.ok ? 'valid' : `invalid (${scan.detail})`}, JSON.parse ${expectOk ? 'valid' : 'invalid'}: ${text.slice(0, 200)}`,
        );
      }
      if (scan.ok) counts.valid++;
      // from an authenticated client, then from one that has not said hello
      if (authed.conn.closed) authed = join(key, '10.0.0.1');
      if (hub.allow(authed.conn, size)) hub.message(authed.conn, text, size);
      check(authed.io, text);
      if (counts.cases % 4 === 0) {
        if (!anon || anon.conn.closed) {
          const io = new RecordingIO();
          anon = { io, conn: hub.open(io, '10.0.0.3')! };
        }
        if (hub.allow(anon.conn, size)) hub.message(anon.conn, text, size);
        check(anon.io, text);
      }
      check(target.io, text);
      let ms = performance.now() - t0;
      if (ms > slowMs) {
        // a stall of the host (GC, a busy machine) is not a slow case: time the hub's part again
        counts.retimed++;
        for (let k = 0; k < 2 && ms > slowMs; k++) {
          const t1 = performance.now();
          scanFrame(text, DEPTH);
          if (hub.allow(authed.conn, size)) hub.message(authed.conn, text, size);
          authed.io.out = [];
          target.io.out = [];
          ms = Math.min(ms, performance.now() - t1);
        }
      }
      counts.maxMs = Math.max(counts.maxMs, ms);
      if (ms > slowMs) throw new Error(`slow case: ${ms.toFixed(0)} ms for ${input.length} bytes: ${text.slice(0, 120)}`);
      // keep the virtual clock moving so timers and sweeps run too
      if (counts.cases % 1000 === 0) {
        clock.runFor(1000);
        hub.pong(target.conn);
        hub.sweep();
      }
    },
    stats(): Record<string, number> {
      return { ...counts, connections: hub.size, peers: hub.peerCount };
    },
  };
}
