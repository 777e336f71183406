/**
 * A lookup's candidates: their states, and their distance to the target kept as five integer
 * words, from which an id is rebuilt only when someone reads it (see Lookup).
 */
import type { TimerHandle } from '../../env/clock';
import { putDist, type Dist } from './distance';
import { ID_BYTES } from '../constants';
import type { LookupPeer } from '../peer';
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
    this.idBytes = id;
    return id;
  }

  get hex(): string {
    if (!this.hexStr) this.hexStr = idToHex(this.id);
    return this.hexStr;
  }
}
