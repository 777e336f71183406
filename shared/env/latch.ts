/**
 * A one-way gate: `wait()` resolves once `open()` is called (at once after it), or rejects with
 * the error of `fail()` if that comes first. Opening or failing again changes nothing.
 */
export class Latch {
  private state: 'waiting' | 'open' | { error: Error } = 'waiting';
  private readonly waiters: Array<{ resolve(): void; reject(e: Error): void }> = [];

  get isOpen(): boolean {
    return this.state === 'open';
  }

  wait(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.state !== 'waiting') return Promise.reject(this.state.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  open(): void {
    if (this.state !== 'waiting') return;
    this.state = 'open';
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  fail(error: Error): void {
    if (this.state !== 'waiting') return;
    this.state = { error };
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}
