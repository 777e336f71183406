import { describe, expect, it } from 'vitest';
import { CHAT_TIMERS } from '../../../../shared/chat/constants';
import { noteNode, OnlineBook } from '../../../../shared/chat/online';

function book() {
  const h = {
    now: 1_000,
    presence: [] as Array<[string, boolean]>,
    partners: [] as string[][],
    callers: [] as string[][],
    emitPresence(id: string, online: boolean) {
      h.presence.push([id, online]);
    },
    c: {
      partners: (n: Set<string>) => h.partners.push([...n]),
      callers: (n: ReadonlySet<string>) => h.callers.push([...n]),
    },
  };
  return { h, b: new OnlineBook(h) };
}

describe('OnlineBook', () => {
  it('each tick tells the transport which nodes may call: every accepted contact’s, online or not', () => {
    const { h, b } = book();
    b.tick(new Set(['n1', 'n2']));
    b.tick(new Set(['n2']));
    expect(h.callers).toEqual([['n1', 'n2'], ['n2']]);
  });

  it('a contact heard is online (its nodes protected) until the window passes without a word', () => {
    const { h, b } = book();
    b.nodesOf.set('alice', ['na']);
    b.heard('alice');
    expect(b.isOnline('alice')).toBe(true);
    expect(h.partners.at(-1)).toEqual(['na']);
    h.now += CHAT_TIMERS.onlineWindowMs - 1;
    b.tick(new Set());
    expect(b.isOnline('alice')).toBe(true);
    h.now += 1;
    b.tick(new Set());
    expect(b.isOnline('alice')).toBe(false);
    expect(h.presence).toEqual([
      ['alice', true],
      ['alice', false],
    ]);
    expect(h.partners.at(-1)).toEqual([]);
  });

  it('a node that answered for a contact goes first in its list, once, and the list keeps the newest 4', () => {
    const nodesOf = new Map<string, string[]>();
    for (const n of ['n1', 'n2', 'n1', 'n3', 'n4', 'n5']) noteNode(nodesOf, 'alice', n);
    expect(nodesOf.get('alice')).toEqual(['n5', 'n4', 'n3', 'n2']);
  });
});
