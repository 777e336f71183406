/**
 * Two (or more) chat users wired together without a DHT: the real Messenger, Receiver, Mailbox,
 * SessionBook, Conversations, AppChannel and RecordIO, over a scripted network of fake nodes and a
 * record map that keeps BEP 44's rules (valid signature for the target, higher seq wins).
 *
 * The network answers in microtasks and nothing uses timers, so `settle()` runs everything to
 * quiescence by turning the event loop until nothing moves. A request that
 * nobody answers (the node is down, the test dropped it, or the answer was lost) stays pending
 * until `settle()` finds nothing else to do; then it times out the way the RPC layer would
 * (the sender's AppChannel rejects with NOT_FOUND), and `net.timeouts` counts it.
 *
 * With `net.jitter`, each request waits a seeded number of event-loop turns before it is
 * delivered, so concurrent sends, receipts and typing interleave in other orders.
 *
 * A user can crash and come back: `restart()` opens a new Messenger over a copy of the store as
 * it was (or a given snapshot), and the old incarnation neither sends nor receives again.
 */
import { AppChannel } from '../../shared/chat/app-channel';
import { issueCertificate, verifyCertificate } from '../../shared/chat/certificate';
import type { ChatSettings, MessageInfo, MessageState } from '../../shared/chat/api-types';
import { ContactBook, type Contact } from '../../shared/chat/contacts';
import type { MessengerHost, OpenComponents, SelfState } from '../../shared/chat/context';
import { stagedStore, type StagedStore } from '../../shared/chat/staged-store';
import { Conversations, DEFAULT_SETTINGS } from '../../shared/chat/conversations';
import { decodeSessionEnvelope, isSessionEnvelope, messagesOf } from '../../shared/chat/frames';
import { Messenger } from '../../shared/chat/messenger';
import { RecordIO } from '../../shared/chat/record-io';
import type { SessionBook } from '../../shared/chat/session-book';
import { MemoryChatStore, type JsonValue, type StoreOp } from '../../shared/chat/store';
import { createSelf, encodeContact } from '../../shared/chat/stored';
import { bytesEqual, bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import { decodeMessage, type RatchetMessage } from '../../shared/crypto/double-ratchet';
import { Counters } from '../../shared/dht/counters';
import type { DhtExtension, DhtNode } from '../../shared/dht/node';
import type { ResponseBody } from '../../shared/dht/rpc';
import type { RequestMessage } from '../../shared/protocol/wire';
import { recordTarget } from '../../shared/records/bep44';
import { validateRecord } from '../../shared/records/policy';
import type { DhtRecord, MutableRecord } from '../../shared/records/types';
import type { DhtValues } from '../../shared/records/values';
import { SeededRng } from '../../shared/env/rng';
import { expect } from 'vitest';

/** 2026-01-01T00:00:00Z: a fixed start, so periods do not depend on the day the test runs. */
export const START_MS = Date.UTC(2026, 0, 1);

export interface Sent {
  from: string;
  to: string;
  payload: Uint8Array;
}

/**
 * What the network does with one request: deliver it, lose it, deliver it and lose the answer, or
 * deliver it and pass on its ack bare (what rode in it, such as a receipt, lost).
 */
export type Fate = 'deliver' | 'drop' | 'lose-answer' | 'bare-ack';

interface Pending {
  cb: (res: ResponseBody | undefined) => void;
}

export class FakeNet {
  now = START_MS;
  readonly clock = { now: () => this.now };
  /** The DHT: target hex → the newest valid record. */
  readonly records = new Map<string, MutableRecord>();
  readonly nodes = new Map<string, FakeNode>();
  /** Every app request, in order. */
  readonly log: Sent[] = [];
  /** Requests that timed out (no answer by the time everything else was done). */
  timeouts = 0;
  /** Decides each request's fate (default: deliver). */
  fate: (m: Sent) => Fate = () => 'deliver';
  /** Each request is delivered after up to this many event-loop turns (seeded): reorders concurrent work. */
  jitter = 0;
  private delayed = 0;
  private readonly pending = new Set<Pending>();
  private readonly users: ChatUser[] = [];
  readonly rng: SeededRng;

  constructor(readonly seed: number) {
    this.rng = new SeededRng(seed);
  }

  randomBytes(): (n: number) => Uint8Array {
    const r = new SeededRng(this.rng.u32());
    return (n) => r.bytes(n);
  }

  add(u: ChatUser): void {
    this.users.push(u);
  }

  request(from: string, target: string, msg: RequestMessage, cb: (res: ResponseBody | undefined) => void): void {
    const p: Pending = { cb };
    this.pending.add(p);
    const answer = (res: ResponseBody | undefined) => {
      if (!this.pending.delete(p)) return;
      cb(res);
    };
    const payload = msg.type === 'app' ? msg.payload : new Uint8Array(0);
    const sent = { from, to: target, payload };
    this.log.push(sent);
    const fate = this.fate(sent);
    const turns = this.jitter > 0 ? this.rng.int(this.jitter + 1) : 0;
    this.delayed++;
    void this.after(turns).then(() => {
      this.delayed--;
      const to = this.nodes.get(target);
      const src = this.nodes.get(from);
      if (!to?.up || !src?.up || fate === 'drop') return; // times out in settle()
      const peer = { id: hexToBytes(from), hex: from };
      for (const ext of to.exts)
        if (
          ext.handle(peer, msg, (res) => {
            if (fate === 'deliver' && to.up && src.up) answer(res);
            if (fate === 'bare-ack' && to.up && src.up) answer(res.type === 'app_ack' ? { type: 'app_ack' } : res);
          })
        )
          return;
    });
  }

  private async after(turns: number): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
  }

  /** A mutable record stored the way a storage node would: valid for its target, higher seq wins. */
  put(record: DhtRecord): { target: Uint8Array; ok: boolean } {
    const target = recordTarget(record);
    if (record.type !== 'mutable' || !validateRecord(target, record).ok) return { target, ok: false };
    const hex = bytesToHex(target);
    const cur = this.records.get(hex);
    if (cur && cur.seq > record.seq) return { target, ok: false };
    this.records.set(hex, record);
    return { target, ok: true };
  }

  activity(): number {
    let n = this.log.length + this.timeouts + this.records.size;
    for (const u of this.users) n += u.store.writes;
    return n;
  }

  /** Run until nothing moves: every user's chains drained, then unanswered requests time out. */
  async settle(maxRounds = 2000): Promise<void> {
    let idle = 0;
    for (let i = 0; i < maxRounds; i++) {
      const before = this.activity();
      // Everything runs in microtasks (no timers): one macrotask turn without activity is quiescence.
      await new Promise((r) => setImmediate(r));
      if (this.activity() !== before || this.delayed > 0) {
        idle = 0;
        continue;
      }
      if (this.pending.size > 0) {
        // Nothing else can happen: what is still unanswered times out (oldest first, one at a time).
        const p = this.pending.values().next().value as Pending;
        this.pending.delete(p);
        this.timeouts++;
        p.cb(undefined);
        idle = 0;
        continue;
      }
      if (++idle >= 2) return;
    }
    throw new Error(`chat-pair: no quiescence after ${maxRounds} rounds (seed ${this.seed})`);
  }
}

