/**
 * Every default of the connection-budget overlay (links, tunnels, overlay routing), with its unit
 * and reason. The browser runtime and the simulator both build the overlay through
 * `createOverlay` (setup.ts), which reads these.
 */
export const LINK_DEFAULTS = {
  /** Closest contacts kept linked: the last hop of any greedy route is a neighbour of the target. */
  near: 8,
  /** Links toward farther buckets at most (one per level, then per sub-bucket): each hop gains a bit. */
  far: 8,
  /** Links other nodes asked for that we keep on top of ours. */
  maxInbound: 6,
  /** Re-check period, ms (jittered ±25%). */
  intervalMs: 60_000,
  /** A link is renewed this often, ms; an accepted one lapses after twice it. */
  renewMs: 300_000,
  /** Failed dials before a peer is skipped (until it answers again). */
  maxDialFailures: 3,
  /** A peer that refused a link is not asked again for this long, ms. */
  refusedForMs: 600_000,
} as const;

/** How long a LINK that came through the overlay holds a slot for the dial that should follow, ms. */
export const LINK_RESERVE_MS = 30_000;

export const TUNNEL_DEFAULTS = {
  /** Hops a tunneled request may take: greedy routing gains at least a bit per hop, 8 covers 10^5 nodes. */
  maxTtl: 8,
  /** Tunneled requests relayed per sending peer per second, and burst (a lookup burst is ~3 per peer). */
  rate: { perSecond: 100, burst: 300 },
  /** Requests to our `near` closest go direct (see RequestTunnel); matches LINK_DEFAULTS.near. */
  near: LINK_DEFAULTS.near,
  /** Tokens a tunnel frame with a bad signature takes from its carrier's bucket: a verification costs ~1 ms. */
  badSignatureCost: 20,
  /** A first hop that brought back a forged answer is not used as a relay for this long, ms. */
  suspectMs: 600_000,
} as const;

export const ROUTER_DEFAULTS = {
  /** Hops a route may take. */
  maxTtl: 8,
  /** Routes (signaling envelopes) relayed per peer per second, and burst: a dial needs two or three. */
  rate: { perSecond: 20, burst: 60 },
} as const;

/**
 * How a connection budget of `maxOpen` slots is shared: our own links (near + far) leave
 * `reservedSlots` free, of which inbound links may take all but `spareSlots` (kept for chat
 * partners and one-off dials). With the browser's 24: 8 near, 8 far, 6 inbound, 2 spare.
 */
export const BUDGET_SHARES = {
  reservedSlots: 8,
  spareSlots: 2,
} as const;
