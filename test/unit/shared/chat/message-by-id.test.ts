/**
 * `talk.message(contactId, messageId)`: one message by its id, however far back (what a reply
 * quotes when its page is not loaded), from either side of the conversation; null when this
 * conversation lacks it; coded errors for an unknown contact or a malformed id.
 */
import { describe, expect, it } from 'vitest';
import { ChatUser, createPair } from '../../../helpers/chat-pair';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(2711);

describe('talk.message(contactId, messageId)', () => {
  it('finds a message of either side by id, even hundreds back, and only in its own conversation', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const first = (await alice.talk.send(bob.id, 'the first one')).messageId;
    for (let i = 0; i < 300; i++) await alice.talk.send(bob.id, `filler ${i}`);
    await net.settle();
    const reply = (await bob.talk.send(alice.id, 'about that', { replyTo: first })).messageId;
    await net.settle();

    expect(await alice.talk.message(bob.id, reply)).toMatchObject({ messageId: reply, from: 'them', text: 'about that', replyTo: first });
    // Far older than one page of history, and found on both sides.
    expect(await alice.talk.message(bob.id, first)).toMatchObject({
      messageId: first,
      from: 'me',
      text: 'the first one',
      state: 'delivered',
    });
    expect(await bob.talk.message(alice.id, first)).toMatchObject({ messageId: first, from: 'them', text: 'the first one' });
    expect(await bob.talk.message(alice.id, reply)).toMatchObject({ messageId: reply, from: 'me', replyTo: first });

    // Not in this conversation: null, whether unknown or another contact's.
    expect(await alice.talk.message(bob.id, 'f'.repeat(32))).toBeNull();
    const carol = await ChatUser.create(net, 'carol');
    await alice.befriend(carol);
    await carol.befriend(alice);
    const toCarol = (await alice.talk.send(carol.id, 'hi Carol')).messageId;
    expect(await alice.talk.message(carol.id, toCarol)).toMatchObject({ text: 'hi Carol' });
    expect(await alice.talk.message(bob.id, toCarol)).toBeNull();
  });

  it('refuses an unknown contact and a malformed id with coded errors', async () => {
    const { alice, bob } = await createPair(SEED);
    const id = (await alice.talk.send(bob.id, 'x')).messageId;
    await expect(alice.talk.message('a'.repeat(64), id)).rejects.toMatchObject({ name: 'ChatError', code: 'UNKNOWN_CONTACT' });
    for (const bad of ['', 'not an id', id.toUpperCase(), `${id}0`, `../${id}`])
      await expect(alice.talk.message(bob.id, bad), bad).rejects.toMatchObject({ name: 'ChatError', code: 'BAD_ARGUMENT' });
  });
});
