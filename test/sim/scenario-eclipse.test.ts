import { describe, expect, it } from 'vitest';
import { runEclipse } from './scenarios/eclipse';
import type { EclipseMode } from '../../shared/sim/eclipse';

// The full figures (1,000 nodes, 20 and 40 ids per key): npm run sim -- --scenario eclipse --json.
describe('scenario: eclipse (ids ground to be the closest to a key)', () => {
  for (const mode of ['drop', 'silent'] as EclipseMode[]) {
    it(`gets still return the newest seq when the 20 closest ids are attackers (${mode})`, { timeout: 120_000 }, () => {
      const seed = 16;
      const r = runEclipse({ seed, nodes: 300, attackers: 20, keys: 2, mode, minutes: 8, getEveryMs: 4000 });
      const at = `(seed ${seed})`;
      expect(r.attackersClosest, `attackers are the closest ids ${at}`).toBe(1);
      expect(r.gets, at).toBeGreaterThanOrEqual(90);
      expect(r.getSuccess, `get success ${at}`).toBeGreaterThanOrEqual(0.99);
    });
  }
});
