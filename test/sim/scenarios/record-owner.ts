/**
 * Helpers shared by the record scenarios: a record owner that signs and publishes successive
 * seqs (and remembers what it published and when), deterministic keys, and Weibull sessions.
 */
import { bytesToHex, utf8 } from '../../../shared/crypto/bytes';
import { generateKeyPair, type KeyPair } from '../../../shared/crypto/ed25519';
import type { DhtValues, PutResult } from '../../../shared/records/values';
import type { Rng } from '../../../shared/env/rng';
import { mutableTarget, signMutable } from '../../../shared/records/bep44';
import type { MutableRecord } from '../../../shared/records/types';
import type { Clock } from '../../../shared/env/clock';

export interface Publication {
  readonly seq: number;
  readonly issuedAt: number;
  /** When the put's callback fired (all store answers or timeouts). */
  doneAt: number | undefined;
  replicas: number;
}

/** A key owner publishing one mutable record (one salt), seq 1, 2, 3, ... */
export class SimOwner {
  readonly kp: KeyPair;
  readonly salt: Uint8Array;
  readonly target: Uint8Array;
  readonly targetHex: string;
  readonly published: Publication[] = [];
  /** Every record this owner signed, by signature hex. */
  readonly signed = new Map<string, MutableRecord>();
  seq = 0;

  constructor(
    rng: Rng,
    readonly label: string,
  ) {
    this.kp = generateKeyPair(rng.bytes(32));
    this.salt = utf8.encode(label);
    this.target = mutableTarget(this.kp.publicKey, this.salt);
    this.targetHex = bytesToHex(this.target);
  }

  /** Sign the next seq (without publishing it). */
  next(): MutableRecord {
    this.seq++;
    const rec = signMutable({
      secretKey: this.kp.secretKey,
      salt: this.salt,
      seq: this.seq,
      value: utf8.encode(`${this.label}#${this.seq}`),
    });
    this.signed.set(bytesToHex(rec.sig), rec);
    return rec;
  }

  /** Sign the next seq and put it (as own) through `values`. */
  publish(values: DhtValues, clock: Clock, cb?: (r: PutResult) => void): MutableRecord {
    return this.publishVia(clock, (rec, done) =>
      values.putRecord(
        rec,
        (r) => {
          done(r.replicas);
          cb?.(r);
        },
        { own: true },
      ),
    );
  }

  /** Sign the next seq and put it with `put` (which says how many nodes took it). */
  publishVia(clock: Clock, put: (rec: MutableRecord, done: (replicas: number) => void) => void): MutableRecord {
    const rec = this.next();
    const pub: Publication = { seq: rec.seq, issuedAt: clock.now(), doneAt: undefined, replicas: 0 };
    this.published.push(pub);
    put(rec, (replicas) => {
      pub.doneAt = clock.now();
      pub.replicas = replicas;
    });
    return rec;
  }

  /**
   * The newest seq a get started at `now` must return: published (put finished) before `now`, or
   * issued at least `propagationMs` before it. 0 when nothing qualifies.
   */
  requiredSeq(now: number, propagationMs: number): number {
    let s = 0;
    for (const p of this.published) {
      if ((p.doneAt !== undefined && p.doneAt <= now) || p.issuedAt + propagationMs <= now) s = Math.max(s, p.seq);
    }
    return s;
  }

  /** True when `rec` is a record this owner signed. */
  isGenuine(rec: { sig: Uint8Array }): boolean {
    return this.signed.has(bytesToHex(rec.sig));
  }
}

/**
 * A Weibull session length with the given shape and median (ms):
 * scale = median / ln(2)^(1/shape), sample = scale · (−ln U)^(1/shape).
 */
export function weibull(rng: Rng, shape: number, medianMs: number): number {
  const scale = medianMs / Math.LN2 ** (1 / shape);
  const u = 1 - rng.next(); // (0, 1]
  return scale * (-Math.log(u)) ** (1 / shape);
}

/** Round to `d` decimals (for summaries). */
export function round(x: number, d = 4): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
