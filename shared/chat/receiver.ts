/**
 * The receiving side of messages: handshakes answered, ratchet messages decrypted and handled, each
 * stored in one batch with the ratchet state that decrypted it; a receipt goes back in the ack
 * when the message came directly, or through the outbox when it came from the mailbox.
 */
import { bytesToHex, hexToBytes, utf8 } from '../crypto/bytes';
import { ratchetAhead } from '../crypto/double-ratchet-ahead';
import { decodeMessage, encodeMessage, ratchetDecrypt, ratchetEncrypt, RatchetError, type RatchetState } from '../crypto/double-ratchet';
import type { MessageInfo } from './api-types';
import { ChatError } from './errors';
import { listOf } from './out-item';
import {
  decodeFrame,
  decodeSessionEnvelope,
  encodeFrame,
  encodeSessionEnvelope,
  MAX_BUNDLE,
  MAX_RECEIPT_IDS,
  messagesOf,
  type Frame,
  type SessionEnvelope,
} from './frames';
import { addMessageOps, advanceOp, editedMessage, editIndexOp, findMessage, messageKey } from './history';
import { devicesOf } from './inbox';
import { noteNode } from './online';
import type { MessengerHost } from './context';
import type { Mailbox, ReadMode } from './mailbox';
import { answerSession, messageAd } from './session';
import type { SessionBook, StoredSession } from './session-book';
import { asJson, type StoreOp } from './store';

/** What the receiving side uses of the messenger. */
export interface ReceiverLinks {
  readonly mailbox: Mailbox;
  /** Queue a control frame; applied at once, the promise is its commit. */
  control(cid: string, frame: Frame): Promise<void>;
  serial<T>(cid: string, f: () => Promise<T>): Promise<T>;
  removeOut(cid: string, id: string): StoreOp[];
  certOf(cert: Uint8Array, remoteStatic: Uint8Array): string | null;
}

/**
 * What a bundle's messages did, stored in ONE batch once the last is handled: their ops, the
 * ratchet state after the last (and the contact's unread count, once), then the receipts that go
 * through the outbox (never committed ahead of what they confirm); the answers for the ack, and
 * what to tell once applied.
 */
interface Pending {
  ops: StoreOp[];
  session?: StoredSession;
  contact: boolean;
  receipts: string[];
  controls: Array<Extract<Frame, { type: 'receipt' }>>;
  answers: Uint8Array[];
  after: Array<() => void>;
  /** Messages this bundle stored, by id (not in the store before it commits: an edit may follow its message). */
  added: Map<string, { key: string; m: MessageInfo }>;
}

const pending = (): Pending => ({ ops: [], contact: false, receipts: [], controls: [], answers: [], after: [], added: new Map() });

export class Receiver {
  /** Direct messages waiting in each contact's queue, and ids stored whose receipt has not gone yet. */
  private readonly queued = new Map<string, number>();
  private readonly owed = new Map<string, string[]>();

  constructor(
    private readonly h: MessengerHost,
    private readonly sessions: SessionBook,
    private readonly m: ReceiverLinks,
  ) {}

  /** A session envelope from node `from`: the answer for the ack. */
  async receive(from: string, payload: Uint8Array): Promise<Uint8Array | undefined> {
    const env = decodeSessionEnvelope(payload);
    if (!env) return void this.h.counters.inc('drop.session_malformed');
    if (env.kind === 'hs1') return this.answer(from, env.bound, env.msg);
    if (env.kind !== 'msg' && env.kind !== 'msgs') return void this.h.counters.inc('drop.session_unexpected');
    const cid = this.sessions.contactOf(env.sid);
    if (!cid) return encodeSessionEnvelope({ kind: 'reset' });
    return this.handleAll(cid, env.sid, messagesOf(env), true, from);
  }

  /** One ratchet message (a receipt in an ack, a mailbox record): handled like a bundle of one. */
  handle(cid: string, env: Extract<SessionEnvelope, { kind: 'msg' }>, reply: boolean, from?: string): Promise<Uint8Array | undefined> {
    return this.handleAll(cid, env.sid, [env.msg], reply, from);
  }

