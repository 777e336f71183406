/**
 * A conversation: bubbles with day separators and delivery ticks, newest at the bottom (it
 * scrolls there when something arrives, and keeps its place when older history loads above),
 * a composer where Enter sends and Shift+Enter starts a new line and which keeps focus, a note
 * when the contact is offline (messages wait in their mailbox), and a typing indicator. Reply on
 * a message quotes it above the composer (Escape or Cancel drops it); the reply shows the quote
 * (asked for by id when its page is not loaded), and a click on the quote scrolls to the message
 * it answers (loading older history to find it). Edit on our message (or Up in an empty box, for
 * the last one) puts its text in the composer under an "Editing" banner (Escape or Cancel drops
 * the edit); Delete asks first (ours go for both, theirs on this device only).
 */
import { LitElement, html, nothing } from 'lit';
import type { ContactInfo, MessageInfo } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { ChatController } from '../controllers/chat-controller';
import { ConversationController, type ListChange, type ShownMessage } from '../controllers/conversation-controller';
import { dayText, errorText, sameDay } from '../format';
import { icons } from '../icons';
import { hrefOf } from '../router';
import { controls } from '../styles';
import { conversationStyles } from './conversation-styles';
import '../components/contact-avatar';
import type { Quoted } from '../components/message-bubble';
import '../components/message-bubble';
import '../components/delete-dialog';

/** Pages of older history a click on a quote loads, at most, to find the message it answers. */
const SHOW_PAGES = 10;
/** Typing notices are sent at most this often while the person types, ms. */
const TYPING_EVERY_MS = 3_000;

export class ConversationView extends LitElement {
  static override properties = {
    backend: { attribute: false },
    contactId: { attribute: 'contact-id' },
    actionError: { state: true },
    replyTo: { state: true },
    editing: { state: true },
    deleting: { state: true },
  };
  declare backend: AppBackend | undefined;
  declare contactId: string;
  declare actionError: string;
  /** The message the next one answers. */
  declare replyTo: ShownMessage | undefined;
  /** Our message whose text the composer holds for an edit. */
  declare editing: ShownMessage | undefined;
  /** The message the delete dialog asks about. */
  declare deleting: ShownMessage | undefined;
  private readonly chat = new ChatController(this, () => this.backend);
  readonly conversation = new ConversationController(
    this,
    () => this.backend,
    () => this.contactId || undefined,
  );
  private scrollBefore: { height: number; top: number } | undefined;
  private lastTyping = 0;
  private markedFor = '';
  /** The last scroll adjustment after an update (a jump to a quoted message waits for it). */
  private settled: Promise<void> = Promise.resolve();

  static override styles = [controls, conversationStyles];

