/**
 * The plain values the chat API returns (docs/chat-api.md): JSON-able and structured-clone safe,
 * so they cross page.evaluate, postMessage and BroadcastChannel unchanged.
 */
import type { ContactState } from './contacts';

export interface MeInfo {
  /** Identity key, hex. */
  identityKey: string;
  name: string;
  /** The shareable #add link. */
  address: string;
  /** Our mail keeper's contact id, when we named one (setKeeper). */
  keeper?: string;
}

export interface RequestInfo {
  contactId: string;
  name: string;
  message?: string;
  receivedAt: number;
}

export interface ContactInfo {
  contactId: string;
  name: string;
  state: ContactState;
  online: boolean;
  safetyNumber: string;
  verified: boolean;
}

export type ChatEvent = 'contact' | 'presence' | 'message' | 'state';

export interface ContactEvent {
  contactId: string;
  state: ContactState | 'removed';
}

export interface PresenceEvent {
  contactId: string;
  online: boolean;
}

/** Where a message stands: queued here, in the network (or a mailbox), on their device, read. */
export type MessageState = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface MessageInfo {
  messageId: string;
  from: 'me' | 'them';
  text: string;
  /** Sender's clock, ms since the epoch. */
  sentAt: number;
  /** When it arrived here (messages from them). */
  receivedAt?: number;
  state: MessageState;
  replyTo?: string;
  /** When the sender last edited it (sender's clock). */
  editedAt?: number;
  /** Deleted by its sender (for both of us), or by us here: `text` is empty. */
  deleted?: true;
}

export interface MessageEvent {
  contactId: string;
  message: MessageInfo;
}

export interface StateEvent {
  contactId: string;
  messageId: string;
  state: MessageState;
}

export interface TypingEvent {
  contactId: string;
  typing: boolean;
}

export interface ChatSettings {
  /** Send read receipts (and show theirs). @default true */
  readReceipts: boolean;
  /** Send typing indicators (and show theirs). @default true */
  typing: boolean;
}
