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
export declare class VirtualClock implements Clock {
    private times;
    private seqs;
    private events;
    private size;
    private seq;
    private t;
    /** Events executed so far. */
    executed: number;
    now(): number;
    setTimeout(fn: () => void, ms: number): TimerHandle;
    /** Schedule a caller-built event (its `fn` runs with the event as `this`) in `ms`. */
    schedule(ev: SimEvent, ms: number): void;
    clearTimeout(h: TimerHandle): void;
    get pending(): number;
    /** Run every event due at or before `until`; the clock ends at `until`. */
    runUntil(until: number, maxEvents?: number): number;
    runFor(ms: number): number;
    /** Run until no live event is left (or the cap is hit). Returns events executed. */
    runUntilIdle(maxEvents?: number): number;
    private push;
    private pop;
    private grow;
}
