/** Time source injected into the core so the simulator can run it on virtual time. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds, monotonic within a run. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock, for browsers and Node. */
export const systemClock: Clock = {
  now: () => (typeof performance !== 'undefined' ? performance.timeOrigin + performance.now() : Date.now()),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h),
};