  /**
   * Ratchet messages in order, in the contact's queue (which goes on once the writes are issued);
   * then the events, and once the writes are committed the answer for the ack (never before: an
   * ack means stored). With `reply`, receipts ride in the answer: one per burst, from its last message.
   */
  private async handleAll(
    cid: string,
    sid: Uint8Array,
    msgs: Uint8Array[],
    reply: boolean,
    from?: string,
  ): Promise<Uint8Array | undefined> {
    const count = (n: number): void => {
      if (reply) this.queued.set(cid, (this.queued.get(cid) ?? 0) + n);
    };
    count(msgs.length);
    // Let the messages that arrived with these be counted first: then only the last of a burst
    // encrypts a receipt (for them all), and the others are acked bare.
    if (reply) await this.h.yieldToEvents?.();
    const r = await this.m.serial(cid, async () => {
      const p = pending();
      let left = msgs.length;
      try {
        for (const msg of msgs) {
          count(-1);
          left--;
          await this.receiveMsg(cid, { kind: 'msg', sid, msg }, reply, p, from);
        }
      } catch (e) {
        // Nothing of this bundle is stored (the sender sends it again): no receipt may name it.
        this.owed.delete(cid);
        throw e;
      } finally {
        count(-left);
      }
      return { p, stored: this.commit(cid, p) };
    });
    // The last of a burst ended without taking what is owed: a receipt of its own.
    if (reply && r.p.answers.length === 0 && this.owedTo(cid).length > 0 && !this.queued.get(cid)) {
      void this.m.serial(cid, async () => {
        const ids = this.owedTo(cid).splice(0);
        return { stored: ids.length ? this.m.control(cid, { type: 'receipt', kind: 'delivered', ids: ids.map(hexToBytes) }) : undefined };
      });
    }
    // Shown once applied (what history reads); acked once committed. A failed commit is never
    // acked, so the sender sends it again.
    for (const f of r.p.after) f();
    await r.stored;
    return bundleAnswers(r.p.answers);
  }

  /**
   * Issue the bundle's batch (its messages, the ratchet state after the last, the contact once),
   * then the receipts that go through the outbox: the promise is all of them committed.
   */
  private commit(cid: string, p: Pending): Promise<unknown> {
    if (p.contact) {
      const c = this.h.contacts.get(cid);
      if (c) p.ops.push({ key: `contact/${cid}`, value: asJson(c) });
    }
    // A DH step opened a new sending chain: its reservation is stored now, so that our next
    // message on it (a reply) need not wait for the store.
    const write = p.session && this.sessions.write(cid, p.session, p.session.ratchet, false);
    if (write) p.ops.push(write.op);
    if (p.ops.length === 0) return Promise.resolve();
    const batch = this.h.c.store.batch(p.ops);
    write?.track(batch);
    const stored: Array<Promise<unknown>> = [batch];
    for (let i = 0; i < p.receipts.length; i += MAX_RECEIPT_IDS)
      p.controls.push({ type: 'receipt', kind: 'delivered', ids: p.receipts.slice(i, i + MAX_RECEIPT_IDS).map(hexToBytes) });
    for (const f of p.controls) stored.push(this.m.control(cid, f));
    return Promise.all(stored);
  }

  private owedTo(cid: string): string[] {
    return listOf(this.owed, cid);
  }

  private async answer(from: string, bound: boolean, msg1: Uint8Array): Promise<Uint8Array | undefined> {
    const h = this.h;
    const binding = h.channelBinding(from);
    if (bound !== binding.length > 0) return void h.counters.inc('drop.session_binding');
    const me = { dk: h.me.dk, dkSecret: h.me.dkSecret, certificate: hexToBytes(h.certificate) };
    try {
      const r = answerSession(me, msg1, binding, (cert, rs) => this.m.certOf(cert, rs), h.randomBytes);
      // Answered without waiting for the session's commit: if it is lost, the initiator's first
      // message is answered 'reset' and a new session starts.
      const { stored } = await this.m.serial(r.contactId, async () => this.sessions.add(r.contactId, r.session));
      stored.catch(() => h.counters.inc('store.error'));
      h.heard(r.contactId);
      h.counters.inc('session.answered');
      return encodeSessionEnvelope({ kind: 'hs2', msg: r.msg2 });
    } catch {
      return void h.counters.inc('drop.session_handshake');
    }
  }

