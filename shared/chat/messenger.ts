/**
 * Messages between accepted contacts: sessions (session.ts), the outbox, receipts and history.
 *
 * Sending: a message is stored (history, state `sending`) with its outbox entry, then flushed per
 * contact, in order: encrypted under the contact's current session (the ratchet state and the
 * ciphertext stored together), it leaves once its own batch and that are committed (or the former
 * and a reservation of its keys: session-book.ts), sent directly while the contact is online (its
 * ack carries the delivery receipt) or written to the mailbox (`sent`), and retried until a
 * delivery receipt arrives. The same ciphertext is resent, so a crash never replays a
 * ratchet step; a new session re-encrypts what was not delivered.
 *
 * Two locks per contact: `serial` guards the ratchet states, outbox entries and history (never
 * across a network wait), and the flush lock keeps one flush at a time, with many requests in
 * flight (sender.ts); so two sides sending at once never wait on each other.
 *
 * Receiving: every decrypted message is stored in one batch with the ratchet state that decrypted
 * it, so a crash loses nothing and a resent copy (DUPLICATE to the ratchet) is acknowledged again
 * from the index of what arrived. Up to MAX_SESSIONS sessions per contact are kept, so two
 * devices that start a session at once both get through.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import type { MessageInfo } from './api-types';
import type { MessengerHost } from './context';
export type { MessengerHost } from './context';
import { ChatError } from './errors';
import { editOurs } from './edits';
import { encodeFrame, outgoingText, textFrames, type Frame, type SessionEnvelope } from './frames';
import { addMessageOps, advanceOp, findMessage } from './history';
import { devicesOf } from './inbox';
import { Mailbox, MAX_MAIL_BYTES, type MailSlot, type ReadMode } from './mailbox';
import { periodOf } from './period';
import { Receiver } from './receiver';
import { DirectSender, encryptFrames } from './sender';
import { SessionBook, type StoredSession } from './session-book';
import { freeSlots, listOf, outKey, queue, sendUnits, type OutItem } from './out-item';
export type { OutItem } from './out-item';
import { asJson, type StoreOp } from './store';

export { RESEND_AFTER_MS } from './sender';
/** Our last send time, stored with each send: after a restart our send times still only go up. */
const SENT_AT_KEY = 'sent-at';

export class Messenger {
  readonly mailbox: Mailbox;
  private readonly receiver: Receiver;
  private readonly direct: DirectSender;
  private readonly sessions: SessionBook;
  private readonly out = new Map<string, OutItem[]>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly flushes = new Map<string, Promise<void>>();
  /** A message's own batch (history, outbox entry) until it commits: nothing of it leaves before. */
  private readonly unstored = new WeakMap<OutItem, Promise<void>>();
  private lastSentAt = 0;

  constructor(private readonly h: MessengerHost) {
    this.mailbox = new Mailbox(h);
    this.sessions = new SessionBook(h);
    this.receiver = new Receiver(h, this.sessions, this);
    this.direct = new DirectSender(h, this, this.sessions);
    h.c.store.onFailure = () => void this.recover();
  }

  /** Sessions and outbox from the store (again, after a failed write: what memory held was not stored). */
  async load(): Promise<void> {
    const [, rows, last] = await Promise.all([this.sessions.load(), this.h.c.store.list('out/'), this.h.c.store.get(SENT_AT_KEY)]);
    this.out.clear();
    for (const [, v] of rows) {
      const item = v as unknown as OutItem;
      this.outOf(item.cid).push(item);
      this.lastSentAt = Math.max(this.lastSentAt, item.sentAt);
    }
    for (const list of this.out.values()) list.sort((a, b) => a.sentAt - b.sentAt);
    if (typeof last === 'number') this.lastSentAt = Math.max(this.lastSentAt, last);
  }