/** The part of a DhtNode that AppChannel and RecordIO use. */
export class FakeNode {
  readonly exts: DhtExtension[] = [];
  up = true;
  readonly hex: string;
  readonly rpc: { request: (target: { hex: string }, msg: RequestMessage, cb: (r: ResponseBody | undefined) => void) => void };

  constructor(
    readonly net: FakeNet,
    readonly id: Uint8Array,
  ) {
    this.hex = bytesToHex(id);
    this.rpc = { request: (target, msg, cb) => net.request(this.hex, target.hex, msg, cb) };
    net.nodes.set(this.hex, this);
  }

  get clock() {
    return this.net.clock;
  }

  use(ext: DhtExtension): void {
    this.exts.push(ext);
  }
}

/** The values layer over the fake DHT map (own records are not republished: tests drive time). */
function fakeValues(net: FakeNet, node: FakeNode): DhtValues {
  return {
    node,
    table: { delete: () => undefined },
    put: async (record: DhtRecord) => {
      const r = net.put(record);
      return { target: r.target, seq: record.type === 'mutable' ? record.seq : undefined, replicas: r.ok ? 1 : 0, refused: {} };
    },
    get: async (target: Uint8Array) => ({ record: net.records.get(bytesToHex(target)), replicas: 1, stale: 0, invalid: 0 }),
  } as unknown as DhtValues;
}

