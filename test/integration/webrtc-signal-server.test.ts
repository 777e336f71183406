/**
 * The transport over the real signaling path: the signal server on 127.0.0.1 port 0, SignalClient
 * over `ws` as the Signaler, real WebRTC via @roamhq/wrtc. ICE servers come from the server's
 * welcome (a loopback-only STUN URL nobody answers, to prove the plumbing without leaving lo).
 * Run inside ../shared/tools/loopback-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignalClient } from '../../web/net/signal-client';
import { WebRtcTransport } from '../../web/net/webrtc-transport';
import type { SignalServer } from '../../signal-server/server';
import { assertLoopbackOnly } from '../helpers/loopback';
import { keyFromSeed, startServer } from '../helpers/signal-harness';
import { waitFor, wrtc } from '../helpers/wrtc';
import { OPEN_TO_STRANGERS } from '../helpers/open-pool';

let server: SignalServer | undefined;
const clients: SignalClient[] = [];
const transports: WebRtcTransport[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) t.destroy();
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function join(seed: number): Promise<{ t: WebRtcTransport; c: SignalClient; peers: string[] }> {
  const c = new SignalClient({ url: server!.wsUrl, keyPair: keyFromSeed(seed), WebSocket: WebSocket as never, reconnect: false });
  clients.push(c);
  const welcome = await c.connect();
  const t = new WebRtcTransport({ id: c.nodeId, signaler: c, wrtc }, { iceServers: welcome.iceServers, pool: OPEN_TO_STRANGERS });
  transports.push(t);
  return { t, c, peers: welcome.peers };
}

describe('WebRtcTransport over the signal server', () => {
  it('bootstraps 5 nodes through the server and exchanges frames over data channels', async () => {
    assertLoopbackOnly();
    server = await startServer({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    const nodes = [];
    for (let i = 0; i < 5; i++) nodes.push(await join(100 + i));
    const got = new Map<string, string[]>();
    for (const n of nodes) {
      const box: string[] = [];
      got.set(n.t.id, box);
      n.t.onFrame((from, f) => box.push(`${from}:${new TextDecoder().decode(f)}`));
    }
    // Each node dials the peers its welcome named (the ones that were there before it).
    let expected = 0;
    for (const n of nodes) {
      for (const p of n.peers) {
        n.t.send(p, new TextEncoder().encode('hi'));
        expected++;
      }
    }
    expect(expected).toBe(10); // 0+1+2+3+4: the server samples every earlier node (<= 8)
    await waitFor(() => [...got.values()].reduce((s, b) => s + b.length, 0) === expected, 15_000, 'all hellos');
    // Reply over the same channels.
    for (const n of nodes) for (const line of got.get(n.t.id)!) n.t.send(line.slice(0, 40), new TextEncoder().encode('back'));
    await waitFor(() => [...got.values()].reduce((s, b) => s + b.length, 0) === 2 * expected, 10_000, 'all replies');
    for (const n of nodes) {
      expect(n.t.stats().open).toBe(4);
      expect(n.t.stats().drops.connect_failed + n.t.stats().drops.connect_timeout).toBe(0);
    }
    const parallel = nodes.flatMap((n) => n.t.stats().setupMs).sort((a, b) => a - b);
    // Sequential redials (one at a time) for a clean per-connection figure.
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const before = a.t.stats().setupMs.length;
    for (let i = 0; i < 8; i++) {
      a.t.close(b.t.id);
      await waitFor(() => !b.t.isConnected(a.t.id), 5000, 'close');
      await a.t.connect(b.t.id);
    }
    const seq = a.t
      .stats()
      .setupMs.slice(before)
      .sort((x, y) => x - y);
    expect(seq).toHaveLength(8);
    const med = (xs: number[]) => xs[xs.length >> 1]!.toFixed(1);
    console.log(
      `[webrtc-signal-server] Node setup via ws signaling, ms: 10 parallel dials median ${med(parallel)}; sequential median ${med(seq)}, max ${seq.at(-1)!.toFixed(1)}`,
    );
  });
});
