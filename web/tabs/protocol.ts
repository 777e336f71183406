/**
 * The messages between the tab that runs the node (the leader) and the tabs that show it (views),
 * over one BroadcastChannel per profile. Everything here is structured-clone safe: plain values,
 * Blobs, no functions. Views keep a mirror of what the chat API answers synchronously (me,
 * contacts, requests, unread, settings) and of the node's status; the leader sends a fresh mirror
 * with every answer and event, so a view's synchronous getters are never older than the last
 * answer it awaited.
 */
import type { ChatSettings, ContactInfo, MeInfo, RequestInfo } from '../../shared/chat/api-types';
import type { NodeStats, NodeStatus } from '../runtime/types';

/** The BroadcastChannel of a profile's tabs. */
export const channelName = (profile: string): string => `p2p-chat:${profile}:tabs`;
/** The Web Lock whose holder runs the profile's node. */
export const lockName = (profile: string): string => `p2p-chat:${profile}:node`;

export type ChatEventName = 'contact' | 'presence' | 'message' | 'state' | 'typing';
export const CHAT_EVENTS: readonly ChatEventName[] = ['contact', 'presence', 'message', 'state', 'typing'];

/** Chat methods a view may call; the synchronous getters are answered from the mirror. */
export const CHAT_CALLS = [
  'ready',
  'setName',
  'rotateAddress',
  'addContact',
  'accept',
  'reject',
  'markVerified',
  'rename',
  'removeContact',
  'setKeeper',
  'send',
  'edit',
  'delete',
  'messages',
  'message',
  'markRead',
  'typing',
  'setSettings',
  'exportBackup',
  'importBackup',
  'wipe',
  'sessionState',
] as const;
export type ChatCall = (typeof CHAT_CALLS)[number];

/** Node methods a view may call (window.p2p in a view tab). */
export const NODE_CALLS = ['ready', 'put', 'get', 'connect', 'disconnect', 'close', 'network'] as const;
export type NodeCall = (typeof NODE_CALLS)[number];

export interface ChatMirror {
  me: MeInfo;
  contacts: ContactInfo[];
  requests: RequestInfo[];
  unread: Record<string, number>;
  settings: ChatSettings;
}

export interface NodeMirror {
  id: string;
  publicKey: string;
  status: NodeStatus;
  peers: string[];
  stats: NodeStats;
}

export interface WireError {
  name: string;
  code: string | undefined;
  message: string;
}

export type ToLeader =
  | { t: 'hello'; tab: string }
  | { t: 'call'; tab: string; id: number; target: 'chat'; method: ChatCall; args: unknown[] }
  | { t: 'call'; tab: string; id: number; target: 'node'; method: NodeCall; args: unknown[] };

export type FromLeader =
  | { t: 'leader'; leader: string; chat: ChatMirror; node: NodeMirror }
  | { t: 'result'; tab: string; id: number; ok: true; value: unknown; chat: ChatMirror }
  | { t: 'result'; tab: string; id: number; ok: false; error: WireError; chat: ChatMirror }
  | { t: 'event'; event: ChatEventName; payload: unknown; chat: ChatMirror | undefined }
  | { t: 'status'; node: NodeMirror }
  /** The chat changed without an event (web/tabs/sync.ts): here is its state now. */
  | { t: 'sync'; chat: ChatMirror }
  | { t: 'bye'; leader: string };

export type TabMessage = ToLeader | FromLeader;

export function toWireError(e: unknown): WireError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, code: typeof code === 'string' ? code : undefined, message: e.message };
  }
  return { name: 'Error', code: undefined, message: String(e) };
}