export interface UserEvents {
  messages: MessageInfo[];
  states: Array<{ id: string; state: MessageState }>;
  typing: boolean[];
  heard: number;
  /**
   * What an app shows from the events alone, as the app's conversation list does: a message event
   * adds the message, a state event moves a message already shown; one for a message not shown
   * yet is lost to it (`lostStates`).
   */
  view: Map<string, MessageState>;
  lostStates: number;
}

/** One chat user: the real messaging core on a fake host. */
export class ChatUser implements MessengerHost {
  readonly counters = new Counters();
  readonly c: OpenComponents;
  readonly records: RecordIO;
  readonly contacts: ContactBook;
  readonly channel: AppChannel;
  readonly powBits = 4;
  readonly certificate: string;
  readonly nodesOf = new Map<string, string[]>();
  readonly settings: ChatSettings = { ...DEFAULT_SETTINGS };
  readonly messenger: Messenger;
  readonly talk: Conversations;
  readonly events: UserEvents = { messages: [], states: [], typing: [], heard: 0, view: new Map(), lostStates: 0 };
  /** Contacts this user believes online (what ChatNode learns from presence and pings). */
  readonly online = new Set<string>();
  alive = true;

  private constructor(
    readonly net: FakeNet,
    readonly node: FakeNode,
    readonly me: SelfState,
    readonly store: MemoryChatStore,
    staged: StagedStore,
    readonly randomBytes: (n: number) => Uint8Array,
  ) {
    this.c = { node: node as unknown as DhtNode, values: fakeValues(net, node), store: staged, randomBytes };
    this.records = new RecordIO(this.c.values, randomBytes);
    this.contacts = new ContactBook(bytesToHex(me.ik));
    this.channel = new AppChannel(node as unknown as DhtNode);
    // The two are contacts: their nodes get the contacts' rate, as in ChatNode.
    this.channel.isContactNode = () => true;
    this.certificate = bytesToHex(issueCertificate(me.ikSeed, { deviceKey: me.dk, nodeId: node.id, issuedAt: me.createdAt }));
    this.messenger = new Messenger(this);
    this.talk = new Conversations(this, this.messenger);
    this.channel.onMessage((from, p) => (isSessionEnvelope(p) ? this.messenger.receive(from, p) : undefined));
    net.add(this);
  }

  static async create(net: FakeNet, name: string, store = new MemoryChatStore()): Promise<ChatUser> {
    const rnd = net.randomBytes();
    const me = createSelf(rnd, name, net.now);
    const node = new FakeNode(net, rnd(20));
    return ChatUser.open(net, node, me, store, rnd);
  }

  private static async open(
    net: FakeNet,
    node: FakeNode,
    me: SelfState,
    store: MemoryChatStore,
    rnd: (n: number) => Uint8Array,
  ): Promise<ChatUser> {
    const u = new ChatUser(net, node, me, store, await stagedStore(store), rnd);
    for (const [, v] of await u.c.store.list('contact/')) u.contacts.load(v as unknown as Contact);
    await u.messenger.load();
    return u;
  }

