/**
 * What reaches us: requests (directly or from our request slots), acceptances and liveness pings.
 * Every check that costs little comes before one that costs more: a request's proof of work is
 * checked before its seal is opened, and its certificate, device key and invite tag before it
 * touches the contact book. Anything that fails is dropped and counted under `drop.*`.
 */
import { noteNode } from './online';
import { bytesEqual, bytesToHex, hexToBytes } from '../crypto/bytes';
import type { ChatContext } from './context';
import { POW_MAX_AGE_MS, REQUEST_SLOTS } from './constants';
import {
  decodeAccept,
  decodeEnvelope,
  decodePing,
  decodeRequest,
  encodeEnvelope,
  encodePing,
  PROLOGUE,
  requestStampResource,
  type Envelope,
} from './contact-wire';
import { periodsToRead } from './period';
import { checkStamp } from './pow';
import { inviteTag } from './request';
import { open, seal } from './seal';

/** Requests remembered as already processed (a slot is read again at every poll). */
const SEEN_MAX = 4096;
/** How far in the future a request's time may be (clock skew), ms. */
const FUTURE_SKEW_MS = 10 * 60_000;

export class ChatInbox {
  private readonly seen = new Set<string>();

  constructor(private readonly chat: ChatContext) {}

  /** An app payload from node `from`; the returned bytes go back in the ack. */
  async receive(from: string, payload: Uint8Array): Promise<Uint8Array | undefined> {
    const env = decodeEnvelope(payload);
    if (!env) return this.drop('malformed');
    if (env.kind === 'request') await this.request(env, 'direct');
    else if (env.kind === 'accept') await this.accept(env);
    else if (env.kind === 'keep') return this.chat.keeper?.handle(env) ?? this.drop('keep_not_keeper');
    else if (env.kind === 'ping') return this.ping(env, from);
    else return this.drop('unexpected_envelope');
    return undefined;
  }

  /** Read our request slots for the periods a requester may have used. */
  async pollSlots(): Promise<void> {
    const chat = this.chat;
    const reads: Array<Promise<void>> = [];
    for (const t of periodsToRead(chat.now)) {
      for (let slot = 0; slot < REQUEST_SLOTS; slot++) {
        reads.push(
          chat.records.read({ kind: 'request', identityKey: chat.me.ik, secret: chat.me.inviteSecret, t, slot }).then(async (r) => {
            if (!r) return;
            const env = decodeEnvelope(r.plaintext);
            if (env?.kind === 'request') await this.request(env, 'slot');
            else this.drop('slot_malformed');
          }),
        );
      }
    }
    await Promise.all(reads);
    chat.counters.inc('slots.polled');
  }

  private async request(env: Envelope, via: 'direct' | 'slot'): Promise<void> {
    const chat = this.chat;
    const key = bytesToHex(env.sealed.subarray(0, 48));
    if (this.seen.has(key)) return void chat.counters.inc('request.seen');
    const stamp = env.stamp!;
    if (stamp.timestamp > chat.now + FUTURE_SKEW_MS || chat.now - stamp.timestamp > POW_MAX_AGE_MS) return void this.drop('request_stale');
    if (!checkStamp(requestStampResource(chat.me.ik, env.sealed, stamp.timestamp), stamp.counter, chat.powBits))
      return void this.drop('request_pow');
    this.remember(key);
    const opened = this.open(env, 'request');
    if (!opened) return;
    const body = decodeRequest(opened.payload);
    if (!body) return void this.drop('request_malformed');
    const cert = chat.checkCertificate(body.certificate, body.identityKey, opened.senderKey);
    if (!cert) return void this.drop('request_certificate');
    if (!bytesEqual(body.inviteTag, inviteTag(chat.me.inviteSecret, body.identityKey, chat.me.ik)))
      return void this.drop('request_old_link');
    const id = bytesToHex(body.identityKey);
    const r = chat.contacts.requestIn(
      {
        id,
        name: body.name,
        ...(body.message ? { message: body.message } : {}),
        devices: [bytesToHex(body.certificate)],
        presenceSecret: bytesToHex(body.presenceSecret),
      },
      chat.now,
    );
    if (!r) return void this.drop('request_self');
    chat.counters.inc(`request.${via}.${r.outcome}`);
    chat.nodesOf.set(id, [bytesToHex(cert.nodeId)]);
    if (r.outcome === 'mutual' || r.outcome === 'already') r.contact.owesAccept = true;
    if (r.dropped) await chat.c.store.batch([{ key: `contact/${r.dropped.id}`, delete: true }]);
    await chat.saveContact(r.contact);
    if (r.outcome !== 'duplicate') chat.emitContact(id, r.contact.state);
    if (r.contact.owesAccept) chat.kick();
  }

