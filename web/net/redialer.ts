/**
 * Redialing protected peers after their connection failed (not after a BYE or a deliberate
 * close): after reconnectDelayMs × (failures + 1), at most maxReconnects failed attempts in a row;
 * an attempt that opens resets the count (`opened`). The transport says what "protected",
 * "linked" and "dial" mean.
 */
import type { Clock, TimerHandle } from '../../shared/env/clock';
import type { PeerId } from '../../shared/env/transport';

export interface RedialHost {
  readonly clock: Clock;
  readonly delayMs: number;
  readonly max: number;
  /** Whether the transport still runs (not leaving or destroyed). */
  running(): boolean;
  isProtected(peer: PeerId): boolean;
  hasLink(peer: PeerId): boolean;
  redial(peer: PeerId): void;
}

export class Redialer {
  private readonly timers = new Map<PeerId, TimerHandle>();
  private readonly failures = new Map<PeerId, number>();

  constructor(private readonly host: RedialHost) {}

  /** The connection to `peer` failed (`wasOpen`: after it had opened): redial it later if protected. */
  failed(peer: PeerId, wasOpen: boolean): void {
    const h = this.host;
    if (!h.running() || !h.isProtected(peer) || this.timers.has(peer)) return;
    const failures = wasOpen ? 0 : (this.failures.get(peer) ?? 0) + 1;
    this.failures.set(peer, failures);
    if (failures > h.max) return;
    const t = h.clock.setTimeout(
      () => {
        this.timers.delete(peer);
        if (!h.running() || h.hasLink(peer) || !h.isProtected(peer)) return;
        h.redial(peer);
      },
      h.delayMs * (failures + 1),
    );
    this.timers.set(peer, t);
  }

  /** A connection to `peer` opened: its failures start again from none. */
  opened(peer: PeerId): void {
    this.failures.delete(peer);
  }

  /** Cancel every pending redial. */
  stop(): void {
    for (const t of this.timers.values()) this.host.clock.clearTimeout(t);
    this.timers.clear();
  }
}
