/**
 * `p2p.chat`: the chat's console and programmatic API (docs/chat-api.md). The UI uses only this,
 * so it can do nothing a script could not, and tests drive either one. Every method returns plain,
 * structured-clone-safe values; bad input rejects with a ChatError whose `code` says why.
 */
import type { ChatNode } from '../../shared/chat/chat-node';
import { ChatError } from '../../shared/chat/errors';
import type {
  ChatSettings,
  ContactEvent,
  ContactInfo,
  MeInfo,
  MessageEvent,
  MessageInfo,
  PresenceEvent,
  RequestInfo,
  StateEvent,
  TypingEvent,
} from '../../shared/chat/api-types';

export interface ChatConsoleApi {
  /** Resolves once the node has joined and the chat is publishing. */
  ready(): Promise<void>;
  me(): MeInfo;
  setName(name: string): Promise<void>;
  /** A new address link; old links stop working. */
  rotateAddress(): Promise<string>;
  addContact(link: string, opts?: { name?: string; message?: string }): Promise<{ contactId: string }>;
  /** Incoming requests waiting for an answer. */
  requests(): RequestInfo[];
  accept(contactId: string): Promise<void>;
  reject(contactId: string): Promise<void>;
  contacts(): ContactInfo[];
  markVerified(contactId: string): Promise<void>;
  rename(contactId: string, name: string): Promise<void>;
  removeContact(contactId: string): Promise<void>;
  /** Name an accepted contact as our mail keeper (`npm run peer -- --keep-for <our link>`), or none. */
  setKeeper(contactId: string | null): Promise<void>;
  on(event: 'contact', handler: (e: ContactEvent) => void): () => void;
  on(event: 'presence', handler: (e: PresenceEvent) => void): () => void;
  on(event: 'message', handler: (e: MessageEvent) => void): () => void;
  on(event: 'state', handler: (e: StateEvent) => void): () => void;
  on(event: 'typing', handler: (e: TypingEvent) => void): () => void;
  // ---- messages (docs/chat-api.md) ----
  send(contactId: string, text: string, opts?: { replyTo?: string }): Promise<{ messageId: string }>;
  /** Replace the text of our message; the contact's copy changes too (`editedAt` set on both). */
  edit(contactId: string, messageId: string, text: string): Promise<void>;
  /** Delete a message: ours for both of us (the contact is told), theirs on this device only. */
  delete(contactId: string, messageId: string): Promise<void>;
  /** Newest last; `before` a messageId pages back through history. */
  messages(contactId: string, opts?: { before?: string; limit?: number }): Promise<MessageInfo[]>;
  /** One message by its id (the one a reply quotes, however far back), or null when history lacks it. */
  message(contactId: string, messageId: string): Promise<MessageInfo | null>;
  markRead(contactId: string): Promise<void>;
  /** Unread messages per contact id. */
  unread(): Record<string, number>;
  /** Tell the contact we are typing (no-op when typing indicators are off). */
  typing(contactId: string, typing: boolean): void;
  settings(): ChatSettings;
  setSettings(s: Partial<ChatSettings>): Promise<void>;
  /** Identity, contacts and history, encrypted with the passphrase (scrypt, then an AEAD). */
  exportBackup(passphrase: string): Promise<Blob>;
  /** Replace this profile with the backup's identity, contacts and history; the page then reloads. */
  importBackup(file: Blob, passphrase: string): Promise<void>;
  /** Delete everything of this profile on this device; the page then reloads. */
  wipe(): Promise<void>;
  /** Diagnostics: whether an end-to-end session with the contact can carry messages now. */
  sessionState(contactId: string): Promise<'none' | 'waiting' | 'ready'>;
}

/** What the page does around a restore or a wipe: restart the node, delete the profile's databases. */
export interface ChatApiHooks {
  restart(): Promise<void>;
  wipe(): Promise<void>;
}

const CHAT_EVENTS = new Set(['contact', 'presence', 'message', 'state', 'typing']);

export function chatApi(chat: ChatNode, ready: () => Promise<void>, hooks: ChatApiHooks): ChatConsoleApi {
  return {
    ready,
    me: () => chat.whoami(),
    setName: (name) => chat.setName(name),
    rotateAddress: () => chat.rotateAddress(),
    addContact: (link, opts) => chat.people.addContact(link, opts ?? {}),
    requests: () => chat.people.requests(),
    accept: (id) => chat.people.accept(id),
    reject: (id) => chat.people.reject(id),
    contacts: () => chat.people.list(),
    markVerified: (id) => chat.people.markVerified(id),
    rename: (id, name) => chat.people.rename(id, name),
    removeContact: (id) => chat.removeContact(id),
    setKeeper: (id) => chat.setKeeper(id),
    on: ((event: string, handler: (e: ContactEvent) => void) => {
      if (!CHAT_EVENTS.has(event)) throw new ChatError('BAD_ARGUMENT', `no chat event '${event}' (one of ${[...CHAT_EVENTS].join(', ')})`);
      if (typeof handler !== 'function') throw new ChatError('BAD_ARGUMENT', 'a handler function is needed');
      // One dispatcher per event name inside ChatNode; the overloads above give each its type.
      return chat.on(event as 'contact', handler);
    }) as ChatConsoleApi['on'],
    send: (id, text, opts) => chat.talk.send(id, text, opts ?? {}),
    edit: (id, messageId, text) => chat.talk.edit(id, messageId, text),
    delete: (id, messageId) => chat.talk.delete(id, messageId),
    messages: (id, opts) => chat.talk.messages(id, opts ?? {}),
    message: (id, messageId) => chat.talk.message(id, messageId),
    markRead: (id) => chat.talk.markRead(id),
    unread: () => chat.talk.unread(),
    typing: (id, on) => chat.talk.typing(id, on),
    settings: () => chat.talk.settings(),
    setSettings: (x) => chat.talk.setSettings(x),
    exportBackup: async (passphrase) =>
      new Blob([(await chat.exportBackup(passphrase)) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
    importBackup: async (file, passphrase) => {
      if (!(file instanceof Blob)) throw new ChatError('BAD_ARGUMENT', 'a backup file (Blob) is needed');
      await chat.importBackup(new Uint8Array(await file.arrayBuffer()), passphrase);
      await hooks.restart();
    },
    sessionState: async (id) => chat.messenger.sessionState(id),
    wipe: async () => {
      await chat.wipe();
      await hooks.wipe();
    },
  };
}
