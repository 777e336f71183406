import { describe, expect, it } from 'vitest';
import { runLinksOnce } from './scenarios/links';

describe('scenario: impaired links', () => {
  it('gets succeed over 16 KB/s links', () => {
    const seed = 11;
    const s = runLinksOnce({ seed, nodes: 80, owners: 8, gets: 150, network: { bandwidth: 16 * 1024 } });
    expect(s.gets, `gets (seed ${seed})`).toBe(150);
    expect(s.getSuccess, `get success (seed ${seed})`).toBeGreaterThanOrEqual(0.95);
  });

  it('gets succeed when 20% of node pairs cannot connect', () => {
    const seed = 12;
    const s = runLinksOnce({ seed, nodes: 80, owners: 8, gets: 150, network: { unreachable: 0.2 } });
    expect(s.dropped.unreachable ?? 0, `frames dropped as unreachable (seed ${seed})`).toBeGreaterThan(0);
    expect(s.getSuccess, `get success (seed ${seed})`).toBeGreaterThanOrEqual(0.95);
  });
});
