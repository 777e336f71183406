/**
 * Conversation history in the chat store: one entry per message under a key that sorts by the
 * sender's time (`msg/<contact>/<sentAt, 15 digits>-<id>`), an index by message id
 * (`mid/<contact>/<id>`) for dedupe and receipts, and unread counts per contact. Everything here
 * returns store ops, so the caller writes them in the same batch as the ratchet step that
 * produced them.
 */
import type { MessageInfo, MessageState } from './api-types';
import { asJson, type ChatStore, type StoreOp } from './store';

/** Page size of `messages()` when none is given, and its maximum. */
export const PAGE = { default: 50, max: 500 } as const;

const ORDER: Record<MessageState, number> = { failed: -1, sending: 0, sent: 1, delivered: 2, read: 3 };

export function sortKey(sentAt: number, id: string): string {
  return `${String(sentAt).padStart(15, '0')}-${id}`;
}

export function messageKey(contactId: string, m: Pick<MessageInfo, 'sentAt' | 'messageId'>): string {
  return `msg/${contactId}/${sortKey(m.sentAt, m.messageId)}`;
}

/** Ops that store a new message and its id index. */
export function addMessageOps(contactId: string, m: MessageInfo): StoreOp[] {
  const key = messageKey(contactId, m);
  return [
    { key, value: asJson(m) },
    { key: `mid/${contactId}/${m.messageId}`, value: key },
  ];
}

/** The id index of an edit: its receipt, and a second copy of it, find the message it edited. */
export function editIndexOp(contactId: string, editId: string, key: string): StoreOp {
  return { key: `mid/${contactId}/${editId}`, value: key };
}

/** `m` with its text replaced at `at` (the edit's send time), or deleted (null): text gone, reply kept. */
export function editedMessage(m: MessageInfo, text: string | null, at: number): MessageInfo {
  return text === null ? { ...m, text: '', editedAt: at, deleted: true } : { ...m, text, editedAt: at };
}

/** The message with this id, and its key, or undefined. */
export async function findMessage(store: ChatStore, contactId: string, id: string): Promise<{ key: string; m: MessageInfo } | undefined> {
  const key = await store.get(`mid/${contactId}/${id}`);
  if (typeof key !== 'string') return undefined;
  const v = await store.get(key);
  return v ? { key, m: v as unknown as MessageInfo } : undefined;
}

/** An op moving our message forward to `state` (never back), or null if it would not change. */
export function advanceOp(found: { key: string; m: MessageInfo }, state: MessageState): StoreOp | null {
  if (ORDER[state] <= ORDER[found.m.state] && !(found.m.state === 'failed' && state !== 'failed')) return null;
  found.m.state = state;
  return { key: found.key, value: asJson(found.m) };
}

/** A page of a conversation, oldest first: the `limit` messages before `before` (or the newest). */
export async function page(store: ChatStore, contactId: string, opts: { before?: string; limit?: number } = {}): Promise<MessageInfo[]> {
  const limit = Math.max(1, Math.min(PAGE.max, Math.floor(opts.limit ?? PAGE.default)));
  let before: string | undefined;
  if (opts.before !== undefined) {
    const at = await store.get(`mid/${contactId}/${opts.before}`);
    if (typeof at !== 'string') return [];
    before = at;
  }
  const rows = await store.list(`msg/${contactId}/`, { last: limit, ...(before !== undefined ? { before } : {}) });
  return rows.map(([, v]) => v as unknown as MessageInfo);
}
