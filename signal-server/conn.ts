/** One client connection's state, and what the hub needs from its socket and its environment (hub.ts). */
import type { Clock } from '../shared/env/clock';
import type { Rng } from '../shared/env/rng';
import type { Cluster } from './cluster/cluster';
import type { Logger } from './log';
import type { SignalMetrics } from './metrics';
import type { HubLimits } from './limits';
import { addressKey } from './address';
import { TokenBucket } from './token-bucket';

/** What the hub needs from one client socket. */
export interface ConnIO {
  send(frame: string): void;
  /** Bytes queued for this client and not yet written to the kernel. */
  buffered(): number;
  /** Polite close: close frame with code and reason. */
  close(code: number, reason: string): void;
  /** Hard close: destroy the socket now. */
  terminate(): void;
  /** Stop / restart reading from the socket (TCP backpressure throttles the sender). */
  pause(): void;
  resume(): void;
  /** Transport-level ping; the answer arrives as `hub.pong(conn)`. */
  ping(): void;
}

export interface HubComponents {
  clock: Clock;
  rng: Rng;
  /** Ed25519 verify; never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Node id (40 hex) of a public key. */
  nodeIdOf(publicKey: Uint8Array): string;
  metrics: SignalMetrics;
  log: Logger;
  /** Other instances of the same service; none: this server is alone (LocalCluster). */
  cluster?: Cluster;
}

/** One client connection. Kept small: this is what idle memory per connection is made of. */
export class Conn {
  nodeId: string | null = null;
  /** The cluster claim this connection holds on nodeId ('' alone): a displacement names it. */
  claim = '';
  nonce: string | null;
  /** Index in the hub's live array while authenticated (O(1) random sampling), else -1. */
  slot = -1;
  lastSeen: number;
  readonly openedAt: number;
  bucket: TokenBucket;
  /** Budget for relays delivered to this client; created at the first one. */
  inbound: TokenBucket | null = null;
  /** Since when the send backlog has been over maxBufferedBytes (0 = it is not). */
  overSince = 0;
  /** Reading is paused until a token is available. */
  paused = false;
  /** Last time a RATE_LIMITED error frame was sent (at most one per second). */
  limitedNoticeAt = 0;
  /** Last time the bucket ran dry, and how many times in a row (each within 10 s of the last). */
  limitedAt = -Infinity;
  strikes = 0;
  /** Last time this client's own bucket ran dry (it is not quiet for 10 s after). */
  dryAt = -Infinity;
  closed = false;
  /** The frame being handled came from a quiet client (its bucket was full): it may use the targets' reserve. */
  quiet = false;
  /** The address as the per-address limits count it (address.ts: IPv6 by /64). */
  readonly key: string;

  constructor(
    readonly io: ConnIO,
    readonly ip: string,
    nonce: string,
    now: number,
    limits: HubLimits,
  ) {
    this.nonce = nonce;
    this.key = addressKey(ip);
    this.lastSeen = now;
    this.openedAt = now;
    this.bucket = new TokenBucket(limits.ratePerSec, limits.burst, now);
  }
}
