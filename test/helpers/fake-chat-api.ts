/**
 * An in-memory ChatConsoleApi (web/app/chat-api.ts) for component tests: every method behaves as
 * the docs say (codes, events), and tests script the other side (a request arrives, a message,
 * presence, typing, delivery states, a failure on the next call). Messages are kept per contact,
 * newest last, with unread counts and read state as the real chat keeps them; a backup carries
 * the identity, contacts and history. Runs in the browser (the component fixture page) and in Node.
 */
import type { ChatSettings, ContactInfo, MeInfo, MessageInfo, MessageState, RequestInfo } from '../../shared/chat/api-types';
import { decodeAddress, encodeAddress } from '../../shared/chat/address';
import { ChatError, type ChatErrorCode } from '../../shared/chat/errors';
import { outgoingText } from '../../shared/chat/frames';
import { bytesToHex, hexToBytes } from '../../shared/crypto/bytes';
import type { ChatConsoleApi } from '../../web/app/chat-api';
import { FakeChatState, person, rand, type EventName, type Handler } from './fake-chat-state';
export type { FakeChatOptions } from './fake-chat-state';

export class FakeChatApi extends FakeChatState implements ChatConsoleApi {
  // ---- scripting the other side ----------------------------------------------------------------

  /** A valid address link of a new person (for addContact tests). */
  linkFor(name: string): { link: string; contactId: string } {
    const p = person();
    return {
      link: encodeAddress({ identityKey: p.ik, inviteSecret: p.invite, ...(name ? { name } : {}) }, this.origin),
      contactId: bytesToHex(p.ik),
    };
  }

  /** Someone asks to add us. */
  addRequest(name: string, message?: string): string {
    const id = bytesToHex(person().ik);
    this.book.set(id, this.entry(id, name, 'pending', message));
    this.emit('contact', { contactId: id, state: 'pending' });
    return id;
  }

  /** A contact already accepted (as when our request was accepted: a contact event). */
  addAccepted(name: string, opts: { online?: boolean; verified?: boolean } = {}): string {
    const id = bytesToHex(person().ik);
    const c = this.entry(id, name, 'accepted');
    c.online = opts.online ?? false;
    c.verified = opts.verified ?? false;
    this.book.set(id, c);
    this.emit('contact', { contactId: id, state: 'accepted' });
    return id;
  }

  /** The contact we asked accepts. */
  acceptedBy(contactId: string): void {
    const c = this.get(contactId);
    c.state = 'accepted';
    this.emit('contact', { contactId, state: 'accepted' });
  }

  setOnline(contactId: string, online: boolean): void {
    this.get(contactId).online = online;
    this.emit('presence', { contactId, online });
  }

  setTyping(contactId: string, typing: boolean): void {
    this.emit('typing', { contactId, typing });
  }

  /** A message from them arrives. */
  receive(contactId: string, text: string, opts: { sentAt?: number; replyTo?: string } = {}): MessageInfo {
    const m: MessageInfo = {
      messageId: `m${++this.seq}`,
      from: 'them',
      text,
      sentAt: opts.sentAt ?? this.now(),
      receivedAt: this.now(),
      state: 'delivered',
      ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    };
    this.log(contactId).push(m);
    this.unreadCounts[contactId] = (this.unreadCounts[contactId] ?? 0) + 1;
    this.emit('message', { contactId, message: m });
    return m;
  }

  /** History without events: `n` messages alternating sides, `stepMs` apart, ending at `end`. */
  seedHistory(contactId: string, n: number, opts: { end?: number; stepMs?: number; text?: (i: number) => string } = {}): void {
    const end = opts.end ?? this.now();
    const step = opts.stepMs ?? 60_000;
    const log = this.log(contactId);
    for (let i = 0; i < n; i++) {
      const from = i % 2 === 0 ? 'them' : 'me';
      log.push({
        messageId: `h${++this.seq}`,
        from,
        text: opts.text?.(i) ?? `message ${i + 1}`,
        sentAt: end - (n - 1 - i) * step,
        state: from === 'me' ? 'read' : 'delivered',
      });
    }
  }

  setState(contactId: string, messageId: string, state: MessageState): void {
    const m = this.log(contactId).find((x) => x.messageId === messageId);
    if (m) m.state = state;
    this.emit('state', { contactId, messageId, state });
  }

  /** The next call of `method` rejects with `code`. */
  failNext(method: keyof ChatConsoleApi, code: ChatErrorCode, message?: string): void {
    this.failures.set(method, new ChatError(code, message));
  }

  /** Calls of `method` wait (after being recorded) until `release(method)`. */
  hold(method: keyof ChatConsoleApi): void {
    let open!: () => void;
    const promise = new Promise<void>((r) => {
      open = r;
    });
    this.gates.set(method, { promise, open });
  }

  release(method: keyof ChatConsoleApi): void {
    this.gates.get(method)?.open();
    this.gates.delete(method);
  }

  listenerCount(event: EventName): number {
    return this.handlers.get(event)?.size ?? 0;
  }

