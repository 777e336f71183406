import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../../shared/protocol/byte-io';
import { WireError } from '../../../../shared/protocol/wire-error';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { decode, encode } from '../../../../shared/protocol/wire';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return (e as WireError).code;
  }
  return undefined;
}

describe('Writer / Reader', () => {
  it('writes big-endian integers and grows past its initial capacity', () => {
    const w = new Writer(2);
    w.u8(0xab)
      .u16(0x1234)
      .u32(0xdeadbeef)
      .u53(2 ** 53 - 1)
      .u53(0x1_0000_0002)
      .bytes(new Uint8Array([9, 8]));
    expect(bytesToHex(w.copy())).toBe('ab' + '1234' + 'deadbeef' + '001fffff' + 'ffffffff' + '00000001' + '00000002' + '0908');
  });

  it('a reset writer starts over, and each copy() is independent of the writer and of other copies', () => {
    const w = new Writer(4);
    const a = w.u32(0x01020304).u8(5).copy();
    const b = w.reset().u8(9).copy();
    w.reset().u32(0xffffffff);
    expect([...a]).toEqual([1, 2, 3, 4, 5]);
    expect([...b]).toEqual([9]);
  });

  it('encode twice in a row: the second frame does not overwrite the first (one shared writer)', () => {
    const one = encode({ type: 'find_node', rid: 1, target: new Uint8Array(20).fill(1) });
    const two = encode({ type: 'ping', rid: 2 });
    expect(decode(one)).toMatchObject({ type: 'find_node', rid: 1 });
    expect(decode(two)).toEqual({ type: 'ping', rid: 2 });
  });

  it('reads back what was written, and end() accepts only an exactly consumed buffer', () => {
    const f = new Writer()
      .u8(7)
      .u16(65535)
      .u32(2 ** 32 - 1)
      .u53(123456789012345)
      .bytes(new Uint8Array([1, 2, 3]))
      .copy();
    const r = new Reader(f);
    expect([r.u8(), r.u16(), r.u32(), r.u53()]).toEqual([7, 65535, 2 ** 32 - 1, 123456789012345]);
    expect(code(() => r.end())).toBe('TRAILING_BYTES');
    expect([...r.bytes(3)]).toEqual([1, 2, 3]);
    expect(r.remaining).toBe(0);
    expect(code(() => r.end())).toBeUndefined();
  });

  it('never reads past the end: TRUNCATED, without consuming', () => {
    const r = new Reader(new Uint8Array([1, 2, 3]));
    expect(code(() => r.u32())).toBe('TRUNCATED');
    expect(r.remaining).toBe(3);
    expect(code(() => r.bytes(4))).toBe('TRUNCATED');
    expect(r.u16()).toBe(0x0102);
    expect(code(() => r.u16())).toBe('TRUNCATED');
  });

  it('u53 rejects values above 2^53 - 1', () => {
    expect(code(() => new Reader(new Uint8Array([0, 0x20, 0, 0, 0, 0, 0, 0])).u53())).toBe('BAD_VALUE');
    expect(new Reader(new Uint8Array([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).u53()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('length() checks the bound before anything is read or allocated', () => {
    expect(code(() => new Reader(new Uint8Array([33])).length(1, 32, 'nodes'))).toBe('LENGTH_OUT_OF_RANGE');
    expect(code(() => new Reader(new Uint8Array([0xff, 0xff])).length(2, 6000, 'payload'))).toBe('LENGTH_OUT_OF_RANGE');
    expect(new Reader(new Uint8Array([0x17, 0x70])).length(2, 6000, 'payload')).toBe(6000);
  });

  it('bytes() copies: the result does not alias the input', () => {
    const src = new Uint8Array([1, 2, 3, 4]);
    const r = new Reader(src);
    const a = r.bytes(2);
    const b = r.bytes(2);
    src.fill(0);
    expect([...a, ...b]).toEqual([1, 2, 3, 4]);
  });
});
