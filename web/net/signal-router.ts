/**
 * Picks the signaling path per message: the overlay first (signed envelopes over open data
 * channels), the WebSocket server only when the overlay has no path. Receives from all paths.
 */
import type { PeerId } from '../../shared/env/transport';
import type { SignalHandler, SignalPayload, Signaler } from './signaler';

export interface SignalRoute {
  /** For stats, e.g. 'overlay' or 'server'. */
  name: string;
  signaler: Signaler;
  /** Can this path reach `to` now? Omitted = always. */
  canReach?(to: PeerId): boolean;
}

export class SignalRouter implements Signaler {
  /** Signals sent per route name, and 'unroutable' (no route could take it). */
  readonly sent: Record<string, number> = { unroutable: 0 };

  constructor(private readonly routes: SignalRoute[]) {
    for (const r of routes) this.sent[r.name] = 0;
  }

  send(to: PeerId, signal: SignalPayload): void {
    for (const r of this.routes) {
      if (r.canReach && !r.canReach(to)) continue;
      this.sent[r.name]!++;
      r.signaler.send(to, signal);
      return;
    }
    this.sent.unroutable!++;
  }

  onSignal(handler: SignalHandler): void {
    for (const r of this.routes) r.signaler.onSignal(handler);
  }
}
