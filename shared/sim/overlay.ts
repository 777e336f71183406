/**
 * The browser node's connection-frugal stack on a simulated node: greedy overlay routing over open
 * connections, RPC tunnels through it, and a link keeper choosing which connections to keep
 * (what web/runtime/runtime.ts wires to WebRTC). Needs a network with a connection model.
 */
import { LinkKeeper, type LinkKeeperInit } from '../overlay/link-keeper';
import { OverlayRouter } from '../overlay/overlay-router';
import { RequestTunnel, type TunnelInit } from '../overlay/tunnel';
import type { DhtNode } from '../dht/node';
import type { SimEndpoint } from './network';

export interface SimOverlay {
  router: OverlayRouter;
  tunnel: RequestTunnel;
  keeper: LinkKeeper;
}

export interface SimOverlayInit {
  links?: LinkKeeperInit;
  tunnel?: TunnelInit;
}

/** Attach the overlay stack to a node (before it joins); start `keeper` once it has joined. */
export function attachOverlay(node: DhtNode, ep: SimEndpoint, init: SimOverlayInit = {}): SimOverlay {
  const router = new OverlayRouter(node, { connectedPeers: () => [...ep.connectedPeers()], deliver: () => {} });
  const tunnel = new RequestTunnel(node, router, init.tunnel);
  const keeper = new LinkKeeper(
    node,
    {
      connectedPeers: () => ep.connectedPeers(),
      isConnected: (p) => ep.open.has(p),
      setWanted: (peers) => {
        ep.wanted = peers;
      },
    },
    init.links,
  );
  return { router, tunnel, keeper };
}
