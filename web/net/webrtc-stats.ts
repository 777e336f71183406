/** WebRtcTransport's counters (webrtc-transport.ts): traffic, peer-downs, redials, glares, drops by reason, setup times. */
import type { NetErrorCode } from './errors';
import { DROP_REASONS, type DropReason, type TransportStats } from './webrtc-types';

/** Setup-time samples kept (the newest). */
const MAX_SETUP_SAMPLES = 256;

/** The drop reason for frames lost because a connection could not be created. */
export function reasonOf(code: NetErrorCode): DropReason {
  return code === 'POOL_FULL'
    ? 'pool_full'
    : code === 'LIFETIME_LIMIT'
      ? 'lifetime_limit'
      : code === 'UNSOLICITED'
        ? 'unsolicited'
        : 'connect_failed';
}

export class TransportMeter {
  readonly counters = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    peerDowns: 0,
    reconnects: 0,
    glares: 0,
    handlerErrors: 0,
  };
  private readonly drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  private readonly setupMs: number[] = [];

  /** Count `n` frames dropped for `reason`. */
  drop(reason: DropReason, n = 1): void {
    this.drops[reason] += n;
  }

  /** Record how long a dial took to open. */
  setup(ms: number): void {
    this.setupMs.push(ms);
    if (this.setupMs.length > MAX_SETUP_SAMPLES) this.setupMs.shift();
  }

  snapshot(open: number, connecting: number, lifetimeConnections: number): TransportStats {
    return {
      open,
      connecting,
      lifetimeConnections,
      ...this.counters,
      drops: { ...this.drops },
      setupMs: [...this.setupMs],
    };
  }
}
