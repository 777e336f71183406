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
 *  - Strangers: an incoming offer from a peer with no reason to call (not protected: no agreed
 *    LINK, no chat; not `allow`ed: no bootstrap sample) gets a slot only within its own rate
 *    (`strangerPerSender`), a rate for all strangers together (`strangerRate`), at most
 *    `strangerSlots` slots at once and `strangerLifetime` connections over the pool's life;
 *    beyond that it is refused with UNSOLICITED before anything is allocated. A stranger never
 *    evicts anyone; a peer with a reason may evict a stranger's connecting slot when nothing
 *    else is evictable. So 1,000 offers from 30 ids cost at most `strangerLifetime` of the
 *    lifetime and never a routing or chat link (test/unit/web/net/connection-pool.test.ts).
 */
import type { Clock } from '../../shared/env/clock';
import type { PeerId } from '../../shared/env/transport';
import type { NetErrorCode } from './errors';
import { PeerRateLimiter } from '../../shared/dht/rate-limit';

export interface ConnectionPoolInit {
  /** Max connections (connecting + open) at once. @default 24 */
  maxOpen?: number;
  /** Hard stop on connections created over the pool's lifetime. @default 400 (Chrome: 500) */
  lifetimeLimit?: number;
  /** Of `lifetimeLimit`, how many only protected peers may use. @default 20 */
  protectedReserve?: number;
  /** An open unprotected connection unused this long is idle. @default 300_000 (5 min) */
  idleTimeoutMs?: number;
  /** Slots strangers (inbound offers with no reason) may hold at once. @default 4 */
  strangerSlots?: number;
  /** Connections strangers may create over the pool's lifetime. @default 40 (10% of 400) */
  strangerLifetime?: number;
  /** Stranger offers admitted per minute, all together, and burst. @default 4, 8 */
  strangerRate?: { perMinute: number; burst: number };
  /** Offers admitted per stranger per hour, and burst. @default 2, 2 */
  strangerPerSender?: { perHour: number; burst: number };
}

export const POOL_DEFAULTS: Required<ConnectionPoolInit> = {
  maxOpen: 24,
  lifetimeLimit: 400,
  protectedReserve: 20,
  idleTimeoutMs: 300_000,
  strangerSlots: 4,
  strangerLifetime: 40,
  strangerRate: { perMinute: 4, burst: 8 },
  strangerPerSender: { perHour: 2, burst: 2 },
};

export type Admission =
  | { ok: true; evict: PeerId[] }
  | { ok: false; code: Extract<NetErrorCode, 'POOL_FULL' | 'LIFETIME_LIMIT' | 'UNSOLICITED'> };

interface Slot {
  open: boolean;
  lastActive: number;
  /** Admitted as a stranger's offer (until the peer gets a reason). */
  stranger: boolean;
}

const GLOBAL = '*';

export class ConnectionPool {
  readonly init: Required<ConnectionPoolInit>;
  private readonly slots = new Map<PeerId, Slot>();
  private readonly tags = new Map<PeerId, Set<string>>();
  /** Peers allowed to call until a time (bootstrap samples, expected dials). */
  private readonly allowed = new Map<PeerId, number>();
  private readonly strangerGlobal: PeerRateLimiter;
  private readonly strangerSender: PeerRateLimiter;
  private created = 0;
  private strangersCreated = 0;

  constructor(
    private readonly clock: Clock,
    init: ConnectionPoolInit = {},
  ) {
    this.init = { ...POOL_DEFAULTS, ...init };
    const { maxOpen, lifetimeLimit, protectedReserve, idleTimeoutMs } = this.init;
    if (!(maxOpen >= 1 && lifetimeLimit >= 1 && protectedReserve >= 0 && idleTimeoutMs > 0)) {
      throw new RangeError('ConnectionPool: bad init');
    }
    const g = this.init.strangerRate;
    const p = this.init.strangerPerSender;
    this.strangerGlobal = new PeerRateLimiter(g.perMinute / 60, g.burst, 1);
    this.strangerSender = new PeerRateLimiter(p.perHour / 3600, p.burst, 4096);
  }

  /** Let `peer` call us (offer) until `until` (ms on our clock), e.g. a bootstrap sample. */
  allow(peer: PeerId, until: number): void {
    if (this.allowed.size >= 4096) {
      const now = this.clock.now();
      for (const [p, t] of this.allowed) if (t <= now) this.allowed.delete(p);
      if (this.allowed.size >= 4096) this.allowed.delete(this.allowed.keys().next().value as PeerId);
    }
    this.allowed.set(peer, until);
  }

  /** Does `peer` have a reason to call us: protected (a LINK, a chat) or allowed now? */
  hasReason(peer: PeerId): boolean {
    if (this.tags.has(peer)) return true;
    const until = this.allowed.get(peer);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.allowed.delete(peer);
    return false;
  }

  /** Connections strangers created over the pool's lifetime. */
  get strangerLifetimeUsed(): number {
    return this.strangersCreated;
  }

  private strangerSlotsHeld(): number {
    let n = 0;
    for (const [p, s] of this.slots) if (s.stranger && !this.hasReason(p)) n++;
    return n;
  }

  /** Why a stranger's offer is refused now, or undefined to go on (takes its rate tokens). */
  private refuseStranger(peer: PeerId): boolean {
    if (this.strangersCreated >= this.init.strangerLifetime) return true;
    if (!this.slots.has(peer) && this.strangerSlotsHeld() >= this.init.strangerSlots) return true;
    const now = this.clock.now();
    if (!this.strangerSender.take(peer, now)) return true;
    return !this.strangerGlobal.take(GLOBAL, now);
  }

  /**
   * Reserve a slot for a new RTCPeerConnection to `peer` and count it toward the lifetime.
   * A peer that already holds a slot (redial, glare replacement) keeps it. On success the caller
   * must close the peers in `evict` (they no longer hold slots). `inbound`: for an offer `peer`
   * sent us; a stranger's (no reason to call) is held to the strangers' budget.
   */
  admit(peer: PeerId, inbound = false): Admission {
    const prot = this.isProtected(peer);
    const limit = prot ? this.init.lifetimeLimit : this.init.lifetimeLimit - this.init.protectedReserve;
    if (this.created >= limit) return { ok: false, code: 'LIFETIME_LIMIT' };
    const stranger = inbound && !this.hasReason(peer);
    if (stranger && this.refuseStranger(peer)) return { ok: false, code: 'UNSOLICITED' };
    const evict: PeerId[] = [];
    if (!this.slots.has(peer) && this.slots.size >= this.init.maxOpen) {
      // A stranger evicts nobody; a peer with a reason may take a stranger's connecting slot.
      const victim = stranger ? undefined : (this.lruEvictable() ?? this.connectingStranger());
      if (victim === undefined) return { ok: false, code: 'POOL_FULL' };
      this.slots.delete(victim);
      evict.push(victim);
    }
    this.created++;
    if (stranger) this.strangersCreated++;
    const slot = this.slots.get(peer);
    if (slot) {
      slot.open = false;
      slot.lastActive = this.clock.now();
      slot.stranger = stranger;
    } else {
      this.slots.set(peer, { open: false, lastActive: this.clock.now(), stranger });
    }
    return { ok: true, evict };
  }

  /** The stranger slot still connecting that started first, if any. */
  private connectingStranger(): PeerId | undefined {
    let best: PeerId | undefined;
    let at = Infinity;
    for (const [p, s] of this.slots) {
      if (s.open || !s.stranger || this.hasReason(p)) continue;
      if (s.lastActive < at) {
        at = s.lastActive;
        best = p;
      }
    }
    return best;
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
