/**
 * Per-peer connection state of WebRtcTransport (webrtc-transport.ts): the Link record, the table
 * of links, the bounded per-peer send queues, and deliberate closes (BYE, linger, destroy).
 */
import type { Instance as PeerInstance } from 'simple-peer';
import type { Clock, TimerHandle } from '../../shared/env/clock';
import type { PeerId } from '../../shared/env/transport';
import type { ConnectionPool } from './connection-pool';
import { NetError } from './errors';
import { encodeBye } from './frame';
import type { TransportMeter } from './webrtc-stats';
import type { DropReason } from './webrtc-types';

export type LinkState = 'connecting' | 'open';

export interface Link {
  peer: PeerId;
  sid: string;
  initiator: boolean;
  sp: PeerInstance;
  state: LinkState;
  startedAt: number;
  timer: TimerHandle | undefined;
  /** DTLS fingerprints from the SDP we sent and the SDP we received (dtls-binding.ts). */
  fingerprints: { local?: string; remote?: string };
  /** The remote said BYE: its close is deliberate, not a failure. */
  byeReceived: boolean;
  waiters: Array<{ resolve: () => void; reject: (e: NetError) => void }>;
}

export const PEER_ID_RE = /^[0-9a-f]{40}$/;

export class LinkTable {
  private readonly links = new Map<PeerId, Link>();
  private readonly queues = new Map<PeerId, Uint8Array[]>();
  /** Closed links whose BYE is still flushing, with the timer that destroys each. */
  private readonly lingering = new Map<PeerInstance, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly pool: ConnectionPool,
    private readonly meter: TransportMeter,
    private readonly cfg: { readonly maxQueuedFrames: number; readonly byeLingerMs: number },
  ) {}

  /** Links, open or connecting. */
  get size(): number {
    return this.links.size;
  }

  get(peer: PeerId): Link | undefined {
    return this.links.get(peer);
  }

  has(peer: PeerId): boolean {
    return this.links.has(peer);
  }

  add(link: Link): void {
    this.links.set(link.peer, link);
  }

  peers(): PeerId[] {
    return [...this.links.keys()];
  }

  openPeers(): PeerId[] {
    return [...this.links.values()].filter((l) => l.state === 'open').map((l) => l.peer);
  }

  openCount(): number {
    let open = 0;
    for (const l of this.links.values()) if (l.state === 'open') open++;
    return open;
  }

  /** Queue a frame for a peer that is still connecting; false when its queue is full. */
  enqueue(peer: PeerId, frame: Uint8Array): boolean {
    const q = this.queues.get(peer) ?? [];
    if (q.length >= this.cfg.maxQueuedFrames) return false;
    q.push(frame);
    this.queues.set(peer, q);
    return true;
  }

  /** Remove and return the frames queued for `peer`. */
  takeQueue(peer: PeerId): Uint8Array[] {
    const q = this.queues.get(peer);
    this.queues.delete(peer);
    return q ?? [];
  }

  /** Drop the frames queued for `peer`, counted under `reason`. */
  failQueue(peer: PeerId, reason: DropReason): void {
    const q = this.queues.get(peer);
    if (!q) return;
    this.queues.delete(peer);
    this.meter.drop(reason, q.length);
  }

  clearTimer(link: Link): void {
    if (link.timer !== undefined) this.clock.clearTimeout(link.timer);
    link.timer = undefined;
  }

  failWaiters(link: Link, err: NetError): void {
    for (const w of link.waiters.splice(0)) w.reject(err);
  }

  forget(link: Link): void {
    this.links.delete(link.peer);
    this.clearTimer(link);
    this.pool.release(link.peer);
  }

  /** Glare or redial: drop our attempt silently; the slot and queue pass to its replacement. */
  replace(link: Link): void {
    this.links.delete(link.peer);
    this.clearTimer(link);
    link.sp.destroy();
  }

  /** Close deliberately: tell the remote (BYE) and let the BYE flush before destroying. */
  closeQuietly(link: Link, queueReason: DropReason, poolAlreadyReleased = false): void {
    if (this.links.get(link.peer) !== link) return;
    if (poolAlreadyReleased) {
      this.links.delete(link.peer);
      this.clearTimer(link);
    } else this.forget(link);
    this.failQueue(link.peer, queueReason);
    this.failWaiters(link, new NetError('CONNECT_FAILED', 'closed'));
    if (link.state === 'open' && !link.byeReceived) {
      try {
        link.sp.send(encodeBye());
      } catch {
        /* closing anyway */
      }
    }
    const timer = this.clock.setTimeout(() => {
      this.lingering.delete(link.sp);
      link.sp.destroy();
    }, this.cfg.byeLingerMs);
    this.lingering.set(link.sp, timer);
  }

  /** Close the budget's idle connections with a BYE (and release idle entries that have no link). */
  closeIdle(): void {
    for (const p of this.pool.idle()) {
      const l = this.links.get(p);
      if (l) this.closeQuietly(l, 'connect_failed');
      else this.pool.release(p);
    }
  }

  /** Destroy every link (waiters fail with DESTROYED), every lingering peer, every queue. */
  destroyAll(): void {
    for (const link of [...this.links.values()]) {
      this.forget(link);
      this.failWaiters(link, new NetError('DESTROYED'));
      link.sp.destroy();
    }
    for (const [sp, timer] of this.lingering) {
      this.clock.clearTimeout(timer);
      sp.destroy();
    }
    this.lingering.clear();
    this.queues.clear();
  }
}