  // ---- ChatConsoleApi ---------------------------------------------------------------------------

  ready(): Promise<void> {
    return this.call('ready', [], () => undefined);
  }

  me(): MeInfo {
    this.calls.push({ method: 'me', args: [] });
    const name = this.name;
    return {
      identityKey: bytesToHex(this.self.ik),
      name,
      address: encodeAddress({ identityKey: this.self.ik, inviteSecret: this.self.invite, ...(name ? { name } : {}) }, this.origin),
      ...(this.keeper ? { keeper: this.keeper } : {}),
    };
  }
  private keeper: string | null = null;

  setName(name: string): Promise<void> {
    return this.call('setName', [name], () => {
      if (new TextEncoder().encode(name).length > 64) throw new ChatError('BAD_ARGUMENT', 'name must be at most 64 bytes');
      this.name = name;
    });
  }

  rotateAddress(): Promise<string> {
    return this.call('rotateAddress', [], () => {
      this.self = { ...this.self, invite: rand(16) };
      return this.me().address;
    });
  }

  addContact(link: string, opts: { name?: string; message?: string } = {}): Promise<{ contactId: string }> {
    return this.call('addContact', [link, opts], () => {
      const a = decodeAddress(link);
      const id = bytesToHex(a.identityKey);
      if (id === bytesToHex(this.self.ik)) throw new ChatError('SELF_ADD');
      if (this.book.has(id)) throw new ChatError('DUPLICATE_CONTACT');
      this.book.set(id, this.entry(id, opts.name ?? a.name ?? '', 'requested', opts.message));
      this.emit('contact', { contactId: id, state: 'requested' });
      return { contactId: id };
    });
  }

  requests(): RequestInfo[] {
    return [...this.book.values()]
      .filter((c) => c.state === 'pending')
      .map((c) => ({ contactId: c.contactId, name: c.name, ...(c.message ? { message: c.message } : {}), receivedAt: c.createdAt }));
  }

  accept(contactId: string): Promise<void> {
    return this.call('accept', [contactId], () => {
      const c = this.get(contactId);
      if (c.state !== 'pending') throw new ChatError('BAD_STATE', 'not a pending request');
      c.state = 'accepted';
      this.emit('contact', { contactId, state: 'accepted' });
    });
  }

  reject(contactId: string): Promise<void> {
    return this.call('reject', [contactId], () => {
      if (this.get(contactId).state !== 'pending') throw new ChatError('BAD_STATE', 'not a pending request');
      this.book.delete(contactId);
      this.emit('contact', { contactId, state: 'removed' });
    });
  }

  contacts(): ContactInfo[] {
    return [...this.book.values()].map(({ createdAt: _c, message: _m, ...c }) => ({ ...c }));
  }

  markVerified(contactId: string): Promise<void> {
    return this.call('markVerified', [contactId], () => {
      this.get(contactId).verified = true;
    });
  }

  rename(contactId: string, name: string): Promise<void> {
    return this.call('rename', [contactId, name], () => {
      this.get(contactId).name = name;
    });
  }

  removeContact(contactId: string): Promise<void> {
    return this.call('removeContact', [contactId], () => {
      this.get(contactId);
      this.book.delete(contactId);
      this.emit('contact', { contactId, state: 'removed' });
    });
  }

  setKeeper(contactId: string | null): Promise<void> {
    return this.call('setKeeper', [contactId], () => {
      if (contactId !== null && this.get(contactId).state !== 'accepted')
        throw new ChatError('NOT_FOUND', 'the keeper must be an accepted contact');
      this.keeper = contactId;
    });
  }

  on = ((event: EventName, handler: Handler) => {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }) as ChatConsoleApi['on'];

  /** As the real chat: a write that fails (failNext 'STORAGE') is announced, then 'failed', then rejects. */
  send(contactId: string, text: string, opts?: { replyTo?: string }): Promise<{ messageId: string }> {
    const unstored = this.failures.get('send')?.code === 'STORAGE' ? this.takeFailure('send') : undefined;
    return this.call('send', [contactId, text, ...(opts ? [opts] : [])], () => {
      if (this.get(contactId).state !== 'accepted') throw new ChatError('BAD_STATE', 'not an accepted contact');
      outgoingText(text, undefined);
      const m: MessageInfo = {
        messageId: `m${++this.seq}`,
        from: 'me',
        text,
        sentAt: this.now(),
        state: 'sending',
        ...(opts?.replyTo ? { replyTo: opts.replyTo } : {}),
      };
      this.log(contactId).push(m);
      this.emit('message', { contactId, message: { ...m } });
      if (unstored) {
        this.log(contactId).pop();
        this.emit('state', { contactId, messageId: m.messageId, state: 'failed' });
        throw unstored;
      }
      const next = this.autoState;
      if (next) queueMicrotask(() => this.setState(contactId, m.messageId, next));
      return { messageId: m.messageId };
    });
  }

