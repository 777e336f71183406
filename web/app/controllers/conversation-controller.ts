/**
 * One conversation's messages: the newest page of history (through @lit/task, aborted when the
 * contact changes), older pages on demand, and live updates from events: new messages, delivery
 * states, typing. A send that fails before the node took it stays on screen as `failed` with its
 * text, so the person can retry; a send refused for a reason that sending again would not change
 * (too long, the contact gone or not accepted, storage full) keeps the draft and says why.
 */
import { Task } from '@lit/task';
import type { ReactiveControllerHost } from 'lit';
import type { MessageEvent, MessageInfo, StateEvent, TypingEvent } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { errorCode, errorText } from '../format';
import { BackendBinding } from './backend-binding';

/** Messages per page of history. */
export const PAGE = 50;
/** A typing indicator not refreshed for this long goes away, ms. */
export const TYPING_TTL_MS = 6_000;

/** Errors after which nothing was sent and sending again would fail the same way: the draft stays. */
const KEEP_DRAFT = new Set(['BAD_STATE', 'BAD_ARGUMENT', 'UNKNOWN_CONTACT', 'STORAGE']);

export interface ShownMessage extends MessageInfo {
  /** A send the node never took (no id from it): retry sends the text again. */
  local?: boolean;
  /** Why it failed, for a person. */
  error?: string;
}

export type ListChange = 'reset' | 'append' | 'prepend' | 'update';

export class ConversationController extends BackendBinding {
  messages: ShownMessage[] = [];
  hasMore = false;
  loadingOlder = false;
  olderError: unknown;
  typing = false;
  /** Set when a send could not be made at all (the draft is kept). */
  sendError: unknown;
  /** What the last change did to the list: the view scrolls down on 'append' and keeps its place on 'prepend'. */
  lastChange: ListChange | undefined;
  /** The newest page of history; its value is undefined while the chat is still starting. */
  readonly history: Task<[AppBackend | undefined, string | undefined, string | undefined], number | undefined>;
  private id: string | undefined;
  private localSeq = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly retried = new Set<string>();
  /** Messages that replies quote and the loaded pages lack, fetched by id (null: asked, or history lacks it). */
  private readonly quotes = new Map<string, MessageInfo | null>();
  /** The list hostUpdated last looked through (the list is replaced on every change). */
  private scanned: ShownMessage[] | undefined;

  constructor(
    host: ReactiveControllerHost,
    getBackend: () => AppBackend | undefined,
    private readonly getId: () => string | undefined,
  ) {
    super(host, getBackend);
    this.history = new Task(host, {
      args: () => [getBackend(), getId(), getBackend()?.role] as [AppBackend | undefined, string | undefined, string | undefined],
      task: async ([b, id], { signal }) => {
        if (!b || !id || b.role === 'starting') return undefined;
        const page = await b.chat.messages(id, { limit: PAGE });
        signal.throwIfAborted();
        const live = this.messages.filter((m) => !page.some((p) => p.messageId === m.messageId));
        this.messages = [...page, ...live];
        this.hasMore = page.length >= PAGE;
        this.lastChange = 'reset';
        return page.length;
      },
    });
  }

  override hostUpdate(): void {
    super.hostUpdate();
    const id = this.getId();
    if (id !== this.id) {
      this.id = id;
      this.messages = [];
      this.hasMore = false;
      this.typing = false;
      this.sendError = undefined;
      this.olderError = undefined;
      this.retried.clear();
      this.quotes.clear();
    }
  }

  /** After an update that changed the list: ask for the messages that replies quote and the loaded pages lack. */
  hostUpdated(): void {
    const b = this.backend;
    const id = this.getId();
    if (!b || !id || b.role === 'starting' || this.messages === this.scanned) return;
    this.scanned = this.messages;
    const loaded = new Set(this.messages.map((m) => m.messageId));
    for (const m of this.messages) {
      const q = m.replyTo;
      if (!q || loaded.has(q) || this.quotes.has(q) || m.local) continue;
      this.quotes.set(q, null);
      b.chat.message(id, q).then(
        (found) => {
          if (!found || id !== this.getId()) return;
          this.quotes.set(q, found);
          this.host.requestUpdate();
        },
        () => {
          // A failed read (not a message history lacks): "an earlier message" until the list
          // next changes, then asked again.
          if (id === this.getId() && this.quotes.get(q) === null) this.quotes.delete(q);
        },
      );
    }
  }

  /** A quoted message the loaded pages lack, once fetched (see hostUpdated). */
  quotedElsewhere(messageId: string): MessageInfo | undefined {
    return this.quotes.get(messageId) ?? undefined;
  }