  /**
   * Decrypt and handle one ratchet message into `p` (stored with its bundle); with `reply`, our
   * receipt for the ack. Called inside the contact's serial chain. `from`, the node it came from
   * directly, counts as the contact's (and the contact as heard) only once the message decrypts:
   * the session id is no secret.
   */
  private async receiveMsg(
    cid: string,
    env: Extract<SessionEnvelope, { kind: 'msg' }>,
    reply: boolean,
    p: Pending,
    from?: string,
  ): Promise<void> {
    const h = this.h;
    const s = this.sessions.get(cid, env.sid);
    if (!s) return void p.answers.push(encodeSessionEnvelope({ kind: 'reset' }));
    const msg = (() => {
      try {
        return decodeMessage(env.msg);
      } catch {
        return null;
      }
    })();
    if (!msg) return void h.counters.inc('drop.message_malformed');
    const recvKey = `recv/${cid}/${s.sid}:${bytesToHex(msg.header.dh)}:${msg.header.n}`;
    let plaintext: Uint8Array;
    let ratchet: RatchetState;
    try {
      const x = h.c.x25519;
      const opts = x ? await ratchetAhead(s.ratchet, msg.header, x, h.randomBytes) : { randomBytes: h.randomBytes };
      const r = ratchetDecrypt(s.ratchet, msg, this.adFrom(cid), opts);
      plaintext = r.plaintext;
      ratchet = r.state;
    } catch (e) {
      if (e instanceof RatchetError && e.code === 'DUPLICATE') {
        h.counters.inc('message.duplicate');
        const id = await h.c.store.get(recvKey);
        if (typeof id !== 'string' || !reply) return;
        if (this.sessions.get(cid, env.sid) !== s) throw new ChatError('STORAGE', 'session reloaded');
        const owed = this.owedTo(cid);
        if (!owed.includes(id)) owed.push(id);
        return this.receipt(cid, s, 'delivered', owed.splice(0, MAX_RECEIPT_IDS), p);
      }
      return void h.counters.inc('drop.message_decrypt');
    }
    if (from !== undefined) {
      noteNode(h.nodesOf, cid, from);
      h.heard(cid);
    }
    const frame = decodeFrame(plaintext);
    let deliveredId: string | undefined;
    if (frame?.type === 'text') deliveredId = await this.onText(cid, frame, p);
    else if (frame?.type === 'receipt') await this.onReceipt(cid, frame, p);
    else if (frame?.type === 'typing') {
      if (h.settings.typing) p.after.push(() => h.emitTyping(cid, frame.on));
    } else if (!frame) h.counters.inc('drop.frame_malformed');
    if (deliveredId) p.ops.push({ key: recvKey, value: deliveredId });
    // A failed write reloaded the sessions while we waited on a read: this state is not the stored one.
    if (this.sessions.get(cid, env.sid) !== s) throw new ChatError('STORAGE', 'session reloaded');
    s.ratchet = ratchet;
    p.session = s;
    if (!reply) {
      if (deliveredId) p.receipts.push(deliveredId);
      return;
    }
    // One receipt for a burst: messages with more queued behind them are acked bare (stored,
    // receipt to follow), and the last one's ack carries the receipt for all (up to MAX_RECEIPT_IDS).
    const owed = this.owedTo(cid);
    if (deliveredId) owed.push(deliveredId);
    if (owed.length >= MAX_RECEIPT_IDS || (owed.length > 0 && !this.queued.get(cid)))
      this.receipt(cid, s, 'delivered', owed.splice(0, MAX_RECEIPT_IDS), p);
  }

  /** Encrypt a receipt (after a decrypt) under `s` into `p`: its envelope rides in the ack. */
  private receipt(cid: string, s: StoredSession, kind: 'delivered' | 'read', ids: string[], p: Pending): void {
    if (!s.ratchet.cks) {
      p.session = s;
      if (ids.length) p.controls.push({ type: 'receipt', kind, ids: ids.map(hexToBytes) });
      return;
    }
    const r = ratchetEncrypt(
      s.ratchet,
      encodeFrame({ type: 'receipt', kind, ids: ids.map(hexToBytes) }),
      messageAd(this.h.me.ik, hexToBytes(cid)),
    );
    const next = { ...s, ratchet: r.state };
    this.sessions.replace(cid, next);
    p.session = next;
    p.answers.push(encodeSessionEnvelope({ kind: 'msg', sid: hexToBytes(s.sid), msg: encodeMessage(r.message) }));
  }

  /** The associated data of `cid`'s messages to us (the same for every message: kept). */
  private readonly ads = new Map<string, Uint8Array>();
  private adFrom(cid: string): Uint8Array {
    const ad = this.ads.get(cid) ?? messageAd(hexToBytes(cid), this.h.me.ik);
    this.ads.set(cid, ad);
    return ad;
  }

