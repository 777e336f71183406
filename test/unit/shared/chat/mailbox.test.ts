/**
 * shared/chat/mailbox.ts: the pair's mailbox secrets and slot keys (deterministic, the same for
 * both members, different per direction, period, slot and pair), the cap on slots per pair,
 * direction and period, fixed-size values within BEP 44's 1,000 bytes, and records that are not
 * the sender's (foreign, moved, tampered, replayed) delivering nothing.
 */
import { describe, expect, it } from 'vitest';
import { MAILBOX_SECRET_BYTES, MAILBOX_SLOTS, PERIOD_MS } from '../../../../shared/chat/constants';
import type { ChatContext } from '../../../../shared/chat/context';
import { Mailbox } from '../../../../shared/chat/mailbox';
import { periodOf } from '../../../../shared/chat/period';
import { buildSealedRecord, SEALED_VALUE_BYTES, sealedRecordTarget, slotKey } from '../../../../shared/chat/sealed-record';
import { decodeSessionEnvelope, encodeSessionEnvelope } from '../../../../shared/chat/frames';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import { RECORD_LIMITS } from '../../../../shared/records/types';
import { ChatUser, createPair, type FakeNet } from '../../../helpers/chat-pair';
import { flipBit } from '../../../helpers/chat';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1303);

/** A fresh Mailbox for `u` (nothing memoized), for derivations only. */
const fresh = (u: ChatUser) => new Mailbox({ me: u.me } as unknown as ChatContext);
const secrets = (u: ChatUser, other: ChatUser) => fresh(u).secretsFor(other.id, other.me.dk);
/** Where `from` writes slot `slot` of period t for `to`. */
const target = (from: ChatUser, to: ChatUser, t: number, slot: number) =>
  bytesToHex(sealedRecordTarget({ kind: 'mailbox', identityKey: to.me.ik, secret: secrets(from, to).out, t, slot }));
/** Where `to` reads it. */
const readTarget = (to: ChatUser, from: ChatUser, t: number, slot: number) =>
  bytesToHex(sealedRecordTarget({ kind: 'mailbox', identityKey: to.me.ik, secret: secrets(to, from).in, t, slot }));

/** The mailbox records now in the network, by target. */
function mailboxRecords(net: FakeNet, from: ChatUser, to: ChatUser, t: number) {
  const out = new Map<number, { seq: number; v: Uint8Array }>();
  for (let slot = 0; slot < MAILBOX_SLOTS; slot++) {
    const r = net.records.get(target(from, to, t, slot));
    if (r) out.set(slot, { seq: r.seq, v: r.v });
  }
  return out;
}

/** Alice and Bob with a session, then Bob away (Alice writes to his mailbox). */
async function awayPair(seed: number) {
  const p = await createPair(seed);
  await p.alice.talk.send(p.bob.id, 'while online');
  await p.net.settle();
  p.alice.online.delete(p.bob.id);
  p.bob.online.delete(p.alice.id);
  return p;
}

