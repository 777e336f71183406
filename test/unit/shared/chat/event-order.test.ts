/**
 * The order of a sent message's events (messenger.ts): its `message` event comes before any of its
 * `state` events. It is told at once, but leaves only once its own write commits, so a write that
 * fails (STORAGE) sent nothing, and the user's second try arrives once. An app that shows messages
 * from events alone (the conversation list) must end showing what history says.
 */
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../../../shared/chat/errors';
import { createPair, HoldingStore } from '../../../helpers/chat-pair';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1307);

/** Alice and Bob after one message, over a disk of Alice's that can hold or fail writes. */
async function afterOne() {
  const store = new HoldingStore();
  const pair = await createPair(SEED, { alice: store });
  await pair.alice.talk.send(pair.bob.id, 'one');
  await pair.net.settle();
  return { store, ...pair };
}

describe('the events of our own message', () => {
  it('a message leaves only once its own write commits; its message event comes first, and the app shows it read', async () => {
    const { store, net, alice, bob } = await afterOne();
    // The next message's write (its history entry) waits: it is told, encrypted, and kept back.
    store.hold = (ops) => ops.some((op) => op.key.startsWith('msg/'));
    let resolved = false;
    const sending = alice.talk.send(bob.id, 'two').then((r) => {
      resolved = true;
      return r;
    });
    await net.settle();
    expect(store.held).toBeGreaterThan(0);
    expect(resolved).toBe(false);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['one']);
    const id = alice.events.messages.at(-1)!.messageId;
    expect(alice.events.messages.at(-1)!.text).toBe('two');
    expect(alice.events.states.filter((s) => s.id === id)).toEqual([]);

    store.release();
    const { messageId } = await sending;
    expect(messageId).toBe(id);
    await net.settle();
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect((await bob.history(alice)).map((m) => [m.text, m.state])).toEqual([
      ['one', 'read'],
      ['two', 'read'],
    ]);
    expect(await alice.stateOf(bob, id)).toBe('read');
    expect(alice.events.states.filter((s) => s.id === id).at(-1)?.state).toBe('read');
    expect(alice.events.view.get(id)).toBe('read');
    expect(alice.events.lostStates).toBe(0);
  });

  it('a write that fails after the message was encrypted: nothing of it left, and sending it again delivers it once', async () => {
    const { store, net, alice, bob } = await afterOne();
    store.hold = (ops) => ops.some((op) => op.key.startsWith('msg/'));
    const sending = alice.talk.send(bob.id, 'twice?').catch((e: unknown) => e);
    await net.settle();
    expect(store.held).toBeGreaterThan(0);
    store.release(new Error('disk full'));
    const err = await sending;
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('STORAGE');
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['one']);
    expect((await alice.history(bob)).map((m) => m.text)).toEqual(['one']);
    // The user sends it again (a new message): Bob gets it once.
    await alice.talk.send(bob.id, 'twice?');
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['one', 'twice?']);
    expect(bob.counters.get('drop.message_decrypt')).toBe(0);
  });

  it('a write that fails: send rejects with STORAGE, the message event is followed by "failed", and history lacks it', async () => {
    const { store, net, alice, bob } = await afterOne();
    const failing = store.batch.bind(store);
    let failNext = true;
    store.batch = async (ops) => {
      if (failNext && ops.some((op) => op.key.startsWith('wal/'))) {
        failNext = false;
        throw new Error('disk full');
      }
      return failing(ops);
    };
    const err = await alice.talk.send(bob.id, 'lost').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('STORAGE');
    const id = alice.events.messages.at(-1)!.messageId;
    expect(alice.events.messages.at(-1)!.text).toBe('lost');
    expect(alice.events.states.filter((s) => s.id === id).map((s) => s.state)).toEqual(['failed']);
    expect(alice.events.view.get(id)).toBe('failed');
    await net.settle();
    expect((await alice.history(bob)).map((m) => m.text)).toEqual(['one']);
    // The store recovered: the next message goes as usual.
    await alice.talk.send(bob.id, 'again');
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['one', 'again']);
  });
});
