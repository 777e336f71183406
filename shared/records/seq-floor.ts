/**
 * The owner's seq never goes backwards, even after a reload or a restore from backup.
 *
 * next = max(lastPersisted + 1, floor(now_ms))
 *
 * Why milliseconds since the Unix epoch as the floor:
 *   - A restored backup holds an old lastPersisted, but wall time has moved on since anything was
 *     published, so the time floor alone is already above every seq published while the owner used
 *     at most one seq per millisecond on average (1000 publishes/s; we publish every few minutes).
 *   - If the clock jumps backwards, lastPersisted + 1 still wins; if the clock ran ahead and was
 *     corrected, the persisted value stays (monotonic, never reused).
 *   - 2^53-1 ms is ~285,000 years after 1970, so the floor stays a safe integer.
 * A publisher should still raise the counter to what the network returns (`observe`) before
 * publishing after a restore, which covers a restored device whose clock is behind.
 * With a virtual clock starting at 0 (simulator) the floor is simply the virtual time in ms.
 */
import { bytesToHex } from '../crypto/bytes';
import type { Clock } from '../env/clock';
import type { RecordStore } from '../env/store';
import { RECORD_LIMITS } from './types';

/** The next seq to sign: max(lastPersisted + 1, floor(nowMs)), capped at 2^53-1. */
export function nextSeq(lastPersisted: number | undefined, nowMs: number): number {
  if (lastPersisted !== undefined && (!Number.isInteger(lastPersisted) || lastPersisted < 0 || lastPersisted > RECORD_LIMITS.maxSeq)) {
    throw new RangeError('lastPersisted must be an integer in 0..2^53-1');
  }
  if (typeof nowMs !== 'number' || Number.isNaN(nowMs)) throw new TypeError('nowMs must be a number');
  const floor = Math.min(Math.max(0, Math.floor(nowMs)), RECORD_LIMITS.maxSeq);
  const bumped = lastPersisted === undefined ? 0 : lastPersisted + 1;
  const next = Math.max(bumped, floor);
  if (next > RECORD_LIMITS.maxSeq) throw new RangeError('seq space exhausted');
  return next;
}

/** 8-byte big-endian encoding of a seq for RecordStore meta values. */
export function encodeSeq(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(seq / 2 ** 32));
  view.setUint32(4, seq >>> 0);
  return out;
}

/** Inverse of encodeSeq; undefined for anything that is not a valid seq (corrupt meta). */
export function decodeSeq(b: Uint8Array | undefined): number | undefined {
  if (!(b instanceof Uint8Array) || b.length !== 8) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, 8);
  const seq = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
  return seq <= RECORD_LIMITS.maxSeq ? seq : undefined;
}

export interface SeqCounterComponents {
  readonly store: RecordStore;
  readonly clock: Clock;
}

/**
 * Hands out seqs per salt and persists each one before returning it (so a crash after publishing
 * cannot lose it). Calls are serialized per salt: concurrent `next()` never return the same seq.
 */
export class SeqCounter {
  /** Meta values that were present but unreadable (treated as absent; the time floor covers them). */
  corruptMeta = 0;
  private readonly last = new Map<string, number>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly store: RecordStore;
  private readonly clock: Clock;

  /** `namespace` separates counters of different keys sharing one store (e.g. the public key hex). */
  constructor(
    components: SeqCounterComponents,
    private readonly namespace = '',
  ) {
    this.store = components.store;
    this.clock = components.clock;
  }

  /** The meta key used for `salt`. */
  metaKey(salt?: Uint8Array): string {
    return `seq:${this.namespace}:${bytesToHex(salt ?? new Uint8Array(0))}`;
  }

  /** The next seq for `salt`, persisted before it is returned. */
  next(salt?: Uint8Array): Promise<number> {
    const key = this.metaKey(salt);
    return this.serial(key, async () => {
      const last = await this.read(key);
      const seq = nextSeq(last, this.clock.now());
      await this.store.setMeta(key, encodeSeq(seq));
      this.last.set(key, seq);
      return seq;
    });
  }

  /** Raise the floor to a seq seen elsewhere (e.g. the network after a restore). Never lowers it. */
  observe(salt: Uint8Array | undefined, seq: number): Promise<void> {
    const key = this.metaKey(salt);
    return this.serial(key, async () => {
      if (!Number.isInteger(seq) || seq < 0 || seq > RECORD_LIMITS.maxSeq) throw new RangeError('bad seq');
      const last = await this.read(key);
      if (last !== undefined && last >= seq) return;
      await this.store.setMeta(key, encodeSeq(seq));
      this.last.set(key, seq);
    });
  }

  /** The last persisted seq for `salt`, if any. */
  peek(salt?: Uint8Array): Promise<number | undefined> {
    const key = this.metaKey(salt);
    return this.serial(key, () => this.read(key));
  }

  private async read(key: string): Promise<number | undefined> {
    const cached = this.last.get(key);
    const raw = await this.store.getMeta(key);
    const stored = decodeSeq(raw);
    if (raw !== undefined && stored === undefined) this.corruptMeta++;
    if (cached === undefined) return stored;
    return stored === undefined ? cached : Math.max(cached, stored);
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return run;
  }
}
