/** The checks every run of the chat scenario (test/sim/scenarios/chat.ts) must pass, with the seed and the result in each message. */
import { expect } from 'vitest';

export function expectChatDelivered(
  r: Record<string, unknown>,
  seed: number,
  least: { sent: number; away: number; forgeAttempts: number },
): void {
  const why = `seed ${seed}: ${JSON.stringify(r)}`;
  console.info(why);
  expect(r.acceptedPairs, why).toBe(r.contactPairs);
  expect(r.sent as number, why).toBeGreaterThan(least.sent);
  expect(r.sentWhileRecipientAway as number, why).toBeGreaterThan(least.away);
  expect(r.lost, why).toBe(0);
  expect(r.delivered, why).toBe(r.sent);
  expect(r.duplicates, why).toBe(0);
  expect(r.outOfOrder, why).toBe(0);
  expect(r.forgedAccepted, why).toBe(0);
  expect(r.replayAccepted, why).toBe(0);
  expect(r.attackerForgeAttempts as number, why).toBeGreaterThan(least.forgeAttempts);
}
