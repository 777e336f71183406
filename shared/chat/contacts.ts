/**
 * The contact book and its state machine, pure (no I/O): the chat node persists what changes.
 *
 *   requested ── they accept ─────────────────▶ accepted
 *   (we asked)   they ask us too (mutual) ────▶ accepted
 *   pending ──── we accept ───────────────────▶ accepted
 *   (they asked) we reject ───────────────────▶ (gone)
 *   any ──────── we remove ───────────────────▶ (gone)
 *
 * Contact ids are identity keys in hex. Adding ourselves, adding someone twice, and acting on an
 * unknown id are coded errors; remote events that do not fit (an accept we never asked for, a
 * request from ourselves) return null and change nothing.
 */
import { MAX_DEVICES, MAX_PENDING_REQUESTS } from './constants';
import { ChatError } from './errors';

export type ContactState = 'requested' | 'pending' | 'accepted';

export interface Contact {
  /** Their identity key, hex: the contact id. */
  readonly id: string;
  /** The name they gave (in their link or request). */
  name: string;
  /** Our name for them (rename), if any. */
  alias?: string;
  state: ContactState;
  verified: boolean;
  createdAt: number;
  updatedAt: number;
  acceptedAt?: number;
  /** Their device certificates, hex. */
  devices: string[];
  /** Their presence secret, hex (from their request or acceptance). */
  presenceSecret?: string;
  /** The invite secret from their link, hex (requested contacts: to find and reach them). */
  inviteSecret?: string;
  /** The first message of their request (pending contacts), or of ours (requested). */
  message?: string;
  /** Our request still has to reach them (requested contacts). */
  owesRequest?: boolean;
  /** Our acceptance (with our presence secret) still has to reach them. */
  owesAccept?: boolean;
  /** Messages from them not yet read here. */
  unread?: number;
}

export type RequestOutcome = 'pending' | 'duplicate' | 'mutual' | 'already';

export interface IncomingRequest {
  id: string;
  name: string;
  message?: string;
  devices: string[];
  presenceSecret: string;
}

export class ContactBook {
  private readonly map = new Map<string, Contact>();

  constructor(private readonly selfId: string) {}

  get size(): number {
    return this.map.size;
  }

  all(): Contact[] {
    return [...this.map.values()];
  }

  get(id: string): Contact | undefined {
    return this.map.get(id);
  }

  /** Put a contact loaded from the store (no checks beyond the id). */
  load(c: Contact): void {
    if (c.id !== this.selfId) this.map.set(c.id, c);
  }

  /** We ask someone (from their link). */
  requestOut(id: string, name: string, inviteSecret: string, now: number): Contact {
    if (id === this.selfId) throw new ChatError('SELF_ADD', 'this is your own address');
    const cur = this.map.get(id);
    if (cur) throw new ChatError('DUPLICATE_CONTACT', `already ${cur.state}`);
    const c: Contact = { id, name, state: 'requested', verified: false, createdAt: now, updatedAt: now, devices: [], inviteSecret };
    this.map.set(id, c);
    return c;
  }

  /**
   * Someone asks us. Returns the contact and what happened, or null for a request from ourselves.
   * `dropped`: a pending request evicted to stay within MAX_PENDING_REQUESTS.
   */
  requestIn(r: IncomingRequest, now: number): { contact: Contact; outcome: RequestOutcome; dropped?: Contact } | null {
    if (r.id === this.selfId) return null;
    const devices = r.devices.slice(0, MAX_DEVICES);
    const cur = this.map.get(r.id);
    if (!cur) {
      const c: Contact = {
        id: r.id,
        name: r.name,
        state: 'pending',
        verified: false,
        createdAt: now,
        updatedAt: now,
        devices,
        presenceSecret: r.presenceSecret,
      };
      if (r.message !== undefined) c.message = r.message;
      const dropped = this.evictPendingBeyond(MAX_PENDING_REQUESTS - 1);
      this.map.set(c.id, c);
      return dropped ? { contact: c, outcome: 'pending', dropped } : { contact: c, outcome: 'pending' };
    }
    cur.devices = devices;
    cur.presenceSecret = r.presenceSecret;
    cur.updatedAt = now;
    if (cur.state === 'pending') {
      cur.name = r.name;
      if (r.message !== undefined) cur.message = r.message;
      return { contact: cur, outcome: 'duplicate' };
    }
    if (cur.state === 'requested') {
      cur.state = 'accepted';
      cur.acceptedAt = now;
      return { contact: cur, outcome: 'mutual' };
    }
    return { contact: cur, outcome: 'already' };
  }

  /** We accept a pending request. */
  accept(id: string, now: number): Contact {
    const c = this.need(id);
    if (c.state !== 'pending') throw new ChatError('BAD_STATE', `contact is ${c.state}, not pending`);
    c.state = 'accepted';
    c.acceptedAt = now;
    c.updatedAt = now;
    delete c.message;
    return c;
  }

  /** We reject a pending request: it is forgotten. */
  reject(id: string): Contact {
    const c = this.need(id);
    if (c.state !== 'pending') throw new ChatError('BAD_STATE', `contact is ${c.state}, not pending`);
    this.map.delete(id);
    return c;
  }

  /** They accepted our request (or re-sent their acceptance). Null if we never asked. */
  acceptIn(id: string, devices: string[], presenceSecret: string, now: number): Contact | null {
    const c = this.map.get(id);
    if (!c || c.state === 'pending') return null;
    c.devices = devices.slice(0, MAX_DEVICES);
    c.presenceSecret = presenceSecret;
    c.updatedAt = now;
    if (c.state === 'requested') {
      c.state = 'accepted';
      c.acceptedAt = now;
    }
    return c;
  }

  remove(id: string): Contact {
    const c = this.need(id);
    this.map.delete(id);
    return c;
  }

  markVerified(id: string, now: number): Contact {
    const c = this.need(id);
    c.verified = true;
    c.updatedAt = now;
    return c;
  }

  rename(id: string, alias: string, now: number): Contact {
    const c = this.need(id);
    if (alias === '') delete c.alias;
    else c.alias = alias;
    c.updatedAt = now;
    return c;
  }

  private need(id: string): Contact {
    const c = this.map.get(id);
    if (!c) throw new ChatError('UNKNOWN_CONTACT', id);
    return c;
  }

  private evictPendingBeyond(max: number): Contact | undefined {
    const pending = this.all().filter((c) => c.state === 'pending');
    if (pending.length <= max) return undefined;
    const oldest = pending.reduce((a, b) => (b.createdAt < a.createdAt ? b : a));
    this.map.delete(oldest.id);
    return oldest;
  }
}
