/** Named counters (drops by reason, messages, refusals). Plain object so it serializes to JSON. */
export class Counters {
  readonly values: Record<string, number> = {};

  inc(name: string, by = 1): void {
    this.values[name] = (this.values[name] ?? 0) + by;
  }

  get(name: string): number {
    return this.values[name] ?? 0;
  }

  snapshot(): Record<string, number> {
    return { ...this.values };
  }
}
