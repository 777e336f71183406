/**
 * The hub's directory of authenticated peers: lookup by node id, a swap-remove list, and bootstrap
 * samples drawn for diversity. A sample first picks distinct address prefixes (IPv4 /24, IPv6 /48:
 * address.ts) uniformly at random, then one random peer in each; only when there are fewer
 * prefixes than the sample needs does a prefix give a second peer. So a few addresses holding many
 * ids get at most their share of prefixes, not their share of ids, in every welcome.
 */
import type { Rng } from '../shared/env/rng';
import { prefixKey } from './address';
import type { Conn } from './conn';

interface Group {
  key: string;
  /** Index of this group in `groups`. */
  slot: number;
  members: Conn[];
}

export class PeerDirectory {
  private readonly byId = new Map<string, Conn>();
  private readonly live: Conn[] = [];
  private readonly groups: Group[] = [];
  private readonly byPrefix = new Map<string, Group>();
  /** Where each listed connection sits in its group. */
  private readonly place = new Map<Conn, { group: Group; index: number }>();

  constructor(private readonly rng: Rng) {}

  get size(): number {
    return this.live.length;
  }

  /** Distinct address prefixes among listed peers. */
  get prefixes(): number {
    return this.groups.length;
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
    const key = prefixKey(conn.key);
    let g = this.byPrefix.get(key);
    if (!g) {
      g = { key, slot: this.groups.length, members: [] };
      this.groups.push(g);
      this.byPrefix.set(key, g);
    }
    this.place.set(conn, { group: g, index: g.members.length });
    g.members.push(conn);
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
    const p = this.place.get(conn);
    if (p) {
      this.place.delete(conn);
      const m = p.group.members;
      const tail = m.pop()!;
      if (tail !== conn) {
        m[p.index] = tail;
        this.place.get(tail)!.index = p.index;
      }
      if (m.length === 0) {
        const lastGroup = this.groups.pop()!;
        if (lastGroup !== p.group) {
          this.groups[p.group.slot] = lastGroup;
          lastGroup.slot = p.group.slot;
        }
        this.byPrefix.delete(p.group.key);
      }
    }
    return true;
  }

  /** [nodeId, claim] of every listed connection (for a cluster re-sync). */
  claims(): [string, string][] {
    return this.live.map((c) => [c.nodeId!, c.claim]);
  }

  /**
   * Up to `k` distinct live peers other than `self`: one from each of up to `k` random distinct
   * prefixes, then (only if prefixes run out) further random peers.
   */
  sample(self: Conn, k: number): string[] {
    const out: string[] = [];
    const others = this.live.length - (self.slot >= 0 ? 1 : 0);
    if (others <= 0 || k <= 0) return out;
    const want = Math.min(k, others);
    const taken = new Set<Conn>([self]);
    const G = this.groups.length;
    // distinct prefixes in random order: a partial Fisher-Yates over group indices, bounded by `want` draws
    const order = new Map<number, number>();
    const at = (i: number): number => order.get(i) ?? i;
    for (let i = 0; i < G && out.length < want; i++) {
      const j = i + this.rng.int(G - i);
      const gi = at(j);
      order.set(j, at(i));
      const m = this.groups[gi]!.members;
      const pick = this.pickFrom(m, taken);
      if (pick) {
        taken.add(pick);
        out.push(pick.nodeId!);
      }
    }
    // fewer prefixes than wanted: fill with random peers (the list is small here, or k is)
    for (let tries = 0; out.length < want && tries < 64 * k; tries++) {
      const c = this.live[this.rng.int(this.live.length)]!;
      if (taken.has(c)) continue;
      taken.add(c);
      out.push(c.nodeId!);
    }
    for (const c of this.live) {
      if (out.length >= want) break;
      if (!taken.has(c)) out.push(c.nodeId!);
    }
    return out;
  }

  /** A random member of `m` not in `taken` (at most one retry past the one excluded member). */
  private pickFrom(m: Conn[], taken: Set<Conn>): Conn | null {
    if (m.length === 0) return null;
    const first = this.rng.int(m.length);
    for (let d = 0; d < m.length && d < 3; d++) {
      const c = m[(first + d) % m.length]!;
      if (!taken.has(c)) return c;
    }
    return null;
  }
}
