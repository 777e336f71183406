/**
 * Messages between accepted contacts: sessions (session.ts), the outbox, receipts and history.
 *
 * Sending: a message is stored (history, state `sending`) with its outbox entry, then flushed per
 * contact, in order: encrypted under the contact's current session (the ratchet state and the
 * ciphertext are stored together before anything leaves), then sent directly while the contact is
 * online (its ack carries the delivery receipt) or written to the mailbox (`sent`), and retried
 * until a delivery receipt arrives. The same ciphertext is resent, so a crash never replays a
 * ratchet step; a new session re-encrypts what was not delivered.
 *
 * Receiving: every decrypted message is stored in one batch with the ratchet state that decrypted
 * it, so a crash loses nothing and a resent copy (DUPLICATE to the ratchet) is acknowledged again
 * from the index of what arrived. Up to MAX_SESSIONS sessions per contact are kept, so two
 * devices that start a session at once both get through.
 */
import { bytesToHex, hexToBytes, utf8 } from '../crypto/bytes';
import {
  decodeMessage,
  deserialize,
  encodeMessage,
  ratchetDecrypt,
  ratchetEncrypt,
  RatchetError,
  serialize,
  type RatchetState,
} from '../crypto/double-ratchet';
import type { ChatSettings, MessageInfo, MessageState } from './api-types';
import { MAX_TEXT_BYTES } from './constants';
import type { ChatContext } from './context';
import { ChatError } from './errors';
import {
  decodeFrame,
  decodeSessionEnvelope,
  encodeFrame,
  encodeSessionEnvelope,
  textFrames,
  type Frame,
  type SessionEnvelope,
} from './frames';
import { addMessageOps, advanceOp, findMessage } from './history';
import { devicesOf } from './inbox';
import { Mailbox, type MailSlot } from './mailbox';
import { periodOf } from './period';
import { answerSession, finishSession, messageAd, startSession, type Session } from './session';
import type { JsonValue, StoreOp } from './store';

/** Sessions kept per contact (the newest that can send is used). */
const MAX_SESSIONS = 4;
const SEND_TIMEOUT_MS = 10_000;

export interface MessengerHost extends ChatContext {
  settings: ChatSettings;
  emitMessage(contactId: string, m: MessageInfo): void;
  emitState(contactId: string, messageId: string, state: MessageState): void;
  emitTyping(contactId: string, typing: boolean): void;
  /** Both DTLS fingerprints, sorted, for a direct connection to `node`; empty when none. */
  channelBinding(node: string): Uint8Array;
}

/** A queued ratchet payload: a message (in history) or a control frame (receipt, ready). */
export interface OutItem {
  cid: string;
  id: string;
  sentAt: number;
  control: boolean;
  frames: string[];
  sid?: string;
  wires?: string[];
  acked: number;
  mail?: MailSlot[];
}

interface StoredSession {
  sid: string;
  ratchet: RatchetState;
  at: number;
}

export class Messenger {
  readonly mailbox: Mailbox;
  private readonly sessions = new Map<string, StoredSession[]>();
  private readonly out = new Map<string, OutItem[]>();
  private readonly chains = new Map<string, Promise<void>>();
  private lastSentAt = 0;

  constructor(private readonly h: MessengerHost) {
    this.mailbox = new Mailbox(h);
  }

