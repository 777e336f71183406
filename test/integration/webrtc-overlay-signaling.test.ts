/**
 * Signaling through the overlay, end to end over real WebRTC (@roamhq/wrtc): A and C each know
 * B (connected via the "server", the in-memory hub). Then the server dies, and A opens a new
 * connection to C with its offer/answer carried as signed envelopes relayed by B over the
 * existing data channels. Run inside ../shared/tools/loopback-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, nodeIdHexFromPublicKey } from '../../shared/crypto/ed25519';
import { cryptoRng } from '../../shared/env/rng';
import { systemClock } from '../../shared/env/clock';
import { LoopbackSignalHub } from '../../web/net/loopback-signaler';
import { envelopeTarget, OverlaySignaler } from '../../web/net/overlay-signaler';
import { SignalRouter } from '../../web/net/signal-router';
import { WebRtcTransport } from '../../web/net/webrtc-transport';
import { assertLoopbackOnly } from '../helpers/loopback';
import { waitFor, wrtc } from '../helpers/wrtc';

/** Test-only frame demux: the DHT's wire format will own this byte in the real node. */
const RELAY = 0xee;
const APP = 0x01;

interface Node {
  id: string;
  t: WebRtcTransport;
  overlay: OverlaySignaler;
  router: SignalRouter;
  app: string[];
  relayed: number;
  /** Which open neighbour can reach a node (the DHT's job in the real node: the introducer). */
  knownVia: Map<string, string>;
}

let nodes: Node[] = [];
afterEach(() => {
  for (const n of nodes) n.t.destroy();
  nodes = [];
});

function makeNode(hub: LoopbackSignalHub, serverUp: () => boolean): Node {
  const keys = generateKeyPair();
  const id = nodeIdHexFromPublicKey(keys.publicKey);
  let t!: WebRtcTransport;
  const sendRelay = (via: string, env: Uint8Array) => {
    const f = new Uint8Array(env.length + 1);
    f[0] = RELAY;
    f.set(env, 1);
    t.send(via, f);
  };
  // Route: straight to the target if connected, else via the neighbour that knows it (B here);
  // the real DHT routes toward the target id or back through the introducer.
  const knownVia = new Map<string, string>();
  const nextHop = (to: string): string | undefined => {
    if (t.isConnected(to)) return to;
    const via = knownVia.get(to);
    return via && t.isConnected(via) ? via : undefined;
  };
  const overlay = new OverlaySignaler({
    keys,
    clock: systemClock,
    rng: cryptoRng,
    route: { forward: (to, env) => sendRelay(nextHop(to)!, env) },
  });
  const server = hub.endpoint(id);
  const router = new SignalRouter([
    { name: 'overlay', signaler: overlay, canReach: (to) => nextHop(to) !== undefined },
    { name: 'server', signaler: server, canReach: () => serverUp() },
  ]);
  t = new WebRtcTransport({ id, signaler: router, wrtc });
  const node: Node = { id, t, overlay, router, app: [], relayed: 0, knownVia };
  t.onFrame((from, f) => {
    if (f[0] === APP) node.app.push(`${from}:${new TextDecoder().decode(f.subarray(1))}`);
    if (f[0] !== RELAY) return;
    const env = f.subarray(1);
    const to = envelopeTarget(env);
    if (to === id) overlay.receive(env);
    else if (to && t.isConnected(to)) {
      node.relayed++;
      sendRelay(to, env);
    }
  });
  nodes.push(node);
  return node;
}

describe('signaling through the overlay (real WebRTC)', () => {
  it('opens a new connection after the server is gone, via signed envelopes relayed by a neighbour', async () => {
    assertLoopbackOnly();
    let up = true;
    const hub = new LoopbackSignalHub({ filter: () => !up });
    const [a, b, c] = [makeNode(hub, () => up), makeNode(hub, () => up), makeNode(hub, () => up)] as [Node, Node, Node];
    // First contact through the server.
    await a.t.connect(b.id);
    await c.t.connect(b.id);
    // B relays only over channels it sees open (its 'connect' can trail the dialer's).
    await waitFor(() => b.t.isConnected(a.id) && b.t.isConnected(c.id), 5000, 'B to see both channels open');
    const viaServer = hub.delivered;
    expect(a.router.sent.server).toBeGreaterThan(0);
    // B introduces A and C to each other; then the server dies.
    a.knownVia.set(c.id, b.id);
    c.knownVia.set(a.id, b.id);
    up = false;
    const t0 = performance.now();
    await a.t.connect(c.id);
    const ms = performance.now() - t0;
    expect(hub.delivered).toBe(viaServer);
    expect(b.relayed).toBeGreaterThanOrEqual(2); // at least the offer and the answer
    expect(c.overlay.accepted).toBeGreaterThanOrEqual(1);
    expect(a.overlay.accepted).toBeGreaterThanOrEqual(1);
    const f = new Uint8Array([APP, ...new TextEncoder().encode('direct')]);
    a.t.send(c.id, f);
    await waitFor(() => c.app.length === 1, 5000, 'frame over the new connection');
    expect(c.app).toEqual([`${a.id}:direct`]);
    const drops = [a, b, c].map((n) => Object.values(n.overlay.drops).reduce((x, y) => x + y, 0));
    expect(drops).toEqual([0, 0, 0]);
    console.log(`[overlay-signaling] setup via overlay relay: ${ms.toFixed(1)} ms, envelopes relayed by B: ${b.relayed}`);
  });
});
