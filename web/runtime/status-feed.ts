/**
 * A value's subscribers: each is told at once, then on every change (a value with the same JSON
 * as the last one told is no change). A subscriber's exception stays its own.
 */
import { callSafely } from '../../shared/env/safe-call';

export class StatusFeed<T> {
  private readonly listeners = new Set<(s: T) => void>();
  private last = '';

  constructor(private readonly read: () => T) {}

  /** Subscribe (called at once with the current value). Returns unsubscribe. */
  on(fn: (s: T) => void): () => void {
    this.listeners.add(fn);
    callSafely(() => fn(this.read()));
    return () => this.listeners.delete(fn);
  }

  /** Tell every subscriber the current value, if it changed since the last one told. */
  emit(): void {
    const s = this.read();
    const key = JSON.stringify(s);
    if (key === this.last) return;
    this.last = key;
    for (const fn of [...this.listeners]) callSafely(() => fn(s));
  }
}