  async load(): Promise<void> {
    for (const [key, v] of await this.h.c.store.list('session/')) {
      const cid = key.split('/')[1]!;
      const s = v as { sid: string; ratchet: string; at: number };
      try {
        this.sessionsOf(cid).push({ sid: s.sid, ratchet: deserialize(hexToBytes(s.ratchet)), at: s.at });
      } catch {
        this.h.counters.inc('load.bad_session');
      }
    }
    for (const [, v] of await this.h.c.store.list('out/')) {
      const item = v as unknown as OutItem;
      this.outOf(item.cid).push(item);
      this.lastSentAt = Math.max(this.lastSentAt, item.sentAt);
    }
    for (const list of this.out.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  }

  // ---- sending ------------------------------------------------------------------------------------

  async send(cid: string, text: string, replyTo?: string): Promise<{ messageId: string }> {
    const c = this.h.contacts.get(cid);
    if (!c) throw new ChatError('UNKNOWN_CONTACT', cid);
    if (c.state !== 'accepted') throw new ChatError('BAD_STATE', `contact is ${c.state}`);
    if (typeof text !== 'string' || text.length === 0) throw new ChatError('BAD_ARGUMENT', 'text must be a non-empty string');
    const bytes = utf8.encode(text);
    if (bytes.length > MAX_TEXT_BYTES) throw new ChatError('BAD_ARGUMENT', `text over ${MAX_TEXT_BYTES} bytes`);
    if (replyTo !== undefined && !/^[0-9a-f]{32}$/.test(replyTo)) throw new ChatError('BAD_ARGUMENT', 'replyTo must be a message id');
    const id = bytesToHex(this.h.randomBytes(16));
    const sentAt = (this.lastSentAt = Math.max(this.h.now, this.lastSentAt + 1));
    const m: MessageInfo = { messageId: id, from: 'me', text, sentAt, state: 'sending', ...(replyTo ? { replyTo } : {}) };
    const frames = textFrames(hexToBytes(id), sentAt, bytes, replyTo ? hexToBytes(replyTo) : undefined).map((f) =>
      bytesToHex(encodeFrame(f)),
    );
    const item: OutItem = { cid, id, sentAt, control: false, frames, acked: 0 };
    await this.h.c.store.batch([...addMessageOps(cid, m), { key: outKey(item), value: json(item) }]);
    this.outOf(cid).push(item);
    this.h.emitMessage(cid, m);
    this.kick(cid);
    return { messageId: id };
  }

  /** Queue a control frame (a receipt) for `cid`, persisted like a message but not in history. */
  async control(cid: string, frame: Frame): Promise<void> {
    const id = bytesToHex(this.h.randomBytes(16));
    const sentAt = (this.lastSentAt = Math.max(this.h.now, this.lastSentAt + 1));
    const item: OutItem = { cid, id, sentAt, control: true, frames: [bytesToHex(encodeFrame(frame))], acked: 0 };
    await this.h.c.store.batch([{ key: outKey(item), value: json(item) }]);
    this.outOf(cid).push(item);
    this.kick(cid);
  }

  /** Send a typing indicator now if a session can carry it (never queued, never retried). */
  typing(cid: string, on: boolean): void {
    if (!this.h.settings.typing || !this.h.isOnline(cid)) return;
    void this.serial(cid, async () => {
      const s = this.sendable(cid);
      const node = this.h.nodesOf.get(cid)?.[0];
      if (!s || !node) return;
      const wire = await this.encrypt(cid, s, [encodeFrame({ type: 'typing', on })]);
      await this.transmit(cid, node, s.sid, wire[0]!).catch(() => undefined);
    });
  }

  /** Work through the contact's outbox now (serialized per contact). */
  kick(cid: string): void {
    void this.serial(cid, () => this.flush(cid)).catch(() => this.h.counters.inc('flush.error'));
  }

  /** Flush every contact with something queued (the chat node's timer). */
  flushAll(): void {
    for (const [cid, items] of this.out) if (items.length > 0) this.kick(cid);
  }

  pending(cid: string): number {
    return this.out.get(cid)?.length ?? 0;
  }

  private async flush(cid: string): Promise<void> {
    const h = this.h;
    const items = this.outOf(cid);
    const c = h.contacts.get(cid);
    if (c?.state !== 'accepted') return;
    // Nothing to send: still start a session with an online contact, so that later messages can
    // go to its mailbox when it is away. The lower identity key starts it (no race for one pair).
    if (items.length === 0 && (this.sessionsOf(cid).length > 0 || !(bytesToHex(h.me.ik) < cid))) return;
    const device = devicesOf(h, cid, c.devices)[0];
    if (!device) return;
    const node = h.isOnline(cid) ? h.nodesOf.get(cid)?.[0] : undefined;
    let s = this.sendable(cid);
    if (!s && node) s = await this.handshake(cid, node, device.dk);
    if (!s) return void h.counters.inc('flush.no_session');
    for (const item of [...items]) {
      if (item.sid !== s.sid || !item.wires) {
        item.wires = (await this.encrypt(cid, s, item.frames.map(hexToBytes), item)).map(bytesToHex);
        item.sid = s.sid;
        item.acked = 0;
      }
    }
    if (node) {
      for (const item of [...items]) {
        while (item.acked < item.wires!.length) {
          const ok = await this.transmit(cid, node, item.sid!, hexToBytes(item.wires![item.acked]!));
          if (ok === 'reset') return this.dropSession(cid, item.sid!);
          if (!ok) return void h.counters.inc('flush.unreachable');
          item.acked++;
          if (this.outOf(cid).includes(item)) await h.c.store.batch([{ key: outKey(item), value: json(item) }]);
        }
        if (item.control) await this.done(cid, item);
        else await this.advance(cid, item.id, 'sent');
      }
      return;
    }
    // Offline: the mailbox, once per item and period (its slots move on at a rollover).
    for (const item of [...items]) {
      if (item.mail && item.mail[0]?.t === periodOf(h.now)) continue;
      const env = item.wires!.map((w) => encodeSessionEnvelope({ kind: 'msg', sid: hexToBytes(item.sid!), msg: hexToBytes(w) }));
      const slots = await this.mailbox.write(cid, device.dk, env);
      if (!slots) return;
      if (item.mail) await this.mailbox.clear(cid, device.dk, item.mail);
      item.mail = slots;
      await h.c.store.batch([{ key: outKey(item), value: json(item) }]);
      if (!item.control) await this.advance(cid, item.id, 'sent');
    }
  }

  /** Encrypt frames in order under `s`; stores the new ratchet state (and `item`) in one batch. */
  private async encrypt(cid: string, s: StoredSession, frames: Uint8Array[], item?: OutItem): Promise<Uint8Array[]> {
    const ad = messageAd(this.h.me.ik, hexToBytes(cid));
    let ratchet = s.ratchet;
    const wires: Uint8Array[] = [];
    for (const f of frames) {
      const r = ratchetEncrypt(ratchet, f, ad);
      ratchet = r.state;
      wires.push(encodeMessage(r.message));
    }
    const ops: StoreOp[] = [sessionOp(cid, { ...s, ratchet })];
    if (item) ops.push({ key: outKey(item), value: json({ ...item, sid: s.sid, wires: wires.map(bytesToHex), acked: 0 }) });
    await this.h.c.store.batch(ops);
    s.ratchet = ratchet;
    return wires;
  }

  /** One ratchet message to `node`: true when acked, 'reset' when the session is unknown there. */
  private async transmit(cid: string, node: string, sid: string, wire: Uint8Array): Promise<boolean | 'reset'> {
    let answer: Uint8Array | undefined;
    try {
      answer = await this.h.channel.send(node, encodeSessionEnvelope({ kind: 'msg', sid: hexToBytes(sid), msg: wire }), {
        timeoutMs: SEND_TIMEOUT_MS,
      });
    } catch {
      return false;
    }
    this.h.heard(cid);
    const env = answer && decodeSessionEnvelope(answer);
    if (env?.kind === 'reset') return 'reset';
    if (env?.kind === 'msg') await this.receiveMsg(cid, env, false);
    return true;
  }

  // ---- sessions -----------------------------------------------------------------------------------

  private async handshake(cid: string, node: string, theirDk: Uint8Array): Promise<StoredSession | undefined> {
    const h = this.h;
    const binding = h.channelBinding(node);
    const me = { dk: h.me.dk, dkSecret: h.me.dkSecret, certificate: hexToBytes(h.certificate) };
    const { hs, msg1 } = startSession(me, theirDk, binding, h.randomBytes);
    let answer: Uint8Array | undefined;
    try {
      answer = await h.channel.send(node, encodeSessionEnvelope({ kind: 'hs1', bound: binding.length > 0, msg: msg1 }), {
        timeoutMs: SEND_TIMEOUT_MS,
      });
    } catch {
      return undefined;
    }
    const env = answer && decodeSessionEnvelope(answer);
    if (env?.kind !== 'hs2') return void h.counters.inc('session.no_answer');
    try {
      const session = finishSession(hs, env.msg, (cert, rs) => this.certOf(cert, rs), theirDk, h.randomBytes);
      const s = await this.addSession(cid, session);
      h.counters.inc('session.started');
      // The responder may send once it has our first message: tell it at once.
      const ready = await this.encrypt(cid, s, [encodeFrame({ type: 'ready' })]);
      await this.transmit(cid, node, s.sid, ready[0]!);
      return s;
    } catch {
      h.counters.inc('session.failed');
      return undefined;
    }
  }

  private certOf(cert: Uint8Array, remoteStatic: Uint8Array): string | null {
    for (const c of this.h.contacts.all()) {
      if (c.state !== 'accepted') continue;
      if (this.h.checkCertificate(cert, hexToBytes(c.id), remoteStatic)) return c.id;
    }
    return null;
  }

  private async addSession(cid: string, session: Session): Promise<StoredSession> {
    const list = this.sessionsOf(cid);
    const s: StoredSession = { sid: session.sid, ratchet: session.ratchet, at: this.h.now };
    list.push(s);
    const ops: StoreOp[] = [sessionOp(cid, s)];
    while (list.length > MAX_SESSIONS) ops.push({ key: `session/${cid}/${list.shift()!.sid}`, delete: true });
    await this.h.c.store.batch(ops);
    return s;
  }

  private async dropSession(cid: string, sid: string): Promise<void> {
    this.sessions.set(
      cid,
      this.sessionsOf(cid).filter((s) => s.sid !== sid),
    );
    await this.h.c.store.batch([{ key: `session/${cid}/${sid}`, delete: true }]);
    this.h.counters.inc('session.reset');
  }

  /** The newest session we can send on (Bob's side waits for the initiator's first message). */
  private sendable(cid: string): StoredSession | undefined {
    const list = this.sessionsOf(cid);
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.ratchet.cks) return list[i];
    return undefined;
  }

