/**
 * Requests awaiting an answer by id (the signal client's `bootstrap` and `turn`): each is a promise
 * that the answer resolves, an error frame with its ref rejects, or a timeout rejects with TIMEOUT.
 */
import type { Clock, TimerHandle } from '../../shared/env/clock';
import { SignalClientError } from './signal-client-types';

export class PendingRequests<T> {
  private readonly requests = new Map<number, { resolve(v: T): void; reject(e: Error): void; timer: TimerHandle }>();

  constructor(private readonly clock: Clock) {}

  /** Await the answer to request `id`; rejects with TIMEOUT (`what`) after `timeoutMs`. */
  add(id: number, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.requests.delete(id);
        reject(new SignalClientError('TIMEOUT', what));
      }, timeoutMs);
      this.requests.set(id, { resolve, reject, timer });
    });
  }

  /** The answer to request `id`, if it is awaited. */
  resolve(id: number | undefined, value: T): void {
    const req = id === undefined ? undefined : this.requests.get(id);
    if (!req || id === undefined) return;
    this.requests.delete(id);
    this.clock.clearTimeout(req.timer);
    req.resolve(value);
  }

  /** Request `id` failed (an error frame with its ref), if it is awaited. */
  reject(id: number | undefined, err: Error): void {
    const req = id === undefined ? undefined : this.requests.get(id);
    if (!req || id === undefined) return;
    this.requests.delete(id);
    this.clock.clearTimeout(req.timer);
    req.reject(err);
  }

  /** Fail every request awaited. */
  failAll(err: Error): void {
    for (const req of this.requests.values()) {
      this.clock.clearTimeout(req.timer);
      req.reject(err);
    }
    this.requests.clear();
  }
}
