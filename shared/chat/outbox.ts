/**
 * What we owe others, retried until it lands: our contact requests (directly to the owner's node
 * when its invite record is fresh, else into one of its request slots, again each period until it
 * accepts), our acceptances (which carry our presence secret), and for accepted contacts the
 * presence lookups and liveness pings that tell whether they are online.
 */
import { bytesToHex, bytesEqual, hexToBytes } from '../crypto/bytes';
import type { ChatContext } from './context';
import { CHAT_TIMERS, REQUEST_SLOTS } from './constants';
import type { Contact } from './contacts';
import { decodeEnvelope, decodePing, encodeAccept, encodeEnvelope, encodePing, PROLOGUE } from './contact-wire';
import { devicesOf } from './inbox';
import { noteNode } from './online';
import { periodOf, periodsToRead } from './period';
import { decodeInvitePayload, decodePresencePayload, encodeInvitePayload, encodePresencePayload } from './record-payload';
import { buildRequestEnvelope } from './request';
import { open, seal } from './seal';

/** Contacts worked on at once in one maintenance step (each costs DHT gets and seals). */
const PARALLEL = 8;
/** How long a direct delivery waits for its ack, ms. */
const SEND_TIMEOUT_MS = 10_000;
/** How long a knock waits for its pong, ms (a contact not there is found by lookups later). */
const KNOCK_TIMEOUT_MS = 5_000;

interface Retry {
  nextAt: number;
  delay: number;
}

export class Outbox {
  private readonly retry = new Map<string, Retry>();
  private readonly lookedUpAt = new Map<string, number>();
  private readonly pingedAt = new Map<string, number>();
  /** Lookups in a row that found no live node, per contact (they back off from one tick up to presenceRefreshMs). */
  private readonly lookupMisses = new Map<string, number>();
  /** Requested contacts: the period we last wrote a request slot for. */
  private readonly slotPeriod = new Map<string, number>();

  constructor(private readonly chat: ChatContext) {}

  /** Our invite or presence record's plaintext now. */
  ownRecordPlaintext(kind: 'invite' | 'presence'): Uint8Array {
    const certificates = [hexToBytes(this.chat.certificate)];
    if (kind === 'invite') return encodeInvitePayload({ certificates });
    return encodePresencePayload({ certificates, online: [this.chat.c.node.hex], updatedAt: this.chat.now });
  }

  async run(): Promise<void> {
    const jobs: Array<() => Promise<void>> = [];
    const now = this.chat.now;
    for (const c of this.chat.contacts.all()) {
      if (c.owesRequest && c.state === 'requested' && this.due(`r/${c.id}`)) jobs.push(() => this.deliverRequest(c));
      if (c.owesAccept && c.state === 'accepted' && this.due(`a/${c.id}`)) jobs.push(() => this.deliverAccept(c));
      if (c.state !== 'accepted' || c.owesAccept) continue;
      if (this.chat.isOnline(c.id)) {
        // Either side's ping answers for both: ping only a contact not heard from for a while.
        const quiet = now - (this.chat.lastHeardAt(c.id) ?? -Infinity) >= CHAT_TIMERS.pingMs;
        if (quiet && now - (this.pingedAt.get(c.id) ?? -Infinity) >= CHAT_TIMERS.pingMs) jobs.push(() => this.ping(c));
      } else if (now - (this.lookedUpAt.get(c.id) ?? -Infinity) >= this.lookupWait(c.id)) {
        jobs.push(() => this.findAndPing(c));
      }
    }
    for (let i = 0; i < jobs.length; i += PARALLEL)
      await Promise.all(jobs.slice(i, i + PARALLEL).map((j) => j().catch(() => this.chat.counters.inc('outbox.error'))));
  }

  /** Find a contact's node ids by its presence record now (the simulator measures this). */
  async findContact(contactId: string): Promise<{ nodes: string[]; fresh: boolean; ms: number } | null> {
    const chat = this.chat;
    const c = chat.contacts.get(contactId);
    if (!c?.presenceSecret) return null;
    const ik = hexToBytes(c.id);
    for (const t of periodsToRead(chat.now)) {
      const r = await chat.records.read({ kind: 'presence', identityKey: ik, secret: hexToBytes(c.presenceSecret), t });
      if (!r) continue;
      const p = decodePresencePayload(r.plaintext);
      if (!p) continue;
      const certs = p.certificates.filter((x) => chat.checkCertificate(x, ik)).map(bytesToHex);
      if (certs.length > 0) c.devices = certs;
      const fresh = chat.now - p.updatedAt < CHAT_TIMERS.presenceFreshMs;
      if (fresh) chat.nodesOf.set(c.id, [...p.online]);
      return { nodes: [...p.online], fresh, ms: r.ms };
    }
    return null;
  }