  // ---- receiving ----------------------------------------------------------------------------------

  /** A session envelope from node `from`: the answer for the ack. */
  async receive(from: string, payload: Uint8Array): Promise<Uint8Array | undefined> {
    const env = decodeSessionEnvelope(payload);
    if (!env) return void this.h.counters.inc('drop.session_malformed');
    if (env.kind === 'hs1') return this.answer(from, env.bound, env.msg);
    if (env.kind !== 'msg') return void this.h.counters.inc('drop.session_unexpected');
    const cid = this.findSid(bytesToHex(env.sid));
    if (!cid) return encodeSessionEnvelope({ kind: 'reset' });
    if (!this.h.nodesOf.get(cid)?.includes(from)) this.h.nodesOf.set(cid, [from, ...(this.h.nodesOf.get(cid) ?? [])].slice(0, 4));
    this.h.heard(cid);
    return this.serial(cid, () => this.receiveMsg(cid, env, true));
  }

  private async answer(from: string, bound: boolean, msg1: Uint8Array): Promise<Uint8Array | undefined> {
    const h = this.h;
    const binding = h.channelBinding(from);
    if (bound !== binding.length > 0) return void h.counters.inc('drop.session_binding');
    const me = { dk: h.me.dk, dkSecret: h.me.dkSecret, certificate: hexToBytes(h.certificate) };
    try {
      const r = answerSession(me, msg1, binding, (cert, rs) => this.certOf(cert, rs), h.randomBytes);
      await this.serial(r.contactId, () => this.addSession(r.contactId, r.session).then(() => undefined));
      h.heard(r.contactId);
      h.counters.inc('session.answered');
      return encodeSessionEnvelope({ kind: 'hs2', msg: r.msg2 });
    } catch {
      return void h.counters.inc('drop.session_handshake');
    }
  }

