/** The app's pure parts: routes, error texts by code, days, and the device settings' parsers. */
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../../../shared/chat/errors';
import { dayText, errorText, STORAGE_TEXT } from '../../../../web/app/format';
import { checkSignalUrl, formatIceServers, parseIceServers } from '../../../../web/app/local-settings';
import { hrefOf, parseRoute } from '../../../../web/app/router';

const ID = 'ab'.repeat(32);

describe('routes', () => {
  it('parses every route and writes it back', () => {
    for (const r of [
      { view: 'contacts' },
      { view: 'chat', id: ID },
      { view: 'details', id: ID },
      { view: 'add' },
      { view: 'share' },
      { view: 'network' },
      { view: 'settings' },
    ] as const) {
      expect(parseRoute(hrefOf(r))).toEqual(r);
    }
  });

  it('treats an address link as a request to add, and anything unknown as the list', () => {
    expect(parseRoute('#add/v1.AAAA', 'https://x.example/#add/v1.AAAA')).toEqual({
      view: 'add-link',
      link: 'https://x.example/#add/v1.AAAA',
    });
    expect(parseRoute('')).toEqual({ view: 'contacts' });
    expect(parseRoute('#/chat/not-an-id')).toEqual({ view: 'contacts' });
    expect(parseRoute(`#/chat/${ID.toUpperCase()}`)).toEqual({ view: 'contacts' });
    expect(parseRoute('#/whatever')).toEqual({ view: 'contacts' });
  });
});

describe('error texts', () => {
  it('has a sentence for every code', () => {
    for (const code of [
      'BAD_LINK',
      'BAD_CHECKSUM',
      'UNSUPPORTED_VERSION',
      'SELF_ADD',
      'DUPLICATE_CONTACT',
      'UNKNOWN_CONTACT',
      'BAD_STATE',
      'BAD_ARGUMENT',
      'NOT_FOUND',
      'BAD_BACKUP',
      'WRONG_PASSPHRASE',
      'CLOSED',
    ] as const) {
      const t = errorText(new ChatError(code));
      expect(t).not.toMatch(/Something went wrong/);
      expect(t).not.toContain(code);
    }
    expect(errorText(new Error('boom'))).toBe('Something went wrong: boom');
  });

  it('says what to do when storage is full, from the chat or from the browser', () => {
    expect(errorText(new ChatError('STORAGE'))).toBe(STORAGE_TEXT);
    expect(errorText(new DOMException('quota', 'QuotaExceededError'))).toBe(STORAGE_TEXT);
    expect(STORAGE_TEXT).toMatch(/Free some space/);
  });

  it('names days', () => {
    const now = new Date(2026, 10, 26, 12).getTime();
    expect(dayText(now - 3_600_000, now)).toBe('Today');
    expect(dayText(now - 24 * 3_600_000, now)).toBe('Yesterday');
    expect(dayText(now - 3 * 24 * 3_600_000, now)).not.toMatch(/Today|Yesterday/);
  });
});

describe('device settings', () => {
  it('accepts ws and wss signaling URLs only', () => {
    expect(checkSignalUrl('  ')).toBe('');
    expect(checkSignalUrl('wss://chat.example.org/signal')).toBe('wss://chat.example.org/signal');
    expect(checkSignalUrl('ws://127.0.0.1:8080/signal')).toBe('ws://127.0.0.1:8080/signal');
    expect(() => checkSignalUrl('https://chat.example.org')).toThrow(/wss:/);
    expect(() => checkSignalUrl('chat.example.org')).toThrow(/not a web address/);
  });

  it('parses STUN/TURN lines and names the first bad one', () => {
    const text = 'stun:127.0.0.1:3478\n\n  turn:127.0.0.1:3478 alice s3cret\nturns:127.0.0.1:5349 bob pw';
    const servers = parseIceServers(text);
    expect(servers).toEqual([
      { urls: 'stun:127.0.0.1:3478' },
      { urls: 'turn:127.0.0.1:3478', username: 'alice', credential: 's3cret' },
      { urls: 'turns:127.0.0.1:5349', username: 'bob', credential: 'pw' },
    ]);
    expect(parseIceServers(formatIceServers(servers))).toEqual(servers);
    expect(() => parseIceServers('stun:127.0.0.1:1\nhttp://x')).toThrow(/^Line 2/);
    expect(() => parseIceServers('turn:127.0.0.1:1 onlyuser')).toThrow(/username and a password/);
    expect(() => parseIceServers('stun:127.0.0.1:1 user pw')).toThrow(/no username/);
  });
});
