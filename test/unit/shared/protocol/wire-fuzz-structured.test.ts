/**
 * Structured wire fuzzing (test/tools/fuzz-wire.ts): 10^5 seeded cases of bit flips, length
 * rewrites, truncation, concatenation, nesting and garbage, decoded and fed to a live node with
 * every extension. `npm run fuzz:wire` runs 10^6.
 */
import { describe, expect, it } from 'vitest';
import { fuzzWire, WIRE_MUTATIONS } from '../../../tools/fuzz-wire';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(0x16f0);

describe('structured wire fuzzing (10^5 cases)', () => {
  it('every mutated frame decodes consistently or is rejected with a known code, and the node never throws', { timeout: 60_000 }, () => {
    const s = fuzzWire({ seed: SEED, cases: 100_000 });
    const at = `(seed ${SEED})`;
    expect(s.cases, at).toBe(100_000);
    for (const m of WIRE_MUTATIONS) expect(s.byMutation[m] ?? 0, `${m} ${at}`).toBeGreaterThan(10_000);
    expect(s.decoded, at).toBeGreaterThan(10_000);
    expect(
      Object.values(s.rejected).reduce((a, b) => a + b, 0),
      at,
    ).toBeGreaterThan(30_000);
    expect(s.nodeCounters['recv.tunnel'] ?? 0, `nested tunnels reached the node ${at}`).toBeGreaterThan(1000);
    // A slow input class would be a sixth of the cases; a GC pause or a busy machine, a few.
    expect(s.slowCases, `cases over 50 ms ${at}: ${JSON.stringify(s.slowKinds)}`).toBeLessThan(s.cases / 100);
  });
});
