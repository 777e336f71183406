/**
 * The node's signaling: overlay first, the WebSocket server as the fallback.
 *
 * A SignalRouter (web/net) picks the path per message: the overlay when the DHT has a first hop
 * toward the target over an open connection (`OverlayRouter.canRoute`), else the server when its
 * socket is open. An overlay route can still dead-end a few hops later (nobody closer is
 * connected); the router reports that back, and the same signal is then re-sent through the
 * server if it is up ('fallback'). Envelopes addressed to us come in through the router's
 * `deliver` hook and are opened (signature, target, replay) by the OverlaySignaler.
 */
import type { Clock } from '../../shared/env/clock';
import type { Rng } from '../../shared/env/rng';
import type { PeerId } from '../../shared/env/transport';
import type { KeyPair } from '../../shared/crypto/ed25519';
import { hexToBytes } from '../../shared/crypto/bytes';
import type { DhtNode } from '../../shared/dht/node';
import { compareDistance } from '../../shared/dht/node-id';
import { MAX_RELAY_PAYLOAD } from '../../shared/protocol/wire';
import type { OverlayRouter } from '../../shared/dht/overlay-router';
import { OverlaySignaler } from '../net/overlay-signaler';
import type { SignalClient } from '../net/signal-client';
import type { SignalHandler, SignalPayload, Signaler } from '../net/signaler';
import { SignalRouter } from '../net/signal-router';

/** Hops an envelope handed to a non-greedy first hop may still take. */
const RELAY_TTL = 8;

export interface SignalRouteCounts {
  /** Signals first sent through the overlay. */
  overlay: number;
  /** Signals sent through the server (first choice, no overlay hop). */
  server: number;
  /** Overlay signals handed to the connected peer closest to the target (no greedy first hop). */
  relay: number;
  /** Overlay deliveries that failed and were re-sent through the server. */
  fallback: number;
  /** Overlay deliveries that failed with the server down (lost; the dial times out). */
  lost: number;
  /** No path at all (no overlay hop, server down). */
  unroutable: number;
  /** Signals received through the overlay / the server. */
  receivedOverlay: number;
  receivedServer: number;
}

export class SignalPaths implements Signaler {
  readonly overlay: OverlaySignaler;
  private readonly router: SignalRouter;
  private handler: SignalHandler = () => {};
  /** The signal being sealed right now (OverlaySignaler.send calls route.forward synchronously). */
  private current: { to: PeerId; signal: SignalPayload } | undefined;
  private readonly extra = { relay: 0, fallback: 0, lost: 0, receivedOverlay: 0, receivedServer: 0 };
  private overlayRouter: OverlayRouter | undefined;
  private dht: DhtNode | undefined;
  private connected: () => PeerId[] = () => [];

  private readonly client: SignalClient;

  constructor(c: { keys: KeyPair; clock: Clock; rng: Rng; client: SignalClient }) {
    const client = c.client;
    this.client = client;
    this.overlay = new OverlaySignaler({
      keys: c.keys,
      clock: c.clock,
      rng: c.rng,
      route: { forward: (to, env) => this.forward(to, env) },
    });
    const pending = this.overlay;
    const tracked: Signaler = {
      send: (to, signal) => {
        this.current = { to, signal };
        try {
          pending.send(to, signal);
        } finally {
          this.current = undefined;
        }
      },
      onSignal: (h) => pending.onSignal(h),
    };
    this.router = new SignalRouter([
      { name: 'overlay', signaler: tracked, canReach: (to) => this.firstHop(to) !== undefined },
      { name: 'server', signaler: client, canReach: () => client.state === 'open' },
    ]);
    this.overlay.onSignal((from, s) => {
      this.extra.receivedOverlay++;
      this.handler(from, s);
    });
    client.onSignal((from, s) => {
      this.extra.receivedServer++;
      this.handler(from, s);
    });
  }

  /**
   * Attach the DHT (it needs the transport, which needs us): its overlay router, and the open
   * connections (`connected`) for the relay fallback below.
   */
  attach(router: OverlayRouter, dht: DhtNode, connected: () => PeerId[]): void {
    this.overlayRouter = router;
    this.dht = dht;
    this.connected = connected;
  }

  /**
   * Where an envelope for `to` goes first. Greedy routing (OverlayRouter) needs a connected peer
   * strictly closer to `to` than we are; when there is none (we are `to`'s closest known node, or
   * we only have far links), hand it to the connected peer closest to `to` anyway: nodes near
   * `to` are the likeliest to hold a connection to it (every node keeps its closest neighbours
   * connected), and from there greedy routing resumes. A relay that has `to` connected always
   * delivers. ('relay' in the counters.)
   */
  private firstHop(to: PeerId): 'greedy' | { id: Uint8Array; hex: PeerId } | undefined {
    if (this.overlayRouter?.canRoute(to)) return 'greedy';
    const target = hexToBytes(to);
    let best: { id: Uint8Array; hex: PeerId } | undefined;
    for (const hex of this.connected()) {
      const id = hexToBytes(hex);
      if (!best || compareDistance(id, best.id, target) < 0) best = { id, hex };
    }
    return best;
  }

  /** The OverlayRouter's `deliver` hook: an envelope addressed to this node. */
  receive(payload: Uint8Array): void {
    this.overlay.receive(payload);
  }

  send(to: PeerId, signal: SignalPayload): void {
    this.router.send(to, signal);
  }

  onSignal(handler: SignalHandler): void {
    this.handler = handler;
  }

  counts(): SignalRouteCounts {
    return {
      overlay: this.router.sent.overlay ?? 0,
      server: this.router.sent.server ?? 0,
      unroutable: this.router.sent.unroutable ?? 0,
      ...this.extra,
    };
  }

  private forward(to: PeerId, env: Uint8Array): void {
    const cur = this.current;
    const router = this.overlayRouter;
    const dht = this.dht;
    if (!router || !dht) return;
    const done = (delivered: boolean): void => {
      if (delivered || !cur) return;
      if (this.client.state === 'open') {
        this.extra.fallback++;
        this.client.send(cur.to, cur.signal);
      } else this.extra.lost++;
    };
    const hop = this.firstHop(to);
    if (hop === undefined) return done(false);
    if (hop === 'greedy') return router.forward(to, env, done);
    if (env.length > MAX_RELAY_PAYLOAD) return done(false);
    this.extra.relay++;
    dht.rpc.request(hop, { type: 'route', target: hexToBytes(to), ttl: RELAY_TTL, payload: env }, (res) =>
      done(res?.type === 'routed' && res.delivered),
    );
  }
}
