import { describe, expect, it } from 'vitest';
import { MAX_PENDING_REQUESTS } from '../../../../shared/chat/constants';
import { ContactBook, type IncomingRequest } from '../../../../shared/chat/contacts';
import { ChatError } from '../../../../shared/chat/errors';

const ME = 'aa'.repeat(32);
const BOB = 'bb'.repeat(32);
const CAROL = 'cc'.repeat(32);
const req = (id: string, extra: Partial<IncomingRequest> = {}): IncomingRequest => ({
  id,
  name: 'Bob',
  devices: ['01'],
  presenceSecret: 'ff',
  ...extra,
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChatError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('ContactBook', () => {
  it('we ask, they accept: requested -> accepted, with their devices and presence secret', () => {
    const b = new ContactBook(ME);
    const c = b.requestOut(BOB, 'Bob', '00'.repeat(16), 1);
    expect(c.state).toBe('requested');
    const a = b.acceptIn(BOB, ['d1', 'd2'], 'p1', 2);
    expect(a).toMatchObject({ state: 'accepted', devices: ['d1', 'd2'], presenceSecret: 'p1', acceptedAt: 2 });
  });

  it('they ask, we accept: pending -> accepted, the first message is dropped on accept', () => {
    const b = new ContactBook(ME);
    expect(b.requestIn(req(BOB, { message: 'hi' }), 1)).toMatchObject({ outcome: 'pending', contact: { state: 'pending', message: 'hi' } });
    const c = b.accept(BOB, 5);
    expect(c).toMatchObject({ state: 'accepted', acceptedAt: 5 });
    expect(c.message).toBeUndefined();
  });

  it('both ask each other: the second request makes it mutual (accepted)', () => {
    const b = new ContactBook(ME);
    b.requestOut(BOB, 'Bob', 'ab', 1);
    expect(b.requestIn(req(BOB), 2)?.outcome).toBe('mutual');
    expect(b.get(BOB)?.state).toBe('accepted');
  });

  it('a repeated request updates the pending entry; one from an accepted contact says already', () => {
    const b = new ContactBook(ME);
    b.requestIn(req(BOB, { message: 'one' }), 1);
    expect(b.requestIn(req(BOB, { message: 'two', name: 'Robert' }), 2)).toMatchObject({
      outcome: 'duplicate',
      contact: { message: 'two', name: 'Robert' },
    });
    b.accept(BOB, 3);
    expect(b.requestIn(req(BOB, { presenceSecret: 'new' }), 4)).toMatchObject({
      outcome: 'already',
      contact: { state: 'accepted', presenceSecret: 'new' },
    });
  });

  it('reject forgets a pending request; accept or reject of anything else is a coded error', () => {
    const b = new ContactBook(ME);
    b.requestIn(req(BOB), 1);
    b.reject(BOB);
    expect(b.get(BOB)).toBeUndefined();
    expect(code(() => b.reject(BOB))).toBe('UNKNOWN_CONTACT');
    expect(code(() => b.accept(CAROL, 3))).toBe('UNKNOWN_CONTACT');
    b.requestOut(CAROL, 'Carol', 'ab', 2);
    expect(code(() => b.accept(CAROL, 3))).toBe('BAD_STATE');
    expect(code(() => b.reject(CAROL))).toBe('BAD_STATE');
  });

  it('adding ourselves or someone twice is refused and changes nothing', () => {
    const b = new ContactBook(ME);
    expect(code(() => b.requestOut(ME, 'me', 'ab', 1))).toBe('SELF_ADD');
    b.requestOut(BOB, 'Bob', 'ab', 1);
    expect(code(() => b.requestOut(BOB, 'Bob again', 'cd', 2))).toBe('DUPLICATE_CONTACT');
    expect(b.get(BOB)).toMatchObject({ name: 'Bob', inviteSecret: 'ab' });
    expect(b.size).toBe(1);
  });

  it('remote events that do not fit change nothing', () => {
    const b = new ContactBook(ME);
    expect(b.requestIn(req(ME), 1)).toBeNull();
    expect(b.acceptIn(BOB, [], 'p', 1)).toBeNull();
    b.requestIn(req(BOB), 1);
    expect(b.acceptIn(BOB, [], 'p', 2)).toBeNull(); // they cannot accept their own request
    expect(b.get(BOB)?.state).toBe('pending');
  });

  it('remove, verify, rename', () => {
    const b = new ContactBook(ME);
    b.requestIn(req(BOB), 1);
    b.accept(BOB, 2);
    expect(b.markVerified(BOB, 3).verified).toBe(true);
    expect(b.rename(BOB, 'Bobby', 4).alias).toBe('Bobby');
    expect(b.rename(BOB, '', 5).alias).toBeUndefined();
    b.remove(BOB);
    expect(code(() => b.remove(BOB))).toBe('UNKNOWN_CONTACT');
    expect(code(() => b.markVerified(BOB, 6))).toBe('UNKNOWN_CONTACT');
  });

  it('pending requests are bounded: the oldest is dropped, accepted contacts never are', () => {
    const b = new ContactBook(ME);
    b.requestIn(req(CAROL), 0);
    b.accept(CAROL, 0);
    const id = (i: number) => i.toString(16).padStart(64, '0');
    let dropped = 0;
    for (let i = 1; i <= MAX_PENDING_REQUESTS + 5; i++) if (b.requestIn(req(id(i)), i)?.dropped) dropped++;
    expect(dropped).toBe(5);
    expect(b.all().filter((c) => c.state === 'pending')).toHaveLength(MAX_PENDING_REQUESTS);
    expect(b.get(id(1))).toBeUndefined();
    expect(b.get(id(MAX_PENDING_REQUESTS + 5))?.state).toBe('pending');
    expect(b.get(CAROL)?.state).toBe('accepted');
  });

  it('a device list is capped at MAX_DEVICES', () => {
    const b = new ContactBook(ME);
    const r = b.requestIn(req(BOB, { devices: Array.from({ length: 20 }, (_, i) => `d${i}`) }), 1);
    expect(r?.contact.devices.length).toBeLessThanOrEqual(4);
  });
});
