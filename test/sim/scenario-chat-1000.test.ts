/**
 * The chat scenario at the test size: 1,000 users on 1,250 nodes (a fifth malicious),
 * contacts made through addresses, then a quarter hour of Weibull churn, everyone back for half an
 * hour, and every message checked: none lost, duplicated, reordered, forged or replayed. Node's
 * Curve25519 stands in for noble's (same results, test/sim/native-curves.test.ts): noble's bigint
 * arithmetic alone would add minutes. The seed is printed. The 500-node test beside it runs two
 * simulated hours with noble; `npm run sim -- --scenario chat --users 1000 --hours 24` runs a day.
 */
import { describe, expect, it } from 'vitest';
import { withCurves } from '../../shared/crypto/curves';
import { expectChatDelivered } from '../helpers/chat-scenario';
import { testSeed } from '../helpers/dht';
import { nativeCurves } from './native-curves';
import { runChat } from './scenarios/chat';

const SEED = testSeed(1);

describe('scenario: chat at 1,000 users', () => {
  it('nothing lost, duplicated, reordered, forged or replayed', { timeout: 3_600_000 }, async () => {
    const r = await withCurves(nativeCurves(), () => runChat({ seed: SEED, nodes: 1250, users: 1000, hours: 0.25 }));
    expect(r.users).toBe(1000);
    expect(r.malicious).toBe(250);
    expect(r.contactPairs as number).toBeGreaterThan(1500);
    expectChatDelivered(r, SEED, { sent: 500, away: 50, forgeAttempts: 10_000 });
  });
});
