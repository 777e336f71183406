/**
 * Iterative Kademlia lookup as a pure engine: it is given seed contacts and a query function,
 * keeps `alpha` requests in flight, and reports progress as events. It knows nothing about
 * transports or wire formats.
 *
 * - A request slower than its spare timeout (if given) or its soft timeout (both from the peer's
 *   RTT estimate) stops counting toward alpha, so another request is launched; its answer, if it
 *   comes later, is still used. Past the soft timeout it is *slow*: left out of the result unless
 *   it answers within the grace period.
 * - The lookup ends when the `beta` closest candidates not known to be dead have all answered, or
 *   when no candidate is left to ask. Each answer's depth (round trips from the start along the
 *   chain of referrals) is tracked, and `rounds` is the deepest answer the lookup used.
 */
import type { Clock } from '../../env/clock';
import { IdList } from '../../protocol/id-list';
import { DEFAULTS, ID_BYTES } from '../constants';
import { ANSWERED, Candidate, FAILED, INFLIGHT, LATE, NEW, pending, SLOW, stalledState } from './candidate';
import { cmpDist, dword, TargetWords, WordId, type Dist, type MutableDist } from './distance';
import type { NodeId } from '../node-id';
import type { LookupPeer } from '../peer';

export interface QueryOutcome<V> {
  /**
   * Ids the peer says are closer (raw 20-byte ids, or a NODES answer's packed list: a view of an
   * id is only taken, and its hex only computed, for candidates the lookup keeps or asks).
   */
  closer: readonly NodeId[] | IdList;
  value?: V;
}

/** Ask one peer. Call `done(outcome)` on an answer, `done(null)` on failure/timeout. */
export type QueryFn<V> = (peer: LookupPeer, done: (outcome: QueryOutcome<V> | null) => void) => void;

export type LookupEvent<V> =
  | { type: 'query'; peer: string; depth: number }
  | { type: 'response'; peer: string; depth: number; closer: number; value?: V }
  | { type: 'late'; peer: string }
  | { type: 'slow'; peer: string }
  | { type: 'failure'; peer: string };

export interface LookupResult {
  target: NodeId;
  /**
   * Up to k closest candidates that answered or were never asked, closest first. A candidate
   * that missed its soft timeout is not waited for and is left out, unless it is closer than every
   * answer: then the lookup waits for it alone (answer or hard timeout), so the closest node is
   * never dropped for being slow, while dead nodes deeper in the list cost no waiting.
   */
  closest: LookupPeer[];
  /** Which of `closest` answered during this lookup. */
  answered: boolean[];
  queries: number;
  responses: number;
  failures: number;
  /** Requests plus responses. */
  messages: number;
  rounds: number;
  startedAt: number;
  durationMs: number;
  /** Stopped by the caller (e.g. a value was found) rather than by convergence. */
  stopped: boolean;
}

export interface LookupOptions<V> {
  target: NodeId;
  /** Our own id: never added as a candidate. */
  self: NodeId;
  seeds: LookupPeer[];
  /** Seeds to ask first, in this order (up to alpha), before XOR order takes over. */
  first?: LookupPeer[];
  query: QueryFn<V>;
  clock: Clock;
  /** Soft timeout for a peer, ms. */
  softTimeoutMs: (peer: LookupPeer) => number;
  /**
   * Spare timeout for a peer, ms (at most the soft timeout). A query past it is *late*: it no
   * longer holds one of the alpha slots, and it no longer holds up convergence unless it is closer
   * than every answer (it may be the closest node); it is still waited for until its soft timeout
   * and listed in the result if it has not gone slow. Each late query also widens the lookup.
   */
  spareTimeoutMs?: (peer: LookupPeer) => number;
  k: number;
  alpha: number;
  beta: number;
  /**
   * How many of the closest live candidates must answer before the lookup ends (>= beta). Once the
   * beta closest have answered, the rest of the quorum is asked in parallel (Kademlia's final
   * step), so a larger quorum costs messages but few extra rounds. @default beta
   */
  quorum?: number;
  /** How long a slow candidate is still waited for, as a multiple of its soft timeout. @default 1 */
  slowGrace?: number;
  /** Hard cap on requests per lookup. */
  maxQueries?: number;
  /** Ids learned from answers are candidates only if this holds (seeds are trusted). */
  admit?: (id: NodeId) => boolean;
  onEvent?: (e: LookupEvent<V>) => void;
  onDone: (r: LookupResult) => void;
}

export class Lookup<V> {
  private readonly cands: Candidate[] = [];
  private active = 0;
  private slow = 0;
  private late = 0;
  /** Queries that went late or slow (see spareTimeoutMs). */
  private stalled = 0;
  private queries = 0;
  private responses = 0;
  private failures = 0;
  private rounds = 0;
  private finished = false;
  private stopped = false;
  private readonly startedAt: number;
  private readonly cap: number;
  /** Our own distance to the target (our id is never a candidate). */
  private readonly selfDist: Dist;

