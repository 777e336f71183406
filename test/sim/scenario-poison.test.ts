import { describe, expect, it } from 'vitest';
import { runPoison } from './scenarios/poison';

describe('scenario: poison (30% malicious nodes)', () => {
  it('accepts no forged record and serves no stale read', () => {
    const seed = 7;
    const s = runPoison({ seed, nodes: 60, owners: 8, minutes: 8, storeAttacks: 1500, getEveryMs: 2000 });
    const at = `(seed ${seed})`;
    expect(s.malicious, at).toBe(18);
    expect(s.forgeAttempts as number, `forge attempts ${at}`).toBeGreaterThanOrEqual(1200);
    expect(s.replayAttempts as number, `replay attempts ${at}`).toBeGreaterThan(50);
    expect(s.staleAnswers as number, `stale answers from attackers ${at}`).toBeGreaterThan(20);
    expect((s.storesLied as number) + (s.storesSilent as number), `dropped stores ${at}`).toBeGreaterThan(0);
    expect(s.forgedAccepted, `forged records accepted ${at}`).toBe(0);
    expect(s.forgeStoredAnswers, `honest nodes answering 'stored' to a forgery ${at}`).toBe(0);
    expect(s.gets as number, `gets ${at}`).toBeGreaterThanOrEqual(150);
    expect(s.staleReads, `stale reads ${at}`).toBe(0);
    expect(s.getSuccess as number, `get success ${at}`).toBeGreaterThanOrEqual(0.99);
  });
});
