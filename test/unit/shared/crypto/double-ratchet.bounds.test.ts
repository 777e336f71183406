/** Double Ratchet resource bounds: MAX_SKIP per chain (via n and via pn) and MAX_SKIPPED_TOTAL. */
import { describe, expect, it } from 'vitest';
import {
  ratchetDecrypt,
  skipSendingKeys,
  MAX_SKIP,
  MAX_SKIPPED_TOTAL,
  type RatchetMessage,
} from '../../../../shared/crypto/double-ratchet';
import { AD, codeOf, newSession, recv, send, snapshot } from '../../../helpers/ratchet';

function burst(s: ReturnType<typeof newSession>, from: 'alice' | 'bob', count: number, tag: string): RatchetMessage[] {
  return Array.from({ length: count }, (_, i) => send(s, from, `${tag} ${i}`));
}

describe('Double Ratchet skipped-key bounds', () => {
  it(`n more than MAX_SKIP (${MAX_SKIP}) ahead is TOO_MANY_SKIPPED with the state unchanged; exactly MAX_SKIP is fine`, () => {
    const s = newSession(40);
    const a = burst(s, 'alice', MAX_SKIP + 3, 'a');
    const before = snapshot(s.bob);
    // First message of the chain (Nr = 0): n = MAX_SKIP + 1 would skip MAX_SKIP + 1 keys.
    expect(codeOf(() => recv(s, 'bob', a[MAX_SKIP + 1]!))).toBe('TOO_MANY_SKIPPED');
    expect(snapshot(s.bob)).toBe(before);
    expect(recv(s, 'bob', a[MAX_SKIP]!)).toBe(`a ${MAX_SKIP}`);
    expect(s.bob.skipped.size).toBe(MAX_SKIP);
    expect(s.bob.nr).toBe(MAX_SKIP + 1);
    expect(recv(s, 'bob', a[MAX_SKIP + 2]!)).toBe(`a ${MAX_SKIP + 2}`);
    expect(recv(s, 'bob', a[MAX_SKIP + 1]!)).toBe(`a ${MAX_SKIP + 1}`);
    expect(recv(s, 'bob', a[0]!)).toBe('a 0');
    expect(recv(s, 'bob', a[MAX_SKIP - 1]!)).toBe(`a ${MAX_SKIP - 1}`);
    expect(s.bob.skipped.size).toBe(MAX_SKIP - 2);

    // Within an established chain (Nr = MAX_SKIP + 3), a forged far-ahead n fails before any MAC
    // or key derivation, and does not touch the state.
    const later = send(s, 'alice', 'later');
    const mid = snapshot(s.bob);
    const forged = { header: { ...later.header, n: s.bob.nr + MAX_SKIP + 1 }, ciphertext: later.ciphertext };
    expect(codeOf(() => ratchetDecrypt(s.bob, forged, AD))).toBe('TOO_MANY_SKIPPED');
    const edge = { header: { ...later.header, n: s.bob.nr + MAX_SKIP }, ciphertext: later.ciphertext };
    expect(codeOf(() => ratchetDecrypt(s.bob, edge, AD))).toBe('DECRYPT_FAILED'); // allowed skip, wrong MAC
    expect(snapshot(s.bob)).toBe(mid);
    expect(recv(s, 'bob', later)).toBe('later');
  });

  it('a pn announcing more than MAX_SKIP unreceived messages of the old chain is refused too', () => {
    const s = newSession(41);
    const a = burst(s, 'alice', MAX_SKIP + 2, 'a');
    recv(s, 'bob', a[0]!);
    recv(s, 'alice', send(s, 'bob', 'reply'));
    const next = send(s, 'alice', 'new chain'); // pn = MAX_SKIP + 2, Bob has Nr = 1
    expect(next.header.pn).toBe(MAX_SKIP + 2);
    const before = snapshot(s.bob);
    expect(codeOf(() => recv(s, 'bob', next))).toBe('TOO_MANY_SKIPPED');
    expect(snapshot(s.bob)).toBe(before);
    // Once one more old-chain message is in, the gap is exactly MAX_SKIP and the new chain opens.
    expect(recv(s, 'bob', a[1]!)).toBe('a 1');
    expect(recv(s, 'bob', next)).toBe('new chain');
    expect(s.bob.skipped.size).toBe(MAX_SKIP);
  });

  it(`stored skipped keys never exceed MAX_SKIPPED_TOTAL (${MAX_SKIPPED_TOTAL}): the oldest go first`, () => {
    const s = newSession(42);
    const perChain = 900;
    const chains: RatchetMessage[][] = [];
    for (let c = 0; c < 3; c++) {
      const msgs = burst(s, 'alice', perChain + 1, `c${c}`);
      chains.push(msgs);
      recv(s, 'bob', msgs[perChain]!); // skips the first 900 of this chain
      expect(s.bob.skipped.size).toBe(Math.min((c + 1) * perChain, MAX_SKIPPED_TOTAL));
      recv(s, 'alice', send(s, 'bob', `turn ${c}`));
    }
    const dropped = 3 * perChain - MAX_SKIPPED_TOTAL; // 700, all from chain 0
    const before = snapshot(s.bob);
    expect(codeOf(() => recv(s, 'bob', chains[0]![0]!))).toBe('DUPLICATE');
    expect(codeOf(() => recv(s, 'bob', chains[0]![dropped - 1]!))).toBe('DUPLICATE');
    expect(snapshot(s.bob)).toBe(before);
    expect(recv(s, 'bob', chains[0]![dropped]!)).toBe(`c0 ${dropped}`);
    expect(recv(s, 'bob', chains[2]![0]!)).toBe('c2 0');
    expect(recv(s, 'bob', chains[1]![perChain - 1]!)).toBe(`c1 ${perChain - 1}`);
    expect(s.bob.skipped.size).toBe(MAX_SKIPPED_TOTAL - 3);
  });

  it('skipSendingKeys moves a restored sending chain past keys that may have been used: the next message takes a fresh key, the receiver skips the gap', () => {
    const s = newSession(43);
    expect(recv(s, 'bob', send(s, 'alice', 'a 0'))).toBe('a 0');
    const stored = s.alice; // what the disk holds (Ns = 1), with keys below 5 reserved
    const left = send(s, 'alice', 'a 1'); // left under key 1; the state after it was never stored
    expect(left.header.n).toBe(1);
    s.alice = skipSendingKeys(stored, 5);
    expect(s.alice.ns).toBe(5);
    const next = send(s, 'alice', 'a 5');
    expect(next.header.n).toBe(5); // not key 1 again
    expect(recv(s, 'bob', left)).toBe('a 1');
    expect(recv(s, 'bob', next)).toBe('a 5');
    expect([...s.bob.skipped.values()].map((k) => k.n)).toEqual([2, 3, 4]);
    // Never backwards, nothing without a sending chain, at most MAX_SKIP at once.
    expect(skipSendingKeys(s.alice, 3)).toBe(s.alice);
    const bob = newSession(44).bob;
    expect(skipSendingKeys(bob, 10)).toBe(bob);
    expect(codeOf(() => skipSendingKeys(s.alice, s.alice.ns + MAX_SKIP + 1))).toBe('BAD_INPUT');
    expect(skipSendingKeys(s.alice, s.alice.ns + MAX_SKIP).ns).toBe(s.alice.ns + MAX_SKIP);
  });
});
