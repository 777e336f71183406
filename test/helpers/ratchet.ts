/** Test helpers for the Double Ratchet tests: seeded sessions, error codes, state snapshots. */
import { bytesToHex, utf8 } from '../../shared/crypto/bytes';
import {
  generateDh,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitAlice,
  ratchetInitBob,
  RatchetError,
  serialize,
  type RatchetMessage,
  type RatchetState,
} from '../../shared/crypto/double-ratchet';
import { SeededRng } from '../../shared/env/rng';

export type RandomBytes = (n: number) => Uint8Array;

/** Deterministic randomBytes (tests only: a seeded PRNG is no key source). */
export function seededRandom(seed: number): RandomBytes {
  const rng = new SeededRng(seed);
  return (n) => rng.bytes(n);
}

export const AD = utf8.encode('alice-identity|bob-identity');

export interface Session {
  alice: RatchetState;
  bob: RatchetState;
  rndA: RandomBytes;
  rndB: RandomBytes;
}

/** A fresh Alice/Bob pair from one seed (SK, Bob's initial key and both parties' randomness). */
export function newSession(seed: number): Session {
  const rng = new SeededRng(seed);
  const sk = rng.bytes(32);
  const bobKey = generateDh(seededRandom(rng.u32()));
  const rndA = seededRandom(rng.u32());
  const rndB = seededRandom(rng.u32());
  return { alice: ratchetInitAlice(sk, bobKey.publicKey, { randomBytes: rndA }), bob: ratchetInitBob(sk, bobKey), rndA, rndB };
}

/** The RatchetError code fn throws, or 'NONE' if it returns, or 'NOT_RATCHET_ERROR'. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'NONE';
  } catch (e) {
    return e instanceof RatchetError ? e.code : `NOT_RATCHET_ERROR ${String(e)}`;
  }
}

export function snapshot(s: RatchetState): string {
  return bytesToHex(serialize(s));
}

/** Encrypt on `from` of session `s`, updating it; returns the message. */
export function send(s: Session, from: 'alice' | 'bob', text: string): RatchetMessage {
  const r = ratchetEncrypt(s[from], utf8.encode(text), AD);
  s[from] = r.state;
  return r.message;
}

/** Decrypt at `to` of session `s`, updating it; returns the text. */
export function recv(s: Session, to: 'alice' | 'bob', m: RatchetMessage): string {
  const r = ratchetDecrypt(s[to], m, AD, { randomBytes: to === 'alice' ? s.rndA : s.rndB });
  s[to] = r.state;
  return utf8.decode(r.plaintext);
}

/** Runs fn; on failure rethrows with the seed in the message so the case can be replayed. */
export function withSeed(seed: number, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`[replay with seed ${seed}] ${msg}`, { cause: e });
  }
}

/** Seeds for property loops: RATCHET_SEED=n runs only n, else `count` seeds from `base`. */
export function seeds(base: number, count: number): number[] {
  const only = process.env.RATCHET_SEED;
  if (only !== undefined) return [Number(only)];
  return Array.from({ length: count }, (_, i) => base + i);
}
