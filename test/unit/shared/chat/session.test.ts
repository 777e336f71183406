/**
 * shared/chat/session.ts and session-book.ts: the Noise IK handshake between two devices' keys
 * seeds a Double Ratchet on both sides; it is refused unless the peer's certificate is valid, is
 * signed by an accepted contact and names the Noise static key; replays never decrypt twice;
 * tampered ciphertext is dropped without touching the state; and the ratchet state kept in the
 * store carries a session across a restart.
 */
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../../shared/chat/certificate';
import type { ChatContext } from '../../../../shared/chat/context';
import { decodeSessionEnvelope, encodeFrame, encodeSessionEnvelope, textFrames } from '../../../../shared/chat/frames';
import { answerSession, finishSession, messageAd, startSession, type DeviceKeys } from '../../../../shared/chat/session';
import { MAX_SESSIONS, RESERVE, SessionBook, sessionOp } from '../../../../shared/chat/session-book';
import { MemoryChatStore, type JsonValue } from '../../../../shared/chat/store';
import { createSelf } from '../../../../shared/chat/stored';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import {
  decodeMessage,
  encodeMessage,
  generateDh,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitAlice,
  serialize,
} from '../../../../shared/crypto/double-ratchet';
import { Counters } from '../../../../shared/dht/counters';
import { ChatUser, createPair, type FakeNet } from '../../../helpers/chat-pair';
import { chatCode, flipBit, seededRandom } from '../../../helpers/chat';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(1302);

function device(seed: number): DeviceKeys & { ik: Uint8Array; ikSeed: Uint8Array; nodeId: Uint8Array } {
  const rnd = seededRandom(seed);
  const me = createSelf(rnd, `d${seed}`, 1_000);
  const nodeId = rnd(20);
  const certificate = issueCertificate(me.ikSeed, { deviceKey: me.dk, nodeId, issuedAt: 1_000 });
  return { dk: me.dk, dkSecret: me.dkSecret, certificate, ik: me.ik, ikSeed: me.ikSeed, nodeId };
}

/** The envelopes Alice sent Bob, decoded, of one kind. */
function sentOf(net: FakeNet, from: ChatUser, kind: 'hs1' | 'msg'): Uint8Array[] {
  return net.log.filter((m) => m.from === from.node.hex && decodeSessionEnvelope(m.payload)?.kind === kind).map((m) => m.payload);
}

