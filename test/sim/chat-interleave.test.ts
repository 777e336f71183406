/**
 * Both contacts send at once, many messages each way without waiting for acks: every message
 * arrives once, in order, and is delivered. (A flush that held the contact's ratchet queue while
 * waiting for the ack deadlocked with the other side's flush: each ack needs the other's decrypt.)
 */
import { describe, expect, it } from 'vitest';
import { settleAsync } from '../../shared/sim/async-driver';
import type { SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts } from '../helpers/sim-chat';

const SEED = testSeed(47);

describe('chat: both sides sending at once', () => {
  it('every message once, in order, delivered', { timeout: 120_000 }, async () => {
    const { clock, until, alice, bob } = await simContacts(SEED, { nodes: 30, bobPeer: 20 });
    const ready = (u: SimUser, o: SimUser) => u.chat.messenger.sessionState(o.chat.id) === 'ready';
    await until(() => ready(alice, bob) && ready(bob, alice), 120_000, 'sessions');

    const N = 20;
    for (let i = 0; i < N; i++) {
      // Not awaited one by one on the network: both outboxes fill while both flush.
      await Promise.all([
        settleAsync(clock, alice.chat.talk.send(bob.chat.id, `a${i}`)),
        settleAsync(clock, bob.chat.talk.send(alice.chat.id, `b${i}`)),
      ]);
    }
    const history = (u: SimUser, o: SimUser) => settleAsync(clock, u.chat.talk.messages(o.chat.id, { limit: 500 }));
    const allDelivered = async (u: SimUser, o: SimUser) =>
      (await history(u, o)).filter((m) => m.from === 'me' && m.state === 'delivered').length === N;
    await until(async () => (await allDelivered(alice, bob)) && (await allDelivered(bob, alice)), 120_000, 'all delivered');
    const theirs = async (u: SimUser, o: SimUser) => (await history(u, o)).filter((m) => m.from === 'them').map((m) => m.text);
    expect(await theirs(bob, alice)).toEqual(Array.from({ length: N }, (_, i) => `a${i}`));
    expect(await theirs(alice, bob)).toEqual(Array.from({ length: N }, (_, i) => `b${i}`));
  });
});
