/**
 * A mail keeper, the keeper's side (the owner's is keeper-link.ts): a user's own always-on peer (`npm run peer -- --keep-for <link>`) that holds the
 * user's offline mail for longer than the mailbox's 2 h, as a Briar Mailbox does. The user adds
 * the keeper as a contact (it accepts only its owner) and names it with `setKeeper`. Then:
 *
 * - The owner pulls (keeper-wire.ts `keep`, sealed to the keeper's device key) at start, after
 *   each rollover and every slot poll. A pull names the mailbox secrets of the owner's contacts'
 *   slots to it, and acknowledges what the last answer carried.
 * - The keeper reads those slots every KEEPER.pollMs, as the owner would, and holds each new
 *   plaintext: a session envelope around a ratchet message between the owner and a contact, which
 *   it cannot open. Its answer (`kept`, sealed to the owner's device key) carries them oldest first.
 * - The owner handles them as mailbox reads: a message already read directly, or from the
 *   mailbox, is a duplicate the ratchet and the history drop.
 *
 * The keeper learns when and how much the owner's contacts write to it, not who they are or what
 * they say. Bounds: KEEPER.maxHeld items (oldest dropped, counted), KEEPER.holdMs per item,
 * MAX_KEEPER_WATCH secrets, and nothing for anyone but the owner.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { KEEPER, MAILBOX_SLOTS } from './constants';
import { encodeEnvelope, PROLOGUE, type Envelope } from './contact-wire';
import type { ChatContext } from './context';
import { decodeKeepRequest, encodeKeptReply, keptFits, type HeldMail } from './keeper-wire';
import { readSlots } from './mailbox';
import { open, seal } from './seal';
import type { JsonValue, StoreOp } from './store';

interface Held {
  seq: number;
  /** The slot's mailbox secret, hex. */
  s: string;
  t: number;
  slot: number;
  /** The record's seq there. */
  rseq: number;
  /** The plaintext, hex. */
  v: string;
  at: number;
}

const STATE_KEY = 'keeper/state';
const ITEM_PREFIX = 'keeper/item/';
const itemKey = (seq: number) => `${ITEM_PREFIX}${seq.toString().padStart(10, '0')}`;

/** The keeper's side: watch the owner's slots, hold what is found, answer the owner's pulls. */
export class MailKeeper {
  private watch: string[] = [];
  /** The newest pull's time: an older or equal one is a replay. */
  private lastPullAt = -1;
  private nextSeq = 1;
  private held: Held[] = [];
  private readonly seen = new Map<string, Map<number, number>>();
  private lastPoll = -Infinity;

  constructor(
    private readonly chat: ChatContext,
    readonly ownerId: string,
  ) {}

  async load(): Promise<void> {
    const st = await this.chat.c.store.get(STATE_KEY);
    if (st && typeof st === 'object' && !Array.isArray(st)) {
      if (Array.isArray(st.watch)) this.watch = st.watch.filter((x): x is string => typeof x === 'string');
      if (typeof st.lastPullAt === 'number') this.lastPullAt = st.lastPullAt;
      if (typeof st.nextSeq === 'number') this.nextSeq = st.nextSeq;
    }
    for (const [, v] of await this.chat.c.store.list(ITEM_PREFIX)) {
      const h = v as unknown as Held;
      if (typeof h?.seq === 'number' && typeof h.s === 'string' && typeof h.v === 'string') this.held.push(h);
    }
    for (const h of this.held) this.seenOf(h.s).set(h.t * MAILBOX_SLOTS + h.slot, h.rseq);
  }

  get size(): number {
    return this.held.length;
  }

  /** A contact event: our owner's request is accepted at once (and nobody else's). */
  onContact(e: { contactId: string; state: string }, accept: (id: string) => Promise<void>): void {
    if (e.contactId === this.ownerId && e.state === 'pending')
      void accept(e.contactId).catch(() => this.chat.counters.inc('keeper.accept_error'));
  }

