/**
 * Edits and deletions (messenger.ts `edit`, receiver.ts `onEdit`, conversations.ts `delete`): an
 * edit travels like a message of its own (outbox, retries, mailbox, receipt) and replaces the text
 * of its sender's earlier message on both sides; an empty one deletes it. A contact can change
 * only its own messages, only forward in time, and a copy of an edit is known by its id.
 */
import { describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../../../shared/chat/api-types';
import { PERIOD_MS } from '../../../../shared/chat/constants';
import { textFrames } from '../../../../shared/chat/frames';
import { hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { createPair, HoldingStore, sentMessages, type ChatUser } from '../../../helpers/chat-pair';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1311);

const texts = async (u: ChatUser, other: ChatUser) =>
  (await u.history(other)).map((m) => (m.deleted ? '(deleted)' : m.editedAt ? `${m.text} (edited)` : m.text));

/** `from` sends `to` an edit frame it made itself (as a changed client could), through its session. */
async function forgeEdit(from: ChatUser, to: ChatUser, target: string, text: string, sentAt: number, id = from.randomBytes(16)) {
  const [f] = textFrames(id, sentAt, utf8.encode(text), { edits: hexToBytes(target) });
  await from.messenger.control(to.id, f!);
  await from.net.settle();
}

describe('edits and deletions', () => {
  it('an edit replaces the text on both sides, keeps the message in its place, and is told as that message', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'see you at 5');
    await alice.talk.send(bob.id, 'bring the map');
    await net.settle();
    await alice.talk.edit(bob.id, messageId, 'see you at 6');
    await net.settle();
    expect(await texts(alice, bob)).toEqual(['see you at 6 (edited)', 'bring the map']);
    expect(await texts(bob, alice)).toEqual(['see you at 6 (edited)', 'bring the map']);
    const mine = (await alice.history(bob))[0]!;
    const theirs = (await bob.history(alice))[0]!;
    expect(theirs).toMatchObject({ messageId, editedAt: mine.editedAt, state: 'delivered' });
    expect(mine.editedAt).toBeGreaterThan(mine.sentAt);
    expect(bob.events.messages.at(-1)).toMatchObject({ messageId, text: 'see you at 6' });
    expect(alice.events.messages.at(-1)).toMatchObject({ messageId, text: 'see you at 6' });
    // The edit was acknowledged like a message: nothing waits in the outbox; no unread count from it.
    expect(alice.messenger.pending(bob.id)).toBe(0);
    expect(bob.talk.unread()).toEqual({ [alice.id]: 2 });
    // It survives a restart.
    const again = await bob.restart();
    expect(await texts(again, alice)).toEqual(['see you at 6 (edited)', 'bring the map']);
  });

  it('a deletion empties the message for both, keeps replies to it, and takes it off the unread count', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'oops, wrong chat');
    await bob.talk.send(alice.id, 'what?', { replyTo: messageId });
    await net.settle();
    expect(bob.talk.unread()).toEqual({ [alice.id]: 1 });
    await alice.talk.delete(bob.id, messageId);
    await net.settle();
    expect(await texts(alice, bob)).toEqual(['(deleted)', 'what?']);
    expect(await texts(bob, alice)).toEqual(['(deleted)', 'what?']);
    expect((await bob.history(alice))[0]).toMatchObject({ text: '', deleted: true });
    expect((await alice.history(bob))[1]!.replyTo).toBe(messageId);
    expect(bob.talk.unread()).toEqual({});
    // Deleted is final: no edit, no second deletion.
    await expect(alice.talk.edit(bob.id, messageId, 'back?')).rejects.toMatchObject({ code: 'BAD_STATE' });
    await expect(alice.talk.delete(bob.id, messageId)).rejects.toMatchObject({ code: 'BAD_STATE' });
  });

  it('through the mailbox, a message and its edit mailed again into one slot at a period rollover arrive edited, once', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'hello');
    await net.settle();
    alice.online.clear();
    bob.online.clear();
    const { messageId } = await alice.talk.send(bob.id, 'the door code is 1234');
    await net.settle();
    await alice.talk.edit(bob.id, messageId, 'the door code is 4321');
    await net.settle();
    // Bob is away for longer: at the rollover both are mailed again, now to one slot of the new period.
    net.now += PERIOD_MS;
    alice.messenger.flushAll();
    await net.settle();
    expect(new Set(alice.messenger.outOf(bob.id).map((i) => JSON.stringify(i.mail)))).toHaveProperty('size', 1);
    await bob.messenger.pollMailbox(alice.id);
    await net.settle();
    expect(await texts(bob, alice)).toEqual(['hello', 'the door code is 4321 (edited)']);
    // Read again (a second poll): nothing changes, nothing doubles.
    await bob.messenger.pollMailbox(alice.id);
    await net.settle();
    expect(await texts(bob, alice)).toEqual(['hello', 'the door code is 4321 (edited)']);
    expect(bob.events.messages.filter((m) => m.messageId === messageId).map((m) => m.text)).toEqual([
      'the door code is 1234',
      'the door code is 4321',
    ]);
  });

  it('a message lost on the way and its edit go again in one bundle: it arrives edited, states under the message id', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'hello');
    await net.settle();
    net.fate = () => 'drop';
    const { messageId } = await alice.talk.send(bob.id, 'teh');
    await net.settle();
    net.fate = () => 'deliver';
    const before = net.log.length;
    await alice.talk.edit(bob.id, messageId, 'the');
    await net.settle();
    expect(sentMessages(net.log[before]!.payload)).toHaveLength(2); // the message and its edit, together
    expect(await texts(bob, alice)).toEqual(['hello', 'the (edited)']);
    expect(alice.messenger.pending(bob.id)).toBe(0);
    // The edit's receipt (beside the message's) moves the message it edited, under that message's id.
    expect(alice.events.lostStates).toBe(0);
    expect(alice.events.view.get(messageId)).toBe('delivered');
  });

  it('a message that has not left yet (no session) changes in place: the contact never gets the old text', async () => {
    const { net, alice, bob } = await createPair(SEED);
    alice.online.clear(); // never met: no session, so nothing is encrypted
    const { messageId: kept } = await alice.talk.send(bob.id, 'hello Bbo');
    const { messageId: gone } = await alice.talk.send(bob.id, 'wrong chat, sorry');
    await alice.talk.edit(bob.id, kept, 'hello Bob');
    await alice.talk.delete(bob.id, gone);
    expect(alice.messenger.pending(bob.id)).toBe(1);
    expect(await texts(alice, bob)).toEqual(['hello Bob (edited)', '(deleted)']);
    // A restart keeps the new text in the outbox.
    const again = await alice.restart();
    again.online.add(bob.id);
    again.messenger.flushAll();
    await net.settle();
    expect((await bob.history(again)).map((m) => [m.messageId, m.text, m.editedAt])).toEqual([[kept, 'hello Bob', undefined]]);
    expect(bob.events.messages.map((m) => m.text)).toEqual(['hello Bob']);
    expect(again.messenger.pending(bob.id)).toBe(0);
  });

  it('a contact cannot change our messages, unknown ones, or go back in time; a copy of an edit changes nothing', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId: mine } = await bob.talk.send(alice.id, 'I said this');
    const { messageId: theirs } = await alice.talk.send(bob.id, 'first');
    await net.settle();
    const sentAt = (await bob.history(alice)).find((m) => m.messageId === theirs)!.sentAt;
    const before = bob.counters.get('drop.edit');
    const later = net.now + 60_000;
    await forgeEdit(alice, bob, mine, 'you said that', later); // Bob's own message
    await forgeEdit(alice, bob, 'ab'.repeat(16), 'nothing', later); // no such message
    await forgeEdit(alice, bob, theirs, 'older', sentAt); // not after the message
    expect(bob.counters.get('drop.edit') - before).toBe(3);
    expect(await texts(bob, alice)).toEqual(['I said this', 'first']);

    const id = alice.randomBytes(16);
    await forgeEdit(alice, bob, theirs, 'second', sentAt + 10, id);
    await forgeEdit(alice, bob, theirs, 'a copy under the same id', sentAt + 20, id);
    await forgeEdit(alice, bob, theirs, 'between', sentAt + 5); // older than the edit it would replace
    expect(await texts(bob, alice)).toEqual(['I said this', 'second (edited)']);
    expect(bob.counters.get('drop.edit') - before).toBe(4);
  });

  it('the API refuses what is not ours to change, with coded errors, and changes nothing', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'mine');
    const { messageId: theirs } = await bob.talk.send(alice.id, 'theirs');
    await net.settle();
    await alice.talk.edit(bob.id, messageId, 'mine!');
    await net.settle();
    const editId = [...(await editIds(alice, bob))][0]!;
    const cases: Array<[Promise<unknown>, string]> = [
      [alice.talk.edit(bob.id, theirs, 'x'), 'BAD_ARGUMENT'],
      [alice.talk.edit(bob.id, 'ab'.repeat(16), 'x'), 'BAD_ARGUMENT'],
      [alice.talk.edit(bob.id, 'not an id', 'x'), 'BAD_ARGUMENT'],
      [alice.talk.edit(bob.id, editId, 'x'), 'BAD_ARGUMENT'],
      [alice.talk.edit(bob.id, messageId, ''), 'BAD_ARGUMENT'],
      [alice.talk.edit(bob.id, messageId, 'x'.repeat(70_000)), 'BAD_ARGUMENT'],
      [alice.talk.edit('cd'.repeat(32), messageId, 'x'), 'UNKNOWN_CONTACT'],
      [alice.talk.delete(bob.id, 'ab'.repeat(16)), 'BAD_ARGUMENT'],
    ];
    for (const [p, code] of cases) await expect(p).rejects.toMatchObject({ name: 'ChatError', code });
    await net.settle();
    expect(await texts(alice, bob)).toEqual(['mine! (edited)', 'theirs']);
    expect(await texts(bob, alice)).toEqual(['mine! (edited)', 'theirs']);
  });

  it('deleting their message deletes it here only, for good: a later edit of it is dropped', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'spam');
    await net.settle();
    await bob.talk.delete(alice.id, messageId);
    expect(bob.talk.unread()).toEqual({});
    await alice.talk.edit(bob.id, messageId, 'more spam');
    await net.settle();
    expect(await texts(bob, alice)).toEqual(['(deleted)']);
    expect((await bob.history(alice))[0]!.editedAt).toBeUndefined();
    expect(await texts(alice, bob)).toEqual(['more spam (edited)']);
  });

  it('an edit whose write fails sent nothing: the message keeps its old text on both sides', async () => {
    const store = new HoldingStore();
    const { net, alice, bob } = await createPair(SEED, { alice: store });
    const { messageId } = await alice.talk.send(bob.id, 'draft');
    await net.settle();
    store.hold = (ops) => ops.some((op) => op.key.startsWith('msg/'));
    const editing = alice.talk.edit(bob.id, messageId, 'final').catch((e: unknown) => e);
    await net.settle();
    store.release(new Error('disk full'));
    expect(await editing).toMatchObject({ code: 'STORAGE' });
    await net.settle();
    expect(await texts(bob, alice)).toEqual(['draft']);
    expect(await texts(alice, bob)).toEqual(['draft']);
    // The app was told the edit, then the message as it stands again (not 'failed': it is stored).
    expect(alice.events.messages.filter((m) => m.messageId === messageId).map((m) => m.text)).toEqual(['draft', 'final', 'draft']);
    expect(alice.events.states.filter((s) => s.id === messageId && s.state === 'failed')).toEqual([]);
  });
});

/** The ids of `u`'s edits in its history's id index (ids that lead to another message). */
async function editIds(u: ChatUser, other: ChatUser): Promise<Set<string>> {
  const out = new Set<string>();
  const prefix = `mid/${other.id}/`;
  for (const [k, v] of await u.c.store.list(prefix)) {
    const m = (await u.c.store.get(v as string)) as unknown as MessageInfo;
    if (m.messageId !== k.slice(prefix.length)) out.add(k.slice(prefix.length));
  }
  return out;
}
