/**
 * The id-word layout: ids and XOR distances as five 32-bit words, so that sorting by distance
 * compares small integers instead of bytes, and holding an id costs no byte array. Only this
 * module, the routing table's bucket mirror and the lookup engine know the layout; everything else
 * sees `NodeId` bytes and hex.
 *
 * Distances are stored as signed integers with the top bit flipped, so that signed order is
 * unsigned order and V8 keeps them as small integers.
 */
import type { NodeId } from '../node-id';

/** Big-endian 32-bit word of id at byte offset o, as a signed int (a small integer in V8). */
export function word(id: Uint8Array, o: number): number {
  return (id[o]! << 24) | (id[o + 1]! << 16) | (id[o + 2]! << 8) | id[o + 3]!;
}

/** Write w as a big-endian 32-bit word at byte offset o. */
export function putWord(buf: Uint8Array, o: number, w: number): void {
  buf[o] = w >>> 24;
  buf[o + 1] = (w >>> 16) & 0xff;
  buf[o + 2] = (w >>> 8) & 0xff;
  buf[o + 3] = w & 0xff;
}

/** A distance to some target, as five words (top bit flipped). */
export interface Dist {
  readonly d0: number;
  readonly d1: number;
  readonly d2: number;
  readonly d3: number;
  readonly d4: number;
}

/** A scratch distance a caller fills and reads right away. */
export interface MutableDist {
  d0: number;
  d1: number;
  d2: number;
  d3: number;
  d4: number;
}

/** A lookup target's words, top bit flipped, ready to XOR with an id's words. */
export class TargetWords {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly t4: number;

  constructor(readonly target: NodeId) {
    this.t0 = word(target, 0) ^ 0x80000000;
    this.t1 = word(target, 4) ^ 0x80000000;
    this.t2 = word(target, 8) ^ 0x80000000;
    this.t3 = word(target, 12) ^ 0x80000000;
    this.t4 = word(target, 16) ^ 0x80000000;
  }
}

/**
 * An id held only as five inline words (routing-table contacts). `id` builds a fresh copy of the
 * bytes on demand, for the few places that need them.
 */
export class WordId {
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly w4: number;

  constructor(id: NodeId) {
    this.w0 = word(id, 0);
    this.w1 = word(id, 4);
    this.w2 = word(id, 8);
    this.w3 = word(id, 12);
    this.w4 = word(id, 16);
  }

  /** The id's 20 bytes (a fresh array on every read). */
  get id(): NodeId {
    const out = new Uint8Array(20);
    this.writeId(out, 0);
    return out;
  }

  /** Write the id's 20 bytes into buf at offset o. */
  writeId(buf: Uint8Array, o: number): void {
    putWord(buf, o, this.w0);
    putWord(buf, o + 4, this.w1);
    putWord(buf, o + 8, this.w2);
    putWord(buf, o + 12, this.w3);
    putWord(buf, o + 16, this.w4);
  }

  /** Whether this id equals `id` (no allocation). */
  is(id: NodeId): boolean {
    return (
      this.w0 === word(id, 0) && this.w1 === word(id, 4) && this.w2 === word(id, 8) && this.w3 === word(id, 12) && this.w4 === word(id, 16)
    );
  }

  /** This id's distance to the target, into `out` (no allocation). */
  distanceTo(t: TargetWords, out: MutableDist): void {
    out.d0 = this.w0 ^ t.t0;
    out.d1 = this.w1 ^ t.t1;
    out.d2 = this.w2 ^ t.t2;
    out.d3 = this.w3 ^ t.t3;
    out.d4 = this.w4 ^ t.t4;
  }
}

/** Word j of the distance from the id at offset o of b to t (at offset to), top bit flipped. */
export function dword(b: Uint8Array, o: number, t: NodeId, to: number): number {
  return (
    (((b[o]! ^ t[to]!) << 24) | ((b[o + 1]! ^ t[to + 1]!) << 16) | ((b[o + 2]! ^ t[to + 2]!) << 8) | (b[o + 3]! ^ t[to + 3]!)) ^ 0x80000000
  );
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
export function putDist(id: Uint8Array, o: number, d: number, t: NodeId): void {
  const x = d ^ 0x80000000;
  id[o] = (x >>> 24) ^ t[o]!;
  id[o + 1] = ((x >>> 16) & 0xff) ^ t[o + 1]!;
  id[o + 2] = ((x >>> 8) & 0xff) ^ t[o + 2]!;
  id[o + 3] = (x & 0xff) ^ t[o + 3]!;
}

/** Sign of d(a) - d(b) to the target words t, for two ids' words at offsets a and b of w. */
export function cmpWordSlots(w: readonly number[], a: number, b: number, t: readonly number[]): number {
  for (let j = 0; j < 5; j++) {
    const tj = t[j]!;
    const ka = (w[a + j]! ^ tj) >>> 0;
    const kb = (w[b + j]! ^ tj) >>> 0;
    if (ka !== kb) return ka - kb;
  }
  return 0;
}
