/** The hub's directory of authenticated peers: lookup by node id, a swap-remove list, and random bootstrap samples. */
import type { Rng } from '../shared/env/rng';
import type { Conn } from './conn';

export class PeerDirectory {
  private readonly byId = new Map<string, Conn>();
  private readonly live: Conn[] = [];

  constructor(private readonly rng: Rng) {}

  get size(): number {
    return this.live.length;
  }

  get(nodeId: string): Conn | undefined {
    return this.byId.get(nodeId);
  }

  /** List a connection that just proved `nodeId` (sets its nodeId and slot). */
  add(conn: Conn, nodeId: string): void {
    conn.nodeId = nodeId;
    this.byId.set(nodeId, conn);
    conn.slot = this.live.length;
    this.live.push(conn);
  }

  /** Unlist a connection in O(1); false when it was not listed. */
  remove(conn: Conn): boolean {
    if (conn.slot < 0) return false;
    const last = this.live.pop()!;
    if (last !== conn) {
      this.live[conn.slot] = last;
      last.slot = conn.slot;
    }
    conn.slot = -1;
    if (conn.nodeId !== null && this.byId.get(conn.nodeId) === conn) this.byId.delete(conn.nodeId);
    return true;
  }

  /** [nodeId, claim] of every listed connection (for a cluster re-sync). */
  claims(): [string, string][] {
    return this.live.map((c) => [c.nodeId!, c.claim]);
  }

  /** Up to `k` distinct random live peers other than `self`. */
  sample(self: Conn, k: number): string[] {
    const n = this.live.length;
    const others = self.slot >= 0 ? n - 1 : n;
    const out: string[] = [];
    if (others <= k) {
      for (const c of this.live) if (c !== self && c.nodeId) out.push(c.nodeId);
      shuffle(out, this.rng);
      return out;
    }
    const picked = new Set<number>();
    while (out.length < k) {
      const i = this.rng.int(n);
      if (i === self.slot || picked.has(i)) continue;
      picked.add(i);
      out.push(this.live[i]!.nodeId!);
    }
    return out;
  }
}

function shuffle<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
