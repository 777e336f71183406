/**
 * Two people on a 60-node simulated network: one shares its address, the other adds it, the
 * first accepts, and both find each other online, across a period rollover and a reload.
 */
import { describe, expect, it } from 'vitest';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import { openSimUser } from '../../shared/sim/chat-users';
import { createRecordsTestnet } from '../../shared/sim/records-testnet';
import { PERIOD_MS } from '../../shared/chat/constants';
import { testSeed } from '../helpers/dht';

const SEED = testSeed(21);

async function until(clock: Parameters<typeof runAsync>[0], cond: () => boolean, maxMs: number, what: string): Promise<number> {
  const start = clock.now();
  while (!cond()) {
    if (clock.now() - start > maxMs) throw new Error(`timed out waiting for ${what} (seed ${SEED})`);
    await runAsync(clock, 500);
  }
  return clock.now() - start;
}

describe('chat contacts on the simulator', () => {
  it('request, accept, both online; a reload keeps the contact', { timeout: 120_000 }, async () => {
    const rt = createRecordsTestnet(60, { seed: SEED });
    const rng = rt.tn.rng.fork();
    const alice = await openSimUser(rt.peers[5]!, 0, rng, { name: 'Alice' });
    const bob = await openSimUser(rt.peers[40]!, 1, rng, { name: 'Bob' });
    alice.chat.start();
    bob.chat.start();
    await runAsync(rt.clock, 20_000);

    const { contactId } = await settleAsync(rt.clock, bob.chat.people.addContact(alice.chat.address(), { message: 'hi Alice' }));
    expect(contactId).toBe(alice.chat.id);
    expect(bob.chat.people.list()).toMatchObject([{ contactId: alice.chat.id, state: 'requested', name: 'Alice' }]);
    await until(rt.clock, () => alice.chat.people.requests().length === 1, 120_000, 'the request to arrive');
    expect(alice.chat.people.requests()).toMatchObject([{ contactId: bob.chat.id, name: 'Bob', message: 'hi Alice' }]);

    await settleAsync(rt.clock, alice.chat.people.accept(bob.chat.id));
    await until(rt.clock, () => bob.chat.people.list()[0]?.state === 'accepted', 120_000, 'the acceptance');
    await until(rt.clock, () => alice.chat.isOnline(bob.chat.id) && bob.chat.isOnline(alice.chat.id), 300_000, 'both online');
    const [a] = alice.chat.people.list();
    const [b] = bob.chat.people.list();
    expect(a!.safetyNumber).toBe(b!.safetyNumber);
    expect(a!.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);

    // Across a period rollover, each still finds the other's new presence record.
    await runAsync(rt.clock, PERIOD_MS + 60_000);
    const found = await settleAsync(rt.clock, bob.chat.findContact(alice.chat.id));
    expect(found?.nodes).toEqual([alice.peer.node.hex]);
    expect(found?.fresh).toBe(true);

    // A reload (same store) keeps identity and contact.
    bob.chat.close();
    const bob2 = await openSimUser(bob.peer, 1, rng, {}, bob.store);
    expect(bob2.chat.id).toBe(bob.chat.id);
    expect(bob2.chat.people.list()).toMatchObject([{ contactId: alice.chat.id, state: 'accepted' }]);
  });
});
