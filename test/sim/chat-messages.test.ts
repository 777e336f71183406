/**
 * Two contacts on a 60-node simulated network talk: both ways while online (acks, delivered
 * ticks, read receipts), a long message in parts, to a contact who went offline (the mailbox,
 * read when it returns), and across a reload of one side (history and session kept).
 */
import { describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../shared/chat/api-types';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import type { SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts } from '../helpers/sim-chat';

const SEED = testSeed(31);

describe('chat messages on the simulator', () => {
  it('both ways online, a long message, the mailbox while one is away, and a reload', { timeout: 180_000 }, async () => {
    const net = await simContacts(SEED, { nodes: 60, bobPeer: 40 });
    let { clock, until, alice } = net;
    let bob = net.bob;
    await until(() => bob.chat.isOnline(alice.chat.id) && alice.chat.isOnline(bob.chat.id), 300_000, 'online');

    const history = (u: SimUser, other: SimUser) => settleAsync(clock, u.chat.talk.messages(other.chat.id));
    const state = async (u: SimUser, other: SimUser, id: string) => (await history(u, other)).find((m) => m.messageId === id)?.state;

    // Online, both ways.
    const a1 = await settleAsync(clock, alice.chat.talk.send(bob.chat.id, 'hello Bob'));
    const b1 = await settleAsync(clock, bob.chat.talk.send(alice.chat.id, 'hi Alice'));
    await until(
      async () => (await state(alice, bob, a1.messageId)) === 'delivered' && (await state(bob, alice, b1.messageId)) === 'delivered',
      120_000,
      'delivered',
    );
    expect((await history(bob, alice)).map((m) => [m.from, m.text])).toEqual([
      ['them', 'hello Bob'],
      ['me', 'hi Alice'],
    ]);
    expect(bob.chat.talk.unread()).toEqual({ [alice.chat.id]: 1 });
    await settleAsync(clock, bob.chat.talk.markRead(alice.chat.id));
    expect(bob.chat.talk.unread()).toEqual({});
    await until(async () => (await state(alice, bob, a1.messageId)) === 'read', 120_000, 'read receipt');

    // A long message travels in parts and comes back whole.
    const long = 'ß'.repeat(5000);
    const a2 = await settleAsync(clock, alice.chat.talk.send(bob.chat.id, long, { replyTo: b1.messageId }));
    await until(async () => (await history(bob, alice)).some((m) => m.messageId === a2.messageId), 120_000, 'long message');
    const got = (await history(bob, alice)).find((m) => m.messageId === a2.messageId) as MessageInfo;
    expect(got.text).toBe(long);
    expect(got.replyTo).toBe(b1.messageId);

    // Bob goes away; Alice's message waits in the mailbox and arrives when he is back.
    net.away(bob);
    await runAsync(clock, 6 * 60_000); // Alice's liveness window runs out
    expect(alice.chat.isOnline(bob.chat.id)).toBe(false);
    const a3 = await settleAsync(clock, alice.chat.talk.send(bob.chat.id, 'while you were away'));
    await until(async () => (await state(alice, bob, a3.messageId)) === 'sent', 120_000, 'in the mailbox');
    const back = clock.now();
    bob = await net.back(bob, 1);
    await until(async () => (await history(bob, alice)).some((m) => m.messageId === a3.messageId), 120_000, 'mail after return');
    const mailMs = clock.now() - back;
    await until(async () => (await state(alice, bob, a3.messageId)) === 'delivered', 180_000, 'delivered from the mailbox');

    // Every message exactly once, in order, on both sides.
    const ids = (await history(bob, alice)).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([a1.messageId, b1.messageId, a2.messageId, a3.messageId]);
    expect(mailMs).toBeLessThan(60_000);

    // Bob replies on the kept session after his reload.
    const b2 = await settleAsync(clock, bob.chat.talk.send(alice.chat.id, 'back now'));
    await until(async () => (await state(bob, alice, b2.messageId)) === 'delivered', 120_000, 'after reload');
    alice.chat.close();
    alice = alice as SimUser;
  });
});