  /** After a failed write: reload, then take writes again (or stay refusing them until the next try). */
  private recovering = false;
  async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    this.h.counters.inc('store.failed');
    try {
      await this.load();
      this.h.c.store.recover();
    } catch {
      this.h.counters.inc('store.reload_failed');
    } finally {
      this.recovering = false;
    }
  }

  // ---- sending ------------------------------------------------------------------------------------

  async send(cid: string, text: string, replyTo?: string): Promise<{ messageId: string }> {
    this.acceptedContact(cid);
    const bytes = outgoingText(text, replyTo);
    const id = bytesToHex(this.h.randomBytes(16));
    const sentAt = this.nextSentAt();
    const m: MessageInfo = { messageId: id, from: 'me', text, sentAt, state: 'sending', ...(replyTo ? { replyTo } : {}) };
    const frames = textFrames(hexToBytes(id), sentAt, bytes, replyTo ? { replyTo: hexToBytes(replyTo) } : {});
    await this.enqueue(cid, id, sentAt, frames, addMessageOps(cid, m), m);
    return { messageId: id };
  }

  /** Replace the text of our message (null: delete it for both of us): edits.ts. */
  async edit(cid: string, messageId: string, text: string | null): Promise<void> {
    this.acceptedContact(cid);
    return editOurs(this.h, this, cid, messageId, text);
  }

  /**
   * Store a message's history ops with its outbox entry; tell `m` at once (history reads it already:
   * the batch is applied at once), so no state event of it comes first. Queued and encrypted while
   * the batch commits, it leaves once this batch and its ratchet step (or a reservation of its key)
   * are committed: what left is in our history, and a send that fails (STORAGE) sent nothing, so
   * the user's second try arrives once.
   */
  enqueue(cid: string, id: string, sentAt: number, frames: Frame[], ops: StoreOp[], m: MessageInfo, was?: MessageInfo): Promise<void> {
    const item: OutItem = { cid, id, sentAt, control: false, frames: frames.map((f) => bytesToHex(encodeFrame(f))), acked: 0 };
    this.outOf(cid).push(item);
    const own: StoreOp[] = [...ops, { key: outKey(item), value: asJson(item), fresh: true }, { key: SENT_AT_KEY, value: sentAt }];
    return this.stage(cid, item, own, m, was);
  }

  /** Write an outbox item's ops (`enqueue`); a failed write tells `was` again, or `failed` for a new message. */
  async stage(cid: string, item: OutItem, ops: StoreOp[], m: MessageInfo, was?: MessageInfo): Promise<void> {
    const stored = this.h.c.store.batch(ops);
    this.h.emitMessage(cid, m);
    this.unstored.set(item, stored);
    // Once committed there is nothing to wait for (a failed batch stays: the flush stops on it).
    stored.then(
      () => this.unstored.get(item) === stored && this.unstored.delete(item),
      () => undefined,
    );
    this.kick(cid);
    try {
      await stored;
    } catch (e) {
      // Not stored (the store reloads what it has): what was announced is not in history.
      if (was) this.h.emitMessage(cid, was);
      else this.h.emitState(cid, m.messageId, 'failed');
      throw e instanceof ChatError ? e : new ChatError('STORAGE', `message not stored: ${String(e)}`);
    }
  }

  private acceptedContact(cid: string): void {
    const c = this.h.contacts.get(cid);
    if (!c) throw new ChatError('UNKNOWN_CONTACT', cid);
    if (c.state !== 'accepted') throw new ChatError('BAD_STATE', `contact is ${c.state}`);
  }

  /**
   * Queue a control frame (a receipt) for `cid`, persisted like a message but not in history:
   * queued at once (callers inside the contact's queue need not wait), the promise is its commit.
   */
  control(cid: string, frame: Frame): Promise<void> {
    const id = bytesToHex(this.h.randomBytes(16));
    const sentAt = this.nextSentAt();
    const item: OutItem = { cid, id, sentAt, control: true, frames: [bytesToHex(encodeFrame(frame))], acked: 0 };
    const stored = this.h.c.store.batch([
      { key: outKey(item), value: asJson(item), fresh: true },
      { key: SENT_AT_KEY, value: sentAt },
    ]);
    this.outOf(cid).push(item);
    // Flushed once stored (a receipt never leaves ahead of its own record).
    return stored.then(() => this.kick(cid));
  }

  /** Send a typing indicator now if a session can carry it (never queued, never retried). */
  typing(cid: string, on: boolean): void {
    this.direct.typing(cid, on);
  }

  /** Work through the contact's outbox now (serialized per contact). */
  kick(cid: string): void {
    void queue(this.flushes, cid, () => this.flush(cid)).catch(() => this.h.counters.inc('flush.error'));
  }

  /** Flush every contact with something queued (the chat node's timer). */
  flushAll(): void {
    if (this.h.c.store.failed) return void this.recover();
    for (const [cid, items] of this.out) if (items.length > 0) this.kick(cid);
  }

  /** Whether we can send to `cid` on a session now ('ready'), have one that waits for the peer's first message ('waiting'), or none. */
  sessionState(cid: string): 'none' | 'waiting' | 'ready' {
    if (this.sessions.sendable(cid)) return 'ready';
    return this.sessions.has(cid) ? 'waiting' : 'none';
  }

  pending(cid: string): number {
    return this.out.get(cid)?.length ?? 0;
  }

  private async flush(cid: string): Promise<void> {
    const h = this.h;
    const items = this.outOf(cid);
    const c = h.contacts.get(cid);
    if (c?.state !== 'accepted' || h.c.store.failed) return;
    // Nothing to send: still start a session with an online contact, so that later messages can
    // go to its mailbox when it is away. The lower identity key starts it (no race for one pair).
    if (items.length === 0 && (this.sessions.has(cid) || !(bytesToHex(h.me.ik) < cid))) return;
    const device = devicesOf(h, cid, c.devices)[0];
    if (!device) return;
    const node = h.isOnline(cid) ? h.nodesOf.get(cid)?.[0] : undefined;
    let s = this.sessions.sendable(cid);
    if (!s && node) s = await this.direct.handshake(cid, node, device.dk);
    if (!s) return void h.counters.inc('flush.no_session');
    await this.encryptAll(cid, s, items);
    // Only items whose own batches committed (a failed one fails the store: reloaded without them).
    const stored = new Set(items);
    const waits = items.flatMap((item) => this.unstored.get(item) ?? []);
    try {
      if (waits.length > 0) await Promise.all(waits);
    } catch {
      return;
    }
    if (node) {
      const due = items.filter((item) => stored.has(item) && item.wires && !this.direct.awaitingReceipt(item));
      const stop = await this.direct.sendWindow(cid, node, due);
      if (stop?.why === 'reset') return this.serial(cid, () => this.sessions.drop(cid, stop.item.sid!));
      if (stop?.why === 'busy') return void h.counters.inc('flush.busy'); // the next tick tries again
      if (stop?.why === false) {
        // Gone (a closed tab, a lost link): offline now, so the next flush uses the mailbox.
        h.counters.inc('flush.unreachable');
        h.unreachable(cid);
        if (!h.isOnline(cid)) this.kick(cid);
      }
      return;
    }
    // Offline: the mailbox, once per item and period (its slots move on at a rollover), short messages
    // several to a slot; not what it acked in full (it holds those: a direct resend gets their receipt).
    const t = periodOf(h.now);
    const due = items.filter((i) => stored.has(i) && i.wires && i.acked < i.wires.length && i.mail?.[0]?.t !== t);
    for (const unit of sendUnits(due, MAX_MAIL_BYTES)) {
      const slots = await this.mailbox.writeItems(cid, device.dk, unit);
      if (!slots) return;
      const old = unit.flatMap((item) => item.mail ?? []);
      for (const item of unit) item.mail = slots;
      this.sent(cid, unit);
      await this.clearMail(cid, old);
    }
  }

  /** Encrypt every item not yet encrypted under `s`, in order, in one ratchet step and one store batch. */
  private async encryptAll(cid: string, s: StoredSession, items: OutItem[]): Promise<void> {
    const r = await this.serial(cid, async () => {
      const pick = new Set(items);
      const todo = this.outOf(cid).filter((item) => pick.has(item) && (item.sid !== s.sid || !item.wires));
      if (todo.length === 0) return undefined;
      const frames = todo.flatMap((item) => item.frames.map((f) => hexToBytes(f)));
      const e = encryptFrames(this.h, this.sessions, cid, s, frames, (wires) => {
        let at = 0;
        return todo.map((item) => {
          const mine = wires.slice(at, at + item.frames.length).map((w) => bytesToHex(w));
          at += item.frames.length;
          Object.assign(item, { sid: s.sid, wires: mine, acked: 0 });
          return { key: outKey(item), value: asJson(item) };
        });
      });
      return { leave: e.leave };
    });
    // No ciphertext leaves before its ratchet step, or a reservation of its key, is stored (a
    // crash must never reuse a key).
    await r?.leave;
  }

  /** The accepted contact whose certificate this is (naming the Noise static key), or null. */
  certOf(cert: Uint8Array, remoteStatic: Uint8Array): string | null {
    for (const c of this.h.contacts.all()) {
      if (c.state !== 'accepted') continue;
      if (this.h.checkCertificate(cert, hexToBytes(c.id), remoteStatic)) return c.id;
    }
    return null;
  }

  /** A receipt that came in an ack (sender.ts). */
  handleReceipt(cid: string, env: Extract<SessionEnvelope, { kind: 'msg' }>): Promise<unknown> {
    return this.receiver.handle(cid, env, false);
  }

  /** A session envelope from node `from`: the answer for the ack. */
  receive(from: string, payload: Uint8Array): Promise<Uint8Array | undefined> {
    return this.receiver.receive(from, payload);
  }

  pollMailbox(cid: string, mode: ReadMode = 'full'): Promise<number> {
    return this.receiver.pollMailbox(cid, mode);
  }

  /** A mailbox plaintext from `cid` that our keeper held. */
  fromMailbox(cid: string, plaintext: Uint8Array): Promise<void> {
    return this.receiver.fromMailbox(cid, plaintext);
  }

  /** The mailbox secret of `cid`'s slots to us (null without its device key). */
  inboundSecret(cid: string): Uint8Array | null {
    const c = this.h.contacts.get(cid);
    const dk = c?.state === 'accepted' ? devicesOf(this.h, cid, c.devices)[0]?.dk : undefined;
    return dk ? this.mailbox.secretsFor(cid, dk).in : null;
  }

  /** A delivered message leaves the outbox (and its mailbox slots are cleared). */
  removeOut(cid: string, id: string): StoreOp[] {
    const list = this.outOf(cid);
    const at = list.findIndex((x) => x.id === id);
    if (at < 0) return [];
    const [item] = list.splice(at, 1) as [OutItem];
    if (item.mail) void this.clearMail(cid, item.mail);
    return [{ key: outKey(item), delete: true }];
  }

  /** Clear those of `slots` that no outbox item is in any more (a shared slot, once its last is delivered). */
  private async clearMail(cid: string, slots: MailSlot[]): Promise<void> {
    const c = this.h.contacts.get(cid);
    const dk = c && devicesOf(this.h, cid, c.devices)[0]?.dk;
    const free = freeSlots(this.outOf(cid), slots);
    if (dk && free.length > 0) await this.mailbox.clear(cid, dk, free).catch(() => this.h.counters.inc('mailbox.clear_error'));
  }

  /**
   * Items sent (acked, or written to the mailbox): their progress stored and their messages moved
   * to `sent`, in one batch in the contact's queue (unless a receipt took them out meanwhile);
   * told once stored. Not waited for: a crash before it only sends the same ciphertext again.
   */
  sent(cid: string, items: OutItem[]): void {
    this.later(
      this.serial(cid, async () => {
        const ops: StoreOp[] = [];
        const shown: string[] = [];
        const out = new Set(this.outOf(cid));
        for (const item of items) {
          if (!out.has(item)) continue;
          ops.push({ key: outKey(item), value: asJson(item) });
          const found = item.control ? undefined : await findMessage(this.h.c.store, cid, item.id);
          const op = found && advanceOp(found, 'sent');
          if (!op) continue;
          ops.push(op);
          shown.push(found.m.messageId); // an edit moves the message it edited
        }
        return { stored: ops.length > 0 ? this.h.c.store.batch(ops) : undefined, shown };
      }).then(async (r) => {
        await r.stored;
        for (const id of r.shown) this.h.emitState(cid, id, 'sent');
      }),
    );
  }

  done(cid: string, item: OutItem): void {
    this.later(
      this.serial(cid, async () => {
        const list = this.outOf(cid);
        if (list.includes(item)) list.splice(list.indexOf(item), 1);
        return { stored: this.h.c.store.batch([{ key: outKey(item), delete: true }]) };
      }).then((r) => r.stored),
    );
  }

  /** Store an outbox entry's progress, unless a receipt took it out meanwhile. */
  saveOut(cid: string, item: OutItem): void {
    this.later(
      this.serial(cid, async () =>
        this.outOf(cid).includes(item) ? { stored: this.h.c.store.batch([{ key: outKey(item), value: asJson(item) }]) } : undefined,
      ).then((r) => r?.stored),
    );
  }

  /** Work not waited for: a failure is counted (a failed write reloads the state: store.failed). */
  private later(p: Promise<unknown>): void {
    p.catch(() => this.h.counters.inc('store.error'));
  }

  /** Our send times strictly increase, so our messages keep their order whatever the clock does. */
  nextSentAt(): number {
    this.lastSentAt = Math.max(this.h.now, this.lastSentAt + 1);
    return this.lastSentAt;
  }

  outOf(cid: string): OutItem[] {
    return listOf(this.out, cid);
  }

  /** Run `f` after everything queued for the contact's state, one at a time (not reentrant). */
  serial<T>(cid: string, f: () => Promise<T>): Promise<T> {
    return queue(this.chains, cid, f);
  }
}
