/**
 * Connections per client address, for the per-address cap. Each count change is reported to the
 * cluster, which keeps the cluster-wide figure (a lone server's LocalCluster ignores it). A slot
 * can be reserved before the socket exists (cluster admission is asynchronous) and then taken by
 * the socket, or given back.
 */
import type { Cluster } from './cluster/cluster';

export class AddressSlots {
  private readonly open = new Map<string, number>();
  /** Slots reserved by admission whose socket has not opened yet (already counted in `open`). */
  private readonly reserved = new Map<string, number>();

  constructor(private readonly cluster: Cluster) {}

  /** Connections counted for `ip` here, reserved ones included. */
  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }

  add(ip: string): number {
    return this.set(ip, this.count(ip) + 1);
  }

  remove(ip: string): void {
    this.set(ip, this.count(ip) - 1);
  }

  /**
   * Count one more for `ip` and hold it for a socket that is about to open; returns the new count.
   * Not reported: the cluster's admission records it in the same step.
   */
  reserve(ip: string): number {
    this.reserved.set(ip, (this.reserved.get(ip) ?? 0) + 1);
    const n = this.count(ip) + 1;
    this.open.set(ip, n);
    return n;
  }

  /** Consume a reserved slot for `ip` (it stays counted); false when none was held. */
  take(ip: string): boolean {
    const r = this.reserved.get(ip) ?? 0;
    if (r <= 0) return false;
    if (r === 1) this.reserved.delete(ip);
    else this.reserved.set(ip, r - 1);
    return true;
  }

  /** Give back a reserved slot no socket will use. */
  unreserve(ip: string): void {
    if (this.take(ip)) this.remove(ip);
  }

  entries(): [string, number][] {
    return [...this.open];
  }

  private set(ip: string, n: number): number {
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
    this.cluster.ipCount(ip, Math.max(0, n));
    return n;
  }
}
