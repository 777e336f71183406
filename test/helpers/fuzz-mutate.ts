/**
 * Structured mutations for the fuzzers (test/tools/fuzz.ts): each takes a valid frame and a seeded
 * rng and returns a new byte string. Byte-level ones suit any frame (bit flips, truncation,
 * concatenation, splices); `lengthRewrite` rewrites the numbers a frame states about itself (JSON
 * numbers and string lengths in text frames; a target for binary frames passes its own length
 * fields with `lengthAt`); `nest` wraps values in deep arrays and objects.
 */
import type { Rng } from '../../shared/env/rng';

export type Mutator = (input: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]) => Uint8Array;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function bitFlips(input: Uint8Array, rng: Rng): Uint8Array {
  const out = input.slice();
  if (out.length === 0) return out;
  const n = 1 + rng.int(Math.min(8, out.length));
  for (let i = 0; i < n; i++) out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return out;
}

export function truncate(input: Uint8Array, rng: Rng): Uint8Array {
  return input.slice(0, rng.int(input.length + 1));
}

/** Two frames (or one twice) back to back, or one cut into the middle of another. */
export function concatenate(input: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]): Uint8Array {
  const other = corpus[rng.int(corpus.length)] ?? input;
  if (rng.next() < 0.5) {
    const out = new Uint8Array(input.length + other.length);
    out.set(input);
    out.set(other, input.length);
    return out;
  }
  const at = rng.int(input.length + 1);
  const from = rng.int(other.length + 1);
  const piece = other.subarray(from);
  const out = new Uint8Array(at + piece.length);
  out.set(input.subarray(0, at));
  out.set(piece, at);
  return out;
}

/** A slice of the frame repeated in place (lengths that grow: repeated fields, long strings). */
export function repeat(input: Uint8Array, rng: Rng): Uint8Array {
  if (input.length === 0) return input;
  const a = rng.int(input.length);
  const b = Math.min(input.length, a + 1 + rng.int(64));
  const times = 1 + rng.int(rng.next() < 0.1 ? 400 : 8);
  const piece = input.subarray(a, b);
  const out = new Uint8Array(input.length + piece.length * times);
  out.set(input.subarray(0, b));
  for (let t = 0; t < times; t++) out.set(piece, b + t * piece.length);
  out.set(input.subarray(b), b + times * piece.length);
  return out.subarray(0, Math.min(out.length, 64 * 1024));
}

const INTERESTING = [
  '0',
  '-1',
  '1e20',
  '1e400',
  '-0',
  '0.5',
  '2147483647',
  '2147483648',
  '4294967296',
  '9007199254740993',
  '1E+2',
  '00',
  '1.',
  '.5',
  'NaN',
];

/**
 * Rewrite what a frame says about sizes: in text, a JSON number replaced by an edge value, or a
 * string made shorter or far longer; in a binary frame, a byte at `lengthAt` (the target's
 * length fields) set to an edge value.
 */
export function lengthRewrite(input: Uint8Array, rng: Rng, lengthAt?: (input: Uint8Array) => number[]): Uint8Array {
  const fields = lengthAt?.(input);
  if (fields && fields.length > 0) {
    const out = input.slice();
    const at = fields[rng.int(fields.length)]!;
    out[at] = [0, 1, 0x7f, 0x80, 0xff, out[at]! + 1, out[at]! - 1][rng.int(7)]! & 0xff;
    return out;
  }
  const text = dec.decode(input);
  if (rng.next() < 0.5) {
    const nums = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (nums.length > 0) {
      const m = nums[rng.int(nums.length)]!;
      const v = INTERESTING[rng.int(INTERESTING.length)]!;
      return enc.encode(text.slice(0, m.index) + v + text.slice(m.index! + m[0].length));
    }
  }
  const strs = [...text.matchAll(/"(?:[^"\\]|\\.)*"/g)];
  if (strs.length === 0) return input;
  const m = strs[rng.int(strs.length)]!;
  const inner = m[0].slice(1, -1);
  const grown = rng.next() < 0.5 ? inner.slice(0, rng.int(inner.length + 1)) : inner + 'a'.repeat(rng.int(rng.next() < 0.2 ? 20_000 : 64));
  return enc.encode(`${text.slice(0, m.index)}"${grown}"${text.slice(m.index! + m[0].length)}`);
}

/** Wrap a value of the frame (or the frame) in many arrays or objects: depth 1 to 5,000. */
export function nest(input: Uint8Array, rng: Rng): Uint8Array {
  const text = dec.decode(input);
  const depth = rng.next() < 0.3 ? 1 + rng.int(5000) : 1 + rng.int(40);
  const arrays = rng.next() < 0.7;
  const open = arrays ? '['.repeat(depth) : '{"a":'.repeat(depth);
  const close = arrays ? ']'.repeat(depth) : '}'.repeat(depth);
  // the value after a ':' if there is one, else the whole frame
  const colons = [...text.matchAll(/:/g)];
  if (colons.length === 0 || rng.next() < 0.15) return enc.encode(open + text + close);
  const at = colons[rng.int(colons.length)]!.index! + 1;
  // wrap up to the next ',' or '}' at this level (approximately: good enough to stay mostly valid)
  let end = at;
  let d = 0;
  let inStr = false;
  for (; end < text.length; end++) {
    const c = text[end]!;
    if (inStr) {
      if (c === '\\') end++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '[' || c === '{') d++;
    else if (c === ']' || c === '}') {
      if (d === 0) break;
      d--;
    } else if (c === ',' && d === 0) break;
  }
  return enc.encode(text.slice(0, at) + open + text.slice(at, end) + close + text.slice(end));
}

export const MUTATORS: readonly [string, Mutator][] = [
  ['bitflip', bitFlips],
  ['truncate', truncate],
  ['concat', concatenate],
  ['repeat', repeat],
  ['length', (i, r) => lengthRewrite(i, r)],
  ['nest', nest],
];

/** One to three mutations in a row, picked at random; returns the result and the names applied. */
export function mutate(
  input: Uint8Array,
  rng: Rng,
  corpus: readonly Uint8Array[],
  mutators: readonly [string, Mutator][] = MUTATORS,
): { out: Uint8Array; applied: string[] } {
  let out = input;
  const applied: string[] = [];
  const n = 1 + (rng.next() < 0.3 ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const [name, m] = mutators[rng.int(mutators.length)]!;
    out = m(out, rng, corpus);
    applied.push(name);
  }
  return { out, applied };
}