  private async accept(env: Envelope): Promise<void> {
    const chat = this.chat;
    const opened = this.open(env, 'accept');
    if (!opened) return;
    const body = decodeAccept(opened.payload);
    if (!body) return void this.drop('accept_malformed');
    const certs = body.certificates.filter((c) => chat.checkCertificate(c, body.identityKey));
    if (!certs.some((c) => chat.checkCertificate(c, body.identityKey, opened.senderKey))) return void this.drop('accept_certificate');
    const id = bytesToHex(body.identityKey);
    const before = chat.contacts.get(id)?.state;
    const c = chat.contacts.acceptIn(id, certs.map(bytesToHex), bytesToHex(body.presenceSecret), chat.now);
    if (!c) return void this.drop('accept_unasked');
    delete c.owesRequest;
    chat.counters.inc('accept.received');
    chat.nodesOf.set(
      id,
      certs.map((x) => bytesToHex(chat.checkCertificate(x, body.identityKey)!.nodeId)),
    );
    chat.heard(id);
    chat.kick(id); // a session now, if ours to start (the contact is accepted in memory already)
    await chat.saveContact(c);
    if (before !== c.state) chat.emitContact(id, c.state);
  }

  private ping(env: Envelope, from: string): Uint8Array | undefined {
    const chat = this.chat;
    const opened = this.open(env, 'ping');
    if (!opened) return undefined;
    const body = decodePing(opened.payload);
    if (!body || body.pong) return this.drop('ping_malformed');
    const id = bytesToHex(body.identityKey);
    const c = chat.contacts.get(id);
    if (c?.state !== 'accepted' || !c.devices.some((d) => chat.checkCertificate(d, body.identityKey, opened.senderKey)))
      return this.drop('ping_stranger');
    chat.counters.inc('ping.received');
    noteNode(chat.nodesOf, id, from);
    chat.heard(id);
    const pong = encodePing({ identityKey: chat.me.ik, pong: true, sentAt: chat.now });
    const sealed = seal(pong, {
      sender: { publicKey: chat.me.dk, secretKey: chat.me.dkSecret },
      recipient: opened.senderKey,
      prologue: PROLOGUE.ping,
      randomBytes: chat.randomBytes,
    });
    return encodeEnvelope({ kind: 'ping', sealed });
  }

  private open(env: Envelope, kind: 'request' | 'accept' | 'ping'): { senderKey: Uint8Array; payload: Uint8Array } | null {
    try {
      return open(env.sealed, { recipient: { publicKey: this.chat.me.dk, secretKey: this.chat.me.dkSecret }, prologue: PROLOGUE[kind] });
    } catch {
      this.drop(`${kind}_seal`);
      return null;
    }
  }

  private remember(key: string): void {
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(key);
  }

  private drop(reason: string): undefined {
    this.chat.counters.inc(`drop.${reason}`);
    return undefined;
  }
}

/** A contact's devices (DK and node id) from its stored certificates. */
export function devicesOf(chat: ChatContext, contactId: string, certs: readonly string[]): Array<{ dk: Uint8Array; node: string }> {
  const ik = hexToBytes(contactId);
  const out: Array<{ dk: Uint8Array; node: string }> = [];
  for (const c of certs) {
    const cert = chat.checkCertificate(c, ik);
    if (cert) out.push({ dk: cert.deviceKey, node: bytesToHex(cert.nodeId) });
  }
  return out;
}

/** The node ids of every accepted contact's devices (from their stored certificates). */
export function contactNodes(chat: ChatContext): Set<string> {
  const out = new Set<string>();
  for (const c of chat.contacts.all()) if (c.state === 'accepted') for (const d of devicesOf(chat, c.id, c.devices)) out.add(d.node);
  return out;
}
