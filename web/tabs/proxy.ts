/**
 * A view tab's side of the tab channel: a ChatConsoleApi (and a window.p2p) whose calls are
 * answered by the tab that runs the node. Synchronous getters read the mirror the leader sends
 * with every answer and event; events are re-emitted to local handlers. Calls made while no leader
 * answers wait for one; calls in flight when the leader goes away reject with CLOSED (they may or
 * may not have run), so the UI can offer to try again.
 */
import { ChatError, type ChatErrorCode } from '../../shared/chat/errors';
import type { NodeStatus } from '../runtime/types';
import type { NetApi } from '../app/backend';
import type { ChatConsoleApi } from '../app/chat-api';
import type { P2PConsoleApi } from '../app/console-api';
import type { NetworkSnapshot } from '../app/network-snapshot';
import {
  channelName,
  type ChatCall,
  type ChatEventName,
  type ChatMirror,
  type FromLeader,
  type NodeCall,
  type NodeMirror,
  type ToLeader,
  type WireError,
} from './protocol';

/** A call unanswered this long rejects (a leader that hangs must not hang the view forever), ms. */
export const CALL_TIMEOUT_MS = 120_000;

interface Pending {
  leader: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

function fromWire(e: WireError): Error {
  if (e.name === 'ChatError' && e.code) {
    const prefix = `${e.code}: `;
    return new ChatError(e.code as ChatErrorCode, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : undefined);
  }
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}

export class TabProxy {
  readonly tab = crypto.randomUUID();
  readonly chat: ChatConsoleApi;
  readonly net: NetApi;
  private leader: string | undefined;
  private chatState: ChatMirror | undefined;
  private nodeState: NodeMirror | undefined;
  private nextId = 1;
  private closed = false;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<ChatEventName, Set<(e: unknown) => void>>();
  private readonly statusHandlers = new Set<(s: NodeStatus) => void>();
  private readonly changeHandlers = new Set<() => void>();
  private leaderWaiters: Array<() => void> = [];

  constructor(
    readonly profile: string,
    private readonly channel: BroadcastChannel = new BroadcastChannel(channelName(profile)),
  ) {
    channel.onmessage = (ev: MessageEvent<FromLeader>) => this.receive(ev.data);
    this.chat = this.makeChat();
    this.net = {
      status: () => this.nodeState?.status,
      onStatus: (fn) => {
        this.statusHandlers.add(fn);
        if (this.nodeState) fn(this.nodeState.status);
        return () => this.statusHandlers.delete(fn);
      },
      network: () => this.call<NetworkSnapshot>('node', 'network', []),
    };
    this.post({ t: 'hello', tab: this.tab });
  }

  /** Resolves once a leader has answered (its mirror is here). */
  connected(): Promise<void> {
    if (this.leader) return Promise.resolve();
    return new Promise((r) => this.leaderWaiters.push(r));
  }

  /** Called when a (new) leader's state replaces the mirror, or its chat changed without an event. Returns unsubscribe. */
  onChange(fn: () => void): () => void {
    this.changeHandlers.add(fn);
    return () => this.changeHandlers.delete(fn);
  }

  /** window.p2p for this tab: the node's console API, answered by the leader. */
  console(): P2PConsoleApi {
    const node = (): NodeMirror => {
      if (!this.nodeState) throw new ChatError('CLOSED', 'no tab runs the node right now');
      return this.nodeState;
    };
    const call = <T>(method: NodeCall, ...args: unknown[]): Promise<T> => this.call<T>('node', method, args);
    return {
      role: 'view',
      profile: this.profile,
      chat: this.chat,
      get id() {
        return node().id;
      },
      get publicKey() {
        return node().publicKey;
      },
      get node(): never {
        throw new Error('the node runs in another tab of this browser; use p2p.chat and the methods here');
      },
      ready: () => call('ready'),
      put: (salt, value) => call('put', salt, value),
      get: (pk, salt) => call('get', pk, salt),
      peers: () => node().peers,
      stats: () => node().stats,
      status: () => node().status,
      network: () => call('network'),
      connect: (peer) => call('connect', peer),
      disconnect: (peer) => void call('disconnect', peer).catch(() => {}),
      close: () => call('close'),
    };
  }

