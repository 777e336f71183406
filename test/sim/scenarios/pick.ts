/** Seeded choices shared by the scenarios. */
import { SeededRng } from '../../../shared/env/rng';

/** A seeded choice of `m` indices out of `n`, plus an rng for the attackers. */
export class SeedPick {
  readonly rng: SeededRng;
  private readonly chosen = new Set<number>();
  constructor(seed: number, n: number, m: number) {
    this.rng = new SeededRng(seed);
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < m && i < n; i++) {
      const j = i + this.rng.int(n - i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      this.chosen.add(idx[i]!);
    }
  }
  has(i: number): boolean {
    return this.chosen.has(i);
  }
}

export function shuffle<T>(xs: T[], rng: { int(n: number): number }): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
