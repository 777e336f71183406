/**
 * The conversation half of the chat API: send, history, read state, typing, and the settings that
 * govern receipts and typing. Messages go through the Messenger; history is read from the store.
 */
import { hexToBytes } from '../crypto/bytes';
import type { ChatSettings, MessageInfo } from './api-types';
import { ChatError } from './errors';
import { isMessageId, MAX_RECEIPT_IDS } from './frames';
import { advanceOp, editedMessage, findMessage, messageKey, page } from './history';
import type { Messenger, MessengerHost } from './messenger';
import { asJson, type StoreOp } from './store';

export const DEFAULT_SETTINGS: ChatSettings = { readReceipts: true, typing: true };

export class Conversations {
  constructor(
    private readonly h: MessengerHost,
    private readonly messenger: Messenger,
  ) {}

  send(contactId: string, text: string, opts: { replyTo?: string } = {}): Promise<{ messageId: string }> {
    return this.messenger.send(contactId, text, opts.replyTo);
  }

  /** Replace the text of our message (BAD_ARGUMENT: not ours or unknown; BAD_STATE: deleted). */
  async edit(contactId: string, messageId: string, text: string): Promise<void> {
    if (typeof text !== 'string') throw new ChatError('BAD_ARGUMENT', 'text must be a string');
    return this.messenger.edit(contactId, messageId, text);
  }

  /** Delete a message: ours for both of us (the contact is told), theirs here only. */
  async delete(contactId: string, messageId: string): Promise<void> {
    const found = await this.message(contactId, messageId);
    if (!found) throw new ChatError('BAD_ARGUMENT', 'no message with this id');
    if (found.from === 'me') return this.messenger.edit(contactId, messageId, null);
    const r = await this.messenger.serial(contactId, async () => {
      const at = await findMessage(this.h.c.store, contactId, messageId);
      if (!at || at.m.deleted) return undefined;
      const m = editedMessage(at.m, null, this.h.now);
      delete m.editedAt; // not edited by them: deleted here
      const ops: StoreOp[] = [{ key: at.key, value: asJson(m) }];
      const c = this.h.contacts.get(contactId);
      if (c?.unread && m.state !== 'read') {
        c.unread--;
        ops.push({ key: `contact/${c.id}`, value: asJson(c) });
      }
      return { m, stored: this.h.c.store.batch(ops) };
    });
    if (!r) return;
    await r.stored;
    this.h.emitMessage(contactId, r.m);
  }

  async messages(contactId: string, opts: { before?: string; limit?: number } = {}): Promise<MessageInfo[]> {
    if (!this.h.contacts.get(contactId)) throw new ChatError('UNKNOWN_CONTACT', contactId);
    return page(this.h.c.store, contactId, opts);
  }

  /** One message of the conversation by its id (the one a reply quotes), or null when history lacks it. */
  async message(contactId: string, messageId: string): Promise<MessageInfo | null> {
    if (!this.h.contacts.get(contactId)) throw new ChatError('UNKNOWN_CONTACT', contactId);
    if (!isMessageId(messageId)) throw new ChatError('BAD_ARGUMENT', 'a message id is 32 hex digits');
    return (await findMessage(this.h.c.store, contactId, messageId))?.m ?? null;
  }

  unread(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.h.contacts.all()) if (c.unread) out[c.id] = c.unread;
    return out;
  }

  /** Everything from them is read: their messages move to `read`, and they are told (if receipts are on). */
  async markRead(contactId: string): Promise<void> {
    const c = this.h.contacts.get(contactId);
    if (!c) throw new ChatError('UNKNOWN_CONTACT', contactId);
    // In the contact's queue: an edit that arrives meanwhile is not written over with the old text.
    const { read: ids, stored } = await this.messenger.serial(contactId, async () => {
      const recent = await page(this.h.c.store, contactId, { limit: 500 });
      const ops: StoreOp[] = [];
      const read: string[] = [];
      for (const m of recent) {
        if (m.from !== 'them' || m.state === 'read') continue;
        const op = advanceOp({ key: messageKey(contactId, m), m }, 'read');
        if (op) {
          ops.push(op);
          read.push(m.messageId);
        }
      }
      c.unread = 0;
      ops.push({ key: `contact/${c.id}`, value: asJson(c) });
      return { read, stored: this.h.c.store.batch(ops) };
    });
    await stored;
    if (!this.h.settings.readReceipts || c.state !== 'accepted') return;
    for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
      await this.messenger.control(contactId, { type: 'receipt', kind: 'read', ids: ids.slice(i, i + MAX_RECEIPT_IDS).map(hexToBytes) });
    }
  }

  typing(contactId: string, typing: boolean): void {
    if (this.h.contacts.get(contactId)?.state === 'accepted') this.messenger.typing(contactId, typing);
  }

  settings(): ChatSettings {
    return { ...this.h.settings };
  }

  async setSettings(s: Partial<ChatSettings>): Promise<void> {
    for (const [k, v] of Object.entries(s)) {
      if (!(k in DEFAULT_SETTINGS) || typeof v !== 'boolean') throw new ChatError('BAD_ARGUMENT', `unknown setting ${k}`);
    }
    Object.assign(this.h.settings, s);
    await this.h.c.store.batch([{ key: 'settings', value: { ...this.h.settings } }]);
  }
}
