import { describe, expect, it } from 'vitest';
import { IdList } from '../../../../shared/protocol/id-list';
import { bytesToHex } from '../../../../shared/crypto/bytes';

const id = (b: number) => new Uint8Array(20).fill(b);

describe('IdList', () => {
  it('packs ids back to back and reads each one back as a view (no copy)', () => {
    const l = IdList.of([id(1), id(2), id(3)]);
    expect(l.length).toBe(3);
    expect(l.bytes.length).toBe(60);
    expect(l.toArray().map(bytesToHex)).toEqual([id(1), id(2), id(3)].map(bytesToHex));
    const second = l.at(1);
    l.bytes[20] = 9;
    expect(second[0]).toBe(9);
  });

  it('an empty list has no ids', () => {
    expect(IdList.of([]).length).toBe(0);
    expect(new IdList(new Uint8Array(0)).toArray()).toEqual([]);
  });

  it('refuses a buffer that is not whole ids, an id of the wrong size, and an index out of range', () => {
    expect(() => new IdList(new Uint8Array(21))).toThrow(RangeError);
    expect(() => IdList.of([id(1), new Uint8Array(19)])).toThrow(/id 1 is 19 bytes/);
    const l = IdList.of([id(1)]);
    expect(() => l.at(1)).toThrow(RangeError);
    expect(() => l.at(-1)).toThrow(RangeError);
    expect(() => l.at(0.5)).toThrow(RangeError);
  });
});
