/**
 * shared/chat/address.ts: round trips, the byte layout checked with Node's own base64url and
 * SHA-256, the forms a pasted link may take, and every malformed case with its ChatError code
 * (each truncation, each single bit flip, each trailing length, bad fields under a good checksum).
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ADDRESS_PREFIX, decodeAddress, encodeAddress } from '../../../../shared/chat/address';
import { base64urlEncode } from '../../../../shared/chat/base64url';
import { INVITE_SECRET_BYTES, MAX_NAME_BYTES } from '../../../../shared/chat/constants';
import { concatBytes, hexToBytes, utf8 } from '../../../../shared/crypto/bytes';
import { chatCode, flipBit, seededRandom } from '../../../helpers/chat';

const ORIGIN = 'https://chat.example';
const random = seededRandom(20240);
const ik = ed25519.getPublicKey(random(32));
const secret = random(INVITE_SECRET_BYTES);

/** Node's SHA-256, a second implementation for the checksum. */
function nodeChecksum(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest()).subarray(0, 4);
}

/** A payload laid out by hand (the test's own reading of the format), with a correct checksum. */
function payloadOf(
  version: number,
  key: Uint8Array,
  inviteSecret: Uint8Array,
  nameBytes: Uint8Array,
  nameLength = nameBytes.length,
): Uint8Array {
  const body = concatBytes(Uint8Array.of(version), key, inviteSecret, Uint8Array.of(nameLength), nameBytes);
  return concatBytes(body, nodeChecksum(body));
}

function linkOf(payload: Uint8Array): string {
  return `${ORIGIN}/#add/v1.${Buffer.from(payload).toString('base64url')}`;
}

describe('encodeAddress / decodeAddress round trip', () => {
  it.each([
    ['ASCII name', 'Alice'],
    ['accented name', 'Zoë Ångström'],
    ['CJK name', '李小龍'],
    ['emoji with ZWJ', '👩‍💻 dev'],
    ['right-to-left name', 'سارة'],
    ['combining marks', 'e\u0301e\u0301'],
    ['leading byte-order mark kept', '\uFEFFBOM'],
    ['max length ASCII', 'x'.repeat(MAX_NAME_BYTES)],
    ['max length in 4-byte characters', '😀'.repeat(MAX_NAME_BYTES / 4)],
    ['max length with a 3-byte tail', `${'a'.repeat(MAX_NAME_BYTES - 3)}€`],
  ])('%s', (_what, name) => {
    const link = encodeAddress({ identityKey: ik, inviteSecret: secret, name }, ORIGIN);
    const a = decodeAddress(link);
    expect(a).toEqual({ version: 1, identityKey: ik, inviteSecret: secret, name });
  });

  it('without a name, and with an empty one, decodes name as undefined', () => {
    for (const name of [undefined, '']) {
      const a = decodeAddress(encodeAddress({ identityKey: ik, inviteSecret: secret, name }, ORIGIN));
      expect(a).toEqual({ version: 1, identityKey: ik, inviteSecret: secret, name: undefined });
    }
  });

  it('round-trips 50 seeded identities (seed 7)', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const key = ed25519.getPublicKey(rnd(32));
      const s = rnd(INVITE_SECRET_BYTES);
      const name = `user ${i} ${'é'.repeat(i % 20)}`;
      expect(decodeAddress(encodeAddress({ identityKey: key, inviteSecret: s, name }, ORIGIN))).toEqual({
        version: 1,
        identityKey: key,
        inviteSecret: s,
        name,
      });
    }
  });
});

describe('link layout', () => {
  it('is origin/#add/v1.<base64url(payload)> with the documented payload bytes', () => {
    const link = encodeAddress({ identityKey: ik, inviteSecret: secret, name: 'Bob' }, ORIGIN);
    const prefix = `${ORIGIN}/#add/v1.`;
    expect(ADDRESS_PREFIX).toBe('add/v1.');
    expect(link.startsWith(prefix)).toBe(true);
    const payload = new Uint8Array(Buffer.from(link.slice(prefix.length), 'base64url'));
    expect(payload).toEqual(payloadOf(1, ik, secret, utf8.encode('Bob')));
    expect(payload.length).toBe(1 + 32 + 16 + 1 + 3 + 4);
  });

  it('drops trailing slashes of the origin', () => {
    const a = encodeAddress({ identityKey: ik, inviteSecret: secret }, ORIGIN);
    expect(encodeAddress({ identityKey: ik, inviteSecret: secret }, `${ORIGIN}/`)).toBe(a);
    expect(encodeAddress({ identityKey: ik, inviteSecret: secret }, `${ORIGIN}//`)).toBe(a);
  });
});