  private due(key: string): boolean {
    const r = this.retry.get(key);
    return !r || this.chat.now >= r.nextAt;
  }

  private failed(key: string): void {
    const r = this.retry.get(key);
    const delay = r ? Math.min(CHAT_TIMERS.retryMs.max, r.delay * 2) : CHAT_TIMERS.retryMs.first;
    this.retry.set(key, { nextAt: this.chat.now + delay, delay });
  }

  private async deliverRequest(c: Contact): Promise<void> {
    const chat = this.chat;
    const key = `r/${c.id}`;
    const ik = hexToBytes(c.id);
    const inviteSecret = hexToBytes(c.inviteSecret ?? '');
    let invite: { certs: Uint8Array[]; seq: number } | null = null;
    for (const t of periodsToRead(chat.now)) {
      const r = await chat.records.read({ kind: 'invite', identityKey: ik, secret: inviteSecret, t });
      const p = r && decodeInvitePayload(r.plaintext);
      if (r && p) {
        invite = { certs: p.certificates.filter((x) => chat.checkCertificate(x, ik)), seq: r.seq };
        break;
      }
    }
    const device = invite && devicesOf(chat, c.id, invite.certs.map(bytesToHex))[0];
    if (!invite || !device) {
      chat.counters.inc('request.no_invite');
      return this.failed(key);
    }
    const built = buildRequestEnvelope({
      from: {
        ik: chat.me.ik,
        dk: chat.me.dk,
        dkSecret: chat.me.dkSecret,
        certificate: hexToBytes(chat.certificate),
        name: chat.me.name,
        presenceSecret: chat.me.presenceSecret,
      },
      to: { ik, dk: device.dk, inviteSecret },
      ...(c.message ? { message: c.message } : {}),
      timestamp: chat.now,
      powBits: chat.powBits,
      randomBytes: chat.randomBytes,
    });
    if (!built) return this.failed(key);
    chat.counters.inc('pow.hashes', built.hashes);
    const envelope = built.envelope;
    // The owner republishes its invite record while online: a fresh one is worth a direct try.
    const fresh = chat.now - invite.seq * 1000 < CHAT_TIMERS.presenceFreshMs;
    if (fresh && (await this.send(device.node, envelope))) {
      delete c.owesRequest;
      await chat.saveContact(c);
      chat.counters.inc('request.sent.direct');
      this.retry.delete(key);
      return;
    }
    const t = periodOf(chat.now);
    if (this.slotPeriod.get(c.id) !== t && (await this.writeSlot(ik, inviteSecret, t, envelope))) {
      this.slotPeriod.set(c.id, t);
      chat.counters.inc('request.sent.slot');
    }
    this.failed(key);
  }

  /** Write a request into a free slot of the owner's (or the oldest one when all are taken). */
  private async writeSlot(ik: Uint8Array, inviteSecret: Uint8Array, t: number, envelope: Uint8Array): Promise<boolean> {
    const chat = this.chat;
    const reads = await Promise.all(
      Array.from({ length: REQUEST_SLOTS }, (_, slot) =>
        chat.records.read({ kind: 'request', identityKey: ik, secret: inviteSecret, t, slot }),
      ),
    );
    const start = chat.c.node.components.rng.int(REQUEST_SLOTS);
    let slot = -1;
    for (let i = 0; i < REQUEST_SLOTS && slot < 0; i++) if (!reads[(start + i) % REQUEST_SLOTS]) slot = (start + i) % REQUEST_SLOTS;
    if (slot < 0) slot = reads.reduce((best, r, i) => (r && r.seq < reads[best]!.seq ? i : best), 0);
    try {
      await chat.records.publish({
        kind: 'request',
        identityKey: ik,
        secret: inviteSecret,
        t,
        slot,
        plaintext: envelope,
        seq: Math.floor(chat.now / 1000),
      });
      return true;
    } catch {
      chat.counters.inc('request.slot_error');
      return false;
    }
  }

  private async deliverAccept(c: Contact): Promise<void> {
    const chat = this.chat;
    const key = `a/${c.id}`;
    if (c.presenceSecret && !chat.nodesOf.get(c.id)?.length) await this.findContact(c.id);
    const devices = devicesOf(chat, c.id, c.devices);
    const nodes = new Set([...(chat.nodesOf.get(c.id) ?? []), ...devices.map((d) => d.node)]);
    const body = encodeAccept({
      identityKey: chat.me.ik,
      certificates: [hexToBytes(chat.certificate)],
      presenceSecret: chat.me.presenceSecret,
    });
    for (const d of devices) {
      const sealed = seal(body, { sender: this.dkPair(), recipient: d.dk, prologue: PROLOGUE.accept, randomBytes: chat.randomBytes });
      for (const node of nodes) {
        if (!(await this.send(node, encodeEnvelope({ kind: 'accept', sealed })))) continue;
        delete c.owesAccept;
        await chat.saveContact(c);
        chat.counters.inc('accept.sent');
        chat.heard(c.id);
        this.retry.delete(key);
        chat.kick(c.id); // a session now, if ours to start
        return;
      }
    }
    this.failed(key);
  }

