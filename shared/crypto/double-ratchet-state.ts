/**
 * Serialized Double Ratchet state, version 1 (for IndexedDB; must survive a reload). Big-endian:
 *   u8   magic 0x44 ('D'), u8 magic 0x52 ('R'), u8 STATE_VERSION (1)
 *   u8   flags: bit 0 DHr present, bit 1 CKs present, bit 2 CKr present; other bits must be 0
 *   32   DHs secret key, 32 DHs public key
 *   [32  DHr]  32 RK  [32 CKs]  [32 CKr]          (bracketed fields only if their flag is set)
 *   u32  Ns, u32 Nr, u32 PN
 *   u16  count of past DHr keys (<= MAX_PAST_REMOTE_KEYS), then 32 bytes each, oldest first
 *   u16  count of skipped keys (<= MAX_SKIPPED_TOTAL), then each: 32 dh | u32 n | 32 mk, oldest first
 *   32   SHA-256 of everything above (detects corruption; it is not a MAC: the blob is secret
 *        local storage, protect it at rest by other means if needed)
 * The decoder is strict and bounded: it checks the length before reading, refuses unknown
 * versions, flag bits, counters out of range, duplicate skipped entries, inconsistent fields,
 * a DHs public key that does not match its secret, trailing bytes and a wrong checksum, all with
 * RatchetError('BAD_STATE'). It returns fresh copies and never aliases its input.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual } from './bytes';
import { curves } from './curves';
import { RatchetError } from './double-ratchet-error';
import { skippedKeyId } from './double-ratchet-primitives';
import { MAX_COUNTER, MAX_PAST_REMOTE_KEYS, MAX_SKIPPED_TOTAL, type RatchetState, type SkippedKey } from './double-ratchet-types';

export const STATE_VERSION = 1;
const MAGIC0 = 0x44;
const MAGIC1 = 0x52;
const FLAG_DHR = 1;
const FLAG_CKS = 2;
const FLAG_CKR = 4;
const SKIPPED_ENTRY = 32 + 4 + 32;
const FIXED = 4 + 64 + 32 + 12 + 2 + 2 + 32;
/** Largest valid blob, in bytes (about 138 KB); anything longer is refused unread. */
export const MAX_STATE_BYTES = FIXED + 3 * 32 + MAX_PAST_REMOTE_KEYS * 32 + MAX_SKIPPED_TOTAL * SKIPPED_ENTRY;

class Out {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.u8(v >>> 8);
    this.u8(v & 0xff);
  }
  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array, len: number): void {
    if (b.length !== len) throw new RatchetError('BAD_STATE', `field of ${b.length} bytes, expected ${len}`);
    this.buf.set(b, this.pos);
    this.pos += len;
  }
}

