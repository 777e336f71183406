import { describe, expect, it } from 'vitest';
import { runRelayForgery } from './scenarios/relay-forgery';

// The full figures (300 nodes, 10% and 20%): npm run sim -- --scenario relay-forgery --json.
describe('scenario: relay-forgery (20% of relays forge tunnel answers and inject origins)', () => {
  it('gets succeed, lookups find the true closest, and no injected id is filed', { timeout: 180_000 }, () => {
    const seed = 16;
    const r = runRelayForgery({ seed, nodes: 100, malicious: 0.2, minutes: 6, lookupsPerMinute: 20, getsPerMinute: 10 });
    const at = `(seed ${seed})`;
    expect(r.forged, `forged answers tried ${at}`).toBeGreaterThan(100);
    expect(r.injected, at).toBeGreaterThan(0);
    expect(r.unprovenFiled, `injected ids filed ${at}`).toBe(0);
    expect(r.getSuccess, `get success ${at}`).toBeGreaterThanOrEqual(0.97);
    expect(r.trueClosest, `true closest ${at}`).toBeGreaterThanOrEqual(0.9);
  });
});
