/**
 * The order of a sent message's events (messenger.ts): its `message` event comes before any of its
 * `state` events, even when it leaves under a reserved key and is delivered and read before its own
 * write commits. An app that shows messages from events alone (the conversation list) drops a state
 * event for a message it has not been told of; it must end showing what history says.
 */
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../../../shared/chat/errors';
import { createPair, HoldingStore } from '../../../helpers/chat-pair';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1307);

describe('the events of our own message', () => {
  it('read before its write commits: the message event came first, and the app shows it read', async () => {
    const store = new HoldingStore();
    const { net, alice, bob } = await createPair(SEED, { alice: store });
    await alice.talk.send(bob.id, 'one');
    await net.settle();
    // The next message's write (its history entry) waits; the message leaves under the reservation.
    store.hold = (ops) => ops.some((op) => op.key.startsWith('msg/'));
    let resolved = false;
    const sending = alice.talk.send(bob.id, 'two').then((r) => {
      resolved = true;
      return r;
    });
    await net.settle();
    expect(store.held).toBeGreaterThan(0);
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect((await bob.history(alice)).map((m) => [m.text, m.state])).toEqual([
      ['one', 'read'],
      ['two', 'read'],
    ]);
    // Read on the far side while our write of it still waits.
    expect(resolved).toBe(false);
    const id = alice.events.messages.at(-1)!.messageId;
    expect(alice.events.states.filter((s) => s.id === id).map((s) => s.state)).toEqual(['delivered', 'read']);
    expect(alice.events.lostStates).toBe(0);
    expect(alice.events.view.get(id)).toBe('read');

    store.release();
    const { messageId } = await sending;
    expect(messageId).toBe(id);
    await net.settle();
    expect(await alice.stateOf(bob, id)).toBe('read');
    expect(alice.events.view.get(id)).toBe('read');
    expect(alice.events.lostStates).toBe(0);
  });

  it('a write that fails: send rejects with STORAGE, the message event is followed by "failed", and history lacks it', async () => {
    const store = new HoldingStore();
    const { net, alice, bob } = await createPair(SEED, { alice: store });
    await alice.talk.send(bob.id, 'one');
    await net.settle();
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