describe('accepted link forms', () => {
  const link = encodeAddress({ identityKey: ik, inviteSecret: secret, name: 'Carol' }, ORIGIN);
  const fragment = link.slice(link.indexOf('#'));
  const expected = { version: 1, identityKey: ik, inviteSecret: secret, name: 'Carol' };
  it.each([
    ['full URL', link],
    ['bare #fragment', fragment],
    ['fragment without #', fragment.slice(1)],
    ['surrounding spaces', `  ${link}  `],
    ['surrounding newlines and tabs', `\n\t${link}\r\n`],
    ['another origin with a path', `http://localhost:5173/app/${fragment}`],
    ['a query before the hash', `${ORIGIN}/?utm=x&y=1${fragment}`],
  ])('%s', (_what, text) => {
    expect(decodeAddress(text)).toEqual(expected);
  });
});

describe('malformed links', () => {
  const link = encodeAddress({ identityKey: ik, inviteSecret: secret, name: 'Dave' }, ORIGIN);
  const encoded = link.slice(link.indexOf(ADDRESS_PREFIX) + ADDRESS_PREFIX.length);
  const payload = new Uint8Array(Buffer.from(encoded, 'base64url'));

  it.each([
    ['empty', '', 'BAD_LINK'],
    ['whitespace only', '   ', 'BAD_LINK'],
    ['plain text', 'hello', 'BAD_LINK'],
    ['URL without a fragment', `${ORIGIN}/add/v1.${encoded}`, 'BAD_LINK'],
    ['other fragment', `${ORIGIN}/#chat/v1.${encoded}`, 'BAD_LINK'],
    ['upper-case prefix', `#ADD/v1.${encoded}`, 'BAD_LINK'],
    ['no dot after the version', `add/v1${encoded}`, 'BAD_LINK'],
    ['no v before the version', `add/1.${encoded}`, 'BAD_LINK'],
    ['leading zero in the version', `add/v01.${encoded}`, 'BAD_LINK'],
    ['version 2', `add/v2.${encoded}`, 'UNSUPPORTED_VERSION'],
    ['version 0', `add/v0.${encoded}`, 'UNSUPPORTED_VERSION'],
    ['no payload', 'add/v1.', 'BAD_LINK'],
    ['padding', `add/v1.${encoded}==`, 'BAD_LINK'],
    ['one padding character', `add/v1.${encoded}=`, 'BAD_LINK'],
    ['standard base64 alphabet', `add/v1.${Buffer.from(payload).toString('base64')}`, 'BAD_LINK'],
    ['inner space', `add/v1.${encoded.slice(0, 10)} ${encoded.slice(10)}`, 'BAD_LINK'],
    ['inner line break', `add/v1.${encoded.slice(0, 40)}\n${encoded.slice(40)}`, 'BAD_LINK'],
    ['a query after the payload', `add/v1.${encoded}?x=1`, 'BAD_LINK'],
    ['a second fragment', `${link}#more`, 'BAD_LINK'],
    ['very long input', `add/v1.${'A'.repeat(100_000)}`, 'BAD_LINK'],
  ])('%s → %s', (_what, text, code) => {
    expect(chatCode(() => decodeAddress(text))).toBe(code);
  });

  it('every truncation of the payload is BAD_LINK', () => {
    for (let n = 0; n < payload.length; n++) {
      expect(
        chatCode(() => decodeAddress(linkOf(payload.subarray(0, n)))),
        `${n} bytes`,
      ).toBe('BAD_LINK');
    }
  });

  it('every truncation of the link text is BAD_LINK', () => {
    for (let n = 0; n < link.length; n++) {
      expect(
        chatCode(() => decodeAddress(link.slice(0, n))),
        `${n} characters`,
      ).toBe('BAD_LINK');
    }
  });

  it('trailing bytes (1..80) are BAD_LINK, with or without a checksum over them', () => {
    for (let n = 1; n <= 80; n++) {
      const extra = new Uint8Array(n).fill(n);
      expect(chatCode(() => decodeAddress(linkOf(concatBytes(payload, extra))))).toBe('BAD_LINK');
      const body = concatBytes(payload.subarray(0, payload.length - 4), extra);
      expect(chatCode(() => decodeAddress(linkOf(concatBytes(body, nodeChecksum(body)))))).toBe('BAD_LINK');
    }
  });

  it('every single bit flip is caught: version byte → UNSUPPORTED_VERSION, name length → BAD_LINK, else BAD_CHECKSUM', () => {
    const nameLengthAt = 1 + 32 + INVITE_SECRET_BYTES;
    for (let bit = 0; bit < payload.length * 8; bit++) {
      const at = bit >> 3;
      const expected = at === 0 ? 'UNSUPPORTED_VERSION' : at === nameLengthAt ? 'BAD_LINK' : 'BAD_CHECKSUM';
      expect(
        chatCode(() => decodeAddress(linkOf(flipBit(payload, bit)))),
        `bit ${bit}`,
      ).toBe(expected);
    }
  });

  it('non-canonical base64url (non-zero unused bits) is BAD_LINK', () => {
    // 58 payload bytes: the text ends in a 2-character group whose last 4 bits are unused.
    expect(payload.length % 3).toBe(1);
    const last = encoded.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bumped = alphabet[alphabet.indexOf(last) + 1]!;
    expect(chatCode(() => decodeAddress(`add/v1.${encoded.slice(0, -1)}${bumped}`))).toBe('BAD_LINK');
  });

  describe('bad fields under a good checksum', () => {
    it('version byte 2 → UNSUPPORTED_VERSION', () => {
      expect(chatCode(() => decodeAddress(linkOf(payloadOf(2, ik, secret, utf8.encode('x')))))).toBe('UNSUPPORTED_VERSION');
    });

    it('a name length byte over MAX_NAME_BYTES is named as such, not as a truncation', () => {
      const name = new Uint8Array(MAX_NAME_BYTES).fill(0x61);
      const payload = payloadOf(1, ik, secret, name, MAX_NAME_BYTES + 1);
      expect(() => decodeAddress(linkOf(payload))).toThrow(`BAD_LINK: name length ${MAX_NAME_BYTES + 1} over ${MAX_NAME_BYTES}`);
    });

    it('name length over MAX_NAME_BYTES → BAD_LINK, even with that many name bytes', () => {
      const name = new Uint8Array(MAX_NAME_BYTES + 1).fill(0x61);
      expect(chatCode(() => decodeAddress(linkOf(payloadOf(1, ik, secret, name))))).toBe('BAD_LINK');
      expect(chatCode(() => decodeAddress(linkOf(payloadOf(1, ik, secret, name.subarray(0, MAX_NAME_BYTES)))))).toBe('NONE');
    });

    it.each([
      ['lone continuation byte', '80'],
      ['overlong encoding of /', 'c0af'],
      ['UTF-16 surrogate', 'eda080'],
      ['cut 4-byte sequence', '41f09f98'],
      ['0xFF', '41ff42'],
      ['code point over U+10FFFF', 'f4908080'],
    ])('invalid UTF-8 name (%s) → BAD_LINK', (_what, hex) => {
      expect(chatCode(() => decodeAddress(linkOf(payloadOf(1, ik, secret, hexToBytes(hex)))))).toBe('BAD_LINK');
    });

    it.each([
      ['the identity point (small order)', `01${'00'.repeat(31)}`],
      ['a point of order 2', `ec${'ff'.repeat(30)}7f`],
      ['y = p, a non-canonical encoding', `ed${'ff'.repeat(30)}7f`],
      ['y with no x on the curve', `02${'00'.repeat(31)}`],
    ])('identity key that is %s → BAD_LINK', (_what, hex) => {
      expect(chatCode(() => decodeAddress(linkOf(payloadOf(1, hexToBytes(hex), secret, new Uint8Array(0)))))).toBe('BAD_LINK');
    });
  });
});