  /** Stop listening; calls in flight reject with CLOSED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
    this.failPending(undefined, 'this tab stopped being a view');
  }

  private makeChat(): ChatConsoleApi {
    const mirror = (): ChatMirror => {
      if (!this.chatState) throw new ChatError('CLOSED', 'no tab runs the node right now');
      return this.chatState;
    };
    const c = <T>(method: ChatCall, ...args: unknown[]): Promise<T> => this.call<T>('chat', method, args);
    return {
      ready: () => c('ready'),
      me: () => mirror().me,
      setName: (name) => c('setName', name),
      rotateAddress: () => c('rotateAddress'),
      addContact: (link, opts) => c('addContact', link, ...(opts ? [opts] : [])),
      requests: () => mirror().requests,
      accept: (id) => c('accept', id),
      reject: (id) => c('reject', id),
      contacts: () => mirror().contacts,
      markVerified: (id) => c('markVerified', id),
      rename: (id, name) => c('rename', id, name),
      removeContact: (id) => c('removeContact', id),
      setKeeper: (id) => c('setKeeper', id),
      on: ((event: ChatEventName, handler: (e: unknown) => void) => {
        let set = this.handlers.get(event);
        if (!set) {
          set = new Set();
          this.handlers.set(event, set);
        }
        set.add(handler);
        return () => set.delete(handler);
      }) as ChatConsoleApi['on'],
      send: (id, text, opts) => c('send', id, text, ...(opts ? [opts] : [])),
      edit: (id, messageId, text) => c('edit', id, messageId, text),
      delete: (id, messageId) => c('delete', id, messageId),
      messages: (id, opts) => c('messages', id, ...(opts ? [opts] : [])),
      message: (id, messageId) => c('message', id, messageId),
      markRead: (id) => c('markRead', id),
      unread: () => mirror().unread,
      typing: (id, typing) => void c('typing', id, typing).catch(() => {}),
      settings: () => mirror().settings,
      setSettings: (s) => c('setSettings', s),
      exportBackup: (passphrase) => c('exportBackup', passphrase),
      importBackup: (file, passphrase) => c('importBackup', file, passphrase),
      wipe: () => c('wipe'),
      sessionState: (id) => c('sessionState', id),
    };
  }

  private async call<T>(target: 'chat' | 'node', method: ChatCall | NodeCall, args: unknown[]): Promise<T> {
    if (this.closed) throw new ChatError('CLOSED', 'this tab stopped being a view');
    await this.connected();
    const leader = this.leader!;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChatError('CLOSED', 'the tab running the node did not answer'));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { leader, resolve: resolve as (v: unknown) => void, reject, timer });
      this.post({ t: 'call', tab: this.tab, id, target, method, args } as ToLeader);
    });
  }

  private post(m: ToLeader): void {
    if (!this.closed) this.channel.postMessage(m);
  }

  private receive(m: FromLeader): void {
    if (this.closed || !m || typeof m !== 'object') return;
    switch (m.t) {
      case 'leader': {
        const changed = this.leader !== m.leader;
        if (changed && this.leader) this.failPending(this.leader, 'the tab running the node changed');
        this.leader = m.leader;
        this.chatState = m.chat;
        this.setNode(m.node);
        for (const w of this.leaderWaiters.splice(0)) w();
        if (changed) {
          // A new leader (a takeover) sends events only to views that said hello to it.
          this.post({ t: 'hello', tab: this.tab });
          for (const fn of [...this.changeHandlers]) fn();
        }
        return;
      }
      case 'result': {
        if (m.tab !== this.tab) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        this.chatState = m.chat;
        if (m.ok) p.resolve(m.value);
        else p.reject(fromWire(m.error));
        return;
      }
      case 'event': {
        if (m.chat) this.chatState = m.chat;
        for (const h of [...(this.handlers.get(m.event) ?? [])]) {
          try {
            h(m.payload);
          } catch {
            // a handler's bug must not stop the others
          }
        }
        return;
      }
      case 'status':
        return this.setNode(m.node);
      case 'sync':
        this.chatState = m.chat;
        for (const fn of [...this.changeHandlers]) fn();
        return;
      case 'bye':
        if (m.leader !== this.leader) return;
        this.leader = undefined;
        this.failPending(m.leader, 'the tab running the node closed; try again');
        return;
    }
  }

  private setNode(n: NodeMirror): void {
    this.nodeState = n;
    for (const fn of [...this.statusHandlers]) fn(n.status);
  }

  private failPending(leader: string | undefined, why: string): void {
    for (const [id, p] of this.pending) {
      if (leader !== undefined && p.leader !== leader) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new ChatError('CLOSED', why));
    }
  }
}
