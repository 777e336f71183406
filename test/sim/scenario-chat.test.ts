/**
 * The chat scenario at 500 nodes (a fifth malicious, 40 users, 2 simulated hours of Weibull
 * churn): every message arrives exactly once and in order, none is forged or replayed. The seed is
 * printed. Sized for the test suite's time budget (1,000 nodes, 60 users and 3 h took 7.7 min on a
 * loaded 2-core machine); `npm run sim -- --scenario chat --json` runs 1,000 nodes for 24 h.
 */
import { describe, it } from 'vitest';
import { runChat } from './scenarios/chat';
import { expectChatDelivered } from '../helpers/chat-scenario';
import { testSeed } from '../helpers/dht';

const SEED = testSeed(1);

describe('scenario: chat', () => {
  it('nothing lost, duplicated, reordered, forged or replayed under churn and attack', { timeout: 2_400_000 }, async () => {
    const r = await runChat({ seed: SEED, nodes: 500, users: 40, hours: 2 });
    expectChatDelivered(r, SEED, { sent: 100, away: 10, forgeAttempts: 0 });
  });
});
