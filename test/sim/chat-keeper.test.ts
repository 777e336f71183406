/**
 * The mail keeper: Bob runs an always-on peer of his own as his keeper. Alice writes to Bob while
 * he is away and then goes away too; her mailbox records expire 2 h later. The keeper restarts.
 * Bob comes back hours after that and still gets the message, from his keeper, exactly once. The same story without a
 * keeper loses the message until Alice returns (the control: the test can fail).
 */
import { describe, expect, it } from 'vitest';
import { KEEPER } from '../../shared/chat/constants';
import { encodeEnvelope, PROLOGUE } from '../../shared/chat/contact-wire';
import { encodeKeepRequest } from '../../shared/chat/keeper-wire';
import { seal } from '../../shared/chat/seal';
import { hexToBytes } from '../../shared/crypto/bytes';
import { runAsync, settleAsync } from '../../shared/sim/async-driver';
import { openSimUser, type SimUser } from '../../shared/sim/chat-users';
import { testSeed } from '../helpers/dht';
import { simContacts } from '../helpers/sim-chat';

const SEED = testSeed(71);
const hour = 60 * 60_000;

async function story(withKeeper: boolean) {
  const net = await simContacts(SEED, { nodes: 60, bobPeer: 40 });
  const { clock, until, rt } = net;
  let { alice, bob } = net;
  const ready = (u: SimUser, o: SimUser) => u.chat.messenger.sessionState(o.chat.id) === 'ready';
  await until(() => ready(alice, bob) && ready(bob, alice), 300_000, 'sessions');

  const rng = rt.tn.rng.fork();
  let keeper = await openSimUser(rt.peers[20]!, 2, rng, { name: 'Keeper', keepFor: bob.chat.id });
  keeper.chat.start();
  if (withKeeper) {
    await settleAsync(clock, bob.chat.people.addContact(keeper.chat.address()));
    await until(() => bob.chat.contacts.get(keeper.chat.id)?.state === 'accepted', 10 * 60_000, 'the keeper accepts its owner');
    await settleAsync(clock, bob.chat.setKeeper(keeper.chat.id));
    await until(() => keeper.chat.counters.get('keeper.pulled') > 0, 10 * 60_000, 'a first pull');
  }

  net.away(bob);
  await runAsync(clock, 6 * 60_000);
  const m = await settleAsync(clock, alice.chat.talk.send(bob.chat.id, 'written while we were both away'));
  await until(
    async () =>
      (await settleAsync(clock, alice.chat.talk.messages(bob.chat.id))).find((x) => x.messageId === m.messageId)?.state === 'sent',
    120_000,
    'in the mailbox',
  );
  net.away(alice);
  // Alice's records live 2 h after her last refresh; Bob returns long after that. Meanwhile the
  // keeper restarts: what it holds is in its store.
  await runAsync(clock, 3 * hour);
  const held = keeper.chat.counters.get('keeper.held');
  keeper.chat.close();
  rt.remove(keeper.peer, 'crash');
  const again = rt.addPeer(hexToBytes(keeper.peer.node.hex));
  keeper = await openSimUser(again, 2, rng, { keepFor: bob.chat.id }, keeper.store);
  const restarted = keeper;
  rt.join(again, () => restarted.chat.start());
  await runAsync(clock, 2 * hour);
  bob = await net.back(bob, 1);
  const hasIt = async () => (await settleAsync(clock, bob.chat.talk.messages(alice.chat.id))).some((x) => x.messageId === m.messageId);
  let got = await hasIt();
  for (let waited = 0; waited < 15 * 60_000 && !got; waited += 30_000) {
    await runAsync(clock, 30_000);
    got = await hasIt();
  }
  return { net, bob, alice, keeper, m, got, held };
}

describe('mail keeper', () => {
  it('holds mail past the mailbox lifetime and hands it to its owner once', { timeout: 300_000 }, async () => {
    const { net, bob, alice, keeper, m, got, held } = await story(true);
    expect(got).toBe(true);
    expect(held).toBeGreaterThanOrEqual(1);
    expect(keeper.chat.counters.get('keeper.held')).toBe(0); // after the restart it found nothing new
    expect(bob.chat.counters.get('keeper.collected')).toBeGreaterThanOrEqual(1);
    const ids = (await settleAsync(net.clock, bob.chat.talk.messages(alice.chat.id))).map((x) => x.messageId);
    expect(ids.filter((x) => x === m.messageId)).toHaveLength(1);
    // The next pull acknowledges what the last one carried: the keeper lets it go.
    await net.until(() => keeper.chat.keeper!.size === 0, 2 * KEEPER.pollMs, 'the keeper drops what was collected');
  });

  it('without a keeper the same message waits for its sender (control)', { timeout: 300_000 }, async () => {
    const { got, held } = await story(false);
    expect(got).toBe(false);
    expect(held).toBe(0);
  });

  it('answers only its owner, once per pull; removing it unnames it', { timeout: 300_000 }, async () => {
    const { net, alice, bob, keeper } = await story(true);
    const pullFrom = (u: SimUser, sentAt: number) =>
      encodeEnvelope({
        kind: 'keep',
        sealed: seal(encodeKeepRequest({ identityKey: u.chat.me.ik, sentAt, ack: 0, secrets: [] }), {
          sender: { publicKey: u.chat.me.dk, secretKey: u.chat.me.dkSecret },
          recipient: keeper.chat.me.dk,
          prologue: PROLOGUE.keep,
        }),
      });
    const at = () => Math.floor(net.clock.now()) + 60 * hour;
    // A stranger (Alice is no contact of the keeper) gets nothing.
    expect(await settleAsync(net.clock, keeper.chat.receive(alice.peer.node.hex, pullFrom(alice, at())))).toBeUndefined();
    expect(keeper.chat.counters.get('drop.keep_stranger')).toBe(1);
    // The owner's pull is answered; the same bytes again are a replay.
    const pull = pullFrom(bob, at());
    expect(await settleAsync(net.clock, keeper.chat.receive(bob.peer.node.hex, pull))).toBeInstanceOf(Uint8Array);
    expect(await settleAsync(net.clock, keeper.chat.receive(bob.peer.node.hex, pull))).toBeUndefined();
    expect(keeper.chat.counters.get('drop.keep_replay')).toBe(1);
    // Sealed with the wrong prologue (a ping's), it does not open.
    const wrong = encodeEnvelope({
      kind: 'keep',
      sealed: seal(encodeKeepRequest({ identityKey: bob.chat.me.ik, sentAt: at() + 1, ack: 0, secrets: [] }), {
        sender: { publicKey: bob.chat.me.dk, secretKey: bob.chat.me.dkSecret },
        recipient: keeper.chat.me.dk,
        prologue: PROLOGUE.ping,
      }),
    });
    expect(await settleAsync(net.clock, keeper.chat.receive(bob.peer.node.hex, wrong))).toBeUndefined();
    expect(keeper.chat.counters.get('drop.keep_seal')).toBe(1);
    // Removing the keeper's contact unnames it.
    expect(bob.chat.whoami().keeper).toBe(keeper.chat.id);
    await settleAsync(net.clock, bob.chat.removeContact(keeper.chat.id));
    expect(bob.chat.whoami().keeper).toBeUndefined();
  });
});