  /**
   * Decrypt and handle one ratchet message; with `reply`, return our receipt for the ack. Called
   * inside the contact's serial chain.
   */
  async receiveMsg(cid: string, env: Extract<SessionEnvelope, { kind: 'msg' }>, reply: boolean): Promise<Uint8Array | undefined> {
    const h = this.h;
    const s = this.sessionsOf(cid).find((x) => x.sid === bytesToHex(env.sid));
    if (!s) return encodeSessionEnvelope({ kind: 'reset' });
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
      const r = ratchetDecrypt(s.ratchet, msg, messageAd(hexToBytes(cid), h.me.ik), { randomBytes: h.randomBytes });
      plaintext = r.plaintext;
      ratchet = r.state;
    } catch (e) {
      if (e instanceof RatchetError && e.code === 'DUPLICATE') {
        h.counters.inc('message.duplicate');
        const id = await h.c.store.get(recvKey);
        return typeof id === 'string' && reply ? this.receipt(cid, s, 'delivered', [id], []) : undefined;
      }
      return void h.counters.inc('drop.message_decrypt');
    }
    const frame = decodeFrame(plaintext);
    const ops: StoreOp[] = [];
    const after: Array<() => void> = [];
    let deliveredId: string | undefined;
    if (frame?.type === 'text') deliveredId = await this.onText(cid, frame, ops, after);
    else if (frame?.type === 'receipt') await this.onReceipt(cid, frame, ops, after);
    else if (frame?.type === 'typing') after.push(() => h.emitTyping(cid, frame.on));
    else if (!frame) h.counters.inc('drop.frame_malformed');
    if (deliveredId) ops.push({ key: recvKey, value: deliveredId });
    const next = { ...s, ratchet };
    let answer: Uint8Array | undefined;
    if (deliveredId && reply) answer = await this.receipt(cid, next, 'delivered', [deliveredId], ops);
    else {
      ops.push(sessionOp(cid, next));
      await h.c.store.batch(ops);
      s.ratchet = ratchet;
    }
    for (const f of after) f();
    if (deliveredId && !reply) await this.control(cid, { type: 'receipt', kind: 'delivered', ids: [hexToBytes(deliveredId)] });
    return answer;
  }

  /** Encrypt a receipt right after a decrypt, store both steps with `ops`, return the envelope. */
  private async receipt(
    cid: string,
    s: StoredSession,
    kind: 'delivered' | 'read',
    ids: string[],
    ops: StoreOp[],
  ): Promise<Uint8Array | undefined> {
    if (!s.ratchet.cks) {
      await this.h.c.store.batch([...ops, sessionOp(cid, s)]);
      this.replace(cid, s);
      if (ids.length) await this.control(cid, { type: 'receipt', kind, ids: ids.map(hexToBytes) });
      return undefined;
    }
    const r = ratchetEncrypt(
      s.ratchet,
      encodeFrame({ type: 'receipt', kind, ids: ids.map(hexToBytes) }),
      messageAd(this.h.me.ik, hexToBytes(cid)),
    );
    const next = { ...s, ratchet: r.state };
    await this.h.c.store.batch([...ops, sessionOp(cid, next)]);
    this.replace(cid, next);
    return encodeSessionEnvelope({ kind: 'msg', sid: hexToBytes(s.sid), msg: encodeMessage(r.message) });
  }

  private replace(cid: string, s: StoredSession): void {
    const list = this.sessionsOf(cid);
    const i = list.findIndex((x) => x.sid === s.sid);
    if (i >= 0) list[i] = s;
  }

  private async onText(
    cid: string,
    f: Extract<Frame, { type: 'text' }>,
    ops: StoreOp[],
    after: Array<() => void>,
  ): Promise<string | undefined> {
    const h = this.h;
    const id = bytesToHex(f.id);
    if (await findMessage(h.c.store, cid, id)) return id;
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
    const c = h.contacts.get(cid);
    if (c) {
      c.unread = (c.unread ?? 0) + 1;
      ops.push({ key: `contact/${cid}`, value: json(c) });
    }
    after.push(() => h.emitMessage(cid, m));
    return id;
  }

  private async onReceipt(cid: string, f: Extract<Frame, { type: 'receipt' }>, ops: StoreOp[], after: Array<() => void>): Promise<void> {
    for (const raw of f.ids) {
      const id = bytesToHex(raw);
      const found = await findMessage(this.h.c.store, cid, id);
      if (found?.m.from === 'me') {
        const op = advanceOp(found, f.kind);
        if (op) {
          ops.push(op);
          after.push(() => this.h.emitState(cid, id, f.kind));
        }
      }
      const item = this.outOf(cid).find((x) => x.id === id);
      if (item) {
        this.out.set(
          cid,
          this.outOf(cid).filter((x) => x !== item),
        );
        ops.push({ key: outKey(item), delete: true });
        if (item.mail) void this.clearMail(cid, item.mail);
      }
    }
  }

  private async clearMail(cid: string, slots: MailSlot[]): Promise<void> {
    const c = this.h.contacts.get(cid);
    const dk = c && devicesOf(this.h, cid, c.devices)[0]?.dk;
    if (dk) await this.mailbox.clear(cid, dk, slots).catch(() => this.h.counters.inc('mailbox.clear_error'));
  }

  /** Read a contact's mailbox slots for us and handle what is new. */
  async pollMailbox(cid: string): Promise<number> {
    const c = this.h.contacts.get(cid);
    const dk = c?.state === 'accepted' ? devicesOf(this.h, cid, c.devices)[0]?.dk : undefined;
    if (!dk) return 0;
    return this.mailbox.poll(cid, dk, async (plaintext) => {
      const env = decodeSessionEnvelope(plaintext);
      if (env?.kind === 'msg') await this.serial(cid, () => this.receiveMsg(cid, env, false).then(() => undefined));
    });
  }

  private async advance(cid: string, id: string, state: MessageState): Promise<void> {
    const found = await findMessage(this.h.c.store, cid, id);
    const op = found && advanceOp(found, state);
    if (!op) return;
    await this.h.c.store.batch([op]);
    this.h.emitState(cid, id, state);
  }

  private async done(cid: string, item: OutItem): Promise<void> {
    this.out.set(
      cid,
      this.outOf(cid).filter((x) => x !== item),
    );
    await this.h.c.store.batch([{ key: outKey(item), delete: true }]);
  }

  private findSid(sid: string): string | undefined {
    for (const [cid, list] of this.sessions) if (list.some((s) => s.sid === sid)) return cid;
    return undefined;
  }

  private sessionsOf(cid: string): StoredSession[] {
    let l = this.sessions.get(cid);
    if (!l) this.sessions.set(cid, (l = []));
    return l;
  }

  private outOf(cid: string): OutItem[] {
    let l = this.out.get(cid);
    if (!l) this.out.set(cid, (l = []));
    return l;
  }

  /** Run `f` after everything queued for the contact, one at a time. */
  private serial<T>(cid: string, f: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(cid) ?? Promise.resolve();
    const run = prev.then(f, f);
    this.chains.set(
      cid,
      run.then(
        () => undefined,
        () => undefined,
      ),
    );
    return run;
  }
}

function outKey(item: OutItem): string {
  return `out/${item.cid}/${String(item.sentAt).padStart(15, '0')}-${item.id}`;
}

function sessionOp(cid: string, s: StoredSession): StoreOp {
  return { key: `session/${cid}/${s.sid}`, value: { sid: s.sid, ratchet: bytesToHex(serialize(s.ratchet)), at: s.at } };
}

function json<T>(x: T): JsonValue {
  return JSON.parse(JSON.stringify(x)) as JsonValue;
}