  get id(): string {
    return bytesToHex(this.me.ik);
  }

  get now(): number {
    return this.net.now;
  }

  /**
   * The process dies now and starts again over `disk` (default: the store as it is). The old
   * incarnation is cut off the network; the new one has a new node object with the same node id.
   */
  async restart(disk: MemoryChatStore = this.store.snapshot()): Promise<ChatUser> {
    this.crash();
    const node = new FakeNode(this.net, this.node.id);
    const u = await ChatUser.open(this.net, node, this.me, disk, this.net.randomBytes());
    for (const id of this.online) u.online.add(id);
    for (const [k, v] of this.nodesOf) u.nodesOf.set(k, [...v]);
    Object.assign(u.settings, this.settings);
    return u;
  }

  /** The process dies: it neither sends, answers nor receives again (its pending work may still run, unheard). */
  crash(): void {
    this.alive = false;
    this.node.up = false;
  }

  /** Make `other` an accepted contact (its certificate as its only device), stored. */
  async befriend(other: ChatUser, certificate = other.certificate): Promise<void> {
    const c: Contact = {
      id: other.id,
      name: other.me.name,
      state: 'accepted',
      verified: false,
      createdAt: this.now,
      updatedAt: this.now,
      acceptedAt: this.now,
      devices: [certificate],
      presenceSecret: bytesToHex(other.me.presenceSecret),
    };
    this.contacts.load(c);
    this.nodesOf.set(other.id, [other.node.hex]);
    this.online.add(other.id);
    await this.saveContact(c);
  }

  // ---- MessengerHost ----------------------------------------------------------------------------

  checkCertificate(cert: string | Uint8Array, ik: Uint8Array, deviceKey?: Uint8Array) {
    const c = verifyCertificate(typeof cert === 'string' ? hexToBytes(cert) : cert, ik);
    return c && (!deviceKey || bytesEqual(c.deviceKey, deviceKey)) ? c : null;
  }
  async saveContact(c: Contact): Promise<void> {
    await this.c.store.batch([{ key: `contact/${c.id}`, value: encodeContact(c) }]);
  }
  emitContact(): void {}
  heard(): void {
    this.events.heard++;
  }
  /** ChatNode counts the contact offline here; the pair's tests keep `online` under their control. */
  unreachable(): void {}
  isOnline(contactId: string): boolean {
    return this.online.has(contactId);
  }
  lastHeardAt(): number | undefined {
    return undefined;
  }
  kick(): void {}
  assertOpen(): void {}
  emitMessage(_cid: string, m: MessageInfo): void {
    this.events.messages.push({ ...m });
    this.events.view.set(m.messageId, m.state);
  }
  emitState(_cid: string, id: string, state: MessageState): void {
    this.events.states.push({ id, state });
    if (this.events.view.has(id)) this.events.view.set(id, state);
    else this.events.lostStates++;
  }
  emitTyping(_cid: string, typing: boolean): void {
    this.events.typing.push(typing);
  }
  channelBinding(): Uint8Array {
    return new Uint8Array(0);
  }

  // ---- test conveniences ------------------------------------------------------------------------

  /** The messenger's session book (private there: tests read the ratchet states it holds). */
  get sessions(): SessionBook {
    return (this.messenger as unknown as { sessions: SessionBook }).sessions;
  }

  async history(other: ChatUser): Promise<MessageInfo[]> {
    return this.talk.messages(other.id, { limit: 500 });
  }

  async stateOf(other: ChatUser, id: string): Promise<MessageState | undefined> {
    return (await this.history(other)).find((m) => m.messageId === id)?.state;
  }
}

/** Two accepted contacts, online to each other, on a fresh network. */
/**
 * A store whose process dies at a chosen write: the batch for which `crashAt` says true is not
 * applied (batches are atomic), `onCrash` runs (cut the user off the network), and every later
 * write fails too. `snapshot()` is then the disk as the crash left it. `crashAt` sees the writes
 * as the chat layer issued them: a log record of the staged store (staged-store.ts) is opened
 * into the ops it carries.
 */