describe('the handshake (session.ts)', () => {
  it('establishes the same session id and a working ratchet on both sides', () => {
    const a = device(SEED);
    const b = device(SEED + 1);
    const rnd = seededRandom(SEED + 2);
    const seen: string[] = [];
    const { hs, msg1 } = startSession(a, b.dk, new Uint8Array(0), rnd);
    const answered = answerSession(
      b,
      msg1,
      new Uint8Array(0),
      (cert, rs) => {
        seen.push(`b saw ${bytesToHex(cert) === bytesToHex(a.certificate)} ${bytesToHex(rs) === bytesToHex(a.dk)}`);
        return 'alice';
      },
      rnd,
    );
    expect(answered.contactId).toBe('alice');
    const alice = finishSession(
      hs,
      answered.msg2,
      (cert, rs) => {
        seen.push(`a saw ${bytesToHex(cert) === bytesToHex(b.certificate)} ${bytesToHex(rs) === bytesToHex(b.dk)}`);
        return 'bob';
      },
      b.dk,
      rnd,
    );
    expect(seen).toEqual(['b saw true true', 'a saw true true']);
    expect(alice.sid).toBe(answered.session.sid);
    expect(alice.sid).toMatch(/^[0-9a-f]{16}$/);
    // Alice can send at once; Bob only after her first message, then both ways.
    expect(alice.ratchet.cks).not.toBeNull();
    expect(answered.session.ratchet.cks).toBeNull();
    const adAB = messageAd(a.ik, b.ik);
    const adBA = messageAd(b.ik, a.ik);
    const m1 = ratchetEncrypt(alice.ratchet, utf8.encode('hi bob'), adAB);
    const d1 = ratchetDecrypt(answered.session.ratchet, decodeMessage(encodeMessage(m1.message)), adAB, { randomBytes: rnd });
    expect(utf8.decode(d1.plaintext)).toBe('hi bob');
    const m2 = ratchetEncrypt(d1.state, utf8.encode('hi alice'), adBA);
    expect(utf8.decode(ratchetDecrypt(m1.state, m2.message, adBA, { randomBytes: rnd }).plaintext)).toBe('hi alice');
    // The AD binds the direction: Bob's message does not open as Alice's.
    expect(() => ratchetDecrypt(m1.state, m2.message, adAB, { randomBytes: rnd })).toThrow();
  });

  it('two handshakes give two different sessions; a prologue mismatch (channel binding) fails', () => {
    const a = device(SEED);
    const b = device(SEED + 1);
    const ok = () => 'x';
    const s1 = startSession(a, b.dk, new Uint8Array(0), seededRandom(1));
    const s2 = startSession(a, b.dk, new Uint8Array(0), seededRandom(2));
    const r1 = answerSession(b, s1.msg1, new Uint8Array(0), ok, seededRandom(3));
    const r2 = answerSession(b, s2.msg1, new Uint8Array(0), ok, seededRandom(4));
    expect(r1.session.sid).not.toBe(r2.session.sid);
    const bound = startSession(a, b.dk, utf8.encode('fingerprints'), seededRandom(5));
    expect(chatCode(() => answerSession(b, bound.msg1, new Uint8Array(0), ok, seededRandom(6)))).toBe('DECRYPT_FAILED');
    expect(chatCode(() => answerSession(b, bound.msg1, utf8.encode('fingerprints'), ok, seededRandom(6)))).toBe('NONE');
  });

  it('a first message for another device key, or tampered, does not open', () => {
    const a = device(SEED);
    const b = device(SEED + 1);
    const c = device(SEED + 3);
    const { msg1 } = startSession(a, c.dk, new Uint8Array(0), seededRandom(1));
    expect(chatCode(() => answerSession(b, msg1, new Uint8Array(0), () => 'x', seededRandom(2)))).toBe('DECRYPT_FAILED');
    const good = startSession(a, b.dk, new Uint8Array(0), seededRandom(1)).msg1;
    for (const bit of [0, 8 * 32 + 3, 8 * 40, good.length * 8 - 1])
      expect(
        chatCode(() => answerSession(b, flipBit(good, bit), new Uint8Array(0), () => 'x', seededRandom(2))),
        `bit ${bit}`,
      ).toBe('DECRYPT_FAILED');
  });

  it('the initiator refuses a reply whose certificate its check refuses', () => {
    const a = device(SEED);
    const b = device(SEED + 1);
    const { hs, msg1 } = startSession(a, b.dk, new Uint8Array(0), seededRandom(1));
    const r = answerSession(b, msg1, new Uint8Array(0), () => 'alice', seededRandom(2));
    expect(chatCode(() => finishSession(hs, r.msg2, () => null, b.dk, seededRandom(3)))).toBe('DECRYPT_FAILED');
  });
});

