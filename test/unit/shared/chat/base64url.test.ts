/**
 * shared/chat/base64url.ts: RFC 4648 §10 test vectors (in the URL-safe alphabet, unpadded), a
 * cross-check against Node's Buffer over seeded random inputs, and the strict decoder's refusals.
 */
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from '../../../../shared/chat/base64url';
import { utf8 } from '../../../../shared/crypto/bytes';
import { SeededRng } from '../../../../shared/env/rng';

// RFC 4648 §10, BASE64 column with the padding removed (these inputs use no `+` or `/`).
const RFC4648: Array<[string, string]> = [
  ['', ''],
  ['f', 'Zg'],
  ['fo', 'Zm8'],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg'],
  ['fooba', 'Zm9vYmE'],
  ['foobar', 'Zm9vYmFy'],
];

describe('base64url', () => {
  for (const [plain, encoded] of RFC4648) {
    it(`RFC 4648 vector "${plain}"`, () => {
      expect(base64urlEncode(utf8.encode(plain))).toBe(encoded);
      expect(base64urlDecode(encoded)).toEqual(utf8.encode(plain));
    });
  }

  it('uses - and _ for 62 and 63', () => {
    expect(base64urlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(base64urlDecode('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
  });

  it('matches Buffer base64url on seeded random inputs of every length 0..200 (seed 11)', () => {
    const rng = new SeededRng(11);
    for (let n = 0; n <= 200; n++) {
      const bytes = rng.bytes(n);
      const expected = Buffer.from(bytes).toString('base64url');
      expect(base64urlEncode(bytes)).toBe(expected);
      expect(base64urlDecode(expected)).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'Zg=='],
    ['one padding char', 'Zm8='],
    ['standard alphabet +', 'ab+d'],
    ['standard alphabet /', 'ab/d'],
    ['inner space', 'Zm9v Yg'],
    ['trailing newline', 'Zm9v\n'],
    ['dot', 'Zm9v.'],
    ['non-ASCII', 'Zm9vé'],
    ['length 1 mod 4', 'Zm9vY'],
    ['single character', 'Z'],
    ['length 1 mod 4 whose extra character is zero bits', 'Zm9vA'],
    ['single zero character', 'A'],
    ['non-zero unused bits after 2 characters', 'Zh'],
    ['non-zero unused bits after 3 characters', 'Zm9'],
  ])('refuses %s', (_what, text) => {
    expect(base64urlDecode(text)).toBeNull();
  });

  it('accepts exactly one spelling per byte string: every 2- and 3-character string decodes to itself', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let accepted2 = 0;
    for (const a of alphabet) {
      for (const b of alphabet) {
        const d = base64urlDecode(a + b);
        if (d) {
          accepted2++;
          expect(base64urlEncode(d)).toBe(a + b);
        }
      }
    }
    // One byte has 256 values: exactly 256 of the 4096 two-character strings are canonical.
    expect(accepted2).toBe(256);
  });
});
