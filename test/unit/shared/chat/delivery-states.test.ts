/**
 * The delivery-state machine (messenger.ts, receiver.ts, history.ts, conversations.ts):
 * sending → sent (in the network) → delivered (their receipt) → read (their read receipt), never
 * backwards; duplicates dropped by id; retries until the receipt; read receipts and typing
 * indicators not sent when the user turned them off.
 */
import { describe, expect, it } from 'vitest';
import type { MessageInfo, MessageState } from '../../../../shared/chat/api-types';
import { advanceOp, addMessageOps, findMessage } from '../../../../shared/chat/history';
import { decodeSessionEnvelope, MAX_BUNDLE, textFrames } from '../../../../shared/chat/frames';
import { RESEND_AFTER_MS } from '../../../../shared/chat/messenger';
import { MemoryChatStore } from '../../../../shared/chat/store';
import { hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';
import { createPair, expectNoKeyReuse, type ChatUser } from '../../../helpers/chat-pair';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1304);
const ORDER: MessageState[] = ['sending', 'sent', 'delivered', 'read'];

/** The states emitted for one message, in order. */
const statesOf = (u: ChatUser, id: string) => u.events.states.filter((s) => s.id === id).map((s) => s.state);

function expectForwardOnly(states: MessageState[]): void {
  const idx = states.map((s) => ORDER.indexOf(s));
  for (let i = 1; i < idx.length; i++) expect(idx[i], `${states.join(' → ')}`).toBeGreaterThan(idx[i - 1]!);
}

describe('history.advanceOp', () => {
  it('moves a message forward only, and out of failed into any state', async () => {
    const all: MessageState[] = ['failed', ...ORDER];
    for (const from of all)
      for (const to of all) {
        const store = new MemoryChatStore();
        const m: MessageInfo = { messageId: 'a'.repeat(32), from: 'me', text: 'x', sentAt: 1, state: from };
        await store.batch(addMessageOps('c', m));
        const found = await findMessage(store, 'c', m.messageId);
        const op = advanceOp(found!, to);
        const forward = from === 'failed' ? to !== 'failed' : ORDER.indexOf(to) > ORDER.indexOf(from);
        expect(op !== null, `${from} → ${to}`).toBe(forward);
        if (op) {
          await store.batch([op]);
          expect((await findMessage(store, 'c', m.messageId))!.m.state).toBe(to);
        }
      }
  });
});

describe('sending → sent → delivered → read', () => {
  it('through the mailbox every state is seen, in order, in events and in history', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'hello');
    await net.settle();
    alice.online.delete(bob.id);
    bob.online.delete(alice.id);
    alice.online.clear();
    const seen: Array<MessageState | undefined> = [];
    const { messageId } = await alice.talk.send(bob.id, 'are you there?');
    seen.push(alice.events.messages.at(-1)?.state);
    await net.settle();
    seen.push(await alice.stateOf(bob, messageId));
    await bob.messenger.pollMailbox(alice.id);
    bob.online.add(alice.id);
    bob.messenger.flushAll();
    await net.settle();
    seen.push(await alice.stateOf(bob, messageId));
    expect(bob.talk.unread()).toEqual({ [alice.id]: 2 });
    await bob.talk.markRead(alice.id);
    expect(bob.talk.unread()).toEqual({});
    await net.settle();
    seen.push(await alice.stateOf(bob, messageId));
    expect(seen).toEqual(ORDER);
    expect(statesOf(alice, messageId)).toEqual(['sent', 'delivered', 'read']);
    expect((await bob.history(alice)).map((m) => m.state)).toEqual(['read', 'read']);
  });

  it('online, the receipt rides the ack: delivered at once, read after markRead, never backwards', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await alice.talk.send(bob.id, `m${i}`)).messageId);
    await net.settle();
    for (const id of ids) {
      expect(await alice.stateOf(bob, id)).toBe('delivered');
      expectForwardOnly(statesOf(alice, id));
    }
    await bob.talk.markRead(alice.id);
    await net.settle();
    for (const id of ids) {
      expect(await alice.stateOf(bob, id)).toBe('read');
      expect(statesOf(alice, id).at(-1)).toBe('read');
      expectForwardOnly(statesOf(alice, id));
    }
    expect(alice.messenger.pending(bob.id)).toBe(0);
    expect(bob.messenger.pending(alice.id)).toBe(0);
  });

  it('a late delivered receipt after read changes nothing', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'hi');
    await net.settle();
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect(await alice.stateOf(bob, messageId)).toBe('read');
    const events = alice.events.states.length;
    await bob.messenger.control(alice.id, { type: 'receipt', kind: 'delivered', ids: [hexToBytes(messageId)] });
    await net.settle();
    expect(await alice.stateOf(bob, messageId)).toBe('read');
    expect(alice.events.states.length).toBe(events);
  });

  it('receipts only move our own messages: a receipt naming their message or an unknown id does nothing', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const mine = await alice.talk.send(bob.id, 'mine');
    const theirs = await bob.talk.send(alice.id, 'theirs');
    await net.settle();
    alice.messenger.flushAll();
    bob.messenger.flushAll();
    await net.settle();
    expect(await alice.stateOf(bob, theirs.messageId)).toBe('delivered');
    // Bob claims to have read his own message and a message that does not exist.
    await bob.messenger.control(alice.id, {
      type: 'receipt',
      kind: 'read',
      ids: [hexToBytes(theirs.messageId), new Uint8Array(16).fill(3)],
    });
    await net.settle();
    expect(await alice.stateOf(bob, theirs.messageId)).toBe('delivered');
    expect(await alice.stateOf(bob, mine.messageId)).toBe('delivered');
    expect(await alice.history(bob)).toHaveLength(2);
  });
});

