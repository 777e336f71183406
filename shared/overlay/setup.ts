/**
 * The one way to build the connection-budget overlay on a DHT node: greedy overlay routing over
 * open connections, RPC tunnels through it, and the link keeper choosing which connections to
 * keep. The browser runtime (over WebRTC) and the simulator (over its connection model) both call
 * this, so they run the same stack with the same defaults.
 *
 * Given a connection budget (`maxOpen`), the links are sized to it (BUDGET_SHARES): our own near
 * and far links leave `reservedSlots` free, and inbound links leave `spareSlots` of those.
 */
import type { PeerId } from '../env/transport';
import type { DhtNode } from '../dht/node';
import type { NodeAuth } from '../dht/node-auth';
import { DhtError } from '../dht/errors';
import { BUDGET_SHARES, LINK_DEFAULTS, TUNNEL_DEFAULTS } from './constants';
import { LinkKeeper, type LinkKeeperInit } from './link-keeper';
import { OverlayRouter, type OverlayRouterInit } from './overlay-router';
import { RequestTunnel, type TunnelInit } from './tunnel';

export interface OverlayHooks {
  /** Peers with an open (or opening) connection. */
  connectedPeers(): Iterable<PeerId>;
  /** Whether `peer` is on a direct connection now. */
  isConnected(peer: PeerId): boolean;
  /** The links to keep (ours and accepted ones): the transport protects these. */
  setWanted(peers: ReadonlySet<PeerId>): void;
  /** A routed payload addressed to us arrived (overlay signaling). */
  deliver?(payload: Uint8Array, via: PeerId): void;
  /** Our node key: tunnels sign requests and answers with it (required unless `tunnel: false`). */
  auth?: NodeAuth;
}

export interface OverlayInit {
  /** Connections the transport may hold open at once; sizes the links. @default unbounded (LINK_DEFAULTS as they are) */
  maxOpen?: number;
  links?: LinkKeeperInit;
  /** `false`: no tunnels, every RPC dials its peer directly. */
  tunnel?: TunnelInit | false;
  router?: OverlayRouterInit;
}

export interface Overlay {
  readonly router: OverlayRouter;
  readonly tunnel: RequestTunnel | undefined;
  readonly keeper: LinkKeeper;
}

/** Link counts for a budget of `maxOpen` connections (explicit `links` values are capped too). */
export function linkShares(maxOpen: number, links: LinkKeeperInit = {}): { near: number; far: number; maxInbound: number } {
  const near = Math.max(1, Math.min(links.near ?? LINK_DEFAULTS.near, Math.floor(maxOpen / 2)));
  const far = Math.max(0, Math.min(links.far ?? LINK_DEFAULTS.far, maxOpen - BUDGET_SHARES.reservedSlots - near));
  const maxInbound = Math.max(0, Math.min(links.maxInbound ?? Infinity, maxOpen - BUDGET_SHARES.spareSlots - near - far));
  return { near, far, maxInbound };
}

/** Attach the overlay stack to `node` (before it joins); call `keeper.start()` once it has joined. */
export function createOverlay(node: DhtNode, hooks: OverlayHooks, init: OverlayInit = {}): Overlay {
  const router = new OverlayRouter(
    node,
    { connectedPeers: () => [...hooks.connectedPeers()], deliver: (payload, via) => hooks.deliver?.(payload, via) },
    init.router,
  );
  const links = init.maxOpen !== undefined ? { ...init.links, ...linkShares(init.maxOpen, init.links) } : init.links;
  const near = links?.near ?? TUNNEL_DEFAULTS.near;
  let tunnel: RequestTunnel | undefined;
  if (init.tunnel !== false) {
    if (!hooks.auth) throw DhtError.badArgument('tunnels need the node key (hooks.auth)');
    tunnel = new RequestTunnel(node, router, hooks.auth, { near, ...init.tunnel });
  }
  const keeper = new LinkKeeper(node, hooks, links);
  return { router, tunnel, keeper };
}