export class CrashingStore extends MemoryChatStore {
  /** Decides the fatal write; `index` counts the writes since it was set. */
  crashAt: ((ops: StoreOp[], index: number) => boolean) | undefined;
  onCrash: (() => void) | undefined;
  crashed = false;
  /** Writes attempted while crashAt was set. */
  seen = 0;

  override async batch(ops: StoreOp[]): Promise<void> {
    if (this.crashed) throw new Error('crashed');
    if (this.crashAt?.(logicalOps(ops), this.seen++)) {
      this.crashed = true;
      this.onCrash?.();
      throw new Error('crashed');
    }
    return super.batch(ops);
  }
}

/** A disk whose chosen writes wait (the process is slow, or dies while they are under way) until released. */
export class HoldingStore extends MemoryChatStore {
  hold: ((ops: StoreOp[]) => boolean) | undefined;
  private readonly waiting: Array<(error?: Error) => void> = [];

  get held(): number {
    return this.waiting.length;
  }

  override async batch(ops: StoreOp[]): Promise<void> {
    if (!this.hold?.(logicalOps(ops))) return super.batch(ops);
    const error = await new Promise<Error | undefined>((resolve) => this.waiting.push(resolve));
    if (error) throw error;
    return super.batch(ops);
  }

  /** The held writes go ahead, in order; or fail with `error` (the disk is full) and write nothing. */
  release(error?: Error): void {
    this.hold = undefined;
    for (const go of this.waiting.splice(0)) go(error);
  }
}

/** The ops a batch beneath a staged store carries: each log record's entries, then the rest. */
export function logicalOps(ops: StoreOp[]): StoreOp[] {
  return ops.flatMap((op): StoreOp[] => {
    if (!op.key.startsWith('wal/') || !('value' in op) || !Array.isArray(op.value)) return [op];
    return (op.value as Array<[string, string | null]>).map(([key, text]) =>
      text === null ? { key, delete: true } : { key, value: JSON.parse(text) as JsonValue },
    );
  });
}

export async function createPair(
  seed: number,
  stores: { alice?: MemoryChatStore; bob?: MemoryChatStore } = {},
): Promise<{ net: FakeNet; alice: ChatUser; bob: ChatUser }> {
  const net = new FakeNet(seed);
  const alice = await ChatUser.create(net, 'alice', stores.alice);
  const bob = await ChatUser.create(net, 'bob', stores.bob);
  await alice.befriend(bob);
  await bob.befriend(alice);
  return { net, alice, bob };
}

/** The ratchet messages a request carries (one, or a bundle), with their session id. */
export function sentMessages(payload: Uint8Array): Array<{ sid: Uint8Array; msg: RatchetMessage }> {
  const env = decodeSessionEnvelope(payload);
  return env && 'sid' in env ? messagesOf(env).map((w) => ({ sid: env.sid, msg: decodeMessage(w) })) : [];
}

/**
 * No ratchet step was replayed: under each (session, ratchet key, counter) that `u` ever sent, one
 * ciphertext only (the same message resent is fine; two messages under one key are not).
 */
export function expectNoKeyReuse(net: FakeNet, u: ChatUser): void {
  const uses = new Map<string, Set<string>>();
  for (const m of net.log) {
    if (m.from !== u.node.hex) continue;
    for (const { sid, msg } of sentMessages(m.payload)) {
      const k = `${bytesToHex(sid)}:${bytesToHex(msg.header.dh)}:${msg.header.n}`;
      const set = uses.get(k) ?? new Set<string>();
      set.add(bytesToHex(msg.ciphertext));
      uses.set(k, set);
    }
  }
  for (const [k, cts] of uses) expect(cts.size, `${u.me.name} used message key ${k} for two ciphertexts`).toBe(1);
}
