/**
 * Running promise-based code (the chat layer) on virtual time. The clock runs events
 * synchronously, so a promise resolved by an event continues only after the clock returns; left
 * alone, every `await` would wait for the end of a whole `runFor`. The driver runs one event time
 * at a time and lets pending continuations run between them (a few microtask turns), so an await
 * costs no virtual time, as on a real machine where it costs microseconds.
 */
import type { VirtualClock } from './virtual-clock';

/** Microtask turns given to continuations after each event time (deeper chains finish at the next one). */
const TURNS = 12;

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/** Advance `clock` by `ms`, letting promise continuations run between events. */
export async function runAsync(clock: VirtualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  await turns(TURNS);
  for (;;) {
    const next = clock.peek();
    if (next === undefined || next > end) break;
    clock.runUntil(next);
    await turns(TURNS);
  }
  clock.runUntil(end);
  await turns(TURNS);
}

/** Advance virtual time until `p` settles (or `maxMs` passes); returns `p`. */
export async function settleAsync<T>(clock: VirtualClock, p: Promise<T>, maxMs = 600_000, stepMs = 50): Promise<T> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  const end = clock.now() + maxMs;
  while (!done && clock.now() < end) await runAsync(clock, stepMs);
  return p;
}