describe('duplicates and retries', () => {
  it('a second message with the same id is dropped (history, unread, events) and acknowledged', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'original');
    await net.settle();
    const [copy] = textFrames(hexToBytes(messageId), 12345, utf8.encode('a different text under the same id'));
    await alice.messenger.control(bob.id, copy!);
    await net.settle();
    expect((await bob.history(alice)).map((m) => [m.messageId, m.text])).toEqual([[messageId, 'original']]);
    expect(bob.contacts.get(alice.id)!.unread).toBe(1);
    expect(bob.events.messages).toHaveLength(1);
    expect(alice.messenger.pending(bob.id)).toBe(0);
  });

  it('a lost ack: the same ciphertext is sent again on the next flush, stored once, delivered', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'first');
    await net.settle();
    let lost = 0;
    net.fate = (m) => (m.from === alice.node.hex && lost++ === 0 ? 'lose-answer' : 'deliver');
    const { messageId } = await alice.talk.send(bob.id, 'second');
    await net.settle();
    expect(net.timeouts).toBe(1);
    expect(await alice.stateOf(bob, messageId)).toBe('sending');
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first', 'second']);
    alice.messenger.flushAll();
    await net.settle();
    expect(bob.counters.get('message.duplicate')).toBe(1);
    expect(await alice.stateOf(bob, messageId)).toBe('delivered');
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first', 'second']);
    const payloads = net.log.filter((m) => m.from === alice.node.hex).map((m) => m.payload.join());
    expect(payloads.at(-1)).toBe(payloads.at(-2));
  });

  it('messages queued together go in bundles, with one receipt per burst: all arrive once, in order, delivered', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'warm-up');
    await net.settle();
    const before = net.log.length;
    alice.online.delete(bob.id); // queued, not sent (nor mailed: no flush runs while we queue)
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push((await alice.talk.send(bob.id, `m${i}`)).messageId);
    await net.settle();
    net.log.splice(before); // the mailbox writes of the offline flushes are not what we count
    alice.online.add(bob.id);
    alice.messenger.flushAll();
    await net.settle();
    const kinds = net.log.slice(before).map((m) => ({ from: m.from, env: decodeSessionEnvelope(m.payload) }));
    const bundles = kinds.filter((k) => k.from === alice.node.hex && k.env?.kind === 'msgs');
    expect(bundles.length).toBeGreaterThan(0);
    expect(bundles.every((b) => b.env?.kind === 'msgs' && b.env.msgs.length <= MAX_BUNDLE)).toBe(true);
    // Far fewer requests than messages, and fewer receipts than messages.
    expect(kinds.filter((k) => k.from === alice.node.hex).length).toBeLessThan(ids.length / 4);
    expect(bob.counters.get('message.duplicate')).toBe(0);
    const all = await bob.talk.messages(alice.id, { limit: 500 });
    expect(all.map((m) => m.text)).toEqual(['warm-up', ...ids.map((_, i) => `m${i}`)]);
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
    expectNoKeyReuse(net, alice);
  });

  it('a bundle whose answer is lost is sent again, the same ciphertexts, and stored once', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'warm-up');
    await net.settle();
    alice.online.delete(bob.id);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await alice.talk.send(bob.id, `m${i}`)).messageId);
    await net.settle();
    alice.online.add(bob.id);
    let lost = 0;
    net.fate = (m) =>
      m.from === alice.node.hex && decodeSessionEnvelope(m.payload)?.kind === 'msgs' && lost++ === 0 ? 'lose-answer' : 'deliver';
    alice.messenger.flushAll();
    await net.settle();
    expect(lost).toBeGreaterThan(0);
    expect((await bob.history(alice)).length).toBe(21);
    net.now += RESEND_AFTER_MS;
    alice.messenger.flushAll();
    await net.settle();
    expect(bob.counters.get('message.duplicate')).toBeGreaterThan(0);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['warm-up', ...ids.map((_, i) => `m${i}`)]);
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('delivered');
    expectNoKeyReuse(net, alice);
  });

  it('a receiver whose store refused the batch does not ack it (busy): the message goes again on the next flush until stored', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'first');
    await net.settle();
    bob.store.failNext = new Error('QuotaExceededError');
    const { messageId } = await alice.talk.send(bob.id, 'second');
    await net.settle();
    expect(bob.channel.counters.get('handler.error')).toBe(1);
    expect(alice.counters.get('flush.busy')).toBe(1);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first']);
    // Never acked, so never 'sent' (an ack means stored), and not waiting for a receipt.
    expect(await alice.stateOf(bob, messageId)).toBe('sending');
    alice.messenger.flushAll();
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first', 'second']);
    expect(await alice.stateOf(bob, messageId)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
  });

  it('acked in full but its receipt lost, then the contact goes away: the mailbox takes only what it has not got', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'warm-up');
    await net.settle();
    // Bob stores the message, but the receipt in its ack is lost (as when its tab closes first).
    net.fate = (m) => (m.from === alice.node.hex ? 'bare-ack' : 'deliver');
    const acked = await alice.talk.send(bob.id, 'stored, receipt lost');
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['warm-up', 'stored, receipt lost']);
    alice.online.delete(bob.id);
    bob.online.delete(alice.id);
    net.fate = () => 'deliver';
    net.now += RESEND_AFTER_MS;
    const fresh = await alice.talk.send(bob.id, 'while you were away');
    await net.settle();
    expect(alice.counters.get('mailbox.written')).toBe(1);
    expect(await alice.stateOf(bob, fresh.messageId)).toBe('sent');
    expect(await alice.stateOf(bob, acked.messageId)).toBe('sent');
    await bob.messenger.pollMailbox(alice.id);
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['warm-up', 'stored, receipt lost', 'while you were away']);
    // Back online: the direct resend brings the lost receipt.
    alice.online.add(bob.id);
    bob.online.add(alice.id);
    alice.messenger.flushAll();
    bob.messenger.flushAll();
    await net.settle();
    expect(await alice.stateOf(bob, acked.messageId)).toBe('delivered');
    expect(await alice.stateOf(bob, fresh.messageId)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
    // Both came again directly: the one it had all along and the one it read from its mailbox.
    expect(bob.counters.get('message.duplicate')).toBe(2);
  });

  it('both sides sending at once: nobody waits for a timeout, and every message arrives once, in order', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const sent: Record<string, string[]> = { alice: [], bob: [] };
    for (let i = 0; i < 6; i++) {
      sent.alice!.push((await alice.talk.send(bob.id, `a${i}`)).messageId);
      sent.bob!.push((await bob.talk.send(alice.id, `b${i}`)).messageId);
      if (i === 3) await bob.talk.markRead(alice.id);
      alice.talk.typing(bob.id, true);
    }
    await net.settle();
    expect(net.timeouts).toBe(0);
    expect(alice.messenger.pending(bob.id) + bob.messenger.pending(alice.id)).toBe(0);
    const fromThem = async (u: ChatUser, o: ChatUser) => (await u.history(o)).filter((m) => m.from === 'them').map((m) => m.messageId);
    expect(await fromThem(bob, alice)).toEqual(sent.alice);
    expect(await fromThem(alice, bob)).toEqual(sent.bob);
    for (const id of sent.bob!) expect(await bob.stateOf(alice, id)).toBe('delivered');
    expectNoKeyReuse(net, alice);
    expectNoKeyReuse(net, bob);
  });

  it.each([0, 1, 2, 3])(`a random conversation with reordered deliveries (seed ${SEED} + %i)`, async (k) => {
    const seed = SEED + k;
    const { net, alice, bob } = await createPair(seed);
    net.jitter = 4;
    const rng = new SeededRng(seed);
    const users = [alice, bob];
    const sent = new Map<ChatUser, string[]>(users.map((u) => [u, []]));
    for (let i = 0; i < 40; i++) {
      const from = users[rng.int(2)]!;
      const to = from === alice ? bob : alice;
      const r = rng.int(10);
      if (r < 6) sent.get(from)!.push((await from.talk.send(to.id, `${from.me.name} ${i} ${'x'.repeat(rng.int(3) * 500)}`)).messageId);
      else if (r < 8) await from.talk.markRead(to.id);
      else from.talk.typing(to.id, rng.int(2) === 1);
      if (rng.int(4) === 0) await net.settle();
      else for (let t = rng.int(3); t > 0; t--) await new Promise((res) => setImmediate(res));
    }
    await net.settle();
    const why = `seed ${seed}`;
    expect(net.timeouts, why).toBe(0);
    for (const u of users) {
      const o = u === alice ? bob : alice;
      expect(
        (await o.history(u)).filter((m) => m.from === 'them').map((m) => m.messageId),
        why,
      ).toEqual(sent.get(u));
      for (const id of sent.get(u)!) expect(['delivered', 'read'], why).toContain(await u.stateOf(o, id));
      for (const id of sent.get(u)!) expectForwardOnly(statesOf(u, id));
      // What an app shows from the events agrees with history: no state came before its message.
      expect(u.events.lostStates, why).toBe(0);
      for (const id of sent.get(u)!) expect(u.events.view.get(id), why).toBe(await u.stateOf(o, id));
      expect(u.counters.get('drop.message_decrypt'), why).toBe(0);
      expect(u.messenger.pending(o.id), why).toBe(0);
      expectNoKeyReuse(net, u);
    }
  });

  it('our send times strictly increase even when the clock steps back, so our order holds', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const a = await alice.talk.send(bob.id, 'one');
    net.now -= 60_000;
    const b = await alice.talk.send(bob.id, 'two');
    await net.settle();
    const h = await bob.history(alice);
    expect(h.map((m) => m.messageId)).toEqual([a.messageId, b.messageId]);
    expect(h[1]!.sentAt).toBeGreaterThan(h[0]!.sentAt);
  });

  it('and across a restart: the next message is still after the last one sent', async () => {
    const { net, alice: alice0, bob } = await createPair(SEED);
    const before: string[] = [];
    for (const text of ['one', 'two', 'three']) before.push((await alice0.talk.send(bob.id, text)).messageId);
    await net.settle();
    expect(alice0.messenger.pending(bob.id)).toBe(0);
    const alice = await alice0.restart();
    const after = await alice.talk.send(bob.id, 'four');
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.messageId)).toEqual([...before, after.messageId]);
    expect((await alice.history(bob)).map((m) => m.text)).toEqual(['one', 'two', 'three', 'four']);
  });
});

