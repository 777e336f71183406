/**
 * The contact half of the chat API: add by link, incoming requests, accept and reject, the list
 * with presence and safety numbers, verification and names. Every change is stored, announced
 * ('contact' event), and acted on by the chat node's next maintenance step.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { decodeAddress } from './address';
import type { ContactInfo, RequestInfo } from './api-types';
import { MAX_NAME_BYTES, MAX_REQUEST_MESSAGE_BYTES } from './constants';
import type { ChatContext } from './context';
import { ChatError } from './errors';
import { safetyNumber } from './safety-number';

export function checkText(s: unknown, maxBytes: number, what: string): void {
  if (typeof s !== 'string') throw new ChatError('BAD_ARGUMENT', `${what} must be a string`);
  if (new TextEncoder().encode(s).length > maxBytes) throw new ChatError('BAD_ARGUMENT', `${what} over ${maxBytes} bytes`);
}

export class People {
  constructor(private readonly h: ChatContext) {}

  async addContact(link: string, opts: { name?: string; message?: string } = {}): Promise<{ contactId: string }> {
    this.h.assertOpen();
    if (opts.message !== undefined) checkText(opts.message, MAX_REQUEST_MESSAGE_BYTES, 'message');
    if (opts.name !== undefined) checkText(opts.name, MAX_NAME_BYTES, 'name');
    const a = decodeAddress(link);
    const id = bytesToHex(a.identityKey);
    const c = this.h.contacts.requestOut(id, opts.name ?? a.name ?? '', bytesToHex(a.inviteSecret), this.h.now);
    if (opts.message) c.message = opts.message;
    c.owesRequest = true;
    await this.h.saveContact(c);
    this.h.emitContact(id, c.state);
    this.h.kick();
    return { contactId: id };
  }

  requests(): RequestInfo[] {
    return this.h.contacts
      .all()
      .filter((c) => c.state === 'pending')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((c) => ({ contactId: c.id, name: c.name, ...(c.message ? { message: c.message } : {}), receivedAt: c.createdAt }));
  }

  async accept(contactId: string): Promise<void> {
    this.h.assertOpen();
    const c = this.h.contacts.accept(contactId, this.h.now);
    c.owesAccept = true;
    await this.h.saveContact(c);
    this.h.emitContact(c.id, c.state);
    this.h.kick(); // the accept goes out now; the session starts once it is delivered
  }

  async reject(contactId: string): Promise<void> {
    this.h.assertOpen();
    const c = this.h.contacts.reject(contactId);
    await this.h.c.store.batch([{ key: `contact/${c.id}`, delete: true }]);
    this.h.emitContact(c.id, 'removed');
  }

  /** Safety numbers, computed once per contact (a hash; the list is read on every message). */
  private readonly numbers = new Map<string, string>();
  private safetyNumberOf(id: string): string {
    const key = `${bytesToHex(this.h.me.ik)}:${id}`;
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = safetyNumber(this.h.me.ik, hexToBytes(id));
      if (this.numbers.size >= 4096) this.numbers.clear();
      this.numbers.set(key, n);
    }
    return n;
  }

  list(): ContactInfo[] {
    return this.h.contacts.all().map((c) => ({
      contactId: c.id,
      name: c.alias ?? c.name,
      state: c.state,
      online: this.h.isOnline(c.id),
      safetyNumber: this.safetyNumberOf(c.id),
      verified: c.verified,
    }));
  }

  async markVerified(contactId: string): Promise<void> {
    await this.h.saveContact(this.h.contacts.markVerified(contactId, this.h.now));
  }

  async rename(contactId: string, alias: string): Promise<void> {
    checkText(alias, MAX_NAME_BYTES, 'name');
    await this.h.saveContact(this.h.contacts.rename(contactId, alias, this.h.now));
  }
}
