/**
 * The one thing the DHT core needs from a network: send an opaque frame to a peer named by
 * its node id, and be told about frames that arrive. Implementations: the simulator's
 * `SimNetwork` endpoints (shared/sim), WebRTC data channels (web/net), tests' in-memory pairs.
 *
 * Peers are addressed by node id (lower-case hex, 40 chars): in a browser overlay there is no
 * IP:port to dial, only an id to reach through signaling. The transport authenticates `from`
 * (WebRTC: the signaling hello / signed SDP envelope binds the DTLS channel to the id).
 */
export type PeerId = string;

export interface Transport {
  /**
   * Best-effort send. Never throws for network reasons: an unreachable peer simply produces
   * no answer (the RPC layer times out). May open a connection first.
   */
  send(to: PeerId, frame: Uint8Array): void;
  /** Register the single frame handler. Called synchronously or from the event loop. */
  onFrame(handler: (from: PeerId, frame: Uint8Array) => void): void;
  /** Optional: notified when the transport knows a peer is gone (connection closed/failed). */
  onPeerDown?(handler: (peer: PeerId) => void): void;
  /**
   * Optional: whether a frame to `peer` can leave now, without first opening a connection
   * (WebRTC). The RPC layer allows extra time for requests that must dial first.
   */
  isConnected?(peer: PeerId): boolean;
}
