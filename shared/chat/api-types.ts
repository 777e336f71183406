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
