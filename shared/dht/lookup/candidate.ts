/**
 * A lookup's candidates: their states, and their distance to the target kept as five integer
 * words, from which an id is rebuilt only when someone reads it (see Lookup).
 */
import type { TimerHandle } from '../../env/clock';
import { ID_BYTES } from '../constants';
import type { LookupPeer } from './lookup';
import { idToHex, type NodeId } from '../node-id';

export const NEW = 0;
export const INFLIGHT = 1;
export const SLOW = 2;
export const ANSWERED = 3;
export const FAILED = 4;
export const LATE = 5;

/** Asked and not yet settled: an answer may still come (the timers run on). */
export function pending(s: number): boolean {
  return s === INFLIGHT || s === LATE || s === SLOW;
}

/** Past its spare or soft timeout, not yet settled: no longer holds a slot or blocks convergence. */
export function stalledState(s: number): boolean {
  return s === LATE || s === SLOW;
}

/**
 * A candidate node. Its id and hex are built on first use from its distance words (most candidates
 * are never asked, so most never need either), unless the caller handed them over.
 */
export class Candidate implements LookupPeer, Dist {
  state = NEW;
  timer: TimerHandle | undefined = undefined;

  constructor(
    private readonly target: NodeId,
    /**
     * The distance to the target as five 32-bit words, each stored as a signed integer with its
     * top bit flipped (so signed order is unsigned order and V8 keeps them as small integers).
     */
    readonly d0: number,
    readonly d1: number,
    readonly d2: number,
    readonly d3: number,
    readonly d4: number,
    readonly depth: number,
    private idBytes: NodeId | undefined,
    private hexStr: string,
  ) {}

  get id(): NodeId {
    if (this.idBytes) return this.idBytes;
    const id = new Uint8Array(ID_BYTES);
    const t = this.target;
    putDist(id, 0, this.d0, t);
    putDist(id, 4, this.d1, t);
    putDist(id, 8, this.d2, t);
    putDist(id, 12, this.d3, t);
    putDist(id, 16, this.d4, t);
    return (this.idBytes = id);
  }

  get hex(): string {
    return this.hexStr || (this.hexStr = idToHex(this.id));
  }
}

/** Distance words of a candidate (or of our own id). */
export interface Dist {
  readonly d0: number;
  readonly d1: number;
  readonly d2: number;
  readonly d3: number;
  readonly d4: number;
}

/** Word j of the distance from the id at offset o of b to t (at offset to), top bit flipped. */
export function dword(b: Uint8Array, o: number, t: NodeId, to: number): number {
  return (((b[o]! ^ t[to]!) << 24) | ((b[o + 1]! ^ t[to + 1]!) << 16) | ((b[o + 2]! ^ t[to + 2]!) << 8) | (b[o + 3]! ^ t[to + 3]!)) ^ 0x80000000;
}

/** Sign of d(x) - d, comparing distance words. */
export function cmpDist(x: Dist, d0: number, d1: number, d2: number, d3: number, d4: number): number {
  if (x.d0 !== d0) return x.d0 - d0;
  if (x.d1 !== d1) return x.d1 - d1;
  if (x.d2 !== d2) return x.d2 - d2;
  if (x.d3 !== d3) return x.d3 - d3;
  return x.d4 - d4;
}

/** Write distance word d (top bit flipped) XOR the target's bytes at o: the id's bytes. */
function putDist(id: Uint8Array, o: number, d: number, t: NodeId): void {
  const x = d ^ 0x80000000;
  id[o] = (x >>> 24) ^ t[o]!;
  id[o + 1] = ((x >>> 16) & 0xff) ^ t[o + 1]!;
  id[o + 2] = ((x >>> 8) & 0xff) ^ t[o + 2]!;
  id[o + 3] = (x & 0xff) ^ t[o + 3]!;
}

/** A peer whose id is at hand as five big-endian 32-bit words (a routing-table contact). */
interface WordPeer extends LookupPeer {
  readonly p32: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly w4: number;
}

export function isWordPeer(p: LookupPeer): p is WordPeer {
  return typeof (p as Partial<WordPeer>).p32 === 'number';
}
