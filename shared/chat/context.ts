/**
 * What the chat node's parts (inbox, outbox) need from it, as an interface, so they depend on
 * this small contract and not on the class that composes them (no import cycle).
 */
import type { AsyncX25519 } from '../crypto/double-ratchet-ahead';
import type { Counters } from '../dht/counters';
import type { DhtNode } from '../dht/node';
import type { DhtValues } from '../records/values';
import type { ChatSettings, ContactEvent, MessageInfo, MessageState } from './api-types';
import type { AppChannel } from './app-channel';
import type { DeviceCertificate } from './certificate';
import type { Contact, ContactBook } from './contacts';
import type { Envelope } from './contact-wire';
import type { RecordIO } from './record-io';
import type { StagedStore } from './staged-store';
import type { ChatStore } from './store';

export interface ChatComponents {
  node: DhtNode;
  values: DhtValues;
  store: ChatStore;
  /** Key material source. @default crypto.getRandomValues */
  randomBytes?: (n: number) => Uint8Array;
  /** A faster asynchronous X25519 (WebCrypto's): the ratchet's DH steps are computed with it, ahead. */
  x25519?: AsyncX25519;
  /** Both DTLS fingerprints, sorted, of a direct connection to `node` (sessions bind to it); empty when none. */
  channelBinding?: (node: string) => Uint8Array;
  /** Told the node ids of contacts we talk to now, so the transport keeps their links. */
  partners?: (nodeIds: ReadonlySet<string>) => void;
  /**
   * Told, once a tick, the node ids of every accepted contact's devices: they may call us (a
   * returning contact's knock is no stranger's offer, whatever the strangers' budget).
   */
  callers?: (nodeIds: ReadonlySet<string>) => void;
}

/** The components as the chat node holds them: its store staged over the given one (staged-store.ts). */
export type OpenComponents = Omit<ChatComponents, 'store'> & { store: StagedStore };

/** What we keep about ourselves (store key `identity`). */
export interface SelfState {
  ikSeed: Uint8Array;
  ik: Uint8Array;
  dkSecret: Uint8Array;
  dk: Uint8Array;
  presenceSecret: Uint8Array;
  inviteSecret: Uint8Array;
  name: string;
  createdAt: number;
}

export interface ChatContext {
  readonly c: OpenComponents;
  readonly me: SelfState;
  /** Clock time in whole ms. */
  readonly now: number;
  readonly counters: Counters;
  readonly records: RecordIO;
  readonly contacts: ContactBook;
  readonly channel: AppChannel;
  /** Keeper side (mail-keeper.ts): answers our owner's pulls. */
  readonly keeper?: { handle(env: Envelope): Promise<Uint8Array | undefined> } | undefined;
  readonly powBits: number;
  readonly randomBytes: (n: number) => Uint8Array;
  /** Our device certificate (hex). */
  readonly certificate: string;
  /** Contacts' node ids, from presence or their messages. */
  readonly nodesOf: Map<string, string[]>;
  checkCertificate(cert: string | Uint8Array, ik: Uint8Array, deviceKey?: Uint8Array): DeviceCertificate | null;
  saveContact(c: Contact): Promise<void>;
  emitContact(contactId: string, state: ContactEvent['state']): void;
  heard(contactId: string): void;
  /** A direct send to the contact failed: count it offline now (its messages go to the mailbox). */
  unreachable(contactId: string): void;
  isOnline(contactId: string): boolean;
  /** When we last heard from a contact (any authenticated message), if recently. */
  lastHeardAt(contactId: string): number | undefined;
  /** Run the maintenance step soon; with a contact, also flush its messages now (a session starts if due). */
  kick(contactId?: string): void;
  /** Throws ChatError CLOSED once the chat is closed. */
  assertOpen(): void;
}

/** What the messenger needs beyond the chat context: settings and its events. */
export interface MessengerHost extends ChatContext {
  settings: ChatSettings;
  emitMessage(contactId: string, m: MessageInfo): void;
  emitState(contactId: string, messageId: string, state: MessageState): void;
  emitTyping(contactId: string, typing: boolean): void;
  /** Both DTLS fingerprints, sorted, for a direct connection to `node`; empty when none. */
  channelBinding(node: string): Uint8Array;
  /** Resolves after the events already queued have run (a zero-delay timer); none: go on at once. */
  yieldToEvents?(): Promise<void>;
}
