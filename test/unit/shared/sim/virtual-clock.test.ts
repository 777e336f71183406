import { describe, expect, it } from 'vitest';
import { VirtualClock, type SimEvent } from '../../../../shared/sim/virtual-clock';

describe('VirtualClock', () => {
  it('runs events in time order, ties in scheduling order', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.setTimeout(() => log.push('b@20'), 20);
    c.setTimeout(() => log.push('a@10'), 10);
    c.setTimeout(() => log.push('c@20'), 20);
    c.setTimeout(() => log.push('d@0'), 0);
    c.setTimeout(() => log.push('e@-5 runs at 0, after d'), -5);
    expect(c.runUntilIdle()).toBe(5);
    expect(log).toEqual(['d@0', 'e@-5 runs at 0, after d', 'a@10', 'b@20', 'c@20']);
    expect(c.now()).toBe(20);
    expect(c.executed).toBe(5);
  });

  it('an event scheduled for "now" from inside an event runs after those already due at that time', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.setTimeout(() => {
      log.push('first');
      c.setTimeout(() => log.push('nested'), 0);
    }, 5);
    c.setTimeout(() => log.push('second'), 5);
    c.runUntilIdle();
    expect(log).toEqual(['first', 'second', 'nested']);
  });

  it('clearTimeout cancels; clearing twice or a foreign handle is harmless', () => {
    const c = new VirtualClock();
    const log: number[] = [];
    const h = c.setTimeout(() => log.push(1), 10);
    c.setTimeout(() => log.push(2), 10);
    c.clearTimeout(h);
    c.clearTimeout(h);
    c.clearTimeout(undefined);
    c.clearTimeout(42);
    expect(c.runUntilIdle()).toBe(1);
    expect(log).toEqual([2]);
  });

  it('schedule() runs a caller-built event as a method of itself, in (time, seq) order with timers', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    class Ping implements SimEvent {
      t = 0;
      dead = false;
      constructor(readonly name: string) {}
      fn(): void {
        log.push(`${this.name}@${c.now()}`);
      }
    }
    c.setTimeout(() => log.push('timer@10'), 10);
    c.schedule(new Ping('p'), 10);
    c.schedule(new Ping('q'), 5);
    const dead = new Ping('cancelled');
    c.schedule(dead, 7);
    c.clearTimeout(dead);
    expect(c.runUntilIdle()).toBe(3);
    expect(log).toEqual(['q@5', 'timer@10', 'p@10']);
  });

  it('a cleared timer lets go of its callback at once', () => {
    const c = new VirtualClock();
    const h = c.setTimeout(() => undefined, 1000) as SimEvent;
    const fn = h.fn;
    c.clearTimeout(h);
    expect(h.fn).not.toBe(fn);
    expect(h.dead).toBe(true);
  });

  it('runUntil runs events due at or before the bound and leaves the clock at the bound', () => {
    const c = new VirtualClock();
    const log: number[] = [];
    for (const t of [5, 10, 15]) c.setTimeout(() => log.push(t), t);
    expect(c.runUntil(10)).toBe(2);
    expect(log).toEqual([5, 10]);
    expect(c.now()).toBe(10);
    c.runFor(100);
    expect(c.now()).toBe(110);
    expect(log).toEqual([5, 10, 15]);
    // Timers are relative to the current virtual time.
    c.setTimeout(() => log.push(c.now()), 7);
    c.runFor(7);
    expect(log.at(-1)).toBe(117);
  });

  it('maxEvents caps a run', () => {
    const c = new VirtualClock();
    let n = 0;
    const tick = () => {
      n++;
      c.setTimeout(tick, 1);
    };
    c.setTimeout(tick, 1);
    expect(c.runUntilIdle(1000)).toBe(1000);
    expect(n).toBe(1000);
    expect(c.runUntil(Infinity, 10)).toBe(10);
  });

  it('orders a large random schedule exactly like a stable sort by (time, seq)', () => {
    const c = new VirtualClock();
    const got: number[] = [];
    const want: { t: number; i: number }[] = [];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const t = x % 100;
      want.push({ t, i });
      c.setTimeout(() => got.push(i), t);
    }
    c.runUntilIdle();
    expect(got).toEqual(want.sort((a, b) => a.t - b.t || a.i - b.i).map((w) => w.i));
  });
});