describe('who may start a session (Messenger.certOf, the check the chat uses)', () => {
  /** Bob answers a first message from `from`'s device carrying `cert`; the contact id or the ChatError code. */
  function answer(bob: ChatUser, from: ChatUser, cert: Uint8Array): string {
    const me = { dk: from.me.dk, dkSecret: from.me.dkSecret, certificate: cert };
    const { msg1 } = startSession(me, bob.me.dk, new Uint8Array(0), seededRandom(SEED));
    const bobKeys = { dk: bob.me.dk, dkSecret: bob.me.dkSecret, certificate: hexToBytes(bob.certificate) };
    try {
      return answerSession(bobKeys, msg1, new Uint8Array(0), (c, rs) => bob.messenger.certOf(c, rs), seededRandom(SEED + 1)).contactId;
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  }

  it('an accepted contact with its own certificate gets through', async () => {
    const { alice, bob } = await createPair(SEED);
    expect(answer(bob, alice, hexToBytes(alice.certificate))).toBe(alice.id);
  });

  it('a stranger, and a contact not yet accepted, are refused', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const carol = await ChatUser.create(net, 'carol');
    expect(answer(bob, carol, hexToBytes(carol.certificate))).toBe('DECRYPT_FAILED');
    await bob.befriend(carol);
    bob.contacts.get(carol.id)!.state = 'pending';
    expect(answer(bob, carol, hexToBytes(carol.certificate))).toBe('DECRYPT_FAILED');
    bob.contacts.get(carol.id)!.state = 'accepted';
    expect(answer(bob, carol, hexToBytes(carol.certificate))).toBe(carol.id);
    expect(answer(bob, alice, hexToBytes(alice.certificate))).toBe(alice.id);
  });

  it('a forged certificate, one for another device key, and one signed by a stranger for the contact are refused', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const cert = hexToBytes(alice.certificate);
    // Any flipped bit: signature, key, node id, time.
    for (const bit of [8 * 5, 8 * 40, 8 * 70, 8 * 90, cert.length * 8 - 1])
      expect(answer(bob, alice, flipBit(cert, bit)), `bit ${bit}`).toBe('DECRYPT_FAILED');
    // Alice's IK vouches for another device key, not the one that runs the handshake.
    const other = generateDh(seededRandom(SEED + 9)).publicKey;
    const forOther = issueCertificate(alice.me.ikSeed, { deviceKey: other, nodeId: alice.node.id, issuedAt: 1 });
    expect(answer(bob, alice, forOther)).toBe('DECRYPT_FAILED');
    // Mallory signs a certificate for Alice's device key with her own identity key.
    const mallory = await ChatUser.create(net, 'mallory');
    const byMallory = issueCertificate(mallory.me.ikSeed, { deviceKey: alice.me.dk, nodeId: alice.node.id, issuedAt: 1 });
    expect(answer(bob, alice, byMallory)).toBe('DECRYPT_FAILED');
    // Mallory's own device with Alice's certificate: the Noise key does not match.
    expect(answer(bob, mallory, cert)).toBe('DECRYPT_FAILED');
    expect(answer(bob, alice, cert)).toBe(alice.id);
  });

  it('over the network: a refused handshake leaves no session and the message waits', async () => {
    const { net, alice, bob } = await createPair(SEED);
    bob.contacts.get(alice.id)!.state = 'pending';
    await alice.talk.send(bob.id, 'hello?');
    await net.settle();
    expect(bob.counters.get('drop.session_handshake')).toBe(1);
    expect(alice.messenger.sessionState(bob.id)).toBe('none');
    expect(bob.messenger.sessionState(alice.id)).toBe('none');
    expect(await bob.c.store.list('session/')).toEqual([]);
    expect(alice.messenger.pending(bob.id)).toBe(1);
    // Once Bob accepts, the next flush gets it through.
    bob.contacts.get(alice.id)!.state = 'accepted';
    alice.messenger.flushAll();
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['hello?']);
  });
});