  constructor() {
    super();
    this.backend = undefined;
    this.contactId = '';
    this.actionError = '';
    this.replyTo = undefined;
    this.editing = undefined;
    this.deleting = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisible);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroll');
  }

  private get draft(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('textarea');
  }

  /** Focus the message box (after opening a conversation). */
  focusComposer(): void {
    this.draft?.focus();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    const el = this.scroller;
    this.scrollBefore = el ? { height: el.scrollHeight, top: el.scrollTop } : undefined;
    if (changed.has('contactId')) {
      this.actionError = '';
      this.replyTo = undefined;
      // An edit's text is no draft for the next conversation.
      if (this.editing && this.draft) this.draft.value = '';
      this.editing = undefined;
      this.deleting = undefined;
    }
  }

  protected override updated(changed: Map<string, unknown>): void {
    const change = this.conversation.lastChange;
    this.conversation.lastChange = undefined;
    const before = this.scrollBefore;
    const opened = changed.has('contactId');
    if (opened) this.markedFor = '';
    if (change || opened) this.settled = this.settleScroll(change, before, opened);
    this.markRead();
  }

  /**
   * Once the bubbles have rendered (they are elements of their own, a microtask later, still
   * before the frame is painted): follow the newest message, or keep the place when older
   * history was added above.
   */
  private async settleScroll(
    change: ListChange | undefined,
    before: { height: number; top: number } | undefined,
    opened: boolean,
  ): Promise<void> {
    await Promise.all(Array.from(this.renderRoot.querySelectorAll('message-bubble'), (b) => b.updateComplete));
    const el = this.scroller;
    if (!el) return;
    const mine = this.conversation.messages[this.conversation.messages.length - 1]?.from === 'me';
    const nearBottom = !before || before.height - before.top - el.clientHeight < 120;
    if (change === 'prepend' && before) el.scrollTop = el.scrollHeight - before.height + before.top;
    else if (opened || change === 'reset' || (change === 'append' && (nearBottom || mine))) el.scrollTop = el.scrollHeight;
  }

  override render() {
    const c = this.chat.contact(this.contactId);
    if (!c) {
      return html`<div class="gone">
        <p>This contact is not in your list.</p>
        <a href="#/">Back to chats</a>
      </div>`;
    }
    const name = c.name || 'Unnamed contact';
    const conv = this.conversation;
    const typing = conv.typing && this.chat.settings?.typing !== false;
    return html`<header>
        <a class="back" href="#/" aria-label="Back to chats">${icons.back}</a>
        <contact-avatar .name=${name} contact-id=${c.contactId} ?online=${c.online}></contact-avatar>
        <div class="title">
          <h2>${name}</h2>
          <p class="hint">${typing ? 'typing…' : c.state === 'accepted' ? (c.online ? 'online' : 'offline') : c.state === 'requested' ? 'request sent' : 'wants to add you'}${c.verified ? ' · verified' : ''}</p>
        </div>
        <a class="button" href=${hrefOf({ view: 'details', id: c.contactId })}>${icons.info}<span>Details</span></a>
      </header>
      ${this.renderNote(c, name)}
      <div class="scroll" @scroll=${this.onScroll} tabindex="0" aria-label=${`Messages with ${name}`} role="region">
        ${conv.hasMore ? html`<button class="older" @click=${() => conv.loadOlder()} ?disabled=${conv.loadingOlder}>${conv.loadingOlder ? 'Loading…' : 'Load older messages'}</button>` : nothing}
        ${conv.olderError ? html`<p class="error" role="alert">${errorText(conv.olderError)}</p>` : nothing}
        ${conv.history.render({
          pending: () =>
            conv.messages.length === 0 ? html`<p class="hint center">Loading messages…</p>` : this.renderMessages(conv.shown),
          complete: (n) =>
            n === undefined
              ? html`<p class="hint center">Loading messages…</p>`
              : conv.shown.length === 0
                ? html`<p class="hint center">No messages yet. Say hello!</p>`
                : this.renderMessages(conv.shown),
          error: (e) => html`<p class="error" role="alert">${errorText(e)}</p>`,
        })}
      </div>
      ${c.state === 'accepted' ? this.renderComposer(name) : nothing}
      <delete-dialog .message=${this.deleting} name=${name} @confirm=${this.confirmDelete} @dialog-close=${() => (this.deleting = undefined)}></delete-dialog>`;
  }

  private renderNote(c: ContactInfo, name: string) {
    if (this.actionError) return html`<p class="note" role="alert">${this.actionError}</p>`;
    if (c.state === 'requested') return html`<p class="note">${name} has not accepted your request yet. You can write once they do.</p>`;
    if (c.state === 'pending')
      return html`<div class="note row">
        <span>${name} wants to add you.</span>
        <button class="primary" @click=${() => this.act(() => this.backend!.chat.accept(c.contactId))}>Accept</button>
        <button @click=${() => this.act(() => this.backend!.chat.reject(c.contactId))}>Decline</button>
      </div>`;
    if (!c.online)
      return html`<p class="note offline">${name} is offline. Your messages wait in their mailbox and arrive when they are back.</p>`;
    return nothing;
  }

  private renderMessages(list: ShownMessage[]) {
    const items: unknown[] = [];
    let prev: number | undefined;
    // Read receipts work both ways: with ours off, theirs are not shown either (delivered at most).
    const hideRead = this.chat.settings?.readReceipts === false;
    const byId = new Map(list.map((m) => [m.messageId, m]));
    for (const raw of list) {
      const m = hideRead && raw.state === 'read' ? { ...raw, state: 'delivered' as const } : raw;
      if (prev === undefined || !sameDay(prev, m.sentAt)) items.push(html`<li class="day"><span>${dayText(m.sentAt)}</span></li>`);
      prev = m.sentAt;
      const quoted = m.replyTo ? this.quote(byId.get(m.replyTo) ?? this.conversation.quotedElsewhere(m.replyTo)) : undefined;
      items.push(
        html`<li><message-bubble .message=${m} .quoted=${quoted} @retry=${this.onRetry} @reply=${this.onReply} @edit=${this.onEdit}
          @delete=${this.onDelete} @show-message=${this.onShow}></message-bubble></li>`,
      );
    }
    return html`<ol class="messages">${items}</ol>`;
  }

  /** Who wrote `m` and its text, as a reply quotes it (null: not loaded). */
  private quote(m: MessageInfo | undefined): Quoted | null {
    if (!m) return null;
    const name = this.chat.contact(this.contactId)?.name || 'Them';
    return { who: m.from === 'me' ? 'You' : name, text: m.deleted ? 'Deleted message' : m.text };
  }

  private renderComposer(name: string) {
    const err = this.conversation.sendError;
    const q = this.replyTo && this.quote(this.replyTo);
    const ed = this.editing;
    return html`${err ? html`<p class="note send-error" role="alert">${errorText(err)} Your text is kept.</p>` : nothing}
      ${
        q
          ? html`<div class="replying" role="group" aria-label="Replying">
              <div class="quote"><span class="who">Replying to ${q.who === 'You' ? 'yourself' : q.who}</span><span class="said">${q.text}</span></div>
              <button class="icon" aria-label="Cancel reply" @click=${this.cancelReply}>${icons.close}</button>
            </div>`
          : ed
            ? html`<div class="replying editing" role="group" aria-label="Editing">
                <div class="quote"><span class="who">Editing your message</span><span class="said">${ed.text}</span></div>
                <button class="icon" aria-label="Cancel edit" @click=${this.cancelReply}>${icons.close}</button>
              </div>`
            : nothing
      }
      <form class="composer" @submit=${this.onSubmit}>
        <label for="draft" class="visually-hidden">Message to ${name}</label>
        <textarea id="draft" rows="1" placeholder="Write a message" enterkeyhint="send" @keydown=${this.onKeydown} @input=${this.onInput}></textarea>
        <button class="primary icon" type="submit" aria-label="Send">${icons.send}</button>
      </form>`;
  }

  private onKeydown = (ev: KeyboardEvent): void => {
    if (ev.key === 'Escape' && (this.replyTo || this.editing)) return this.cancelReply();
    if (ev.key === 'ArrowUp' && !this.draft?.value && !this.editing) return this.editLast(ev);
    if (ev.key !== 'Enter' || ev.shiftKey || ev.isComposing) return;
    ev.preventDefault();
    void this.sendDraft();
  };

  private onSubmit = (ev: Event): void => {
    ev.preventDefault();
    void this.sendDraft();
  };

  private onInput = (): void => {
    const d = this.draft;
    if (!d) return;
    d.style.height = 'auto';
    d.style.height = `${Math.min(d.scrollHeight, 160)}px`;
    if (this.chat.settings?.typing === false || this.editing) return; // an edit is no typing
    const now = Date.now();
    if (d.value && now - this.lastTyping > TYPING_EVERY_MS) {
      this.lastTyping = now;
      this.backend?.chat.typing(this.contactId, true);
    } else if (!d.value && this.lastTyping > 0) {
      // the draft was cleared: they stop seeing "typing…" now rather than when it times out
      this.lastTyping = 0;
      this.backend?.chat.typing(this.contactId, false);
    }
  };

  private async sendDraft(): Promise<void> {
    const d = this.draft;
    if (!d) return;
    const text = d.value.trim();
    d.focus();
    if (!text) return;
    this.lastTyping = 0;
    const ed = this.editing;
    const done = ed
      ? text === ed.text || (await this.conversation.edit(ed.messageId, text))
      : await this.conversation.send(text, this.replyTo?.messageId);
    if (done) {
      d.value = '';
      d.style.height = 'auto';
      this.replyTo = undefined;
      this.editing = undefined;
    }
    d.focus();
  }

  private onReply = (e: CustomEvent<string>): void => {
    if (this.editing) this.cancelReply();
    this.replyTo = this.conversation.messages.find((m) => m.messageId === e.detail);
    this.draft?.focus();
  };

  /** Up in an empty box edits our last message (as in most chat apps). */
  private editLast(ev: KeyboardEvent): void {
    const m = [...this.conversation.shown].reverse().find((x) => x.from === 'me' && !x.deleted && !x.local && x.state !== 'failed');
    if (m) ev.preventDefault();
    this.startEdit(m);
  }

  private onEdit = (e: CustomEvent<string>): void => this.startEdit(this.conversation.messages.find((x) => x.messageId === e.detail));

  /** Our message's text into the composer, to edit (what was drafted gives way). */
  private startEdit(m: ShownMessage | undefined): void {
    const d = this.draft;
    if (!m || !d) return;
    this.replyTo = undefined;
    this.editing = m;
    d.value = m.text;
    this.onInput();
    d.focus();
  }

  private onDelete = (e: CustomEvent<string>): void => {
    this.deleting = this.conversation.messages.find((m) => m.messageId === e.detail);
  };

  private confirmDelete = (e: CustomEvent<string>): void => {
    this.deleting = undefined;
    void this.act(() => this.backend!.chat.delete(this.contactId, e.detail));
  };

  /** Scroll to a message a reply quotes (loading older history to find it, up to SHOW_PAGES pages), and mark it a moment. */
  private onShow = async (e: CustomEvent<string>): Promise<void> => {
    const id = e.detail;
    const conv = this.conversation;
    for (let i = 0; i < SHOW_PAGES && conv.hasMore && !conv.messages.some((m) => m.messageId === id); i++) {
      await conv.loadOlder();
      await this.updateComplete;
    }
    await this.updateComplete;
    await this.settled; // older history keeps its place first; then this scroll wins
    const el = Array.from(this.renderRoot.querySelectorAll('message-bubble')).find((b) => b.message?.messageId === id);
    if (!el) return;
    const still = matchMedia('(prefers-reduced-motion: reduce)').matches;
    el.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
    el.setAttribute('highlight', '');
    setTimeout(() => el.removeAttribute('highlight'), 1_600);
  };

  /** Drop the reply, or the edit (and its text). */
  private cancelReply = (): void => {
    const d = this.draft;
    if (this.editing && d) d.value = '';
    this.replyTo = undefined;
    this.editing = undefined;
    d?.focus();
  };

  private onRetry = (e: CustomEvent<string>): void => {
    void this.conversation.retry(e.detail);
  };

  private onScroll = (): void => {
    const el = this.scroller;
    const conv = this.conversation;
    if (el && el.scrollTop < 40 && conv.hasMore && !conv.loadingOlder) void conv.loadOlder();
  };

  private onVisible = (): void => {
    if (document.visibilityState === 'visible') this.markRead();
  };

  private markRead(): void {
    const b = this.backend;
    const id = this.contactId;
    if (!b || !id || document.visibilityState !== 'visible') return;
    const n = this.chat.unread[id] ?? 0;
    const key = `${id}:${n}:${this.conversation.messages.length}`;
    if (n === 0 || this.markedFor === key) return;
    this.markedFor = key;
    b.chat.markRead(id).then(
      () => this.chat.refresh(),
      () => {},
    );
  }

  private async act(fn: () => Promise<void>): Promise<void> {
    this.actionError = '';
    try {
      await fn();
    } catch (e) {
      this.actionError = errorText(e);
    }
    this.chat.refresh();
  }
}
customElements.define('conversation-view', ConversationView);

declare global {
  interface HTMLElementTagNameMap {
    'conversation-view': ConversationView;
  }
}