  constructor(private readonly o: LookupOptions<V>) {
    this.startedAt = o.clock.now();
    this.cap = Math.max(o.k * 3, 32);
    const me = o.self;
    const t = o.target;
    this.selfDist = {
      d0: dword(me, 0, t, 0),
      d1: dword(me, 4, t, 4),
      d2: dword(me, 8, t, 8),
      d3: dword(me, 12, t, 12),
      d4: dword(me, 16, t, 16),
    };
    const tw = new TargetWords(t);
    const d: MutableDist = { d0: 0, d1: 0, d2: 0, d3: 0, d4: 0 };
    for (const s of o.seeds) {
      // A routing-table contact carries its id as words: no bytes to copy or compare.
      if (s instanceof WordId) {
        const hex = (s as LookupPeer).hex;
        s.distanceTo(tw, d);
        this.insert(d.d0, d.d1, d.d2, d.d3, d.d4, 1, undefined, hex);
      } else this.add(s.id, 1, s.hex);
    }
  }

  get done(): boolean {
    return this.finished;
  }

  start(): this {
    // Proximity: ask the given peers first (e.g. the fastest of our own contacts in the target's
    // sub-bucket, all about equally close); every later query follows XOR order.
    for (const p of this.o.first ?? []) {
      if (this.active >= this.o.alpha) break;
      const c = this.cands.find((x) => x.state === NEW && x.hex === p.hex);
      if (c) this.launch(c);
      if (this.finished) return this;
    }
    this.step();
    return this;
  }

  /** End now (e.g. a value was found): outstanding answers are ignored. */
  stop(): void {
    if (this.finished) return;
    this.stopped = true;
    this.finish();
  }

  private add(id: NodeId, depth: number, hex = ''): void {
    const t = this.o.target;
    this.insert(dword(id, 0, t, 0), dword(id, 4, t, 4), dword(id, 8, t, 8), dword(id, 12, t, 12), dword(id, 16, t, 16), depth, id, hex);
  }

  /** Add the id at byte offset `off` of `buf` (nothing of buf is kept). */
  private addAt(buf: Uint8Array, off: number, depth: number): void {
    const t = this.o.target;
    this.insert(
      dword(buf, off, t, 0),
      dword(buf, off + 4, t, 4),
      dword(buf, off + 8, t, 8),
      dword(buf, off + 12, t, 12),
      dword(buf, off + 16, t, 16),
      depth,
      undefined,
      '',
    );
  }

  /** Insert a candidate by its distance words, unless it is known, too far, or us. */
  private insert(d0: number, d1: number, d2: number, d3: number, d4: number, depth: number, id: NodeId | undefined, hex: string): void {
    const list = this.cands;
    // Binary search for the insertion point by distance. Distinct ids have distinct distances, so
    // a duplicate sits exactly at the insertion point.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpDist(list[mid]!, d0, d1, d2, d3, d4) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.cap) return;
    const at = list[lo];
    if (at && cmpDist(at, d0, d1, d2, d3, d4) === 0) return;
    if (cmpDist(this.selfDist, d0, d1, d2, d3, d4) === 0) return;
    const c = new Candidate(this.o.target, d0, d1, d2, d3, d4, depth, id, hex);
    // Insert at lo by hand (splice would allocate the removed-items array on every call).
    list.push(c);
    for (let i = list.length - 1; i > lo; i--) list[i] = list[i - 1]!;
    list[lo] = c;
    if (list.length > this.cap) {
      // Drop the farthest candidate that is not in flight.
      for (let i = list.length - 1; i >= 0; i--) {
        if (!pending(list[i]!.state)) {
          for (let j = i; j < list.length - 1; j++) list[j] = list[j + 1]!;
          list.pop();
          break;
        }
      }
    }
  }

  private step(): void {
    if (this.finished) return;
    const quorum = Math.max(this.o.beta, this.o.quorum ?? this.o.beta);
    // How many of the closest live-looking candidates have answered, in an unbroken prefix; and
    // whether a late or slow (past its spare or soft timeout, not yet failed) candidate is closer
    // than every answer.
    let prefix = 0;
    let slowAhead = false;
    for (const c of this.cands) {
      if (c.state === FAILED) continue;
      if (stalledState(c.state)) {
        if (prefix === 0) slowAhead = true;
        continue;
      }
      if (c.state !== ANSWERED) break;
      prefix++;
    }
    // Converged. A slow candidate closer than every answer may be the closest node, merely slow:
    // wait for it alone (it answers, or its hard timeout marks it failed) instead of dropping it.
    if (prefix >= quorum && !slowAhead) return this.finish();

    const finalPhase = prefix >= this.o.beta;
    // Each stalled query widens the lookup by one (up to +2): a healthy lookup keeps alpha in
    // flight, one that keeps hitting dead nodes asks more peers at once. With a spare timeout a
    // query stalls when it goes late (or slow); without one, only when it fails (cheaper, for
    // background refreshes).
    const widen = Math.min(this.o.spareTimeoutMs ? this.stalled : this.failures, 2);
    const limit = finalPhase ? quorum : this.o.alpha + widen;
    const maxQ = this.o.maxQueries ?? DEFAULTS.maxLookupQueries;
    let rank = 0;
    for (const c of this.cands) {
      if (this.active >= limit || this.queries >= maxQ) break;
      if (c.state === FAILED || stalledState(c.state)) continue;
      // In the final phase only the quorum closest are worth asking.
      if (finalPhase && rank >= quorum) break;
      rank++;
      if (c.state === NEW) {
        this.launch(c);
        // A query function may answer synchronously and finish the lookup re-entrantly.
        if (this.finished) return;
      }
    }
    if (this.active === 0 && this.slow === 0 && this.late === 0) this.finish();
  }

