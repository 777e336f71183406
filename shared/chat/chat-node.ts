/**
 * A person on the network: identity, contacts (`people`), conversations (`talk`), private presence
 * (docs/chat-design.md). Sans-IO like the DHT: node, values layer, store and randomness are
 * injected, so the simulator, a tab and the headless peer run this same class. On its own timer it
 * keeps up our invite and presence records per period, delivers requests, acceptances and
 * messages until acknowledged (directly, or through request slots and the mailbox), reads our
 * slots and mailboxes at start and each rollover, and watches contacts' presence. Background
 * failures are counted, never thrown; the API (`p2p.chat.*`, docs/chat-api.md) throws ChatError.
 */
import { randomBytes as cryptoRandomBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../crypto/bytes';
import type { TimerHandle } from '../env/clock';
import { Counters } from '../dht/counters';
import { encodeAddress } from './address';
import type { ChatSettings, ContactEvent, MeInfo, MessageInfo, MessageState } from './api-types';
import { AppChannel } from './app-channel';
import { CertificateCache, issueCertificate, type DeviceCertificate } from './certificate';
import { CHAT_TIMERS, MAX_NAME_BYTES, POW_BITS } from './constants';
import { ContactBook, type Contact } from './contacts';
import { ChatError } from './errors';
import { ChatEvents, type ChatEventMap } from './events';
import { ChatInbox, contactNodes } from './inbox';
import { Conversations, DEFAULT_SETTINGS } from './conversations';
import { isSessionEnvelope } from './frames';
import { KeeperLink } from './keeper-link';
import { MailKeeper } from './mail-keeper';
import { Steps } from './steps';
import { OnlineBook } from './online';
import { Messenger, type MessengerHost } from './messenger';
import type { ReadMode } from './mailbox';
import { MailReads } from './mail-reads';
import { Outbox } from './outbox';
import { checkText, People } from './people';
import { Publisher } from './publisher';
import { createSelf, decodeContact, decodeSelf, encodeContact, encodeSelf } from './stored';
import { RecordIO } from './record-io';
import type { JsonValue } from './store';
import type { ChatComponents, OpenComponents, SelfState } from './context';
import { stagedStore } from './staged-store';
export type { ChatComponents, SelfState } from './context';

export interface ChatInit {
  /** Origin of the address links (`https://chat.example.org`). @default 'https://p2p.invalid' */
  origin?: string;
  /** Proof-of-work bits asked of requests (the simulator lowers it). @default POW_BITS */
  powBits?: number;
  /** Name of a newly created identity. @default '' */
  name?: string;
  /** Be this identity's mail keeper (its IK, hex): accept its contact request and hold its mail (mail-keeper.ts). */
  keepFor?: string;
}

export class ChatNode implements MessengerHost {
  readonly counters = new Counters();
  readonly channel: AppChannel;
  readonly records: RecordIO;
  readonly contacts: ContactBook;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly powBits: number;
  readonly origin: string;
  /** Our device certificate for this node (hex). */
  certificate = '';
  /** Contacts heard from recently, and their node ids. */
  private readonly online: OnlineBook;
  private readonly events = new ChatEvents();
  private readonly steps = new Steps(
    () => this.counters.inc('tick.error'),
    () => this.closed,
  );
  readonly messenger: Messenger;
  /** The conversation API: send, messages, markRead, unread, typing, settings. */
  readonly talk: Conversations;
  /** The contact API: addContact, requests, accept, reject, list, markVerified, rename. */
  readonly people: People;
  readonly settings: ChatSettings = { ...DEFAULT_SETTINGS };
  private readonly publisher: Publisher;
  private readonly inbox: ChatInbox;
  /** What we owe others; `outbox.knock()` tells contacts we are back (a returning tab, before it joins). */
  readonly outbox: Outbox;
  private timer: TimerHandle | undefined;
  private closed = false;
  private started = false;
  private readonly reads = new MailReads();
  /** Keeper side: the owner's mail we hold. */
  readonly keeper: MailKeeper | undefined;
  /** Owner side: our keeper, if we named one. */
  private readonly keeperLink: KeeperLink;

  private constructor(
    readonly c: OpenComponents,
    init: ChatInit,
    public me: SelfState,
  ) {
    this.randomBytes = c.randomBytes ?? cryptoRandomBytes;
    this.powBits = init.powBits ?? POW_BITS;
    this.origin = init.origin ?? 'https://p2p.invalid';
    this.channel = new AppChannel(c.node);
    this.online = new OnlineBook(this);
    this.channel.isContactNode = (node) => this.online.isNodeOf(node, (id) => this.contacts.get(id)?.state === 'accepted');
    this.records = new RecordIO(c.values, this.randomBytes);
    this.contacts = new ContactBook(bytesToHex(me.ik));
    this.inbox = new ChatInbox(this);
    this.outbox = new Outbox(this);
    this.messenger = new Messenger(this);
    this.talk = new Conversations(this, this.messenger);
    this.people = new People(this);
    this.publisher = new Publisher(this, (kind) => this.outbox.ownRecordPlaintext(kind));
    this.channel.onMessage((from, payload) =>
      isSessionEnvelope(payload) ? this.messenger.receive(from, payload) : this.inbox.receive(from, payload),
    );
    this.keeperLink = new KeeperLink(this, this.messenger);
    this.keeper = init.keepFor === undefined ? undefined : new MailKeeper(this, init.keepFor);
    if (this.keeper) this.events.on('contact', (e) => this.keeper?.onContact(e, (id) => this.people.accept(id)));
    this.issueCertificate();
  }

  /** Load (or create) the identity and contacts from the store. */
  static async open(given: ChatComponents, init: ChatInit = {}): Promise<ChatNode> {
    const c: OpenComponents = { ...given, store: await stagedStore(given.store) };
    // Independent reads side by side (each is a round trip to the store beneath).
    const [stored, contacts, settings] = await Promise.all([c.store.get('identity'), c.store.list('contact/'), c.store.get('settings')]);
    const random = c.randomBytes ?? cryptoRandomBytes;
    let me = decodeSelf(stored);
    if (!me) {
      me = createSelf(random, init.name ?? '', Math.floor(c.node.clock.now()));
      await c.store.batch([{ key: 'identity', value: encodeSelf(me) }]);
    }
    const chat = new ChatNode(c, init, me);
    for (const [, v] of contacts) {
      const contact = decodeContact(v);
      if (contact) chat.contacts.load(contact);
    }
    if (settings && typeof settings === 'object' && !Array.isArray(settings)) {
      for (const k of Object.keys(DEFAULT_SETTINGS) as Array<keyof ChatSettings>)
        if (typeof settings[k] === 'boolean') chat.settings[k] = settings[k];
    }
    await Promise.all([chat.messenger.load(), chat.keeper?.load(), chat.keeperLink.load()]);
    return chat;
  }

  /** Clock time in whole ms (the simulator's clock has fractions). */
  get now(): number {
    return Math.floor(this.c.node.clock.now());
  }

  get id(): string {
    return bytesToHex(this.me.ik);
  }

  /** Start publishing and delivering (call once the DHT node has joined). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.schedule(0);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.c.node.clock.clearTimeout(this.timer);
  }

  // ---- the API ---------------------------------------------------------------------------------

  whoami(): MeInfo {
    const info: MeInfo = { identityKey: this.id, name: this.me.name, address: this.address() };
    if (this.keeperLink.id) info.keeper = this.keeperLink.id;
    return info;
  }

  address(): string {
    // Encoding checks the key (a point decompression): kept until the name or invite secret changes.
    const me = this.me;
    if (this.addressOf?.me !== me) {
      const name = me.name;
      const text = encodeAddress({ identityKey: me.ik, inviteSecret: me.inviteSecret, ...(name ? { name } : {}) }, this.origin);
      this.addressOf = { me, text };
    }
    return this.addressOf.text;
  }
  private addressOf: { me: SelfState; text: string } | undefined;

  async setName(name: string): Promise<void> {
    checkText(name, MAX_NAME_BYTES, 'name');
    this.me = { ...this.me, name };
    await this.saveSelf();
  }

  /** A new invite secret: old links stop working. Returns the new link. */
  async rotateAddress(): Promise<string> {
    this.assertOpen();
    this.me = { ...this.me, inviteSecret: this.randomBytes(16) };
    await this.saveSelf();
    this.publisher.reset();
    this.kick();
    return this.address();
  }

  /**
   * Remove a contact. Our presence secret rotates, and every remaining contact is sent the new one,
   * so the removed contact can no longer find us.
   */
  async removeContact(contactId: string): Promise<void> {
    this.assertOpen();
    const gone = this.contacts.remove(contactId);
    this.me = { ...this.me, presenceSecret: this.randomBytes(32) };
    const ops: Array<{ key: string; value: JsonValue } | { key: string; delete: true }> = [
      { key: `contact/${gone.id}`, delete: true },
      { key: 'identity', value: encodeSelf(this.me) },
    ];
    for (const c of this.contacts.all()) {
      if (c.state !== 'accepted') continue;
      c.owesAccept = true;
      ops.push({ key: `contact/${c.id}`, value: encodeContact(c) });
    }
    await this.c.store.batch(ops);
    this.online.forget(gone.id);
    if (this.keeperLink.id === gone.id) await this.keeperLink.set(null);
    this.publisher.reset();
    this.emitContact(gone.id, 'removed');
    this.kick();
  }

  /** Identity, contacts, history and settings, encrypted under `passphrase` (backup.ts, loaded when first used). */
  async exportBackup(passphrase: string): Promise<Uint8Array> {
    return (await import('./backup')).exportStore(this.c.store, passphrase, this.randomBytes);
  }

  /**
   * Replace this profile's chat with a backup's. A wrong passphrase or a damaged file changes
   * nothing (coded error). On success the store holds the backup and this chat closes: open it
   * again (the page reloads) to run as the restored identity.
   */
  async importBackup(file: Uint8Array, passphrase: string): Promise<void> {
    await (await import('./backup')).importStore(this.c.store, file, passphrase, (v) => decodeSelf(v) !== null);
    this.close();
  }

  /** Delete everything of this chat from its store; the chat closes. */
  async wipe(): Promise<void> {
    await (await import('./backup')).wipeStore(this.c.store);
    this.close();
  }

  on<K extends keyof ChatEventMap>(event: K, h: (e: ChatEventMap[K]) => void): () => void {
    return this.events.on(event, h);
  }

  /** Handle an app payload as if it arrived from node `from` (the network path; tests and experiments). */
  receive(from: string, payload: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inbox.receive(from, payload);
  }

  /** Name an accepted contact as our mail keeper (`npm run peer -- --keep-for <our link>`), or none (null). */
  async setKeeper(contactId: string | null): Promise<void> {
    this.assertOpen();
    await this.keeperLink.set(contactId);
    this.reads.soon();
    this.kick();
  }

  /** Look a contact up by its presence record now: its node ids and whether the record is fresh. */
  findContact(contactId: string): Promise<{ nodes: string[]; fresh: boolean; ms: number } | null> {
    return this.outbox.findContact(contactId);
  }

  get nodesOf(): Map<string, string[]> {
    return this.online.nodesOf;
  }

  lastHeardAt(contactId: string): number | undefined {
    return this.online.lastHeardAt(contactId);
  }

  isOnline(contactId: string): boolean {
    return this.online.isOnline(contactId);
  }

  // ---- used by the inbox and outbox ---------------------------------------------------------------

  /** The certificate's device and node, if it is `ik`'s and names `deviceKey` (when given). */
  checkCertificate(cert: string | Uint8Array, ik: Uint8Array, deviceKey?: Uint8Array): DeviceCertificate | null {
    return this.certs.check(cert, ik, deviceKey);
  }
  private readonly certs = new CertificateCache();

  heard(contactId: string): void {
    this.online.heard(contactId);
  }

  unreachable(contactId: string): void {
    this.online.unreachable(contactId);
  }

  async saveContact(c: Contact): Promise<void> {
    await this.c.store.batch([{ key: `contact/${c.id}`, value: encodeContact(c) }]);
  }

  emitContact(contactId: string, state: ContactEvent['state']): void {
    this.events.emit('contact', { contactId, state });
  }

  emitPresence(contactId: string, online: boolean): void {
    this.events.emit('presence', { contactId, online });
    if (online) this.messenger.kick(contactId);
  }

  emitMessage(contactId: string, message: MessageInfo): void {
    this.events.emit('message', { contactId, message });
  }

  emitState(contactId: string, messageId: string, state: MessageState): void {
    this.events.emit('state', { contactId, messageId, state });
  }

  emitTyping(contactId: string, typing: boolean): void {
    if (this.settings.typing) this.events.emit('typing', { contactId, typing });
  }

  channelBinding(node: string): Uint8Array {
    return this.c.channelBinding?.(node) ?? new Uint8Array(0);
  }

  yieldToEvents(): Promise<void> {
    return new Promise((resolve) => this.c.node.clock.setTimeout(resolve, 0));
  }

  /** Run the maintenance step soon (after a user action). */
  kick(contactId?: string): void {
    if (!this.started || this.closed) return;
    this.schedule(0);
    if (contactId !== undefined) this.messenger.kick(contactId);
  }

  // ---- maintenance -----------------------------------------------------------------------------

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.c.node.clock.clearTimeout(this.timer);
    this.timer = this.c.node.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, ms);
  }

  /**
   * Publishing our records, reading our mail, and delivering (accepts, lookups, messages) run as
   * three steps side by side, each at most once at a time (asked again while running, it runs again
   * right after): a tab reopened reads its mail, and an accept goes out, without waiting for a
   * publish to be stored.
   */
  private tick(): void {
    if (this.closed) return;
    void this.steps.run('publish', () => this.publisher.publishDue());
    void this.steps.run('read', () => this.readMail());
    void this.steps.run('deliver', async () => {
      await this.outbox.run();
      this.messenger.flushAll();
    });
    this.c.store.checkpoint();
    this.online.tick(contactNodes(this));
    this.schedule(CHAT_TIMERS.tickMs);
  }

  /** Requests in our slots and every contact's mailbox for us, as far as they are due (MailReads). */
  private async readMail(): Promise<void> {
    const due = this.reads.due(this.now);
    if (!due) return;
    // Our request slots and our contacts' mailboxes side by side (a returning tab's mail does not
    // wait for the slots); a contact accepted through the slots is read once they are done.
    const polled = new Set<string>();
    await Promise.all([due.slots ? this.inbox.pollSlots() : undefined, this.pollMailboxes(polled, due.mail)]);
    await this.pollMailboxes(polled, 'full');
    const accepted = this.contacts.all().filter((c) => c.state === 'accepted');
    await this.keeper?.poll();
    await this.keeperLink.pull(accepted);
  }

  /**
   * Read the mailbox of every accepted contact not yet in `polled` (and add them all); what is new
   * not from one we heard from lately (it reaches us, so its outbox sends us what it mailed).
   */
  private async pollMailboxes(polled: Set<string>, mode: ReadMode): Promise<void> {
    const fresh = this.contacts.all().filter((c) => c.state === 'accepted' && !polled.has(c.id));
    for (const c of fresh) polled.add(c.id);
    const todo = mode === 'full' ? fresh : fresh.filter((c) => !this.online.isOnline(c.id));
    await Promise.all(todo.map((c) => this.messenger.pollMailbox(c.id, mode).catch(() => this.counters.inc('mailbox.poll_error'))));
  }

  private issueCertificate(): void {
    const cert = issueCertificate(this.me.ikSeed, { deviceKey: this.me.dk, nodeId: this.c.node.id, issuedAt: this.me.createdAt });
    this.certificate = bytesToHex(cert);
  }

  private async saveSelf(): Promise<void> {
    await this.c.store.batch([{ key: 'identity', value: encodeSelf(this.me) }]);
  }

  assertOpen(): void {
    if (this.closed) throw new ChatError('CLOSED', 'chat closed');
  }
}
