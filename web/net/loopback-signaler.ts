/**
 * In-memory signaling for tests: every endpoint registered on one hub can signal every other.
 * Delivery is asynchronous (a macrotask) and FIFO per hub, like a WebSocket relay. Signals are
 * JSON round-tripped so nothing shares object identity across "the wire".
 */
import type { PeerId } from '../../shared/env/transport';
import { parseSignalPayload, type SignalHandler, type SignalPayload, type Signaler } from './signaler';

export interface LoopbackHubOptions {
  /** Return true to drop a signal (simulate loss or an unreachable node). */
  filter?: (from: PeerId, to: PeerId, signal: SignalPayload) => boolean;
}

export class LoopbackSignalHub {
  private readonly handlers = new Map<PeerId, SignalHandler>();
  /** Signals delivered / dropped (unknown target, filter). */
  delivered = 0;
  dropped = 0;

  constructor(private readonly opts: LoopbackHubOptions = {}) {}

  endpoint(id: PeerId): Signaler {
    return {
      send: (to, signal) => this.relay(id, to, signal),
      onSignal: (handler) => {
        this.handlers.set(id, handler);
      },
    };
  }

  /** Forget an endpoint: signals to it are dropped from now on. */
  remove(id: PeerId): void {
    this.handlers.delete(id);
  }

  private relay(from: PeerId, to: PeerId, signal: SignalPayload): void {
    if (this.opts.filter?.(from, to, signal)) {
      this.dropped++;
      return;
    }
    const wire = JSON.stringify(signal);
    setTimeout(() => {
      const h = this.handlers.get(to);
      const parsed = parseSignalPayload(JSON.parse(wire));
      if (!h || !parsed) {
        this.dropped++;
        return;
      }
      this.delivered++;
      h(from, parsed);
    }, 0);
  }
}