describe('encodeAddress refuses what would not decode (BAD_ARGUMENT)', () => {
  it.each([
    ['a 31-byte identity key', { identityKey: ik.subarray(1), inviteSecret: secret }, ORIGIN],
    ['a small-order identity key', { identityKey: hexToBytes(`01${'00'.repeat(31)}`), inviteSecret: secret }, ORIGIN],
    ['a 15-byte invite secret', { identityKey: ik, inviteSecret: secret.subarray(1) }, ORIGIN],
    ['a name over MAX_NAME_BYTES', { identityKey: ik, inviteSecret: secret, name: 'é'.repeat(MAX_NAME_BYTES / 2 + 1) }, ORIGIN],
    ['a lone surrogate in the name', { identityKey: ik, inviteSecret: secret, name: 'a\uD800b' }, ORIGIN],
    ['an origin with #', { identityKey: ik, inviteSecret: secret }, 'https://x/#y'],
    ['an origin with a space', { identityKey: ik, inviteSecret: secret }, 'https://x y'],
  ])('%s', (_what, fields, origin) => {
    expect(chatCode(() => encodeAddress(fields, origin))).toBe('BAD_ARGUMENT');
  });

  it('keeps the base64url of the payload canonical (our encoder, Node decoder agree)', () => {
    const link = encodeAddress({ identityKey: ik, inviteSecret: secret, name: 'Eve' }, ORIGIN);
    const encoded = link.slice(link.indexOf(ADDRESS_PREFIX) + ADDRESS_PREFIX.length);
    expect(base64urlEncode(new Uint8Array(Buffer.from(encoded, 'base64url')))).toBe(encoded);
  });
});
