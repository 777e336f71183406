/**
 * A mail keeper, the owner's side (the keeper's is mail-keeper.ts): which contact is our keeper,
 * what we acknowledged to it and our last pull's time (stored under `keeper`), and the pull.
 */
import { bytesEqual, bytesToHex, hexToBytes } from '../crypto/bytes';
import { KEEPER, MAX_KEEPER_WATCH } from './constants';
import type { Contact } from './contacts';
import { decodeEnvelope, encodeEnvelope, PROLOGUE } from './contact-wire';
import type { ChatContext } from './context';
import { ChatError } from './errors';
import { devicesOf } from './inbox';
import { decodeKeptReply, encodeKeepRequest } from './keeper-wire';
import { open, seal } from './seal';

interface LinkState {
  id: string;
  acked: number;
  lastSentAt: number;
}

export interface KeeperMail {
  /** The mailbox secret of `cid`'s slots to us (null without its device key). */
  inboundSecret(cid: string): Uint8Array | null;
  /** Handle a mailbox plaintext from `cid`. */
  fromMailbox(cid: string, plaintext: Uint8Array): Promise<void>;
}

export class KeeperLink {
  private state: LinkState | undefined;

  constructor(
    private readonly chat: ChatContext,
    private readonly mail: KeeperMail,
  ) {}

  get id(): string | undefined {
    return this.state?.id;
  }

  async load(): Promise<void> {
    const v = await this.chat.c.store.get('keeper');
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.id === 'string' && this.chat.contacts.get(v.id))
      this.state = { id: v.id, acked: Number(v.acked) || 0, lastSentAt: Number(v.lastSentAt) || 0 };
  }

  /** Name an accepted contact as our keeper, or none (null). A new keeper starts from nothing held. */
  async set(contactId: string | null): Promise<void> {
    if (contactId !== null && this.chat.contacts.get(contactId)?.state !== 'accepted')
      throw new ChatError('NOT_FOUND', 'the keeper must be an accepted contact');
    if (contactId === (this.state?.id ?? null)) return;
    this.state = contactId === null ? undefined : { id: contactId, acked: 0, lastSentAt: 0 };
    await this.save();
  }

  /** Pull what our keeper holds for us and hand it to the mailbox path; the items handled. */
  async pull(accepted: readonly Contact[]): Promise<number> {
    const st = this.state;
    if (!st) return 0;
    const secrets = new Map<string, string>();
    for (const c of accepted.slice(0, MAX_KEEPER_WATCH)) {
      const s = c.id === st.id ? null : this.mail.inboundSecret(c.id);
      if (s) secrets.set(bytesToHex(s), c.id);
    }
    const before = { ...st };
    try {
      return await pullFromKeeper(this.chat, st, secrets, (cid, plaintext) => this.mail.fromMailbox(cid, plaintext));
    } catch {
      this.chat.counters.inc('keeper.pull_error');
      return 0;
    } finally {
      // The pull's time too: after a reload (or a clock set back) our pulls must stay newer.
      if (st.acked !== before.acked || st.lastSentAt !== before.lastSentAt) await this.save();
    }
  }

  private async save(): Promise<void> {
    const st = this.state;
    await this.chat.c.store.batch([st ? { key: 'keeper', value: { ...st } } : { key: 'keeper', delete: true }]);
  }
}

/**
 * The owner's side: pull from our keeper (a contact named by `setKeeper`) and hand what it held
 * to `deliver` (the mailbox path). Returns the items handled.
 */
async function pullFromKeeper(
  chat: ChatContext,
  keeper: LinkState,
  secrets: Map<string, string>,
  deliver: (contactId: string, plaintext: Uint8Array) => Promise<void>,
): Promise<number> {
  const c = chat.contacts.get(keeper.id);
  const device = c?.state === 'accepted' ? devicesOf(chat, keeper.id, c.devices)[0] : undefined;
  if (!device) return 0;
  const known = chat.nodesOf.get(keeper.id);
  const nodes = known?.length ? known : [device.node];
  let handled = 0;
  for (let round = 0; round < KEEPER.pullRounds; round++) {
    keeper.lastSentAt = Math.max(chat.now, keeper.lastSentAt + 1);
    const sentAt = keeper.lastSentAt;
    const body = encodeKeepRequest({ identityKey: chat.me.ik, sentAt, ack: keeper.acked, secrets: [...secrets.keys()].map(hexToBytes) });
    const sealed = seal(body, {
      sender: { publicKey: chat.me.dk, secretKey: chat.me.dkSecret },
      recipient: device.dk,
      prologue: PROLOGUE.keep,
      randomBytes: chat.randomBytes,
    });
    const answer = await sendFirst(chat, nodes, encodeEnvelope({ kind: 'keep', sealed }));
    const env = answer ? decodeEnvelope(answer) : null;
    if (env?.kind !== 'kept') return handled;
    let reply: ReturnType<typeof decodeKeptReply> = null;
    try {
      const opened = open(env.sealed, { recipient: { publicKey: chat.me.dk, secretKey: chat.me.dkSecret }, prologue: PROLOGUE.kept });
      if (bytesEqual(opened.senderKey, device.dk)) reply = decodeKeptReply(opened.payload);
    } catch {
      // counted below
    }
    if (!reply || reply.sentAt !== sentAt) {
      chat.counters.inc('drop.kept_invalid');
      return handled;
    }
    chat.heard(keeper.id);
    chat.counters.inc('keeper.pull_answered');
    for (const item of reply.items) {
      const cid = secrets.get(bytesToHex(item.secret));
      if (cid) await deliver(cid, item.plaintext);
      keeper.acked = Math.max(keeper.acked, item.seq);
      handled++;
    }
    if (!reply.more) break;
  }
  chat.counters.inc('keeper.collected', handled);
  return handled;
}

async function sendFirst(chat: ChatContext, nodes: string[], payload: Uint8Array): Promise<Uint8Array | undefined> {
  for (const node of nodes) {
    try {
      return await chat.channel.send(node, payload, { timeoutMs: KEEPER.pullTimeoutMs });
    } catch {
      chat.counters.inc('keeper.pull_unanswered');
    }
  }
  return undefined;
}
