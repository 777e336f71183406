/**
 * A returning node knocks on its contacts' known nodes before it joins or reads any mail (a sealed
 * ping, answered with a sealed pong): the contact that wrote to its mailbox meanwhile has it online
 * again and sends directly. A pong that is not the contact's (another identity, another device
 * key, garbage) shows nobody online.
 */
import { describe, expect, it } from 'vitest';
import type { AppHandler } from '../../shared/chat/app-channel';
import { decodeEnvelope, encodeEnvelope, encodePing, PROLOGUE } from '../../shared/chat/contact-wire';
import { seal } from '../../shared/chat/seal';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import type { SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts, type SimContacts } from '../helpers/sim-chat';

const SEED = testSeed(61);

/** Bob goes away (with `mail`, Alice writes to his mailbox meanwhile) and his node comes back without joining. */
async function awayAndBack(net: SimContacts, mail: boolean): Promise<{ bob: SimUser; messageId: string }> {
  const { clock, until, alice } = net;
  const ready = (u: SimUser, o: SimUser) => u.chat.messenger.sessionState(o.chat.id) === 'ready';
  await until(() => ready(alice, net.bob) && ready(net.bob, alice), 300_000, 'sessions');
  net.away(net.bob);
  if (!mail) return { bob: await net.back(net.bob, 1, { join: false }), messageId: '' };
  const m = await settleAsync(clock, alice.chat.talk.send(net.bob.chat.id, 'while you were away'));
  const state = async () =>
    (await settleAsync(clock, alice.chat.talk.messages(net.bob.chat.id))).find((x) => x.messageId === m.messageId)?.state;
  await until(async () => (await state()) === 'sent', 120_000, 'in the mailbox');
  expect(alice.chat.isOnline(net.bob.chat.id)).toBe(false);
  // Bob's node comes back; it neither joins the DHT nor reads mail: only the knock can bring the message.
  return { bob: await net.back(net.bob, 1, { join: false }), messageId: m.messageId };
}

describe('chat knock', () => {
  it('a returning node knocks and gets what waited for it directly, before any lookup', { timeout: 120_000 }, async () => {
    const net = await simContacts(SEED, { nodes: 40, bobPeer: 30 });
    const { clock, until, alice } = net;
    const { bob, messageId } = await awayAndBack(net, true);
    await settleAsync(clock, bob.chat.outbox.knock());
    expect(bob.chat.counters.get('knock.pong')).toBe(1);
    expect(bob.chat.isOnline(alice.chat.id)).toBe(true);
    expect(alice.chat.isOnline(bob.chat.id)).toBe(true);
    const got = async () => (await settleAsync(clock, bob.chat.talk.messages(alice.chat.id))).filter((x) => x.messageId === messageId);
    await until(async () => (await got()).length === 1, 30_000, 'the message at Bob');
    expect(bob.chat.counters.get('mailbox.polled') ?? 0).toBe(0);
    expect(bob.chat.counters.get('slots.polled') ?? 0).toBe(0);
    await runAsync(clock, 60_000);
    expect(await got()).toHaveLength(1);
  });

  it('a pong that is not the contact’s shows nobody online', { timeout: 120_000 }, async () => {
    const net = await simContacts(SEED + 1, { nodes: 40, bobPeer: 30 });
    const { clock, alice } = net;
    const { bob } = await awayAndBack(net, false); // nothing queued: only a pong could show Alice online
    const channel = alice.chat.channel as unknown as { handler: AppHandler };
    const honest = channel.handler;
    const other = (n: number) => new Uint8Array(32).fill(n);
    const pong = (identityKey: Uint8Array, sender: { publicKey: Uint8Array; secretKey: Uint8Array }) =>
      encodeEnvelope({
        kind: 'ping',
        sealed: seal(encodePing({ identityKey, pong: true, sentAt: clock.now() }), {
          sender,
          recipient: bob.chat.me.dk,
          prologue: PROLOGUE.ping,
          randomBytes: (k) => new Uint8Array(k).fill(7),
        }),
      });
    const aliceDk = { publicKey: alice.chat.me.dk, secretKey: alice.chat.me.dkSecret };
    const bobDk = { publicKey: bob.chat.me.dk, secretKey: bob.chat.me.dkSecret };
    const forged: Array<(answer: Uint8Array) => Uint8Array> = [
      () => pong(other(9), aliceDk), // sealed by Alice's device, naming another identity
      () => pong(alice.chat.me.ik, bobDk), // naming Alice, sealed by a key that is not her device's
      (a) => a.map((x, i) => (i === a.length - 1 ? x ^ 1 : x)), // her pong with one bit flipped
      () => encodeEnvelope({ kind: 'ping', sealed: other(3) }), // garbage
    ];
    for (const [i, forge] of forged.entries()) {
      channel.handler = async (from, payload) => {
        const answer = await honest(from, payload);
        return decodeEnvelope(payload)?.kind === 'ping' && answer ? forge(answer) : answer;
      };
      await settleAsync(clock, bob.chat.outbox.knock());
      expect(bob.chat.counters.get('knock.bad_pong'), `forgery ${i}`).toBe(i + 1);
      expect(bob.chat.counters.get('knock.pong') ?? 0, `forgery ${i}`).toBe(0);
      expect(bob.chat.isOnline(alice.chat.id), `forgery ${i}`).toBe(false);
    }
  });
});
