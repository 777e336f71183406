/**
 * Kademlia routing table: buckets of up to k contacts, least-recently-seen first, each with a
 * replacement cache. Level L holds contacts sharing exactly L leading bits with us. With
 * bitsPerLevel = b > 1, level L's subtree is further split into 2^s sub-buckets (s chosen so the
 * depth becomes a multiple of b): Kademlia's accelerated lookups (§4.2), equivalent to the relaxed
 * bucket-splitting rule. A full bucket never evicts on its own: it asks the owner to ping the
 * least-recently-seen contact (`observe` returns 'full'), and only a failure removes it.
 */
import { ID_BITS, ID_BYTES } from './constants';
import { bitAt, bitsAt, commonPrefixLength, type NodeId } from './node-id';
import { Contact, type ContactHome } from './contact';
import { cmpWordSlots, putWord, word } from './lookup/distance';
import type { LookupPeer } from './peer';
import { IdList } from '../protocol/id-list';

/** Numbers per contact in Bucket.words: the id's five words, then the failure count. */
const SLOT = 6;
const FAIL = 5;

export class Bucket implements ContactHome {
  /** Least-recently-seen first. */
  readonly contacts: Contact[] = [];
  /**
   * The contacts' ids and failure counts, SLOT numbers per contact in the same order (the id's
   * five words, then failures): closest() scans and sorts these without reaching into the contact
   * objects, which lie scattered over the heap. The failure count lives only here.
   */
  readonly words: number[] = [];
  /** Most recent last. */
  replacements: Contact[] = [];
  /** Last time a lookup targeted this bucket's range (for refresh). */
  lastTouched = 0;
  /** A ping to the head contact is outstanding. */
  pinging = false;

  constructor(
    readonly level: number,
    readonly sub: number,
  ) {}

  failuresOf(c: Contact): number {
    const i = this.contacts.indexOf(c);
    return i < 0 ? 0 : this.words[i * SLOT + FAIL]!;
  }
}

/** The pick list of one selection: contacts named by (bucket, offset of their slot in its words). */
class Selection {
  readonly buckets: Bucket[] = [];
  readonly offsets: number[] = [];
  n = 0;
  /** The target's five words. */
  readonly target = [0, 0, 0, 0, 0];
}

export type ObserveResult =
  | { kind: 'self' }
  | { kind: 'updated'; contact: Contact }
  | { kind: 'added'; contact: Contact }
  | { kind: 'full'; bucket: Bucket; oldest: Contact };

export interface RoutingTableInit {
  k: number;
  bitsPerLevel: number;
  replacements: number;
  maxFailures: number;
}

export class RoutingTable {
  private readonly levels: (Bucket | undefined)[][] = [];
  /** Bucket contacts by hex id: every message received looks its sender up here. */
  private readonly index = new Map<string, Contact>();
  private count = 0;
  /** Scratch for closest()/closestIds() (hot path: no per-call allocation), this table's own. */
  private readonly sel = new Selection();

