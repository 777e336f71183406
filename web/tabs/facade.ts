/**
 * The app's one backend for the life of the page: it forwards to whatever runs the chat for this
 * tab now (a proxy while another tab runs the node, the node itself after a takeover), keeps the
 * app's event subscriptions across the switch, and tells the app when the switch happens.
 */
import { ChatError } from '../../shared/chat/errors';
import type { NodeStatus } from '../runtime/types';
import type { AppBackend, NetApi, TabRole } from '../app/backend';
import type { ChatConsoleApi } from '../app/chat-api';
import { CHAT_EVENTS, type ChatEventName } from './protocol';

type Handler = (e: unknown) => void;

export class TabBackend implements AppBackend {
  role: TabRole = 'starting';
  readonly chat: ChatConsoleApi;
  readonly net: NetApi;
  private target: { chat: ChatConsoleApi; net: NetApi } | undefined;
  private readonly handlers = new Map<ChatEventName, Set<Handler>>(CHAT_EVENTS.map((e) => [e, new Set<Handler>()]));
  private readonly statusHandlers = new Set<(s: NodeStatus) => void>();
  private readonly changeHandlers = new Set<() => void>();
  private unsubs: Array<() => void> = [];
  private arrived!: () => void;
  /** Resolves once something runs the chat for this tab. */
  private readonly started = new Promise<void>((r) => {
    this.arrived = r;
  });

  constructor(readonly profile: string) {
    this.chat = this.makeChat();
    this.net = {
      status: () => this.target?.net.status(),
      onStatus: (fn) => {
        this.statusHandlers.add(fn);
        const s = this.target?.net.status();
        if (s) fn(s);
        return () => this.statusHandlers.delete(fn);
      },
      network: () => this.started.then(() => this.t.net.network()),
    };
  }

  /** Forward to `chat` and `net` from now on, as `role`. */
  use(role: 'node' | 'view', chat: ChatConsoleApi, net: NetApi): void {
    for (const u of this.unsubs.splice(0)) u();
    this.target = { chat, net };
    this.role = role;
    this.arrived();
    for (const event of CHAT_EVENTS) {
      this.unsubs.push(chat.on(event as 'contact', (e) => this.emit(event, e)));
    }
    this.unsubs.push(net.onStatus((s) => this.emitStatus(s)));
    this.changed();
  }

  /** Tell the app its data may have changed wholesale (a new leader answered). */
  changed(): void {
    for (const fn of [...this.changeHandlers]) fn();
  }

  onChange(fn: () => void): () => void {
    this.changeHandlers.add(fn);
    return () => this.changeHandlers.delete(fn);
  }

  private get t(): { chat: ChatConsoleApi; net: NetApi } {
    if (!this.target) throw new ChatError('CLOSED', 'the chat is still starting');
    return this.target;
  }

  private emit(event: ChatEventName, e: unknown): void {
    for (const h of [...this.handlers.get(event)!]) {
      try {
        h(e);
      } catch {
        // one handler's bug must not stop the others
      }
    }
  }

  private emitStatus(s: NodeStatus): void {
    for (const h of [...this.statusHandlers]) h(s);
  }

  private makeChat(): ChatConsoleApi {
    const c = (): ChatConsoleApi => this.t.chat;
    /** Calls made while the chat is still starting wait for it (the first run's name, a restore). */
    const later = <T>(fn: (chat: ChatConsoleApi) => Promise<T>): Promise<T> => this.started.then(() => fn(c()));
    return {
      ready: () => later((x) => x.ready()),
      me: () => c().me(),
      setName: (name) => later((x) => x.setName(name)),
      rotateAddress: () => later((x) => x.rotateAddress()),
      addContact: (link, opts) => later((x) => x.addContact(link, opts)),
      requests: () => c().requests(),
      accept: (id) => later((x) => x.accept(id)),
      reject: (id) => later((x) => x.reject(id)),
      contacts: () => c().contacts(),
      markVerified: (id) => later((x) => x.markVerified(id)),
      rename: (id, name) => later((x) => x.rename(id, name)),
      removeContact: (id) => later((x) => x.removeContact(id)),
      setKeeper: (id) => later((x) => x.setKeeper(id)),
      on: ((event: ChatEventName, handler: Handler) => {
        const set = this.handlers.get(event);
        if (!set) return () => {};
        set.add(handler);
        return () => set.delete(handler);
      }) as ChatConsoleApi['on'],
      send: (id, text, opts) => later((x) => x.send(id, text, opts)),
      edit: (id, messageId, text) => later((x) => x.edit(id, messageId, text)),
      delete: (id, messageId) => later((x) => x.delete(id, messageId)),
      messages: (id, opts) => later((x) => x.messages(id, opts)),
      message: (id, messageId) => later((x) => x.message(id, messageId)),
      markRead: (id) => later((x) => x.markRead(id)),
      unread: () => this.target?.chat.unread() ?? {},
      typing: (id, typing) => this.target?.chat.typing(id, typing),
      settings: () => c().settings(),
      setSettings: (s) => later((x) => x.setSettings(s)),
      exportBackup: (p) => later((x) => x.exportBackup(p)),
      importBackup: (f, p) => later((x) => x.importBackup(f, p)),
      wipe: () => later((x) => x.wipe()),
      sessionState: (id) => later((x) => x.sessionState(id)),
    };
  }
}
