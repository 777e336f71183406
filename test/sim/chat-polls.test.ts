/**
 * What an online tab reads between rollovers (shared/chat/chat-node.ts readMail): its request
 * slots every slotPollMs, and what is new in the mailbox of each contact it has not heard from
 * lately every mailPollMs, one lookup a contact; everything again after a rollover. Each read is a
 * DHT lookup, and an idle tab's traffic is mostly these.
 */
import { describe, expect, it } from 'vitest';
import { CHAT_TIMERS, PERIOD_MS, REQUEST_SLOTS } from '../../shared/chat/constants';
import { periodOf, periodStart } from '../../shared/chat/period';
import { runAsync } from '../../shared/sim/async-driver';
import type { SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts } from '../helpers/sim-chat';

const SEED = testSeed(71);
const minute = 60_000;

const reads = (u: SimUser, kind: 'mailbox' | 'request') =>
  u.chat.records.counters.get(`read.${kind}.missing`) + u.chat.records.counters.get(`read.${kind}.ok`);

describe('chat reads between rollovers', () => {
  it('slots every 20 min, new mail every 5 min from contacts not heard from, one lookup each; all of it at a rollover', {
    timeout: 120_000,
  }, async () => {
    const net = await simContacts(SEED, { nodes: 40, bobPeer: 30 });
    const { clock, until, alice, bob } = net;
    await until(() => bob.chat.isOnline(alice.chat.id) && alice.chat.isOnline(bob.chat.id), 300_000, 'online');
    // Start just past a rollover (which read everything), so the next 45 min hold no other.
    const t = periodOf(clock.now()) + 1;
    await runAsync(clock, periodStart(t) + minute - clock.now());

    // Both online: Bob hears from Alice, so he reads no mail of hers until the next rollover; his
    // request slots once in slotPollMs.
    const slots0 = bob.chat.counters.get('slots.polled');
    const mail0 = reads(bob, 'mailbox');
    await runAsync(clock, CHAT_TIMERS.slotPollMs);
    expect(bob.chat.counters.get('slots.polled') - slots0).toBe(1);
    expect(reads(bob, 'mailbox') - mail0).toBe(0);

    // Alice goes away: from now on each mailPollMs costs Bob one lookup (the slot after the last
    // he read), and the request slots still only every slotPollMs.
    net.away(alice);
    await runAsync(clock, CHAT_TIMERS.onlineWindowMs);
    expect(bob.chat.isOnline(alice.chat.id)).toBe(false);
    const polled1 = bob.chat.counters.get('mailbox.polled');
    const mail1 = reads(bob, 'mailbox');
    const req1 = reads(bob, 'request');
    await runAsync(clock, 3 * CHAT_TIMERS.mailPollMs);
    expect(periodOf(clock.now())).toBe(t);
    const polls = bob.chat.counters.get('mailbox.polled') - polled1;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(reads(bob, 'mailbox') - mail1).toBe(polls);
    expect(reads(bob, 'request') - req1).toBeLessThanOrEqual(REQUEST_SLOTS);

    // After the rollover, everything: every request slot of both periods, and each of the three
    // periods' mailbox from slot 0 (the current one a slot ahead).
    const mail2 = reads(bob, 'mailbox');
    const req2 = reads(bob, 'request');
    await runAsync(clock, periodStart(t + 1) + minute - clock.now());
    expect(reads(bob, 'request') - req2).toBeGreaterThanOrEqual(2 * REQUEST_SLOTS);
    expect(reads(bob, 'mailbox') - mail2).toBeGreaterThanOrEqual(4);
    expect(PERIOD_MS).toBeGreaterThan(45 * minute); // the windows above fit in one period
  });
});