describe('slot derivation', () => {
  it('is deterministic and the same for both members; each direction has its own secret', async () => {
    const { alice, bob } = await createPair(SEED);
    const ab = secrets(alice, bob);
    const ba = secrets(bob, alice);
    expect(secrets(alice, bob)).toEqual(ab);
    expect(ab.out).toHaveLength(MAILBOX_SECRET_BYTES);
    expect(ab.out).toEqual(ba.in);
    expect(ab.in).toEqual(ba.out);
    expect(bytesToHex(ab.out)).not.toBe(bytesToHex(ab.in));
    // The memoized and the fresh derivation agree.
    expect(alice.messenger.mailbox.secretsFor(bob.id, bob.me.dk)).toEqual(ab);
  });

  it('writer and reader compute the same slot targets; they differ per direction, period, slot and pair', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const carol = await ChatUser.create(net, 'carol');
    const t0 = periodOf(net.now);
    const all = new Set<string>();
    for (const t of [t0, t0 + 1, t0 + 2])
      for (let slot = 0; slot < MAILBOX_SLOTS; slot++) {
        const ab = target(alice, bob, t, slot);
        expect(readTarget(bob, alice, t, slot)).toBe(ab);
        const ba = target(bob, alice, t, slot);
        expect(readTarget(alice, bob, t, slot)).toBe(ba);
        all
          .add(ab)
          .add(ba)
          .add(target(alice, carol, t, slot))
          .add(target(carol, bob, t, slot));
      }
    expect(all.size).toBe(3 * MAILBOX_SLOTS * 4);
  });

  it('depends on the device keys: a new device key of one member gives the pair new secrets', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const other = await ChatUser.create(net, 'bob again');
    const withNewKey = new Mailbox({ me: alice.me } as unknown as ChatContext).secretsFor(bob.id, other.me.dk);
    expect(bytesToHex(withNewKey.out)).not.toBe(bytesToHex(secrets(alice, bob).out));
  });
});

describe('limits', () => {
  it('slot indices stop at MAILBOX_SLOTS', async () => {
    const { alice, bob } = await createPair(SEED);
    const s = secrets(alice, bob).out;
    expect(() => slotKey('mailbox', s, bob.me.ik, 1, MAILBOX_SLOTS - 1)).not.toThrow();
    expect(() => slotKey('mailbox', s, bob.me.ik, 1, MAILBOX_SLOTS)).toThrow(RangeError);
    expect(() => slotKey('mailbox', s, bob.me.ik, 1, -1)).toThrow(RangeError);
  });

  it('one pair and direction gets at most MAILBOX_SLOTS records per period, then again in the next', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const mb = alice.messenger.mailbox;
    const t = periodOf(net.now);
    const one = (i: number) => utf8.encode(`m${i}`);
    expect(
      await mb.write(
        bob.id,
        bob.me.dk,
        Array.from({ length: MAILBOX_SLOTS + 1 }, (_, i) => one(i)),
      ),
    ).toBeNull();
    expect(alice.counters.get('mailbox.full')).toBe(1);
    const first = await mb.write(
      bob.id,
      bob.me.dk,
      Array.from({ length: MAILBOX_SLOTS - 1 }, (_, i) => one(i)),
    );
    expect(first?.map((s) => s.slot)).toEqual([...Array(MAILBOX_SLOTS - 1).keys()]);
    expect((await mb.write(bob.id, bob.me.dk, [one(99)]))?.map((s) => s.slot)).toEqual([MAILBOX_SLOTS - 1]);
    expect(await mb.write(bob.id, bob.me.dk, [one(100)])).toBeNull();
    expect(mailboxRecords(net, alice, bob, t).size).toBe(MAILBOX_SLOTS);
    // The other direction has its own slots.
    expect(await bob.messenger.mailbox.write(alice.id, alice.me.dk, [one(1)])).toHaveLength(1);
    // A new period, new slots (and a reloaded sender finds the first free one from the network).
    net.now += PERIOD_MS;
    const again = await (await alice.restart()).messenger.mailbox.write(bob.id, bob.me.dk, [one(1), one(2)]);
    expect(again?.map((s) => [s.t, s.slot])).toEqual([
      [t + 1, 0],
      [t + 1, 1],
    ]);
  });

  it('values are fixed-size, and within BEP 44 bencoded, whatever the plaintext', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const t = periodOf(net.now);
    await alice.messenger.mailbox.write(bob.id, bob.me.dk, [new Uint8Array(1), new Uint8Array(400).fill(7), new Uint8Array(898).fill(9)]);
    const recs = [...mailboxRecords(net, alice, bob, t).values()];
    expect(recs).toHaveLength(3);
    for (const r of recs) {
      expect(r.v.length).toBe(SEALED_VALUE_BYTES);
      expect(`${r.v.length}:`.length + r.v.length).toBeLessThanOrEqual(RECORD_LIMITS.maxValueBytes);
    }
  });

  it('a long message takes one slot per part, and every slot of it fits', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const t = periodOf(net.now);
    const { messageId } = await alice.talk.send(bob.id, 'x'.repeat(5000));
    await net.settle();
    expect(await alice.stateOf(bob, messageId)).toBe('sent');
    expect(mailboxRecords(net, alice, bob, t).size).toBe(Math.ceil(5000 / 640));
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(Math.ceil(5000 / 640));
    expect((await bob.history(alice)).at(-1)?.text).toBe('x'.repeat(5000));
  });
});

