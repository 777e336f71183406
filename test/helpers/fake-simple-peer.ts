/**
 * A scriptable stand-in for simple-peer, so the transport's state machine (glare, queues,
 * timeouts, BYE, back-pressure, budget) is unit-tested without WebRTC and on a fake clock.
 */
import type { SimplePeerCtor } from '../../web/net/webrtc-transport';

type Listener = (...args: unknown[]) => void;

export class FakePeer {
  static all: FakePeer[] = [];
  readonly opts: Record<string, unknown>;
  readonly signals: unknown[] = [];
  readonly sent: Uint8Array[] = [];
  bufferSize = 0;
  destroyed = false;
  private listeners = new Map<string, Listener[]>();

  constructor(opts: Record<string, unknown> = {}) {
    this.opts = opts;
    FakePeer.all.push(this);
  }
  on(ev: string, fn: Listener): this {
    this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), fn]);
    return this;
  }
  emit(ev: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(ev) ?? []) fn(...args);
  }
  signal(data: unknown): void {
    if (this.destroyed) throw new Error('cannot signal after peer is destroyed');
    this.signals.push(data);
  }
  send(chunk: Uint8Array): void {
    if (this.destroyed) throw new Error('cannot send after peer is destroyed');
    this.sent.push(chunk);
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
  get initiator(): boolean {
    return this.opts.initiator === true;
  }
}

export const FakePeerCtor = FakePeer as unknown as SimplePeerCtor;