  constructor(
    readonly self: NodeId,
    private readonly init: RoutingTableInit,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Extra split bits for level L so that level depth (L+1)+s is a multiple of b. */
  subBits(level: number): number {
    const b = this.init.bitsPerLevel;
    if (b <= 1) return 0;
    const s = (b - ((level + 1) % b)) % b;
    return Math.min(s, ID_BITS - level - 1);
  }

  bucketFor(id: NodeId, create: boolean): Bucket | undefined {
    const level = commonPrefixLength(this.self, id);
    if (level >= ID_BITS) return undefined;
    const s = this.subBits(level);
    const sub = s ? bitsAt(id, level + 1, s) : 0;
    let subs = this.levels[level];
    if (!subs) {
      if (!create) return undefined;
      subs = this.levels[level] = new Array(1 << s);
    }
    let b = subs[sub];
    if (!b && create) b = subs[sub] = new Bucket(level, sub);
    return b;
  }

  /** The contact with this hex id (not replacements), in O(1). */
  byHex(hex: string): Contact | undefined {
    return this.index.get(hex);
  }

  get(id: NodeId): Contact | undefined {
    const b = this.bucketFor(id, false);
    if (!b) return undefined;
    for (const c of b.contacts) if (c.is(id)) return c;
    return undefined;
  }

  /** A peer proved alive (it sent us a valid message): move it to the tail or try to add it. */
  observe(id: NodeId, hex: string, now: number): ObserveResult {
    return this.observePeer({ id, hex }, now);
  }

  /**
   * observe() for a peer whose id bytes may be costly to produce: a known contact is found by hex
   * and its id is never read.
   */
  observePeer(peer: LookupPeer, now: number): ObserveResult {
    const known = this.index.get(peer.hex);
    if (known) {
      const b = known.home as Bucket;
      const list = b.contacts;
      known.lastSeen = now;
      const i = list.indexOf(known);
      if (i >= 0) {
        b.words[i * SLOT + FAIL] = 0;
        if (i !== list.length - 1) {
          list.splice(i, 1);
          list.push(known);
          moveSlotToEnd(b.words, i);
        }
      }
      return { kind: 'updated', contact: known };
    }
    const { id, hex } = peer;
    const b = this.bucketFor(id, true);
    if (!b) return { kind: 'self' };
    const list = b.contacts;
    if (list.length < this.init.k) {
      const c = takeReplacement(b, hex) ?? new Contact(id, hex, now);
      c.lastSeen = now;
      this.place(b, c);
      return { kind: 'added', contact: c };
    }
    // Full: remember the newcomer as a replacement; the owner pings the oldest.
    const rep = takeReplacement(b, hex) ?? new Contact(id, hex, now);
    rep.lastSeen = now;
    b.replacements.push(rep);
    if (b.replacements.length > this.init.replacements) b.replacements.shift();
    return { kind: 'full', bucket: b, oldest: list[0]! };
  }

  /**
   * A request to this contact timed out. It is replaced at once when a replacement is waiting;
   * otherwise it stays, and after maxFailures it is *stale*: no longer handed out by closest(),
   * but kept (and re-pinged by refresh) so a node that was only unreachable for a while, e.g.
   * across a partition, is not forgotten for good (Kademlia §2.2: never drop without a substitute).
   * Returns true if it was removed.
   */
  recordFailure(id: NodeId): boolean {
    const b = this.bucketFor(id, false);
    if (!b) return false;
    const i = b.contacts.findIndex((c) => c.is(id));
    if (i < 0) {
      const r = b.replacements.findIndex((c) => c.is(id));
      if (r >= 0) b.replacements.splice(r, 1);
      return false;
    }
    b.words[i * SLOT + FAIL]!++;
    if (b.replacements.length === 0) return false;
    this.removeAt(b, i);
    return true;
  }

  remove(id: NodeId): boolean {
    const b = this.bucketFor(id, false);
    if (!b) return false;
    const i = b.contacts.findIndex((c) => c.is(id));
    if (i < 0) return false;
    this.removeAt(b, i);
    return true;
  }

  private removeAt(b: Bucket, i: number): void {
    const [c] = b.contacts.splice(i, 1);
    b.words.splice(i * SLOT, SLOT);
    c!.home = undefined;
    this.index.delete(c!.hex);
    this.count--;
    const rep = b.replacements.pop();
    if (rep) this.place(b, rep);
  }

  /** Append c to the bucket's contacts (most recently seen last) and index it. */
  private place(b: Bucket, c: Contact): void {
    b.contacts.push(c);
    b.words.push(c.w0, c.w1, c.w2, c.w3, c.w4, 0);
    c.home = b;
    this.index.set(c.hex, c);
    this.count++;
  }

  /**
   * The n contacts closest to target. Buckets cover disjoint distance ranges, so they can be
   * visited in exact distance order and only each bucket's own contacts need sorting. With
   * D = self XOR target, a contact at level l has the distance bits D[0..l-1], then NOT D[l]; so a
   * level l with D[l] = 1 is closer than every deeper level, and one with D[l] = 0 is farther:
   *   1. levels with D[l] = 1, shallowest first (the target's own level m comes first);
   *   2. levels with D[l] = 0, deepest first (every level above m ends the walk);
   * and within a level, sub-buckets by (sub XOR target's sub bits).
   */
  closest(target: NodeId, n: number, exclude?: string): Contact[] {
    const count = this.select(target, n, exclude);
    const { buckets, offsets } = this.sel;
    const out: Contact[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = buckets[i]!.contacts[offsets[i]! / SLOT]!;
    return out;
  }

  /** Ids of the n contacts closest to target (closest()'s order), written from the bucket words. */
  closestIds(target: NodeId, n: number, exclude?: string): IdList {
    const count = this.select(target, n, exclude);
    const { buckets, offsets } = this.sel;
    const buf = new Uint8Array(count * ID_BYTES);
    for (let i = 0; i < count; i++) {
      const w = buckets[i]!.words;
      const o = offsets[i]!;
      const at = i * ID_BYTES;
      for (let j = 0; j < 5; j++) putWord(buf, at + 4 * j, w[o + j]!);
    }
    return new IdList(buf);
  }

  /**
   * Fill the pick list (this.sel) with the n closest usable contacts in distance order and
   * return how many there are. Hot path (every FIND_NODE): reads only bucket words, no closures.
   */
  private select(target: NodeId, n: number, exclude: string | undefined): number {
    const m = commonPrefixLength(this.self, target);
    const sel = this.sel;
    sel.n = 0;
    const t = sel.target;
    t[0] = word(target, 0);
    t[1] = word(target, 4);
    t[2] = word(target, 8);
    t[3] = word(target, 12);
    t[4] = word(target, 16);
    const x32 = exclude ? parseInt(exclude.slice(0, 8), 16) | 0 : 0;
    const maxF = this.init.maxFailures;
    const top = this.levels.length;
    for (let l = m; l < top && sel.n < n; l++) {
      if (l === m || bitAt(this.self, l) !== bitAt(target, l)) this.takeLevel(l, target, n, exclude, x32, maxF);
    }
    for (let l = top - 1; l >= 0 && sel.n < n; l--) {
      if (l !== m && bitAt(this.self, l) === bitAt(target, l)) this.takeLevel(l, target, n, exclude, x32, maxF);
    }
    return Math.min(sel.n, n);
  }

  /** Append level's usable contacts to the pick list, sub-bucket by sub-bucket in distance order. */
  private takeLevel(level: number, target: NodeId, n: number, exclude: string | undefined, x32: number, maxF: number): void {
    const subs = this.levels[level];
    if (!subs) return;
    const s = this.subBits(level);
    const tsub = s ? bitsAt(target, level + 1, s) : 0;
    const sel = this.sel;
    for (let x = 0; x < subs.length && sel.n < n; x++) {
      const b = subs[x ^ tsub];
      if (!b) continue;
      const w = b.words;
      const start = sel.n;
      for (let o = 0; o < w.length; o += SLOT) {
        if (w[o + FAIL]! >= maxF) continue;
        if (w[o] === x32 && exclude !== undefined && b.contacts[o / SLOT]!.hex === exclude) continue;
        sel.buckets[sel.n] = b;
        sel.offsets[sel.n] = o;
        sel.n++;
      }
      sortPicks(sel, w, start);
    }
  }

  /** Mark the bucket covering target as used by a lookup (delays its refresh). */
  touch(target: NodeId, now: number): void {
    const b = this.bucketFor(target, false);
    if (b) b.lastTouched = now;
  }

  buckets(): Bucket[] {
    const out: Bucket[] = [];
    for (const subs of this.levels) if (subs) for (const b of subs) if (b) out.push(b);
    return out;
  }

  /** Deepest level holding any contact (-1 when empty). */
  deepestLevel(): number {
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const subs = this.levels[l];
      if (subs?.some((b) => b && b.contacts.length > 0)) return l;
    }
    return -1;
  }

  *contacts(): IterableIterator<Contact> {
    for (const subs of this.levels) if (subs) for (const b of subs) if (b) yield* b.contacts;
  }
}

/** Sort pick list entries [start, sel.n) (all in one bucket, words w) by distance, in place. */
function sortPicks(sel: Selection, w: number[], start: number): void {
  const offsets = sel.offsets;
  const t = sel.target;
  for (let i = start + 1; i < sel.n; i++) {
    const o = offsets[i]!;
    let j = i - 1;
    while (j >= start && cmpWordSlots(w, offsets[j]!, o, t) > 0) {
      offsets[j + 1] = offsets[j]!;
      j--;
    }
    offsets[j + 1] = o;
  }
}

/** Move the slot of entry i to the end of words (its contact became the most recently seen). */
function moveSlotToEnd(w: number[], i: number): void {
  const end = w.length - SLOT;
  const s0 = w[i * SLOT]!;
  const s1 = w[i * SLOT + 1]!;
  const s2 = w[i * SLOT + 2]!;
  const s3 = w[i * SLOT + 3]!;
  const s4 = w[i * SLOT + 4]!;
  const s5 = w[i * SLOT + 5]!;
  for (let k = i * SLOT; k < end; k++) w[k] = w[k + SLOT]!;
  w[end] = s0;
  w[end + 1] = s1;
  w[end + 2] = s2;
  w[end + 3] = s3;
  w[end + 4] = s4;
  w[end + 5] = s5;
}

function takeReplacement(b: Bucket, hex: string): Contact | undefined {
  const i = b.replacements.findIndex((c) => c.hex === hex);
  return i >= 0 ? b.replacements.splice(i, 1)[0] : undefined;
}