  /**
   * A returning node knocks on each accepted contact's last known nodes (the node ids its
   * certificates name) as soon as it can dial, before any lookup: a sealed ping, answered with a
   * sealed pong. Either side then has the other online, and what each one's outbox holds for the
   * other (e.g. a message that went to the mailbox while we were away) goes directly at once.
   */
  async knock(): Promise<void> {
    const chat = this.chat;
    const todo = chat.contacts.all().filter((c) => c.state === 'accepted' && !c.owesAccept && !chat.isOnline(c.id));
    for (let i = 0; i < todo.length; i += PARALLEL)
      await Promise.all(todo.slice(i, i + PARALLEL).map((c) => this.knockOn(c).catch(() => chat.counters.inc('knock.error'))));
  }

  private async knockOn(c: Contact): Promise<void> {
    const chat = this.chat;
    const ping = encodePing({ identityKey: chat.me.ik, pong: false, sentAt: chat.now });
    for (const d of devicesOf(chat, c.id, c.devices)) {
      const sealed = seal(ping, { sender: this.dkPair(), recipient: d.dk, prologue: PROLOGUE.ping, randomBytes: chat.randomBytes });
      chat.counters.inc('knock.sent');
      let answer: Uint8Array | undefined;
      try {
        answer = await chat.channel.send(d.node, encodeEnvelope({ kind: 'ping', sealed }), { timeoutMs: KNOCK_TIMEOUT_MS });
      } catch {
        chat.counters.inc('knock.unanswered');
        continue;
      }
      const env = answer && decodeEnvelope(answer);
      let opened: { senderKey: Uint8Array; payload: Uint8Array } | undefined;
      try {
        if (env?.kind === 'ping') opened = open(env.sealed, { recipient: this.dkPair(), prologue: PROLOGUE.ping });
      } catch {
        // not sealed for us by its device key: no pong
      }
      const pong = opened && bytesEqual(opened.senderKey, d.dk) ? decodePing(opened.payload) : null;
      if (!pong?.pong || bytesToHex(pong.identityKey) !== c.id) {
        chat.counters.inc('knock.bad_pong');
        continue;
      }
      chat.counters.inc('knock.pong');
      noteNode(chat.nodesOf, c.id, d.node);
      chat.heard(c.id);
      return;
    }
  }

  private async findAndPing(c: Contact): Promise<void> {
    this.lookedUpAt.set(c.id, this.chat.now);
    const found = await this.findContact(c.id);
    if (found?.fresh) await this.ping(c);
    if (this.chat.isOnline(c.id)) this.lookupMisses.delete(c.id);
    else this.lookupMisses.set(c.id, (this.lookupMisses.get(c.id) ?? 0) + 1);
  }

  /**
   * How long after a lookup to look a contact up again: soon after a start or a miss (both sides
   * reloading at once each miss the other's node by a few seconds), then less often.
   */
  private lookupWait(contactId: string): number {
    const misses = this.lookupMisses.get(contactId) ?? 0;
    return Math.min(CHAT_TIMERS.presenceRefreshMs, CHAT_TIMERS.tickMs * 2 ** Math.max(0, misses - 1));
  }

  /** Ping a contact on its known nodes; a sealed pong in the ack proves it is there. */
  /**
   * Liveness: a DHT ping to the contact's node (its id came from an authenticated source: its
   * certificate, presence record or session messages, and the transport authenticates node ids).
   * Cheap, so it runs every few minutes per online contact; messages themselves also count.
   */
  private async ping(c: Contact): Promise<void> {
    const chat = this.chat;
    this.pingedAt.set(c.id, chat.now);
    for (const node of chat.nodesOf.get(c.id) ?? []) {
      const rtt = await chat.c.node.ping({ id: hexToBytes(node), hex: node });
      if (rtt === null) continue;
      chat.counters.inc('ping.pong');
      chat.heard(c.id);
      return;
    }
  }

  private async send(node: string, envelope: Uint8Array): Promise<boolean> {
    try {
      await this.chat.channel.send(node, envelope, { timeoutMs: SEND_TIMEOUT_MS });
      return true;
    } catch {
      return false;
    }
  }

  private dkPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
    return { publicKey: this.chat.me.dk, secretKey: this.chat.me.dkSecret };
  }
}