describe('the user’s settings', () => {
  it('read receipts off: markRead marks them read here and sends nothing', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'hi');
    await net.settle();
    await bob.talk.setSettings({ readReceipts: false });
    const sentByBob = net.log.filter((m) => m.from === bob.node.hex).length;
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.state)).toEqual(['read']);
    expect(bob.talk.unread()).toEqual({});
    expect(bob.messenger.pending(alice.id)).toBe(0);
    expect(net.log.filter((m) => m.from === bob.node.hex).length).toBe(sentByBob);
    expect(await alice.stateOf(bob, messageId)).toBe('delivered');
    // On again: the next markRead tells Alice about messages still unread.
    await bob.talk.setSettings({ readReceipts: true });
    const second = await alice.talk.send(bob.id, 'again');
    await net.settle();
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect(await alice.stateOf(bob, second.messageId)).toBe('read');
    expect(await alice.stateOf(bob, messageId)).toBe('delivered');
    await expect(bob.talk.setSettings({ readReceipts: 'no' as unknown as boolean })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('typing off: nothing is sent; on: the indicator arrives (and only to a contact online)', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'hi');
    await net.settle();
    const sessionMsgs = () => net.log.filter((m) => m.from === bob.node.hex && decodeSessionEnvelope(m.payload)?.kind === 'msg').length;
    await bob.talk.setSettings({ typing: false });
    let before = sessionMsgs();
    bob.talk.typing(alice.id, true);
    await net.settle();
    expect(sessionMsgs()).toBe(before);
    expect(alice.events.typing).toEqual([]);
    await bob.talk.setSettings({ typing: true });
    bob.talk.typing(alice.id, true);
    bob.talk.typing(alice.id, false);
    await net.settle();
    expect(alice.events.typing).toEqual([true, false]);
    // Not queued for later, not to a contact away, never in history.
    bob.online.delete(alice.id);
    before = sessionMsgs();
    bob.talk.typing(alice.id, true);
    await net.settle();
    expect(sessionMsgs()).toBe(before);
    expect(bob.messenger.pending(alice.id)).toBe(0);
    expect(await alice.history(bob)).toHaveLength(1);
  });

  it('read receipts off: theirs are not shown either (the message stays delivered)', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const { messageId } = await alice.talk.send(bob.id, 'hi');
    await net.settle();
    await alice.talk.setSettings({ readReceipts: false });
    await bob.talk.markRead(alice.id);
    await net.settle();
    expect(await alice.stateOf(bob, messageId)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
  });

  it('typing off: theirs are not shown either', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'hi');
    await net.settle();
    await alice.talk.setSettings({ typing: false });
    bob.talk.typing(alice.id, true);
    await net.settle();
    expect(alice.events.typing).toEqual([]);
  });
});
