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
import type { OverlayRouter } from '../../shared/overlay/overlay-router';
import { OverlaySignaler } from '../net/overlay-signaler';
import type { SignalClient } from '../net/signal-client';
import type { Json } from '../../shared/protocol/signaling';
import type { SignalHandler, SignalPayload, Signaler } from '../net/signaler';
import { SignalRouter } from '../net/signal-router';

/** How long after a peer signaled us through the server we answer it that way, ms. */
const SERVER_REPLY_MS = 30_000;
/** Entries kept in each of the maps below (the oldest goes first). */
const REMEMBERED = 1024;

/** Set `key` as the newest entry of `map`, dropping the oldest beyond REMEMBERED. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

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
  private readonly extra = { fallback: 0, lost: 0, receivedOverlay: 0, receivedServer: 0 };
  private overlayRouter: OverlayRouter | undefined;

  private readonly client: SignalClient;
  /**
   * When each peer last signaled us through the server: it had no overlay path to us, so an
   * overlay route back is likely to dead-end (a tab that just came back has no links yet), and
   * our answer would wait for the fallback. We answer through the server for SERVER_REPLY_MS.
   */
  private readonly viaServer = new Map<PeerId, number>();
  /** Offers sent through the server, by request id: to whom, and the attempt (sid). */
  private readonly offered = new Map<number, { to: PeerId; sid: string }>();
  private readonly clock: Clock;

  constructor(c: { keys: KeyPair; clock: Clock; rng: Rng; client: SignalClient; puzzleBits?: number }) {
    const client = c.client;
    this.client = client;
    this.clock = c.clock;
    this.overlay = new OverlaySignaler(
      {
        keys: c.keys,
        clock: c.clock,
        rng: c.rng,
        route: { forward: (to, env) => this.forward(to, env) },
      },
      { puzzleBits: c.puzzleBits ?? 0 },
    );
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
      { name: 'overlay', signaler: tracked, canReach: (to) => !this.answerViaServer(to) && (this.overlayRouter?.canRoute(to) ?? false) },
      {
        name: 'server',
        signaler: { send: (to, sig) => this.viaClient(to, sig), onSignal: (h) => client.onSignal(h) },
        canReach: () => client.state === 'open',
      },
    ]);
    // The server says the peer of an offer is not connected: its dial fails now, not at its timeout.
    client.on('error', (e) => {
      const o = e.code === 'UNKNOWN_TARGET' && e.ref !== undefined ? this.offered.get(e.ref) : undefined;
      if (!o) return;
      this.offered.delete(e.ref!);
      this.handler(o.to, { sid: o.sid, reject: 'UNKNOWN_TARGET' });
    });
    this.overlay.onSignal((from, s) => {
      this.extra.receivedOverlay++;
      this.handler(from, s);
    });
    client.onSignal((from, s) => {
      this.extra.receivedServer++;
      remember(this.viaServer, from, this.clock.now());
      this.handler(from, s);
    });
  }

  /** Send through the server, noting an offer's attempt (the server answers UNKNOWN_TARGET if `to` is absent). */
  private viaClient(to: PeerId, signal: SignalPayload): void {
    const id = this.client.relay(to, signal as unknown as Json);
    if (id < 0 || !('data' in signal) || signal.data.type !== 'offer') return;
    remember(this.offered, id, { to, sid: signal.sid });
  }

  /** Whether to answer `to` through the server: it signaled us that way lately, and the server is up. */
  private answerViaServer(to: PeerId): boolean {
    const at = this.viaServer.get(to);
    return at !== undefined && this.clock.now() - at < SERVER_REPLY_MS && this.client.state === 'open';
  }

  /** Attach the DHT's overlay router (it needs the transport, which needs us). */
  attach(router: OverlayRouter): void {
    this.overlayRouter = router;
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
      relay: this.overlayRouter?.counters.get('route.relay') ?? 0,
      ...this.extra,
    };
  }

  private forward(to: PeerId, env: Uint8Array): void {
    const cur = this.current;
    const router = this.overlayRouter;
    if (!router) return;
    router.forward(to, env, (delivered) => {
      if (delivered || !cur) return;
      if (this.client.state === 'open') {
        this.extra.fallback++;
        this.viaClient(cur.to, cur.signal);
      } else this.extra.lost++;
    });
  }
}