describe('delivery through the mailbox', () => {
  it('messages written while away arrive in order on the poll, are acknowledged, and their slots are emptied', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const t = periodOf(net.now);
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) ids.push((await alice.talk.send(bob.id, text)).messageId);
    await net.settle();
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('sent');
    const before = mailboxRecords(net, alice, bob, t);
    // Slots in order from 0; short messages may share one (each flush mails what is queued).
    expect(before.size).toBeGreaterThanOrEqual(1);
    expect(before.size).toBeLessThanOrEqual(3);
    expect([...before.keys()]).toEqual([...Array(before.size).keys()]);
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(before.size);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online', 'one', 'two', 'three']);
    // Bob's receipts reach Alice once they see each other again.
    bob.online.add(alice.id);
    bob.messenger.flushAll();
    await net.settle();
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
    // Each slot was overwritten at a higher seq with an empty value: the next poll finds nothing.
    const after = mailboxRecords(net, alice, bob, t);
    for (const [slot, r] of before) expect(after.get(slot)!.seq).toBeGreaterThan(r.seq);
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(0);
    expect(bob.events.messages.map((m) => m.text)).toEqual(['while online', 'one', 'two', 'three']);
  });

  it('short messages queued together share slots (several to a record), arrive once each, in order, and each slot is emptied once', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const t = periodOf(net.now);
    const texts = Array.from({ length: 20 }, (_, i) => `short ${i}`);
    const ids = (await Promise.all(texts.map((x) => alice.talk.send(bob.id, x)))).map((r) => r.messageId);
    await net.settle();
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('sent');
    const slots = mailboxRecords(net, alice, bob, t).size;
    expect(slots).toBeGreaterThan(1);
    expect(slots).toBeLessThanOrEqual(5); // at least 4 short messages to a slot
    expect(alice.counters.get('mailbox.written')).toBe(slots);
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(slots);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online', ...texts]);
    bob.online.add(alice.id);
    bob.messenger.flushAll();
    await net.settle();
    for (const id of ids) expect(await alice.stateOf(bob, id)).toBe('delivered');
    expect(alice.messenger.pending(bob.id)).toBe(0);
    // Every slot emptied, each once: a shared slot waits for the last of its messages.
    expect(alice.counters.get('mailbox.cleared')).toBe(slots);
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(0);
    expect(bob.counters.get('message.duplicate')).toBe(0);
  });

  it('a read of what is new looks past the slots already read, in this period only: one lookup when nothing came', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const lookups = () => bob.records.counters.get('read.mailbox.ok') + bob.records.counters.get('read.mailbox.missing');
    await alice.talk.send(bob.id, 'first');
    await net.settle();
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(1);
    let before = lookups();
    expect(await bob.messenger.pollMailbox(alice.id, 'new')).toBe(0);
    expect(lookups() - before).toBe(1); // slot 1, still empty
    await alice.talk.send(bob.id, 'second');
    await net.settle();
    before = lookups();
    expect(await bob.messenger.pollMailbox(alice.id, 'new')).toBe(1);
    expect(lookups() - before).toBe(2); // slot 1, then slot 2
    // A full read starts each of the three periods at slot 0 again (the current one a slot ahead)
    // and finds nothing it has not handled.
    before = lookups();
    expect(await bob.messenger.pollMailbox(alice.id, 'full')).toBe(0);
    expect(lookups() - before).toBe(3 + 1 + 1 + 1);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online', 'first', 'second']);
    expect(bob.counters.get('message.duplicate')).toBe(0);
  });

  it('a record polled again (by a restarted reader) is a duplicate, not a second message', async () => {
    const { net, alice, bob: bob0 } = await awayPair(SEED);
    await alice.talk.send(bob0.id, 'once only');
    await net.settle();
    expect(await bob0.messenger.pollMailbox(alice.id)).toBe(1);
    const bob = await bob0.restart();
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(1);
    expect(bob.counters.get('message.duplicate')).toBe(1);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online', 'once only']);
  });

  it('records that are not the sender’s deliver nothing: foreign key, moved, tampered, or for another pair', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const carol = await ChatUser.create(net, 'carol');
    await carol.befriend(bob);
    await bob.befriend(carol);
    const t = periodOf(net.now);
    await alice.talk.send(bob.id, 'genuine');
    await net.settle();
    const slot0 = target(alice, bob, t, 0);
    const genuine = net.records.get(slot0)!;
    const ref = { kind: 'mailbox' as const, identityKey: bob.me.ik, secret: secrets(alice, bob).out, t };
    const plaintext = utf8.encode('forged');
    const attempts = [
      // Signed under another slot's key (what a storage node could serve under slot 0's target).
      buildSealedRecord({ ...ref, slot: 5, plaintext, seq: genuine.seq + 1 }),
      // Carol's genuine record to Bob, served under Alice's slot.
      buildSealedRecord({
        kind: 'mailbox',
        identityKey: bob.me.ik,
        secret: secrets(carol, bob).out,
        t,
        slot: 0,
        plaintext,
        seq: genuine.seq + 1,
      }),
      // Alice's own record with a flipped bit in the value, or in the seq (signature no longer verifies).
      { ...genuine, v: flipBit(genuine.v, 8 * 100) },
      { ...genuine, seq: genuine.seq + 1 },
      // The previous period's record for the same slot (its value is bound to its own key).
      buildSealedRecord({ ...ref, t: t - 1, slot: 0, plaintext, seq: genuine.seq + 1 }),
    ];
    for (const [i, rec] of attempts.entries()) {
      net.records.set(slot0, rec);
      const before = bob.records.counters.get('read.mailbox.invalid');
      expect(await bob.messenger.pollMailbox(alice.id), `attempt ${i}`).toBe(0);
      expect(bob.records.counters.get('read.mailbox.invalid') - before, `attempt ${i}`).toBeGreaterThan(0);
    }
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online']);
    net.records.set(slot0, genuine);
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(1);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online', 'genuine']);
  });

  it('a value that opens but holds a tampered ratchet message is dropped by the ratchet', async () => {
    const { net, alice, bob } = await awayPair(SEED);
    const t = periodOf(net.now);
    // Only Alice and Bob hold the pair's secret; even so, what is inside must pass the ratchet.
    const sent = net.log.filter((m) => m.from === alice.node.hex && decodeSessionEnvelope(m.payload)?.kind === 'msg').at(-1)!;
    const env = decodeSessionEnvelope(sent.payload) as Extract<ReturnType<typeof decodeSessionEnvelope>, { kind: 'msg' }>;
    const tampered = encodeSessionEnvelope({ kind: 'msg', sid: env.sid, msg: flipBit(env.msg, 8 * 40 + 1) }); // counter n + 2: a key not yet used
    net.put(
      buildSealedRecord({
        kind: 'mailbox',
        identityKey: bob.me.ik,
        secret: secrets(alice, bob).out,
        t,
        slot: 0,
        plaintext: tampered,
        seq: 1,
      }),
    );
    expect(await bob.messenger.pollMailbox(alice.id)).toBe(1);
    expect(bob.counters.get('drop.message_decrypt')).toBe(1);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['while online']);
    expect(bob.events.messages).toHaveLength(1);
  });
});
