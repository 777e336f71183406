/**
 * Sending outbox items directly to a contact's node (the messenger decides when; see messenger.ts):
 * up to SEND_WINDOW requests in flight, runs of single-part messages bundled into one request
 * (one ack, one receipt for them all), a message's parts in order. A message acked without a
 * receipt is not sent again before RESEND_AFTER_MS. Typing indicators go straight out. Sessions
 * start here too (the initiator's side of the handshake).
 */
import { hexToBytes } from '../crypto/bytes';
import { encodeMessage, ratchetEncrypt } from '../crypto/double-ratchet';
import type { MessengerHost } from './context';
import { ChatError } from './errors';
import { decodeSessionEnvelope, encodeFrame, encodeSessionEnvelope, messagesOf, type SessionEnvelope } from './frames';
import { sendUnits, type OutItem } from './out-item';
import { finishSession, messageAd, startSession } from './session';
import type { SessionBook, StoredSession } from './session-book';
import type { StoreOp } from './store';

const SEND_TIMEOUT_MS = 10_000;
/** Requests in flight to one contact at once. */
const SEND_WINDOW = 128;
/**
 * A message acked without a receipt (the receiver acks a burst bare and sends one receipt for it
 * with the last ack; or it could not store it) is sent again after this long without one, ms.
 */
export const RESEND_AFTER_MS = 5_000;

export type SendResult = boolean | 'reset' | 'busy';

/** What the sender uses of the messenger: its outbox bookkeeping and the receipts in acks. */
export interface SenderLinks {
  serial<T>(cid: string, f: () => Promise<T>): Promise<T>;
  saveOut(cid: string, item: OutItem): void;
  sent(cid: string, items: OutItem[]): void;
  done(cid: string, item: OutItem): void;
  handleReceipt(cid: string, env: Extract<SessionEnvelope, { kind: 'msg' }>): Promise<unknown>;
  /** The accepted contact whose certificate this is (naming the Noise static key), or null. */
  certOf(cert: Uint8Array, remoteStatic: Uint8Array): string | null;
}

/**
 * Encrypt frames in order under `s` (its state as the book holds it now: a receipt may have
 * replaced it); stores the new ratchet state in one batch, with `withOps` of the wires, and a
 * reservation of the next keys. Call inside `serial`; await `leave` (outside it) before the wires
 * leave: at once when a committed reservation covers their keys (a crash cannot reuse them),
 * else the batch's commit.
 */
export function encryptFrames(
  h: MessengerHost,
  sessions: SessionBook,
  cid: string,
  s: StoredSession,
  frames: Uint8Array[],
  withOps: (wires: Uint8Array[]) => StoreOp[] = () => [],
): { wires: Uint8Array[]; stored: Promise<void>; leave: Promise<void> } {
  const ad = messageAd(h.me.ik, hexToBytes(cid));
  const cur = sessions.get(cid, s.sid) ?? s;
  let ratchet = cur.ratchet;
  const wires: Uint8Array[] = [];
  for (const f of frames) {
    const r = ratchetEncrypt(ratchet, f, ad);
    ratchet = r.state;
    wires.push(encodeMessage(r.message));
  }
  const write = sessions.write(cid, cur, ratchet, true);
  const stored = h.c.store.batch([...withOps(wires), write.op]);
  write.track(stored);
  cur.ratchet = ratchet;
  s.ratchet = ratchet;
  if (cur.reserve) s.reserve = cur.reserve;
  return { wires, stored, leave: write.covered ? Promise.resolve() : stored };
}

export class DirectSender {
  /** When each message was last acked in full (its receipt is due within RESEND_AFTER_MS). */
  private readonly ackedAt = new WeakMap<OutItem, number>();

  constructor(
    private readonly h: MessengerHost,
    private readonly m: SenderLinks,
    private readonly sessions: SessionBook,
  ) {}

  /** Send a typing indicator now if a session can carry it (never queued, never retried). */
  typing(cid: string, on: boolean): void {
    if (!this.h.settings.typing || !this.h.isOnline(cid)) return;
    void this.m
      .serial(cid, async () => {
        const s = this.sessions.sendable(cid);
        const node = this.h.nodesOf.get(cid)?.[0];
        if (!s || !node) return undefined;
        const e = encryptFrames(this.h, this.sessions, cid, s, [encodeFrame({ type: 'typing', on })]);
        return { node, sid: s.sid, wire: e.wires[0]!, leave: e.leave };
      })
      .then(async (t) => {
        if (!t) return;
        await t.leave;
        await this.transmit(cid, t.node, t.sid, [t.wire]);
      })
      .catch(() => undefined);
  }

