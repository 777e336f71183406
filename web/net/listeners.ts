/**
 * Typed event listeners (the signal client's `on`/`off`/`emit`): a listener that throws is
 * ignored, so a listener's bug cannot break the emitter, and listeners added or removed while
 * an event is delivered take effect from the next one.
 */
export type Listener<T> = (ev: T) => void;

export class Listeners<E> {
  private readonly sets: { [K in keyof E]?: Set<Listener<E[K]>> } = {};

  /** Add `fn`; returns a function that removes it. */
  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.sets[event];
    if (!set) set = this.sets[event] = new Set();
    set.add(fn);
    return () => this.off(event, fn);
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): void {
    this.sets[event]?.delete(fn);
  }

  emit<K extends keyof E>(event: K, ev: E[K]): void {
    for (const fn of [...(this.sets[event] ?? [])]) {
      try {
        fn(ev);
      } catch {
        // a listener's bug must not break the emitter
      }
    }
  }
}
