/**
 * `p2p.chat`: the chat's console and programmatic API (docs/chat-api.md). The UI uses only this,
 * so it can do nothing a script could not, and tests drive either one. Every method returns plain,
 * structured-clone-safe values; bad input rejects with a ChatError whose `code` says why.
 */
import type { ChatNode } from '../../shared/chat/chat-node';
import type { ContactEvent, ContactInfo, MeInfo, PresenceEvent, RequestInfo } from '../../shared/chat/api-types';

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
  on(event: 'contact', handler: (e: ContactEvent) => void): () => void;
  on(event: 'presence', handler: (e: PresenceEvent) => void): () => void;
}

export function chatApi(chat: ChatNode, ready: () => Promise<void>): ChatConsoleApi {
  return {
    ready,
    me: () => chat.whoami(),
    setName: (name) => chat.setName(name),
    rotateAddress: () => chat.rotateAddress(),
    addContact: (link, opts) => chat.addContact(link, opts ?? {}),
    requests: () => chat.requests(),
    accept: (id) => chat.accept(id),
    reject: (id) => chat.reject(id),
    contacts: () => chat.listContacts(),
    markVerified: (id) => chat.markVerified(id),
    rename: (id, name) => chat.rename(id, name),
    removeContact: (id) => chat.removeContact(id),
    on: ((event: 'contact' | 'presence', handler: (e: ContactEvent | PresenceEvent) => void) =>
      event === 'contact' ? chat.on('contact', handler) : chat.on('presence', handler)) as ChatConsoleApi['on'],
  };
}
