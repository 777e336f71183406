/**
 * The connection budget: which peers may hold one of this page's RTCPeerConnections.
 *
 * Pure policy over an injected Clock (no WebRTC here), so it is unit-tested on a fake clock.
 *  - At most `maxOpen` slots (connecting + open). A new connection evicts the least recently
 *    used open, unprotected slot; if there is none it is refused with POOL_FULL.
 *  - `protect(peer, tag)` pins a peer (routing-table neighbours: tag 'routing'; chat partners:
 *    tag 'chat'). Tags may be set before a connection exists.
 *  - `idle()` lists open, unprotected slots unused for `idleTimeoutMs`; the transport closes them.
 *  - Every RTCPeerConnection created counts toward `lifetime` (Chrome refuses the 501st per
 *    page). At `lifetimeLimit` every new connection is refused with LIFETIME_LIMIT; the last
 *    `protectedReserve` of the budget is kept for protected peers.
 */
import type { Clock } from '../../shared/env/clock';
import type { PeerId } from '../../shared/env/transport';
import type { NetErrorCode } from './errors';

export interface ConnectionPoolInit {
  /** Max connections (connecting + open) at once. @default 24 */
  maxOpen?: number;
  /** Hard stop on connections created over the pool's lifetime. @default 400 (Chrome: 500) */
  lifetimeLimit?: number;
  /** Of `lifetimeLimit`, how many only protected peers may use. @default 20 */
  protectedReserve?: number;
  /** An open unprotected connection unused this long is idle. @default 300_000 (5 min) */
  idleTimeoutMs?: number;
}

export const POOL_DEFAULTS: Required<ConnectionPoolInit> = {
  maxOpen: 24,
  lifetimeLimit: 400,
  protectedReserve: 20,
  idleTimeoutMs: 300_000,
};

export type Admission = { ok: true; evict: PeerId[] } | { ok: false; code: Extract<NetErrorCode, 'POOL_FULL' | 'LIFETIME_LIMIT'> };

interface Slot {
  open: boolean;
  lastActive: number;
}

export class ConnectionPool {
  readonly init: Required<ConnectionPoolInit>;
  private readonly slots = new Map<PeerId, Slot>();
  private readonly tags = new Map<PeerId, Set<string>>();
  private created = 0;

  constructor(
    private readonly clock: Clock,
    init: ConnectionPoolInit = {},
  ) {
    this.init = { ...POOL_DEFAULTS, ...init };
    const { maxOpen, lifetimeLimit, protectedReserve, idleTimeoutMs } = this.init;
    if (!(maxOpen >= 1 && lifetimeLimit >= 1 && protectedReserve >= 0 && idleTimeoutMs > 0)) {
      throw new RangeError('ConnectionPool: bad init');
    }
  }

  /**
   * Reserve a slot for a new RTCPeerConnection to `peer` and count it toward the lifetime.
   * A peer that already holds a slot (redial, glare replacement) keeps it. On success the caller
   * must close the peers in `evict` (they no longer hold slots).
   */
  admit(peer: PeerId): Admission {
    const prot = this.isProtected(peer);
    const limit = prot ? this.init.lifetimeLimit : this.init.lifetimeLimit - this.init.protectedReserve;
    if (this.created >= limit) return { ok: false, code: 'LIFETIME_LIMIT' };
    const evict: PeerId[] = [];
    if (!this.slots.has(peer) && this.slots.size >= this.init.maxOpen) {
      const victim = this.lruEvictable();
      if (victim === undefined) return { ok: false, code: 'POOL_FULL' };
      this.slots.delete(victim);
      evict.push(victim);
    }
    this.created++;
    const slot = this.slots.get(peer);
    if (slot) {
      slot.open = false;
      slot.lastActive = this.clock.now();
    } else {
      this.slots.set(peer, { open: false, lastActive: this.clock.now() });
    }
    return { ok: true, evict };
  }

  /** The connection to `peer` opened. */
  markOpen(peer: PeerId): void {
    const s = this.slots.get(peer);
    if (s) {
      s.open = true;
      s.lastActive = this.clock.now();
    }
  }

  /** Traffic to or from `peer`: it moves to the back of the eviction order. */
  touch(peer: PeerId): void {
    const s = this.slots.get(peer);
    if (s) s.lastActive = this.clock.now();
  }

  /** The connection to `peer` is gone; its slot is free (the lifetime count stays). */
  release(peer: PeerId): void {
    this.slots.delete(peer);
  }

  protect(peer: PeerId, tag: string): void {
    let t = this.tags.get(peer);
    if (!t) {
      t = new Set();
      this.tags.set(peer, t);
    }
    t.add(tag);
  }

  unprotect(peer: PeerId, tag: string): void {
    const t = this.tags.get(peer);
    if (!t) return;
    t.delete(tag);
    if (t.size === 0) this.tags.delete(peer);
  }

  isProtected(peer: PeerId): boolean {
    return this.tags.has(peer);
  }

  tagsOf(peer: PeerId): string[] {
    return [...(this.tags.get(peer) ?? [])].sort();
  }

  /** Open, unprotected slots unused for at least `idleTimeoutMs`, least recently used first. */
  idle(): PeerId[] {
    const cutoff = this.clock.now() - this.init.idleTimeoutMs;
    return this.evictable().filter((p) => this.slots.get(p)!.lastActive <= cutoff);
  }

  has(peer: PeerId): boolean {
    return this.slots.has(peer);
  }

  isOpen(peer: PeerId): boolean {
    return this.slots.get(peer)?.open ?? false;
  }

  /** Slots held (connecting + open). */
  get size(): number {
    return this.slots.size;
  }

  /** Connections created over the pool's lifetime. */
  get lifetime(): number {
    return this.created;
  }

  peers(): PeerId[] {
    return [...this.slots.keys()];
  }

  private evictable(): PeerId[] {
    const out: PeerId[] = [];
    for (const [p, s] of this.slots) if (s.open && !this.tags.has(p)) out.push(p);
    return out.sort((a, b) => this.slots.get(a)!.lastActive - this.slots.get(b)!.lastActive || (a < b ? -1 : a > b ? 1 : 0));
  }

  private lruEvictable(): PeerId | undefined {
    return this.evictable()[0];
  }
}