class In {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RatchetError('BAD_STATE', `truncated at ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u32(): number {
    return ((this.u16() << 16) | this.u16()) >>> 0;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function checkCounter(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RatchetError('BAD_STATE', `${what} out of range`);
}

/** The state as bytes (format above). Throws BAD_STATE for a state that could not be read back. */
export function serialize(state: RatchetState): Uint8Array {
  checkCounter(state.ns, 0xffffffff, 'Ns');
  checkCounter(state.nr, 0xffffffff, 'Nr');
  checkCounter(state.pn, 0xffffffff, 'PN');
  if (state.pastDhr.length > MAX_PAST_REMOTE_KEYS) throw new RatchetError('BAD_STATE', 'too many past DHr keys');
  if (state.skipped.size > MAX_SKIPPED_TOTAL) throw new RatchetError('BAD_STATE', 'too many skipped keys');
  const optional = [state.dhr, state.cks, state.ckr].filter((x) => x !== null).length;
  const size = FIXED + optional * 32 + state.pastDhr.length * 32 + state.skipped.size * SKIPPED_ENTRY;
  const w = new Out(size);
  w.u8(MAGIC0);
  w.u8(MAGIC1);
  w.u8(STATE_VERSION);
  w.u8((state.dhr ? FLAG_DHR : 0) | (state.cks ? FLAG_CKS : 0) | (state.ckr ? FLAG_CKR : 0));
  w.bytes(state.dhs.secretKey, 32);
  w.bytes(state.dhs.publicKey, 32);
  if (state.dhr) w.bytes(state.dhr, 32);
  w.bytes(state.rk, 32);
  if (state.cks) w.bytes(state.cks, 32);
  if (state.ckr) w.bytes(state.ckr, 32);
  w.u32(state.ns);
  w.u32(state.nr);
  w.u32(state.pn);
  w.u16(state.pastDhr.length);
  for (const k of state.pastDhr) w.bytes(k, 32);
  w.u16(state.skipped.size);
  for (const s of state.skipped.values()) {
    checkCounter(s.n, MAX_COUNTER, 'skipped n');
    w.bytes(s.dh, 32);
    w.u32(s.n);
    w.bytes(s.mk, 32);
  }
  w.bytes(sha256(w.buf.subarray(0, w.pos)), 32);
  return w.buf;
}

/** Reads a blob written by serialize(); any defect throws RatchetError('BAD_STATE'). */
export function deserialize(bytes: Uint8Array): RatchetState {
  if (!(bytes instanceof Uint8Array)) throw new RatchetError('BAD_STATE', 'not bytes');
  if (bytes.length < FIXED || bytes.length > MAX_STATE_BYTES) throw new RatchetError('BAD_STATE', `length ${bytes.length}`);
  const body = bytes.subarray(0, bytes.length - 32);
  if (!bytesEqual(sha256(body), bytes.subarray(bytes.length - 32))) throw new RatchetError('BAD_STATE', 'checksum mismatch');
  const r = new In(body);
  if (r.u8() !== MAGIC0 || r.u8() !== MAGIC1) throw new RatchetError('BAD_STATE', 'not a ratchet state');
  const version = r.u8();
  if (version !== STATE_VERSION) throw new RatchetError('BAD_STATE', `unknown version ${version}`);
  const flags = r.u8();
  if ((flags & ~(FLAG_DHR | FLAG_CKS | FLAG_CKR)) !== 0) throw new RatchetError('BAD_STATE', 'unknown flags');
  const secretKey = r.bytes(32);
  const publicKey = r.bytes(32);
  const dhr = flags & FLAG_DHR ? r.bytes(32) : null;
  const rk = r.bytes(32);
  const cks = flags & FLAG_CKS ? r.bytes(32) : null;
  const ckr = flags & FLAG_CKR ? r.bytes(32) : null;
  const ns = r.u32();
  const nr = r.u32();
  const pn = r.u32();
  const pastCount = r.u16();
  if (pastCount > MAX_PAST_REMOTE_KEYS) throw new RatchetError('BAD_STATE', 'too many past DHr keys');
  r.need(pastCount * 32);
  const pastDhr: Uint8Array[] = [];
  for (let i = 0; i < pastCount; i++) pastDhr.push(r.bytes(32));
  const skippedCount = r.u16();
  if (skippedCount > MAX_SKIPPED_TOTAL) throw new RatchetError('BAD_STATE', 'too many skipped keys');
  r.need(skippedCount * SKIPPED_ENTRY);
  const skipped = new Map<string, SkippedKey>();
  for (let i = 0; i < skippedCount; i++) {
    const dh = r.bytes(32);
    const n = r.u32();
    const mk = r.bytes(32);
    checkCounter(n, MAX_COUNTER, 'skipped n');
    const id = skippedKeyId(dh, n);
    if (skipped.has(id)) throw new RatchetError('BAD_STATE', 'duplicate skipped key');
    skipped.set(id, { dh, n, mk });
  }
  if (r.pos !== body.length) throw new RatchetError('BAD_STATE', `${body.length - r.pos} trailing bytes`);
  // Consistency of the spec's variables: a receiving chain needs a DHr; without a sending chain
  // (Bob before his first message in) nothing was sent, received or skipped yet.
  if (ckr !== null && dhr === null) throw new RatchetError('BAD_STATE', 'CKr without DHr');
  if (cks === null && (ns !== 0 || pn !== 0 || dhr !== null || ckr !== null || skipped.size !== 0)) {
    throw new RatchetError('BAD_STATE', 'counters or keys without a sending chain');
  }
  if (ckr === null && nr !== 0) throw new RatchetError('BAD_STATE', 'Nr without CKr');
  let derived: Uint8Array;
  try {
    derived = curves().x25519PublicKey(secretKey);
  } catch {
    throw new RatchetError('BAD_STATE', 'bad DHs secret key');
  }
  if (!bytesEqual(derived, publicKey)) throw new RatchetError('BAD_STATE', 'DHs public key does not match its secret');
  return Object.freeze({ dhs: { secretKey, publicKey }, dhr, rk, cks, ckr, ns, nr, pn, skipped, pastDhr });
}
