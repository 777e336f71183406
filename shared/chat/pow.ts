/**
 * Hashcash-style proof of work for contact requests (docs/chat-design.md, "Requests"): a stamp is
 * a counter such that
 *
 *   SHA-256("p2p-chat hashcash v1\0" | resource | u64 BE counter)
 *
 * starts with at least `bits` zero bits (most significant bit of byte 0 first). The sender pays
 * ~2^bits hashes, the receiver one. For a request the resource is `stampResource(owner IK,
 * requester IK, timestamp)`; the receiver checks the timestamp's freshness (POW_MAX_AGE_MS).
 *
 * Rules:
 * - Counters are integers in [0, 2^53 - 1], hashed as 8 bytes, so they never wrap at 2^32.
 * - `mintStamp` is synchronous and returns the first good counter at or after `startCounter`.
 *   A caller on a UI thread mints in slices (`maxIterations`), resuming at
 *   `startCounter + hashes` after a null, and yields in between. No clock is read here.
 * - Speed: the SHA-256 state after domain | resource is computed once and cloned into one
 *   preallocated hasher per attempt (one or two compressions per attempt, no allocation).
 * - `checkStamp` never throws on a remote counter; a bad `bits` (ours) is BAD_ARGUMENT.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../crypto/bytes';
import { ChatError } from './errors';

const DOMAIN = utf8.encode('p2p-chat hashcash v1\0');
const HASH_BITS = 256;
const IK_BYTES = 32;
/** Largest counter: counters are exact integers in a JS number. */
export const MAX_STAMP_COUNTER = Number.MAX_SAFE_INTEGER;

export interface MintOptions {
  /** First counter tried; default 0. */
  readonly startCounter?: number;
  /** Give up (return null) after this many hashes; default: until MAX_STAMP_COUNTER. */
  readonly maxIterations?: number;
}

export interface Stamp {
  /** The counter that makes the hash start with enough zero bits. */
  readonly counter: number;
  /** Hashes computed to find it (counter - startCounter + 1). */
  readonly hashes: number;
}

/** The resource a request's stamp is minted over: owner IK | requester IK | u64 BE timestamp (ms). */
export function stampResource(ownerIdentityKey: Uint8Array, requesterIdentityKey: Uint8Array, timestampMs: number): Uint8Array {
  if (ownerIdentityKey.length !== IK_BYTES || requesterIdentityKey.length !== IK_BYTES) {
    throw new ChatError('BAD_ARGUMENT', `identity keys must be ${IK_BYTES} bytes`);
  }
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0)
    throw new ChatError('BAD_ARGUMENT', 'timestamp must be a non-negative safe integer (ms)');
  const out = new Uint8Array(2 * IK_BYTES + 8);
  out.set(ownerIdentityKey, 0);
  out.set(requesterIdentityKey, IK_BYTES);
  writeU64(new DataView(out.buffer), 2 * IK_BYTES, timestampMs);
  return out;
}

function writeU64(view: DataView, at: number, n: number): void {
  view.setUint32(at, Math.floor(n / 2 ** 32));
  view.setUint32(at + 4, n >>> 0);
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > HASH_BITS)
    throw new ChatError('BAD_ARGUMENT', `bits must be an integer in [0, ${HASH_BITS}]`);
}

function isCounter(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Stamp hashes of one resource, reusing one hasher and one output buffer. */
class StampHasher {
  private readonly base: ReturnType<typeof sha256.create>;
  private readonly work: ReturnType<typeof sha256.create>;
  private readonly counterBytes = new Uint8Array(8);
  private readonly counterView = new DataView(this.counterBytes.buffer);
  /** The last digest; overwritten by the next `hash`. */
  readonly out = new Uint8Array(32);

  constructor(resource: Uint8Array) {
    this.base = sha256.create().update(DOMAIN).update(resource);
    this.work = sha256.create();
  }

  hash(counter: number): Uint8Array {
    writeU64(this.counterView, 0, counter);
    this.base._cloneInto(this.work);
    this.work.update(this.counterBytes).digestInto(this.out);
    return this.out;
  }
}

/** True when `hash` starts with at least `bits` zero bits. */
function hasZeroPrefix(hash: Uint8Array, bits: number): boolean {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (hash[i] !== 0) return false;
  const rest = bits & 7;
  return rest === 0 || hash[full]! >> (8 - rest) === 0;
}

/** Leading zero bits of a hash (most significant bit of byte 0 first). */
export function leadingZeroBits(hash: Uint8Array): number {
  let n = 0;
  for (const b of hash) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/** The stamp hash for `counter` (a fresh copy). */
export function stampHash(resource: Uint8Array, counter: number): Uint8Array {
  if (!isCounter(counter)) throw new ChatError('BAD_ARGUMENT', `counter must be an integer in [0, ${MAX_STAMP_COUNTER}]`);
  return Uint8Array.from(new StampHasher(resource).hash(counter));
}

/** The first counter at or after `startCounter` whose hash has `bits` leading zero bits, or null after `maxIterations` hashes. */
export function mintStamp(resource: Uint8Array, bits: number, opts: MintOptions = {}): Stamp | null {
  checkBits(bits);
  const start = opts.startCounter ?? 0;
  if (!isCounter(start)) throw new ChatError('BAD_ARGUMENT', `startCounter must be an integer in [0, ${MAX_STAMP_COUNTER}]`);
  const limit = opts.maxIterations;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new ChatError('BAD_ARGUMENT', 'maxIterations must be a non-negative safe integer');
  }
  // One past the last counter tried; 2^53 is exact, and so is any smaller sum of safe integers.
  const end = Math.min(start + (limit ?? MAX_STAMP_COUNTER), MAX_STAMP_COUNTER + 1);
  const hasher = new StampHasher(resource);
  for (let counter = start; counter < end; counter++) {
    if (hasZeroPrefix(hasher.hash(counter), bits)) return { counter, hashes: counter - start + 1 };
  }
  return null;
}

/** True when `counter` is a valid stamp of `bits` for `resource`. Never throws on a bad counter. */
export function checkStamp(resource: Uint8Array, counter: number, bits: number): boolean {
  checkBits(bits);
  if (!isCounter(counter)) return false;
  return hasZeroPrefix(new StampHasher(resource).hash(counter), bits);
}
