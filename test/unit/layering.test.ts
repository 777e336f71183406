/**
 * The compiler enforces the layering: shared/ has neither DOM nor Node types and cannot import
 * web/, signal-server/ or (from shared/dht and the rest of the core) the simulator.
 */
import { describe, expect, it } from 'vitest';
import { PROBES, runProbe } from '../tools/check-layering';

describe('layering', () => {
  it('shared/ compiles as it is, and fails on every probe that breaks a layer', { timeout: 900_000 }, async () => {
    const results = [];
    // Two compilers at a time (2-core machines).
    for (let i = 0; i < PROBES.length; i += 2) results.push(...(await Promise.all(PROBES.slice(i, i + 2).map(runProbe))));
    const failed = results
      .filter((r) => !r.ok)
      .map((r) => `${r.probe.name}: got ${r.codes.join(', ') || 'no error'}\n${r.output.slice(0, 600)}`);
    expect(failed).toEqual([]);
    expect(results.length).toBe(PROBES.length);
  });
});
