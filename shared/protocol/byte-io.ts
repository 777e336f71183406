/** Bounded binary reader/writer used by the wire codec. The reader never reads past its end. */
import { WireError } from './wire-error';

export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = (v >>> 24) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
    return this;
  }
  /** Unsigned integer up to 2^53-1, as two big-endian u32 words. */
  u53(v: number): this {
    this.u32(Math.floor(v / 2 ** 32));
    return this.u32(v % 2 ** 32);
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    if (b.length <= 32) {
      // Small copies (node ids) are faster as a loop than through TypedArray.set.
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += b.length;
    return this;
  }

  /** Start over (the buffer is kept: a writer reused for every frame allocates only its copies). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A fresh copy of the written bytes. */
  copy(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class Reader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError('TRUNCATED', `need ${n} at ${this.pos}/${this.buf.length}`);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }
  u53(): number {
    const hi = this.u32();
    const lo = this.u32();
    if (hi >= 2 ** 21) throw new WireError('BAD_VALUE', 'integer above 2^53-1');
    return hi * 2 ** 32 + lo;
  }
  /** A copy of the next n bytes (copies, so decoded messages never alias the frame). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** A length read from the wire, checked against [0, max] before anything is allocated. */
  length(width: 1 | 2, max: number, what: string): number {
    const n = width === 1 ? this.u8() : this.u16();
    if (n > max) throw new WireError('LENGTH_OUT_OF_RANGE', `${what} length ${n} > ${max}`);
    return n;
  }
  end(): void {
    if (this.pos !== this.buf.length) throw new WireError('TRAILING_BYTES', `${this.buf.length - this.pos} bytes`);
  }
}

/** Run a decoder; a Reader's RangeError (truncated or malformed input) becomes null. */
export function decodeOrNull<T>(decode: () => T | null): T | null {
  try {
    return decode();
  } catch {
    return null;
  }
}
