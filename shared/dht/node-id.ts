/** 160-bit node ids and targets, the XOR metric, and helpers that never allocate on the hot path. */
import { ID_BITS, ID_BYTES } from './constants';
import type { Rng } from '../env/rng';
import { bytesToHex } from '../crypto/bytes';

export type NodeId = Uint8Array;

export function isNodeId(x: Uint8Array): boolean {
  return x.length === ID_BYTES;
}

/** Number of leading bits a and b share (160 when equal). */
export function commonPrefixLength(a: NodeId, b: NodeId): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/** Sign of d(a,t) - d(b,t) under the XOR metric: negative when a is closer to t. */
export function compareDistance(a: NodeId, b: NodeId, target: NodeId): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

/** The first 32 bits of d(a, t) as an unsigned integer: a cheap sort key (ties need compareDistance). */
export function distancePrefix32(a: NodeId, t: NodeId): number {
  return (((a[0]! ^ t[0]!) << 24) | ((a[1]! ^ t[1]!) << 16) | ((a[2]! ^ t[2]!) << 8) | (a[3]! ^ t[3]!)) >>> 0;
}

/** XOR distance as a fresh byte array (for display and tests; the core uses compareDistance). */
export function distance(a: NodeId, b: NodeId): Uint8Array {
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Bit i (0 = most significant) of id. */
export function bitAt(id: NodeId, i: number): number {
  return (id[i >> 3]! >> (7 - (i & 7))) & 1;
}

/** The s bits of id starting at bit `from`, as an integer (s <= 8). */
export function bitsAt(id: NodeId, from: number, s: number): number {
  let v = 0;
  for (let i = 0; i < s; i++) v = (v << 1) | bitAt(id, from + i);
  return v;
}

export function randomId(rng: Rng): NodeId {
  return rng.bytes(ID_BYTES);
}

/**
 * A random id that shares exactly `cpl` leading bits with `self` (so it falls in routing level cpl),
 * with the `s` bits after the differing bit set to `sub`.
 */
export function randomIdAtLevel(self: NodeId, cpl: number, rng: Rng, s = 0, sub = 0): NodeId {
  const id = rng.bytes(ID_BYTES);
  const setBit = (i: number, v: number) => {
    const byte = i >> 3;
    const mask = 1 << (7 - (i & 7));
    id[byte] = v ? id[byte]! | mask : id[byte]! & ~mask;
  };
  for (let i = 0; i < cpl && i < ID_BITS; i++) setBit(i, bitAt(self, i));
  if (cpl < ID_BITS) setBit(cpl, bitAt(self, cpl) ^ 1);
  for (let i = 0; i < s && cpl + 1 + i < ID_BITS; i++) setBit(cpl + 1 + i, (sub >> (s - 1 - i)) & 1);
  return id;
}

export function idToHex(id: NodeId): string {
  return bytesToHex(id);
}
