/**
 * Both away: Alice writes to Bob while he is away, then goes away too. Bob comes back in a later
 * period, within the mailbox records' 2 h lifetime, and finds the message although Alice is still
 * gone (he reads back through the periods the records can still live in). When Alice returns,
 * the delivery receipt reaches her.
 */
import { describe, expect, it } from 'vitest';
import { PERIOD_MS, READ_PREVIOUS_MS } from '../../shared/chat/constants';
import { periodOf } from '../../shared/chat/period';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import type { SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts } from '../helpers/sim-chat';

const SEED = testSeed(53);

describe('chat mailbox while both are away', () => {
  it('a message written before its sender left is read in a later period', { timeout: 180_000 }, async () => {
    const net = await simContacts(SEED, { nodes: 60, bobPeer: 40 });
    const { clock, until } = net;
    let { alice, bob } = net;
    const ready = (u: SimUser, o: SimUser) => u.chat.messenger.sessionState(o.chat.id) === 'ready';
    await until(() => ready(alice, bob) && ready(bob, alice), 300_000, 'sessions');

    const state = async (u: SimUser, o: SimUser, id: string) =>
      (await settleAsync(clock, u.chat.talk.messages(o.chat.id))).find((m) => m.messageId === id)?.state;

    net.away(bob);
    await runAsync(clock, 6 * 60_000);
    const m = await settleAsync(clock, alice.chat.talk.send(bob.chat.id, 'written before I left'));
    await until(async () => (await state(alice, bob, m.messageId)) === 'sent', 120_000, 'in the mailbox');
    const writtenIn = periodOf(clock.now());
    net.away(alice);

    // Bob returns past the start of a later period (past the window that reads the previous one).
    const target = (writtenIn + 1) * PERIOD_MS + READ_PREVIOUS_MS + 5 * 60_000;
    await runAsync(clock, target - clock.now());
    expect(periodOf(clock.now())).toBe(writtenIn + 1);
    bob = await net.back(bob, 1);
    await until(
      async () => (await settleAsync(clock, bob.chat.talk.messages(alice.chat.id))).some((x) => x.messageId === m.messageId),
      10 * 60_000,
      'the message at Bob while Alice is away',
    );

    alice = await net.back(alice, 0);
    await until(async () => (await state(alice, bob, m.messageId)) === 'delivered', 20 * 60_000, 'the receipt at Alice');
    const ids = (await settleAsync(clock, bob.chat.talk.messages(alice.chat.id))).map((x) => x.messageId);
    expect(ids.filter((x) => x === m.messageId)).toHaveLength(1);
  });
});