  /** Read the watched slots if due (from the chat node's read step). */
  async poll(force = false): Promise<void> {
    const chat = this.chat;
    if (!force && chat.now - this.lastPoll < KEEPER.pollMs) return;
    this.lastPoll = chat.now;
    const ik = hexToBytes(this.ownerId);
    const ops: StoreOp[] = [];
    for (const s of this.watch) {
      const seen = this.seenOf(s);
      await readSlots(chat, ik, hexToBytes(s), seen, async (plaintext, t, slot) => {
        const h: Held = {
          seq: this.nextSeq++,
          s,
          t,
          slot,
          rseq: seen.get(t * MAILBOX_SLOTS + slot) ?? 0,
          v: bytesToHex(plaintext),
          at: chat.now,
        };
        this.held.push(h);
        ops.push({ key: itemKey(h.seq), value: h as unknown as JsonValue, fresh: true });
        chat.counters.inc('keeper.held');
      });
    }
    ops.push(...this.expire());
    if (ops.length) await chat.c.store.batch([...ops, this.stateOp()]);
  }

  /** Answer a pull; undefined (counted) for anything but a fresh, well-formed pull from the owner. */
  async handle(env: Envelope): Promise<Uint8Array | undefined> {
    const chat = this.chat;
    let opened: ReturnType<typeof open>;
    try {
      opened = open(env.sealed, { recipient: { publicKey: chat.me.dk, secretKey: chat.me.dkSecret }, prologue: PROLOGUE.keep });
    } catch {
      return this.drop('seal');
    }
    const req = decodeKeepRequest(opened.payload);
    if (!req) return this.drop('malformed');
    const owner = chat.contacts.get(this.ownerId);
    if (bytesToHex(req.identityKey) !== this.ownerId || owner?.state !== 'accepted') return this.drop('stranger');
    if (!owner.devices.some((d) => chat.checkCertificate(d, req.identityKey, opened.senderKey))) return this.drop('stranger');
    if (req.sentAt <= this.lastPullAt) return this.drop('replay');
    this.lastPullAt = req.sentAt;
    const ops: StoreOp[] = this.held.filter((h) => h.seq <= req.ack).map((h) => ({ key: itemKey(h.seq), delete: true as const }));
    this.held = this.held.filter((h) => h.seq > req.ack);
    const watch = req.secrets.map(bytesToHex);
    const added = watch.some((s) => !this.watch.includes(s));
    this.watch = watch;
    await chat.c.store.batch([...ops, this.stateOp()]);
    chat.counters.inc('keeper.pulled');
    chat.heard(this.ownerId);
    if (added) void this.poll(true).catch(() => chat.counters.inc('keeper.poll_error'));
    const items: HeldMail[] = [];
    for (const h of this.held) {
      const next = [...items, { seq: h.seq, secret: hexToBytes(h.s), plaintext: hexToBytes(h.v) }];
      if (!keptFits(next)) break;
      items.push(next[next.length - 1]!);
    }
    const reply = encodeKeptReply({ sentAt: req.sentAt, more: items.length < this.held.length, items });
    const sealed = seal(reply, {
      sender: this.dkPair(),
      recipient: opened.senderKey,
      prologue: PROLOGUE.kept,
      randomBytes: chat.randomBytes,
    });
    return encodeEnvelope({ kind: 'kept', sealed });
  }

  /** Slots read per secret (t × MAILBOX_SLOTS + slot → record seq, as readSlots keeps them). */
  private seenOf(s: string): Map<number, number> {
    const m = this.seen.get(s) ?? new Map<number, number>();
    this.seen.set(s, m);
    return m;
  }

  /** Drop items past KEEPER.holdMs and the oldest past KEEPER.maxHeld. */
  private expire(): StoreOp[] {
    const now = this.chat.now;
    const keep = this.held.filter((h) => now - h.at < KEEPER.holdMs).slice(-KEEPER.maxHeld);
    const kept = new Set(keep);
    const gone = this.held.filter((h) => !kept.has(h));
    if (gone.length) this.chat.counters.inc('keeper.dropped', gone.length);
    this.held = keep;
    return gone.map((h) => ({ key: itemKey(h.seq), delete: true as const }));
  }

  private stateOp(): StoreOp {
    return { key: STATE_KEY, value: { watch: this.watch, lastPullAt: this.lastPullAt, nextSeq: this.nextSeq } };
  }

  private dkPair() {
    return { publicKey: this.chat.me.dk, secretKey: this.chat.me.dkSecret };
  }

  private drop(why: string): undefined {
    this.chat.counters.inc(`drop.keep_${why}`);
    return undefined;
  }
}
