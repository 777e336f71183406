/** A routing-table contact: a peer's id (as five integer words), liveness and RTT estimate. */
import { ID_BYTES } from './constants';
import type { NodeId } from './node-id';
import type { RttSample } from './rtt';
import type { Bucket } from './routing-table';

/**
 * A routing-table entry. Its id is kept only as five signed 32-bit words, inline (small integers,
 * no boxing): sorting by distance and writing NODES answers never leave the object, and a table
 * holds no per-contact byte array (at 10,000 simulated nodes those arrays were a third of the
 * heap). `id` builds a fresh copy on demand, for the few places that need bytes.
 */
export class Contact implements RttSample {
  readonly p32: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly w4: number;
  lastSeen: number;
  failures = 0;
  srtt = 0;
  rttvar = 0;
  /** The bucket holding this contact (unset while it is only a replacement). */
  bucket: Bucket | undefined = undefined;

  constructor(
    id: NodeId,
    readonly hex: string,
    now: number,
  ) {
    this.p32 = word(id, 0);
    this.w1 = word(id, 4);
    this.w2 = word(id, 8);
    this.w3 = word(id, 12);
    this.w4 = word(id, 16);
    this.lastSeen = now;
  }

  /** The id's 20 bytes (a fresh array on every read). */
  get id(): NodeId {
    const out = new Uint8Array(ID_BYTES);
    this.writeId(out, 0);
    return out;
  }

  /** Write the id's 20 bytes into buf at offset o. */
  writeId(buf: Uint8Array, o: number): void {
    putWord(buf, o, this.p32);
    putWord(buf, o + 4, this.w1);
    putWord(buf, o + 8, this.w2);
    putWord(buf, o + 12, this.w3);
    putWord(buf, o + 16, this.w4);
  }

  /** Whether this contact's id equals `id` (no allocation). */
  is(id: NodeId): boolean {
    return this.p32 === word(id, 0) && this.w1 === word(id, 4) && this.w2 === word(id, 8) && this.w3 === word(id, 12) && this.w4 === word(id, 16);
  }
}

/** Write w as a big-endian 32-bit word at byte offset o. */
export function putWord(buf: Uint8Array, o: number, w: number): void {
  buf[o] = w >>> 24;
  buf[o + 1] = (w >>> 16) & 0xff;
  buf[o + 2] = (w >>> 8) & 0xff;
  buf[o + 3] = w & 0xff;
}

/** Big-endian 32-bit word of id at byte offset o, as a signed int (a small integer in V8). */
export function word(id: NodeId, o: number): number {
  return (id[o]! << 24) | (id[o + 1]! << 16) | (id[o + 2]! << 8) | id[o + 3]!;
}
