/**
 * The state and plumbing of FakeChatApi (fake-chat-api.ts): what it holds, the coded failures and
 * holds tests arrange, and event emission. Runs in the browser and in Node.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { ChatSettings, ContactInfo, MessageInfo, MessageState } from '../../shared/chat/api-types';
import { ChatError } from '../../shared/chat/errors';
import { bytesToHex } from '../../shared/crypto/bytes';

export interface FakeChatOptions {
  name?: string;
  origin?: string;
  /** Clock for new messages. @default Date.now */
  now?: () => number;
}

export type EventName = 'contact' | 'presence' | 'message' | 'state' | 'typing';
export type Handler = (e: unknown) => void;
export interface Person {
  ik: Uint8Array;
  invite: Uint8Array;
}

export const rand = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

export function person(): Person {
  return { ik: ed25519.getPublicKey(rand(32)), invite: rand(16) };
}

/** A made-up but well-formed safety number for two ids (12 groups of 5 digits, symmetric). */
function fakeSafetyNumber(a: string, b: string): string {
  const s = [a, b].sort().join('');
  const groups: string[] = [];
  for (let i = 0; i < 12; i++) groups.push(String(Number.parseInt(s.slice(i * 5, i * 5 + 5), 16) % 100000).padStart(5, '0'));
  return groups.join(' ');
}

export class FakeChatState {
  /** Every call, in order. */
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** Where a sent message goes by itself (after a microtask); undefined leaves it 'sending'. */
  autoState: MessageState | undefined = 'sent';
  protected name: string;
  protected self: Person = person();
  protected readonly origin: string;
  protected readonly now: () => number;
  protected readonly book = new Map<string, ContactInfo & { createdAt: number; message?: string }>();
  protected readonly history = new Map<string, MessageInfo[]>();
  protected unreadCounts: Record<string, number> = {};
  protected prefs: ChatSettings = { readReceipts: true, typing: true };
  protected readonly failures = new Map<string, ChatError>();
  protected readonly handlers = new Map<EventName, Set<Handler>>();
  protected readonly gates = new Map<string, { promise: Promise<void>; open(): void }>();
  protected seq = 0;

  constructor(opts: FakeChatOptions = {}) {
    this.name = opts.name ?? '';
    this.origin = opts.origin ?? 'https://chat.example';
    this.now = opts.now ?? Date.now;
  }

  // ---- internals --------------------------------------------------------------------------------

  protected call<T>(method: string, args: unknown[], fn: () => T): Promise<T> {
    this.calls.push({ method, args });
    const failure = this.takeFailure(method);
    if (failure) return Promise.reject(failure);
    const gate = this.gates.get(method);
    if (gate) return gate.promise.then(fn);
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  protected takeFailure(method: string): ChatError | undefined {
    const f = this.failures.get(method);
    this.failures.delete(method);
    return f;
  }

  protected entry(
    id: string,
    name: string,
    state: ContactInfo['state'],
    message?: string,
  ): ContactInfo & { createdAt: number; message?: string } {
    return {
      contactId: id,
      name,
      state,
      online: false,
      safetyNumber: fakeSafetyNumber(bytesToHex(this.self.ik), id),
      verified: false,
      createdAt: this.now(),
      ...(message ? { message } : {}),
    };
  }

  protected get(contactId: string): ContactInfo & { createdAt: number } {
    const c = this.book.get(contactId);
    if (!c) throw new ChatError('UNKNOWN_CONTACT');
    return c;
  }

  protected log(contactId: string): MessageInfo[] {
    let l = this.history.get(contactId);
    if (!l) {
      l = [];
      this.history.set(contactId, l);
    }
    return l;
  }

  protected emit(event: EventName, e: unknown): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) h(e);
  }
}