describe('replays and tampering', () => {
  it('a replayed message decrypts once: counted as a duplicate, acknowledged again, stored once', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'once');
    await net.settle();
    const [ready, text] = sentOf(net, alice, 'msg');
    expect(ready && text).toBeTruthy();
    const writes = bob.store.writes;
    const answer = await bob.messenger.receive(alice.node.hex, text!);
    expect(bob.counters.get('message.duplicate')).toBe(1);
    // The answer is a fresh delivered receipt (the first one may have been lost), not a new message.
    expect(decodeSessionEnvelope(answer!)?.kind).toBe('msg');
    await bob.messenger.receive(alice.node.hex, ready!);
    expect(bob.counters.get('message.duplicate')).toBe(2);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['once']);
    expect(bob.events.messages).toHaveLength(1);
    expect(bob.contacts.get(alice.id)!.unread).toBe(1);
    // Only the receipt's ratchet step was written.
    expect(bob.store.writes - writes).toBe(1);
  });

  it('a replay after a restart is still a duplicate (the ratchet state that decrypted it was stored with it)', async () => {
    const { net, alice, bob: bob0 } = await createPair(SEED);
    await alice.talk.send(bob0.id, 'before the restart');
    await net.settle();
    const bob = await bob0.restart();
    for (const p of sentOf(net, alice, 'msg')) await bob.messenger.receive(alice.node.hex, p);
    expect(bob.counters.get('message.duplicate')).toBe(2);
    expect(bob.events.messages).toHaveLength(0);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['before the restart']);
  });

  it('a replayed first handshake message opens a new session that decrypts nothing old', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'one');
    await net.settle();
    const [hs1] = sentOf(net, alice, 'hs1');
    const live = bob.messenger.sessionState(alice.id);
    const answer = await bob.messenger.receive(alice.node.hex, hs1!);
    expect(decodeSessionEnvelope(answer!)?.kind).toBe('hs2');
    expect(live).toBe('ready');
    // Old messages under the new sid: unknown there. Under the old sid: duplicates.
    for (const p of sentOf(net, alice, 'msg')) await bob.messenger.receive(alice.node.hex, p);
    expect(bob.events.messages).toHaveLength(1);
    // Replayed often enough to push the live session out of the book: Alice recovers with a new one.
    for (let i = 0; i < MAX_SESSIONS; i++) await bob.messenger.receive(alice.node.hex, hs1!);
    await alice.talk.send(bob.id, 'two');
    await net.settle();
    alice.messenger.flushAll();
    await net.settle();
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('tampered ciphertext is dropped and leaves the state as it was: the genuine message still opens', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'first');
    await net.settle();
    // Capture the next message on its way, and keep it from Bob.
    let held: Uint8Array | undefined;
    net.fate = (m) => {
      if (m.from === alice.node.hex && decodeSessionEnvelope(m.payload)?.kind === 'msg' && !held) {
        held = m.payload;
        return 'drop';
      }
      return 'deliver';
    };
    await alice.talk.send(bob.id, 'second');
    await net.settle();
    net.fate = () => 'deliver';
    const env = decodeSessionEnvelope(held!) as Extract<ReturnType<typeof decodeSessionEnvelope>, { kind: 'msg' }>;
    const before = bytesToHex(serialize(bob.sessions.get(alice.id, env.sid)!.ratchet));
    let dropped = 0;
    for (const bit of [8 * 2, 8 * 41 + 1, 8 * 60, env.msg.length * 8 - 1]) {
      const tampered = encodeSessionEnvelope({ kind: 'msg', sid: env.sid, msg: flipBit(env.msg, bit) });
      expect(await bob.messenger.receive(alice.node.hex, tampered)).toBeUndefined();
      dropped = bob.counters.get('drop.message_decrypt') + bob.counters.get('drop.message_malformed');
    }
    expect(dropped).toBe(4);
    expect(bytesToHex(serialize(bob.sessions.get(alice.id, env.sid)!.ratchet))).toBe(before);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first']);
    await bob.messenger.receive(alice.node.hex, held!);
    expect((await bob.history(alice)).map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('garbage under a known session id from another node neither redirects the contact nor marks it heard', async () => {
    const { net, alice, bob } = await createPair(SEED);
    await alice.talk.send(bob.id, 'one');
    await net.settle();
    const [, text] = sentOf(net, alice, 'msg');
    const env = decodeSessionEnvelope(text!) as Extract<ReturnType<typeof decodeSessionEnvelope>, { kind: 'msg' }>;
    const mallory = await ChatUser.create(net, 'mallory');
    const heard = bob.events.heard;
    await mallory.channel.send(bob.node.hex, encodeSessionEnvelope({ kind: 'msg', sid: env.sid, msg: flipBit(env.msg, 8 * 60) }));
    await mallory.channel.send(bob.node.hex, text!); // a replay from elsewhere: a duplicate, not proof of anything
    await net.settle();
    expect(bob.nodesOf.get(alice.id)).toEqual([alice.node.hex]);
    expect(bob.events.heard).toBe(heard);
    const m = await bob.talk.send(alice.id, 'to alice');
    await net.settle();
    expect(await bob.stateOf(alice, m.messageId)).toBe('delivered');
    expect((await alice.history(bob)).map((x) => x.text)).toEqual(['one', 'to alice']);
    expect(net.log.some((x) => x.to === mallory.node.hex)).toBe(false);
  });

  it('a message whose frame is encrypted for another pair (wrong AD) does not open', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const carol = await ChatUser.create(net, 'carol');
    await alice.talk.send(bob.id, 'hi');
    await net.settle();
    const s = alice.sessions.sendable(bob.id)!;
    const [f] = textFrames(new Uint8Array(16).fill(1), 5, utf8.encode('as if from carol'));
    const forged = ratchetEncrypt(s.ratchet, encodeFrame(f!), messageAd(carol.me.ik, bob.me.ik));
    await bob.messenger.receive(
      alice.node.hex,
      encodeSessionEnvelope({ kind: 'msg', sid: hexToBytes(s.sid), msg: encodeMessage(forged.message) }),
    );
    expect(bob.counters.get('drop.message_decrypt')).toBe(1);
    expect(await bob.history(alice)).toHaveLength(1);
  });
});

