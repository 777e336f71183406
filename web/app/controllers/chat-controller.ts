/**
 * The chat's synchronous state (me, contacts, requests, unread, settings), kept fresh by events.
 * Some actions change that state without an event (rename, markVerified, markRead, setName): the
 * element that did one calls refresh(), which re-reads in every connected controller, so the list,
 * the open pane and the title agree.
 */
import type { ChatSettings, ContactInfo, MeInfo, RequestInfo } from '../../../shared/chat/api-types';
import type { AppBackend } from '../backend';
import { loadShellCache, saveShellCache } from '../shell-cache';
import { BackendBinding } from './backend-binding';

const live = new Set<ChatController>();
/** The list and title are read again at most this often while events pour in, ms. */
const REREAD_MS = 100;

export class ChatController extends BackendBinding {
  me: MeInfo | undefined;
  contacts: ContactInfo[] = [];
  requests: RequestInfo[] = [];
  unread: Record<string, number> = {};
  settings: ChatSettings | undefined;

  protected override subscribe(b: AppBackend): Array<() => void> {
    this.read(b);
    const refresh = (): void => this.reread();
    live.add(this);
    return [
      () => live.delete(this),
      () => {
        clearTimeout(this.rereadTimer);
        this.rereadTimer = undefined;
      },
      b.onChange(() => this.reread(true)),
      b.chat.on('contact', refresh),
      b.chat.on('presence', refresh),
      b.chat.on('message', refresh),
      b.chat.on('state', refresh),
    ];
  }

  protected override reset(): void {
    this.me = undefined;
    this.contacts = [];
    this.requests = [];
    this.unread = {};
    this.settings = undefined;
  }

  /** Read again in every connected controller (after an action that sends no event) and re-render. */
  refresh(): void {
    for (const c of [...live]) c.reread(true);
    this.reread(true);
  }

  /**
   * Events come in bursts (a thousand messages a second): the first is read at once, those that
   * follow within REREAD_MS once at its end. A change of backend or an explicit refresh is always
   * read at once (a render must never see the new backend with the old state).
   */
  private rereadAt = -Infinity;
  private rereadTimer: ReturnType<typeof setTimeout> | undefined;
  private reread(now = false): void {
    const wait = this.rereadAt + REREAD_MS - Date.now();
    if (now || wait <= 0) {
      clearTimeout(this.rereadTimer);
      this.rereadTimer = undefined;
      return this.readNow();
    }
    this.rereadTimer ??= setTimeout(() => {
      this.rereadTimer = undefined;
      this.readNow();
    }, wait);
  }

  private readNow(): void {
    this.rereadAt = Date.now();
    if (this.backend) this.read(this.backend);
    this.host.requestUpdate();
  }

  contact(id: string): ContactInfo | undefined {
    return this.contacts.find((c) => c.contactId === id);
  }

  get unreadTotal(): number {
    let n = 0;
    for (const v of Object.values(this.unread)) n += v;
    return n;
  }

  /** True while what is shown comes from the shell cache (the chat has not answered yet). */
  cached = false;

  private read(b: AppBackend): void {
    if (b.role === 'starting') {
      const c = loadShellCache(b.profile);
      this.cached = true;
      if (c) {
        this.me = c.me;
        this.contacts = c.contacts;
        this.requests = c.requests;
      }
      return;
    }
    try {
      this.me = b.chat.me();
      this.contacts = b.chat.contacts();
      this.requests = b.chat.requests();
      this.unread = b.chat.unread();
      this.settings = b.chat.settings();
      this.cached = false;
      saveShellCache(b.profile, { me: this.me, contacts: this.contacts, requests: this.requests });
    } catch {
      // no tab answers right now (a takeover in progress): keep what we had
    }
  }
}
