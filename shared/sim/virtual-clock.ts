/**
 * Virtual time for the simulator: an event heap ordered by (time, sequence number), so ties
 * always resolve in scheduling order and every run is reproducible. Implements the core's Clock.
 */
import type { Clock, TimerHandle } from '../env/clock';

interface SimEvent {
  t: number;
  seq: number;
  fn: () => void;
  dead: boolean;
}

export class VirtualClock implements Clock {
  private heap: SimEvent[] = [];
  private seq = 0;
  private t = 0;
  /** Events executed so far. */
  executed = 0;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const ev: SimEvent = { t: this.t + (ms > 0 ? ms : 0), seq: this.seq++, fn, dead: false };
    this.push(ev);
    return ev;
  }

  clearTimeout(h: TimerHandle): void {
    if (h && typeof h === 'object') (h as SimEvent).dead = true;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Run every event due at or before `until`; the clock ends at `until`. */
  runUntil(until: number, maxEvents = Infinity): number {
    let n = 0;
    while (this.heap.length > 0 && this.heap[0]!.t <= until && n < maxEvents) {
      const ev = this.pop();
      if (ev.dead) continue;
      this.t = ev.t;
      n++;
      ev.fn();
    }
    if (n < maxEvents && until > this.t) this.t = until;
    this.executed += n;
    return n;
  }

  runFor(ms: number): number {
    return this.runUntil(this.t + ms);
  }

  /** Run until no live event is left (or the cap is hit). Returns events executed. */
  runUntilIdle(maxEvents = 50_000_000): number {
    let n = 0;
    while (this.heap.length > 0 && n < maxEvents) {
      const ev = this.pop();
      if (ev.dead) continue;
      this.t = ev.t;
      n++;
      ev.fn();
    }
    this.executed += n;
    return n;
  }

  private less(a: SimEvent, b: SimEvent): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): SimEvent {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
