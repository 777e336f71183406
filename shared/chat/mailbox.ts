/**
 * The offline mailbox between two contacts: ratchet messages stored in the DHT in numbered slots
 * that only the two can find and open. Per direction and period, slot k's record is a BEP 44 item
 * under an Ed25519 key derived from the pair's mailbox secret, and its value is the message
 * padded to a fixed size and sealed (sealed-record.ts, kind 'mailbox'):
 *
 *   pair secret    = HKDF-SHA256(X25519(our device key, theirs), salt = both IKs sorted, info "p2p-chat pair v1")
 *   mailbox secret = HKDF-SHA256(pair secret, info "p2p-chat mailbox v1" ‖ u8 direction)[0..16]
 *                    (direction 0: from the lower IK to the higher; 1: the other way)
 *
 * The sender fills slots in order and keeps its undelivered records published (the values layer
 * republishes own records; at each period rollover they move to the new period's slots), then
 * overwrites a slot with an empty value once the message is delivered. The receiver reads its
 * contacts' slots at start and after each rollover (this period and the two before, the records'
 * lifetime), in order, up to the first slot never written; between rollovers, only this period's
 * slots past the last one read (ReadMode).
 * At most MAILBOX_SLOTS per pair, direction and period: one contact cannot make another store more.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../crypto/bytes';
import { curves } from '../crypto/curves';
import { MAILBOX_READ_BACK_PERIODS, MAILBOX_SECRET_BYTES, MAILBOX_SLOTS } from './constants';
import type { ChatContext } from './context';
import { encodeSessionEnvelope } from './frames';
import type { MailSlot, OutItem } from './out-item';
export type { MailSlot } from './out-item';
import { periodOf } from './period';
import { MAX_RECORD_PLAINTEXT } from './sealed-record';

/** What one slot carries: a session envelope of one ratchet message, or of several bundled. */
export const MAX_MAIL_BYTES = MAX_RECORD_PLAINTEXT;

const PAIR_INFO = utf8.encode('p2p-chat pair v1');
const MAILBOX_INFO = utf8.encode('p2p-chat mailbox v1');

export class Mailbox {
  private readonly secrets = new Map<string, { out: Uint8Array; in: Uint8Array }>();
  /** Next free slot per contact in the current period (ours, outgoing). */
  private readonly next = new Map<string, { t: number; slot: number }>();
  /** Highest slot already read per contact and period, with the seq read there (incoming). */
  private readonly read = new Map<string, Map<number, number>>();

  constructor(private readonly chat: ChatContext) {}

  /** The two mailbox secrets of a pair, from the contact's device key (null without one). */
  secretsFor(contactId: string, theirDk: Uint8Array): { out: Uint8Array; in: Uint8Array } {
    const known = this.secrets.get(contactId);
    if (known) return known;
    const mine = this.chat.me.ik;
    const theirs = hexToBytes(contactId);
    const lowFirst = bytesToHex(mine) < contactId;
    const salt = lowFirst ? concatBytes(mine, theirs) : concatBytes(theirs, mine);
    const pair = hkdf(sha256, curves().x25519(this.chat.me.dkSecret, theirDk), salt, PAIR_INFO, 32);
    const dir = (d: number) => hkdf(sha256, pair, undefined, concatBytes(MAILBOX_INFO, Uint8Array.of(d)), MAILBOX_SECRET_BYTES);
    const s = lowFirst ? { out: dir(0), in: dir(1) } : { out: dir(1), in: dir(0) };
    this.secrets.set(contactId, s);
    return s;
  }

  /**
   * Store outbox items, encrypted, in the next free slots of this period: one item's parts a slot
   * each, or several single-part items (a unit of `sendUnits(items, MAX_MAIL_BYTES)`) bundled in
   * one slot. The slots written, or null when full.
   */
  writeItems(contactId: string, theirDk: Uint8Array, unit: readonly OutItem[]): Promise<MailSlot[] | null> {
    const sid = hexToBytes(unit[0]!.sid!);
    const env =
      unit.length > 1
        ? [encodeSessionEnvelope({ kind: 'msgs', sid, msgs: unit.map((item) => hexToBytes(item.wires![0]!)) })]
        : unit[0]!.wires!.map((w) => encodeSessionEnvelope({ kind: 'msg', sid, msg: hexToBytes(w) }));
    return this.write(contactId, theirDk, env);
  }

  /** Store each plaintext in the next free slot of this period; the slots written, or null when full. */
  async write(contactId: string, theirDk: Uint8Array, plaintexts: Uint8Array[]): Promise<MailSlot[] | null> {
    const chat = this.chat;
    const t = periodOf(chat.now);
    let n = this.next.get(contactId);
    if (!n || n.t !== t) n = { t, slot: (await this.firstFree(contactId, theirDk, t)) ?? MAILBOX_SLOTS };
    if (n.slot + plaintexts.length > MAILBOX_SLOTS) {
      chat.counters.inc('mailbox.full');
      return null;
    }
    const secret = this.secretsFor(contactId, theirDk).out;
    const out: MailSlot[] = [];
    for (const plaintext of plaintexts) {
      const slot = n.slot++;
      const r = await chat.records.publish({
        kind: 'mailbox',
        identityKey: hexToBytes(contactId),
        secret,
        t,
        slot,
        plaintext,
        seq: this.seq(),
      });
      out.push({ t, slot, target: r.target });
    }
    this.next.set(contactId, n);
    chat.counters.inc('mailbox.written', out.length);
    return out;
  }

