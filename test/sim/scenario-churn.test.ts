import { describe, expect, it } from 'vitest';
import { runChurn } from './scenarios/churn';

describe('scenario: churn (Weibull sessions)', () => {
  it('gets for live owners return the newest record', () => {
    const seed = 3;
    const s = runChurn({ seed, nodes: 50, hours: 1.2, medianSessionMin: 20, warmupMs: 15 * 60_000, getEveryMs: 6000 });
    const at = `(seed ${seed})`;
    expect(s.departures, `departures ${at}`).toBeGreaterThan(30);
    expect(s.gets, `gets ${at}`).toBeGreaterThanOrEqual(400);
    expect(s.availability, `availability ${at}`).toBeGreaterThanOrEqual(0.99);
    expect(s.messagesPerNodePerMinute, `traffic is measured ${at}`).toBeGreaterThan(0);
  });
});
