/**
 * Virtual time for the simulator: an event heap ordered by (time, sequence number), so ties
 * always resolve in scheduling order and every run is reproducible. Implements the core's Clock.
 */
import type { Clock, TimerHandle } from '../env/clock';

/**
 * An event in the heap. `fn` is called as a method of the event, so a caller can schedule an
 * object of its own (see `schedule`) instead of allocating a closure per event.
 */
export interface SimEvent {
  t: number;
  fn: () => void;
  dead: boolean;
}

const NOOP = (): void => {};

export class VirtualClock implements Clock {
  // A binary heap kept as parallel arrays: sift-up/down compare (time, seq) in two flat typed
  // arrays instead of chasing a pointer per comparison (the heap holds ~100k events at 10k nodes).
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private events: (SimEvent | undefined)[] = [];
  private size = 0;
  private seq = 0;
  private t: number;
  /** Events executed so far. */
  executed = 0;

  /** `start`: the clock's first reading, ms (a realistic epoch where code under test cares). */
  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const ev: SimEvent = { t: this.t + Math.max(ms, 0), fn, dead: false };
    this.push(ev);
    return ev;
  }

  /** Schedule a caller-built event (its `fn` runs with the event as `this`) in `ms`. */
  schedule(ev: SimEvent, ms: number): void {
    ev.t = this.t + Math.max(ms, 0);
    ev.dead = false;
    this.push(ev);
  }

  clearTimeout(h: TimerHandle): void {
    if (!h || typeof h !== 'object') return;
    // The event stays in the heap until its time; let go of its callback (and whatever that
    // holds: a request, a lookup) now, so it does not outlive its use and get promoted.
    const ev = h as SimEvent;
    ev.dead = true;
    ev.fn = NOOP;
  }

  /** Events in the heap, cleared ones included (they leave it when their time comes). */
  get pending(): number {
    return this.size;
  }

  /** Time of the earliest event in the heap (a cleared one included), or undefined when empty. */
  peek(): number | undefined {
    return this.size > 0 ? this.times[0] : undefined;
  }

  /** Timers still due to fire (scans the heap: for tests). */
  get liveTimers(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (!this.events[i]!.dead) n++;
    return n;
  }

  /** Run every event due at or before `until`; the clock ends at `until`. */
  runUntil(until: number, maxEvents = Infinity): number {
    let n = 0;
    while (this.size > 0 && this.times[0]! <= until && n < maxEvents) {
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

  /**
   * Set the reading to `t`, forward or back, without running events: stands for a wall clock that
   * was reset (tests of code that must survive one). Scheduled events keep their times.
   */
  warp(t: number): void {
    this.t = t;
  }

  runFor(ms: number): number {
    return this.runUntil(this.t + ms);
  }

  /** Run until no live event is left (or the cap is hit). Returns events executed. */
  runUntilIdle(maxEvents = 50_000_000): number {
    let n = 0;
    while (this.size > 0 && n < maxEvents) {
      const ev = this.pop();
      if (ev.dead) continue;
      this.t = ev.t;
      n++;
      ev.fn();
    }
    this.executed += n;
    return n;
  }

  private push(ev: SimEvent): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const evs = this.events;
    const t = ev.t;
    const q = this.seq++;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < t || (pt === t && seqs[p]! < q)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      evs[i] = evs[p]!;
      i = p;
    }
    times[i] = t;
    seqs[i] = q;
    evs[i] = ev;
  }

  private pop(): SimEvent {
    const times = this.times;
    const seqs = this.seqs;
    const evs = this.events;
    const top = evs[0]!;
    const n = --this.size;
    if (n > 0) {
      // Sift the last element down from the root.
      const t = times[n]!;
      const q = seqs[n]!;
      const ev = evs[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let m = l;
        const r = l + 1;
        if (r < n && (times[r]! < times[l]! || (times[r] === times[l] && seqs[r]! < seqs[l]!))) m = r;
        const mt = times[m]!;
        if (t < mt || (t === mt && q < seqs[m]!)) break;
        times[i] = mt;
        seqs[i] = seqs[m]!;
        evs[i] = evs[m]!;
        i = m;
      }
      times[i] = t;
      seqs[i] = q;
      evs[i] = ev;
    }
    evs[n] = undefined;
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}