  private async onText(cid: string, f: Extract<Frame, { type: 'text' }>, p: Pending): Promise<string | undefined> {
    const h = this.h;
    const ops = p.ops;
    const id = bytesToHex(f.id);
    if (p.added.has(id) || (await findMessage(h.c.store, cid, id))) return id;
    let text: Uint8Array = f.part;
    if (f.count > 1) {
      const prefix = `part/${cid}/${id}/`;
      const have = new Map((await h.c.store.list(prefix)).map(([k, v]) => [Number(k.slice(prefix.length)), hexToBytes(v as string)]));
      have.set(f.index, f.part);
      if (have.size < f.count) {
        ops.push({ key: `${prefix}${String(f.index).padStart(5, '0')}`, value: bytesToHex(f.part) });
        return undefined;
      }
      const parts = [...Array(f.count).keys()].map((i) => have.get(i) ?? new Uint8Array(0));
      text = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        text.set(p, at);
        at += p.length;
      }
      for (const k of have.keys()) if (k !== f.index) ops.push({ key: `${prefix}${String(k).padStart(5, '0')}`, delete: true });
    }
    if (text.length !== f.total) return void h.counters.inc('drop.text_length');
    if (f.edits) return this.onEdit(cid, id, f.sentAt, bytesToHex(f.edits), f.total === 0 ? null : utf8.decode(text), p);
    const m: MessageInfo = {
      messageId: id,
      from: 'them',
      text: utf8.decode(text),
      sentAt: f.sentAt,
      receivedAt: h.now,
      state: 'delivered',
      ...(f.replyTo ? { replyTo: bytesToHex(f.replyTo) } : {}),
    };
    ops.push(...addMessageOps(cid, m));
    p.added.set(id, { key: messageKey(cid, m), m });
    const c = h.contacts.get(cid);
    if (c) {
      c.unread = (c.unread ?? 0) + 1;
      p.contact = true;
    }
    p.after.push(() => h.emitMessage(cid, m));
    return id;
  }

  /**
   * Their edit `id` of their message `target`: its new text (null: deleted), applied unless the
   * message is not theirs, unknown, deleted, or edited later already (then dropped, counted). Acked
   * either way; an applied one is indexed to the message, so a copy of it is known (a copy of a
   * dropped one is dropped again).
   */
  private async onEdit(cid: string, id: string, at: number, target: string, text: string | null, p: Pending): Promise<string> {
    const found = p.added.get(target) ?? (await findMessage(this.h.c.store, cid, target));
    if (found?.m.from !== 'them' || found.m.messageId !== target || found.m.deleted || at <= (found.m.editedAt ?? found.m.sentAt)) {
      this.h.counters.inc('drop.edit');
      return id;
    }
    const m = editedMessage(found.m, text, at);
    p.ops.push({ key: found.key, value: asJson(m) }, editIndexOp(cid, id, found.key));
    const c = this.h.contacts.get(cid);
    if (m.deleted && m.state !== 'read' && c?.unread) {
      c.unread--; // an unread message deleted: no longer waiting to be read
      p.contact = true;
    }
    p.added.set(target, { key: found.key, m });
    p.added.set(id, { key: found.key, m });
    p.after.push(() => this.h.emitMessage(cid, m));
    return id;
  }

  private async onReceipt(cid: string, f: Extract<Frame, { type: 'receipt' }>, p: Pending): Promise<void> {
    for (const raw of f.ids) {
      const id = bytesToHex(raw);
      const found = await findMessage(this.h.c.store, cid, id);
      // Read receipts work both ways or not at all (Signal's rule): with ours off, theirs are not shown.
      const shown = f.kind === 'read' && !this.h.settings.readReceipts ? 'delivered' : f.kind;
      if (found?.m.from === 'me') {
        const op = advanceOp(found, shown);
        if (op) {
          p.ops.push(op);
          p.after.push(() => this.h.emitState(cid, found.m.messageId, shown));
        }
      }
      p.ops.push(...this.m.removeOut(cid, id));
    }
  }

  /** Read a contact's mailbox slots for us (all, or what is new: ReadMode) and handle what is new. */
  async pollMailbox(cid: string, mode: ReadMode = 'full'): Promise<number> {
    const c = this.h.contacts.get(cid);
    const dk = c?.state === 'accepted' ? devicesOf(this.h, cid, c.devices)[0]?.dk : undefined;
    if (!dk) return 0;
    return this.m.mailbox.poll(cid, dk, (plaintext) => this.fromMailbox(cid, plaintext), mode);
  }

  /** A mailbox record's plaintext from `cid` (read from its slot, or held by our keeper). */
  async fromMailbox(cid: string, plaintext: Uint8Array): Promise<void> {
    const env = decodeSessionEnvelope(plaintext);
    if (env?.kind === 'msg') await this.handle(cid, env, false);
    else if (env?.kind === 'msgs')
      await this.handleAll(cid, env.sid, env.msgs, false); // short messages sharing a slot
    else this.h.counters.inc('drop.mailbox_malformed');
  }
}

/** The answers of a bundle's messages as one: none, one as it is, or their ratchet messages bundled. */
function bundleAnswers(answers: Uint8Array[]): Uint8Array | undefined {
  if (answers.length <= 1) return answers[0];
  const envs = answers.map(decodeSessionEnvelope);
  const reset = envs.find((e) => e?.kind === 'reset');
  if (reset) return encodeSessionEnvelope(reset);
  const msgs = envs.flatMap((e) => (e?.kind === 'msg' ? [e] : []));
  return encodeSessionEnvelope({ kind: 'msgs', sid: msgs[0]!.sid, msgs: msgs.slice(0, MAX_BUNDLE).map((e) => e.msg) });
}