  private launch(c: Candidate): void {
    if (this.finished) return;
    const soft = this.o.softTimeoutMs(c);
    const spare = this.o.spareTimeoutMs ? Math.min(soft, this.o.spareTimeoutMs(c)) : soft;
    c.state = INFLIGHT;
    this.active++;
    this.queries++;
    this.o.onEvent?.({ type: 'query', peer: c.hex, depth: c.depth });
    if (spare < soft) {
      c.timer = this.o.clock.setTimeout(() => {
        c.timer = undefined;
        if (c.state !== INFLIGHT || this.finished) return;
        // Late: still waited for (it may be the closest), but no longer holds a parallelism slot.
        c.state = LATE;
        this.active--;
        this.late++;
        this.stalled++;
        this.o.onEvent?.({ type: 'late', peer: c.hex });
        c.timer = this.o.clock.setTimeout(() => this.toSlow(c, soft), soft - spare);
        this.step();
      }, spare);
    } else {
      c.timer = this.o.clock.setTimeout(() => this.toSlow(c, soft), soft);
    }
    this.o.query(c, (outcome) => this.settle(c, outcome));
  }

  /** Past its soft timeout: the query is slow (see LookupResult.closest); then the grace period. */
  private toSlow(c: Candidate, soft: number): void {
    c.timer = undefined;
    if ((c.state !== INFLIGHT && c.state !== LATE) || this.finished) return;
    const wasLate = c.state === LATE;
    if (c.state === INFLIGHT) this.active--;
    else this.late--;
    c.state = SLOW;
    this.slow++;
    if (!wasLate) this.stalled++;
    this.o.onEvent?.({ type: 'slow', peer: c.hex });
    // Give a slow peer one more soft-timeout period, then treat it as failed for this lookup
    // (the RPC keeps its own hard timeout for liveness accounting).
    c.timer = this.o.clock.setTimeout(
      () => {
        c.timer = undefined;
        if (c.state !== SLOW || this.finished) return;
        c.state = FAILED;
        this.slow--;
        this.failures++;
        this.o.onEvent?.({ type: 'failure', peer: c.hex });
        this.step();
      },
      soft * (this.o.slowGrace ?? 1),
    );
    this.step();
  }

  private settle(c: Candidate, outcome: QueryOutcome<V> | null): void {
    if (!pending(c.state)) return;
    if (c.timer !== undefined) {
      this.o.clock.clearTimeout(c.timer);
      c.timer = undefined;
    }
    if (c.state === INFLIGHT) this.active--;
    else if (c.state === LATE) this.late--;
    else this.slow--;
    if (this.finished) return;
    if (!outcome) {
      c.state = FAILED;
      this.failures++;
      this.o.onEvent?.({ type: 'failure', peer: c.hex });
    } else {
      c.state = ANSWERED;
      this.responses++;
      if (c.depth > this.rounds) this.rounds = c.depth;
      const closer = outcome.closer;
      const admit = this.o.admit;
      if (closer instanceof IdList) {
        const b = closer.bytes;
        for (let o = 0; o < b.length; o += ID_BYTES) if (!admit || admit(b.subarray(o, o + ID_BYTES))) this.addAt(b, o, c.depth + 1);
      } else {
        for (const id of closer) if (!admit || admit(id)) this.add(id, c.depth + 1);
      }
      const ev: LookupEvent<V> = { type: 'response', peer: c.hex, depth: c.depth, closer: outcome.closer.length };
      if (outcome.value !== undefined) ev.value = outcome.value;
      this.o.onEvent?.(ev);
    }
    this.step();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const closest: LookupPeer[] = [];
    const answered: boolean[] = [];
    for (const c of this.cands) {
      if (closest.length >= this.o.k) break;
      if (c.state === FAILED || c.state === SLOW) continue;
      closest.push(c);
      answered.push(c.state === ANSWERED);
    }
    for (const c of this.cands) {
      if (c.timer !== undefined) {
        this.o.clock.clearTimeout(c.timer);
        c.timer = undefined;
      }
    }
    const now = this.o.clock.now();
    this.o.onDone({
      target: this.o.target,
      closest,
      answered,
      queries: this.queries,
      responses: this.responses,
      failures: this.failures,
      messages: this.queries + this.responses,
      rounds: this.rounds,
      startedAt: this.startedAt,
      durationMs: now - this.startedAt,
      stopped: this.stopped,
    });
  }
}