describe('the session book (session-book.ts)', () => {
  function ctx(store: MemoryChatStore, now = 5): ChatContext {
    return { c: { store }, now, counters: new Counters() } as unknown as ChatContext;
  }
  const ratchet = (seed: number) =>
    ratchetInitAlice(seededRandom(seed)(32), generateDh(seededRandom(seed + 1)).publicKey, { randomBytes: seededRandom(seed + 2) });

  it('persists each session with its serialized ratchet, restores it exactly, and keeps at most MAX_SESSIONS per contact', async () => {
    const store = new MemoryChatStore();
    const book = new SessionBook(ctx(store));
    const sids: string[] = [];
    for (let i = 0; i < MAX_SESSIONS + 2; i++) {
      const sid = `${i}`.padStart(16, '0');
      sids.push(sid);
      await book.add('c1', { sid, ratchet: ratchet(i) });
    }
    await book.add('c2', { sid: 'f'.repeat(16), ratchet: ratchet(99) });
    expect((await store.list('session/c1/')).map(([k]) => k.split('/')[2])).toEqual(sids.slice(2));
    const again = new SessionBook(ctx(store));
    await again.load();
    for (const sid of sids.slice(2))
      expect(bytesToHex(serialize(again.get('c1', sid)!.ratchet))).toBe(bytesToHex(serialize(ratchet(Number(sid)))));
    expect(again.get('c1', sids[0]!)).toBeUndefined();
    expect(again.contactOf(hexToBytes('f'.repeat(16)))).toBe('c2');
    expect(again.sendable('c1')?.sid).toBe(sids.at(-1));
    await again.drop('c1', sids.at(-1)!);
    expect(again.sendable('c1')?.sid).toBe(sids.at(-2));
    expect(await store.get(`session/c1/${sids.at(-1)}`)).toBeUndefined();
  });

  it('a corrupt stored session is skipped and counted, the rest load', async () => {
    const store = new MemoryChatStore();
    const good = sessionOp('c1', { sid: 'a'.repeat(16), ratchet: ratchet(1), at: 1 });
    const bad = sessionOp('c1', { sid: 'b'.repeat(16), ratchet: ratchet(2), at: 1 }) as { key: string; value: { ratchet: string } };
    bad.value.ratchet = bad.value.ratchet.slice(0, 40);
    await store.batch([good, bad]);
    const c = ctx(store);
    const book = new SessionBook(c);
    await book.load();
    expect(c.counters.get('load.bad_session')).toBe(1);
    expect(book.get('c1', 'a'.repeat(16))).toBeDefined();
    expect(book.get('c1', 'b'.repeat(16))).toBeUndefined();
  });

  it('a stored reservation moves the loaded sending chain past it; one on an older chain is ignored; a malformed one is counted', async () => {
    const store = new MemoryChatStore();
    const r = ratchet(3);
    const dhs = bytesToHex(r.dhs.publicKey);
    const ops = [
      sessionOp('c1', { sid: 'a'.repeat(16), ratchet: r, at: 1, reserve: { dhs, upTo: 7 } }),
      sessionOp('c1', { sid: 'b'.repeat(16), ratchet: r, at: 1, reserve: { dhs: '00'.repeat(32), upTo: 7 } }),
      sessionOp('c1', { sid: 'c'.repeat(16), ratchet: r, at: 1 }),
    ];
    const bad = sessionOp('c1', { sid: 'd'.repeat(16), ratchet: r, at: 1 }) as { key: string; value: { reserve?: JsonValue } };
    bad.value.reserve = { dhs, upTo: 'many' };
    await store.batch([...ops, bad]);
    const c = ctx(store);
    const book = new SessionBook(c);
    await book.load();
    expect(book.get('c1', 'a'.repeat(16))!.ratchet.ns).toBe(7);
    expect(book.get('c1', 'a'.repeat(16))!.ratchet.cks).not.toEqual(r.cks);
    expect(book.get('c1', 'b'.repeat(16))!.ratchet.ns).toBe(0);
    expect(book.get('c1', 'c'.repeat(16))!.ratchet.ns).toBe(0);
    expect(book.get('c1', 'd'.repeat(16))).toBeUndefined();
    expect(c.counters.get('load.bad_session')).toBe(1);
    // Loaded, the reservation is the committed one: key 7 is past it, so its message waits for
    // the write that reserves the next RESERVE; once that commits, the next one need not wait.
    const s = book.get('c1', 'a'.repeat(16))!;
    const e7 = ratchetEncrypt(s.ratchet, utf8.encode('7'), new Uint8Array(0));
    const w = book.write('c1', s, e7.state, true);
    expect(w.covered).toBe(false);
    expect(s.reserve).toEqual({ dhs, upTo: 8 + RESERVE });
    const committed = Promise.resolve();
    w.track(committed);
    await committed;
    const e8 = ratchetEncrypt(e7.state, utf8.encode('8'), new Uint8Array(0));
    expect(book.write('c1', s, e8.state, true).covered).toBe(true);
    // A write that sends nothing (a receipt handled) keeps the reservation on the same chain.
    expect(book.write('c1', s, e8.state, false).covered).toBe(true);
    expect(s.reserve).toEqual({ dhs, upTo: 9 + RESERVE });
  });

  it('the stored ratchet is the one after the last message, on both sides, at every step', async () => {
    const { net, alice, bob } = await createPair(SEED);
    const check = async (u: ChatUser, other: ChatUser) => {
      for (const [key, v] of await u.c.store.list(`session/${other.id}/`)) {
        const sid = key.split('/')[2]!;
        const mem = u.sessions.get(other.id, sid)!;
        expect((v as { ratchet: string }).ratchet, `${u.me.name} ${sid}`).toBe(bytesToHex(serialize(mem.ratchet)));
      }
    };
    for (let i = 0; i < 4; i++) {
      await alice.talk.send(bob.id, `a${i}`);
      await bob.talk.send(alice.id, `b${i}`);
      await net.settle();
      alice.messenger.flushAll();
      bob.messenger.flushAll();
      await net.settle();
      await check(alice, bob);
      await check(bob, alice);
    }
    expect((await bob.history(alice)).filter((m) => m.from === 'them').map((m) => m.text)).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect((await alice.history(bob)).filter((m) => m.from === 'them').map((m) => m.text)).toEqual(['b0', 'b1', 'b2', 'b3']);
  });
});