  protected override subscribe(b: AppBackend): Array<() => void> {
    return [
      b.chat.on('message', (e: MessageEvent) => {
        if (e.contactId !== this.getId()) return;
        if (e.message.from === 'them') this.setTyping(false);
        this.upsert(e.message);
      }),
      b.chat.on('state', (e: StateEvent) => {
        if (e.contactId !== this.getId()) return;
        const i = this.messages.findIndex((m) => m.messageId === e.messageId);
        if (i < 0) return;
        // Not stored after all: its send rejects (STORAGE), and the draft stays with the reason.
        if (e.state === 'failed') this.messages = this.messages.filter((_, j) => j !== i);
        else this.messages = this.messages.map((m, j) => (j === i ? { ...m, state: e.state } : m));
        this.changed('update');
      }),
      b.chat.on('typing', (e: TypingEvent) => {
        if (e.contactId === this.getId()) this.setTyping(e.typing);
      }),
      () => clearTimeout(this.typingTimer),
    ];
  }

  /** Messages to show (retried failures hidden). */
  get shown(): ShownMessage[] {
    return this.retried.size === 0 ? this.messages : this.messages.filter((m) => !this.retried.has(m.messageId));
  }

  /**
   * Send `text`. True when the draft can be cleared (sent, or shown as a failed message to retry);
   * false when nothing could be sent and the draft should stay (`sendError` says why).
   */
  async send(text: string, replyTo?: string): Promise<boolean> {
    const b = this.backend;
    const id = this.getId();
    if (!b || !id) return false;
    this.sendError = undefined;
    const reply = replyTo ? { replyTo } : {};
    try {
      const { messageId } = await b.chat.send(id, text, replyTo ? reply : undefined);
      if (!this.messages.some((m) => m.messageId === messageId)) {
        this.upsert({ messageId, from: 'me', text, sentAt: Date.now(), state: 'sending', ...reply });
      }
      return true;
    } catch (e) {
      if (KEEP_DRAFT.has(errorCode(e) ?? '')) {
        this.sendError = e;
        this.host.requestUpdate();
        return false;
      }
      this.upsert({
        messageId: `local-${++this.localSeq}`,
        from: 'me',
        text,
        sentAt: Date.now(),
        state: 'failed',
        local: true,
        error: errorText(e),
        ...reply,
      });
      return true;
    }
  }

  /** Replace our message's text; true once done (the message event shows it), false with `sendError` set. */
  async edit(messageId: string, text: string): Promise<boolean> {
    const b = this.backend;
    const id = this.getId();
    if (!b || !id) return false;
    this.sendError = undefined;
    try {
      await b.chat.edit(id, messageId, text);
      return true;
    } catch (e) {
      this.sendError = e;
      this.host.requestUpdate();
      return false;
    }
  }

  /** Send a failed message's text again; the failed copy leaves the screen. */
  async retry(messageId: string): Promise<void> {
    const m = this.messages.find((x) => x.messageId === messageId);
    if (m?.state !== 'failed') return;
    if (m.local) this.messages = this.messages.filter((x) => x !== m);
    else this.retried.add(messageId);
    this.changed('update');
    await this.send(m.text, m.replyTo);
  }

  async loadOlder(): Promise<void> {
    const b = this.backend;
    const id = this.getId();
    const first = this.messages.find((m) => !m.local);
    if (!b || !id || !first || this.loadingOlder) return;
    this.loadingOlder = true;
    this.olderError = undefined;
    this.host.requestUpdate();
    try {
      const page = await b.chat.messages(id, { before: first.messageId, limit: PAGE });
      if (id !== this.getId()) return;
      const known = new Set(this.messages.map((m) => m.messageId));
      this.messages = [...page.filter((m) => !known.has(m.messageId)), ...this.messages];
      this.hasMore = page.length >= PAGE;
      this.lastChange = 'prepend';
    } catch (e) {
      this.olderError = e;
    } finally {
      this.loadingOlder = false;
      this.host.requestUpdate();
    }
  }

  private upsert(m: ShownMessage): void {
    const i = this.messages.findIndex((x) => x.messageId === m.messageId);
    if (i >= 0) {
      this.messages = this.messages.map((x, j) => (j === i ? { ...x, ...m } : x));
      this.changed('update');
    } else {
      this.messages = [...this.messages, m];
      this.changed('append');
    }
  }

  private setTyping(on: boolean): void {
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_TTL_MS);
    if (this.typing !== on) {
      this.typing = on;
      this.host.requestUpdate();
    }
  }

  private changed(how: ListChange): void {
    this.lastChange = how;
    this.host.requestUpdate();
  }
}