  /** Overwrite delivered slots with an empty value (a higher seq), and stop republishing them. */
  async clear(contactId: string, theirDk: Uint8Array, slots: readonly MailSlot[]): Promise<void> {
    const secret = this.secretsFor(contactId, theirDk).out;
    for (const s of slots) {
      if (periodOf(this.chat.now) - s.t > 1) {
        this.chat.records.forget(s.target);
        continue;
      }
      const r = await this.chat.records.publish(
        {
          kind: 'mailbox',
          identityKey: hexToBytes(contactId),
          secret,
          t: s.t,
          slot: s.slot,
          plaintext: new Uint8Array(0),
          seq: this.seq(),
        },
        false,
      );
      this.chat.records.forget(r.target);
    }
    this.chat.counters.inc('mailbox.cleared', slots.length);
  }

  /** Read a contact's slots for us (ReadMode), in order; yields each new plaintext. */
  async poll(
    contactId: string,
    theirDk: Uint8Array,
    deliver: (plaintext: Uint8Array) => Promise<void>,
    mode: ReadMode = 'full',
  ): Promise<number> {
    const secret = this.secretsFor(contactId, theirDk).in;
    const seen = this.read.get(contactId) ?? new Map<number, number>();
    this.read.set(contactId, seen);
    const found = await readSlots(this.chat, this.chat.me.ik, secret, seen, deliver, mode);
    this.chat.counters.inc('mailbox.polled');
    return found;
  }

  /** Time-based seq: every write supersedes the last in that slot. */
  private seq(): number {
    return Math.floor(this.chat.now / 1000) * 1000 + (this.counter++ % 1000);
  }
  private counter = 0;

  /** After a reload: the first slot of ours in period t that is empty in the network. */
  private async firstFree(contactId: string, theirDk: Uint8Array, t: number): Promise<number | null> {
    const secret = this.secretsFor(contactId, theirDk).out;
    for (let slot = 0; slot < MAILBOX_SLOTS; slot++) {
      const r = await this.chat.records.read({ kind: 'mailbox', identityKey: hexToBytes(contactId), secret, t, slot });
      if (!r) return slot;
    }
    return null;
  }
}

/**
 * How much of a mailbox a read covers.
 * - `full`: this period and MAILBOX_READ_BACK_PERIODS before, each from slot 0 (at start, and
 *   after a rollover).
 * - `new`: this period only, from the slot after the last one read in a row. A sender writes each
 *   slot of a period once, then only empties it, so a slot read needs no second look.
 */
export type ReadMode = 'full' | 'new';

/**
 * Read the mailbox slots of `secret` addressed to `ik` (ReadMode), each period in slot order up to
 * its first slot never written, the periods side by side; yields each plaintext not yet in `seen`
 * (slot → seq; emptied slots are marked and skipped). A full read reads the current period one
 * slot ahead: a returning tab's mail is usually there, and each read is a lookup. The number
 * yielded.
 */
export async function readSlots(
  chat: ChatContext,
  ik: Uint8Array,
  secret: Uint8Array,
  seen: Map<number, number>,
  deliver: (plaintext: Uint8Array, t: number, slot: number) => Promise<void>,
  mode: ReadMode = 'full',
): Promise<number> {
  let found = 0;
  const now = periodOf(chat.now);
  const period = async (t: number): Promise<void> => {
    const reads: Array<ReturnType<ChatContext['records']['read']>> = [];
    let first = 0;
    if (mode === 'new') while (first < MAILBOX_SLOTS && seen.has(t * MAILBOX_SLOTS + first)) first++;
    let next = first;
    for (let slot = first; slot < MAILBOX_SLOTS; slot++) {
      while (reads.length < (t === now && mode === 'full' ? 2 : 1) && next < MAILBOX_SLOTS)
        reads.push(chat.records.read({ kind: 'mailbox', identityKey: ik, secret, t, slot: next++ }));
      const r = await reads.shift()!;
      if (!r) break;
      const key = t * MAILBOX_SLOTS + slot;
      if (seen.get(key) === r.seq) continue;
      seen.set(key, r.seq);
      if (r.plaintext.length === 0) continue;
      found++;
      await deliver(r.plaintext, t, slot);
    }
    for (const ahead of reads) ahead.catch(() => undefined); // read ahead, not needed
  };
  const periods: number[] = [];
  for (let t = mode === 'full' ? Math.max(0, now - MAILBOX_READ_BACK_PERIODS) : now; t <= now; t++) periods.push(t);
  await Promise.all(periods.map(period));
  // Slots of periods no longer read are forgotten.
  for (const key of seen.keys()) if (Math.floor(key / MAILBOX_SLOTS) < now - MAILBOX_READ_BACK_PERIODS) seen.delete(key);
  return found;
}