  /** Start a session with `cid` at `node` (Noise IK to its device key), and tell it we are ready. */
  async handshake(cid: string, node: string, theirDk: Uint8Array): Promise<StoredSession | undefined> {
    const h = this.h;
    const binding = h.channelBinding(node);
    h.counters.inc(binding.length > 0 ? 'session.bound' : 'session.unbound');
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
      const session = finishSession(hs, env.msg, (cert, rs) => this.m.certOf(cert, rs), theirDk, h.randomBytes);
      const { s, stored } = await this.m.serial(cid, async () => this.sessions.add(cid, session));
      stored.catch(() => undefined); // the 'ready' below commits after it, and is awaited
      h.counters.inc('session.started');
      // The responder may send once it has our first message: tell it at once.
      const ready = await this.m.serial(cid, async () => encryptFrames(this.h, this.sessions, cid, s, [encodeFrame({ type: 'ready' })]));
      await ready.leave;
      await this.transmit(cid, node, s.sid, [ready.wires[0]!]);
      return s;
    } catch {
      h.counters.inc('session.failed');
      return undefined;
    }
  }

  /** Acked in full lately, its receipt not yet in: not sent again before RESEND_AFTER_MS. */
  awaitingReceipt(item: OutItem): boolean {
    const at = this.ackedAt.get(item);
    return !item.control && at !== undefined && item.acked >= (item.wires?.length ?? 0) && this.h.now - at < RESEND_AFTER_MS;
  }

  /**
   * Send items directly, up to SEND_WINDOW at once (each one's parts in order: the receiver's
   * ratchet takes messages in any order, and history orders by send time). Stops taking new ones
   * at the first that cannot go, and says why.
   */
  async sendWindow(cid: string, node: string, ready: OutItem[]): Promise<{ why: false | 'reset' | 'busy'; item: OutItem } | undefined> {
    const units = sendUnits(ready);
    let next = 0;
    let stop: { why: false | 'reset' | 'busy'; item: OutItem } | undefined;
    const worker = async (): Promise<void> => {
      while (!stop && next < units.length) {
        const unit = units[next++]!;
        const r = unit.length === 1 ? await this.sendItem(cid, node, unit[0]!) : await this.sendBundle(cid, node, unit);
        if (r !== true) stop ??= { why: r, item: unit[0]! };
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_WINDOW, units.length) }, worker));
    return stop;
  }

  /** Send one outbox item's parts in order: true once all are acked, else why not. */
  private async sendItem(cid: string, node: string, item: OutItem): Promise<boolean | 'reset' | 'busy'> {
    // Every part reached the node on an earlier flush, yet no receipt came (its receipt was lost,
    // or it could not open the message: a bare ack answers that too): send the same ciphertext
    // again; a copy it has already stored is answered with the receipt again. (`acked` itself
    // only goes up: acked in full, an item stays out of the mailbox.)
    const n = item.wires!.length;
    for (let part = !item.control && item.acked >= n ? 0 : item.acked; part < n; part++) {
      const ok = await this.transmit(cid, node, item.sid!, [hexToBytes(item.wires![part]!)]);
      if (ok !== true) return ok;
      if (part + 1 > item.acked) {
        item.acked = part + 1;
        if (item.acked < n) this.m.saveOut(cid, item);
      }
    }
    if (item.control) this.m.done(cid, item);
    else this.sentItems(cid, [item]);
    return true;
  }

  /** Single-part items in one request (one ack, one receipt for them all). */
  private async sendBundle(cid: string, node: string, items: OutItem[]): Promise<boolean | 'reset' | 'busy'> {
    const ok = await this.transmit(
      cid,
      node,
      items[0]!.sid!,
      items.map((item) => hexToBytes(item.wires![0]!)),
    );
    if (ok !== true) return ok;
    for (const item of items) {
      item.acked = 1;
      if (item.control) this.m.done(cid, item);
    }
    this.sentItems(
      cid,
      items.filter((item) => !item.control),
    );
    return true;
  }

  /** Messages acked in full (their receipts due within RESEND_AFTER_MS): stored as `sent`, not waited for. */
  private sentItems(cid: string, items: OutItem[]): void {
    for (const item of items) this.ackedAt.set(item, this.h.now);
    if (items.length > 0) this.m.sent(cid, items);
  }

  /**
   * Ratchet messages to `node` in one request (a bundle when more than one): true when acked,
   * 'reset' when the session is unknown there, 'busy' when over its rate, false when gone.
   */
  async transmit(cid: string, node: string, sid: string, wires: Uint8Array[]): Promise<boolean | 'reset' | 'busy'> {
    const id = hexToBytes(sid);
    const env: SessionEnvelope = wires.length === 1 ? { kind: 'msg', sid: id, msg: wires[0]! } : { kind: 'msgs', sid: id, msgs: wires };
    let answer: Uint8Array | undefined;
    try {
      answer = await this.h.channel.send(node, encodeSessionEnvelope(env), { timeoutMs: SEND_TIMEOUT_MS });
    } catch (e) {
      return e instanceof ChatError && e.code === 'BUSY' ? 'busy' : false;
    }
    this.h.heard(cid);
    const back = answer && decodeSessionEnvelope(answer);
    if (back?.kind === 'reset') return 'reset';
    // Receipts in the ack: handled in the contact's queue; the next send need not wait for them.
    for (const msg of messagesOf(back))
      void this.m.handleReceipt(cid, { kind: 'msg', sid: id, msg }).catch(() => this.h.counters.inc('receipt.error'));
    return true;
  }
}