  /** As the real chat: our message only, not deleted; the new text is told as that message. */
  edit(contactId: string, messageId: string, text: string): Promise<void> {
    return this.call('edit', [contactId, messageId, text], () => {
      outgoingText(text, undefined);
      this.change(contactId, messageId, (m) => {
        if (m.from !== 'me') throw new ChatError('BAD_ARGUMENT', 'no message of ours with this id');
        return { ...m, text, editedAt: this.now() };
      });
    });
  }

  /** Ours deleted for both (editedAt set), theirs here only. */
  delete(contactId: string, messageId: string): Promise<void> {
    return this.call('delete', [contactId, messageId], () => {
      this.change(contactId, messageId, (m) => ({ ...m, text: '', deleted: true, ...(m.from === 'me' ? { editedAt: this.now() } : {}) }));
    });
  }

  private change(contactId: string, messageId: string, f: (m: MessageInfo) => MessageInfo): void {
    this.get(contactId);
    const log = this.log(contactId);
    const i = log.findIndex((x) => x.messageId === messageId);
    if (i < 0) throw new ChatError('BAD_ARGUMENT', 'no message with this id');
    if (log[i]!.deleted) throw new ChatError('BAD_STATE', 'the message was deleted');
    log[i] = f(log[i]!);
    this.emit('message', { contactId, message: { ...log[i]! } });
  }

  messages(contactId: string, opts: { before?: string; limit?: number } = {}): Promise<MessageInfo[]> {
    return this.call('messages', [contactId, opts], () => {
      this.get(contactId);
      const log = this.log(contactId);
      const end = opts.before ? log.findIndex((m) => m.messageId === opts.before) : log.length;
      const stop = Math.max(0, end);
      const limit = opts.limit ?? 50;
      return log.slice(Math.max(0, stop - limit), stop).map((m) => ({ ...m }));
    });
  }

  message(contactId: string, messageId: string): Promise<MessageInfo | null> {
    return this.call('message', [contactId, messageId], () => {
      this.get(contactId);
      const m = this.log(contactId).find((x) => x.messageId === messageId);
      return m ? { ...m } : null;
    });
  }

  /** Their messages become `read` (no event, as in the real chat), and the count goes to 0. */
  markRead(contactId: string): Promise<void> {
    return this.call('markRead', [contactId], () => {
      this.get(contactId);
      for (const m of this.log(contactId)) if (m.from === 'them') m.state = 'read';
      delete this.unreadCounts[contactId];
    });
  }

  unread(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.unreadCounts).filter(([, n]) => n > 0));
  }

  typing(contactId: string, typing: boolean): void {
    this.calls.push({ method: 'typing', args: [contactId, typing] });
  }

  settings(): ChatSettings {
    return { ...this.prefs };
  }

  setSettings(s: Partial<ChatSettings>): Promise<void> {
    return this.call('setSettings', [s], () => {
      for (const [k, v] of Object.entries(s)) {
        if (!(k in this.prefs) || typeof v !== 'boolean') throw new ChatError('BAD_ARGUMENT', `unknown setting ${k}`);
      }
      this.prefs = { ...this.prefs, ...s };
    });
  }

  exportBackup(passphrase: string): Promise<Blob> {
    return this.call('exportBackup', [passphrase], () => {
      const body: FakeBackup = {
        passphrase,
        name: this.name,
        ik: bytesToHex(this.self.ik),
        contacts: this.contacts(),
        history: Object.fromEntries(this.history),
      };
      return new Blob([JSON.stringify(body)], { type: 'application/octet-stream' });
    });
  }

  importBackup(file: Blob, passphrase: string): Promise<void> {
    this.calls.push({ method: 'importBackup', args: [file, passphrase] });
    const failure = this.takeFailure('importBackup');
    if (failure) return Promise.reject(failure);
    return file.text().then((text) => {
      let b: FakeBackup;
      try {
        b = JSON.parse(text) as FakeBackup;
      } catch {
        throw new ChatError('BAD_BACKUP');
      }
      if (b.passphrase !== passphrase) throw new ChatError('WRONG_PASSPHRASE');
      this.name = b.name;
      this.self = { ...this.self, ik: hexToBytes(b.ik) };
      this.book.clear();
      for (const c of b.contacts) this.book.set(c.contactId, { ...c, online: false, createdAt: this.now() });
      this.history.clear();
      for (const [id, log] of Object.entries(b.history ?? {})) this.history.set(id, log);
      this.unreadCounts = {};
    });
  }

  sessionState(contactId: string): Promise<'none' | 'waiting' | 'ready'> {
    return this.call('sessionState', [contactId], () => (this.get(contactId).online ? 'ready' : 'none'));
  }

  wipe(): Promise<void> {
    return this.call('wipe', [], () => {
      this.name = '';
      this.self = person();
      this.book.clear();
      this.history.clear();
      this.unreadCounts = {};
    });
  }
}

/** What the fake's backup file holds (plain JSON: the fake does not encrypt). */
interface FakeBackup {
  passphrase: string;
  name: string;
  ik: string;
  contacts: ContactInfo[];
  history?: Record<string, MessageInfo[]>;
}
