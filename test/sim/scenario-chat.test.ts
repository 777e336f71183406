/**
 * The chat scenario at 1,000 nodes (a fifth malicious, 60 users, 3 simulated hours of Weibull
 * churn): every message arrives exactly once and in order, none is forged or replayed. The seed is
 * printed on failure. A few minutes on an idle 2-core machine; the timeout allows a much slower one.
 */
import { describe, expect, it } from 'vitest';
import { runChat } from './scenarios/chat';
import { testSeed } from '../helpers/dht';

const SEED = testSeed(1);

describe('scenario: chat', () => {
  it('nothing lost, duplicated, reordered, forged or replayed under churn and attack', { timeout: 2_400_000 }, async () => {
    const r = await runChat({ seed: SEED, nodes: 1000, users: 60, hours: 3 });
    const why = `seed ${SEED}: ${JSON.stringify(r)}`;
    console.info(why);
    expect(r.sent as number, why).toBeGreaterThan(200);
    expect(r.sentWhileRecipientAway as number, why).toBeGreaterThan(20);
    expect(r.lost, why).toBe(0);
    expect(r.delivered, why).toBe(r.sent);
    expect(r.duplicates, why).toBe(0);
    expect(r.outOfOrder, why).toBe(0);
    expect(r.forgedAccepted, why).toBe(0);
    expect(r.replayAccepted, why).toBe(0);
    expect(r.attackerForgeAttempts as number, why).toBeGreaterThan(0);
  });
});
