/**
 * The chat scenario at the test size: 1,000 users on 1,250 nodes (a fifth malicious),
 * contacts made through addresses, then a quarter hour of Weibull churn, everyone back for half an
 * hour, and every message checked: none lost, duplicated, reordered, forged or replayed. Node's
 * Curve25519 stands in for noble's (same results, test/sim/native-curves.test.ts): noble's bigint
 * arithmetic alone would add minutes. The seed is printed. The 500-node test beside it runs two
 * simulated hours with noble; `npm run sim -- --scenario chat --users 1000 --hours 24` runs a day.
 */
import { describe, expect, it } from 'vitest';
import { useCurves } from '../../shared/crypto/curves';
import { testSeed } from '../helpers/dht';
import { nativeCurves } from './native-curves';
import { runChat } from './scenarios/chat';

const SEED = testSeed(1);

describe('scenario: chat at 1,000 users', () => {
  it('nothing lost, duplicated, reordered, forged or replayed', { timeout: 3_600_000 }, async () => {
    const before = useCurves(nativeCurves());
    let r: Record<string, unknown>;
    try {
      r = await runChat({ seed: SEED, nodes: 1250, users: 1000, hours: 0.25 });
    } finally {
      useCurves(before);
    }
    const why = `seed ${SEED}: ${JSON.stringify(r)}`;
    console.info(why);
    expect(r.users, why).toBe(1000);
    expect(r.malicious, why).toBe(250);
    expect(r.contactPairs as number, why).toBeGreaterThan(1500);
    expect(r.acceptedPairs, why).toBe(r.contactPairs);
    expect(r.sent as number, why).toBeGreaterThan(500);
    expect(r.sentWhileRecipientAway as number, why).toBeGreaterThan(50);
    expect(r.lost, why).toBe(0);
    expect(r.delivered, why).toBe(r.sent);
    expect(r.duplicates, why).toBe(0);
    expect(r.outOfOrder, why).toBe(0);
    expect(r.forgedAccepted, why).toBe(0);
    expect(r.replayAccepted, why).toBe(0);
    expect(r.attackerForgeAttempts as number, why).toBeGreaterThan(10_000);
  });
});
