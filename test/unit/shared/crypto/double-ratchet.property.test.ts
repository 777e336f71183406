/**
 * Double Ratchet property tests over seeded random conversations. A failure names its seed;
 * replay one with RATCHET_SEED=<seed> npx vitest run test/unit/crypto/double-ratchet.property.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import {
  decodeMessage,
  deserialize,
  encodeMessage,
  MAX_PAST_REMOTE_KEYS,
  ratchetDecrypt,
  serialize,
  type RatchetMessage,
  type RatchetState,
} from '../../../../shared/crypto/double-ratchet';
import { SeededRng } from '../../../../shared/env/rng';
import { bytesEqual } from '../../../../shared/crypto/bytes';
import { concatAd, decrypt, encodeHeader, kdfCk } from '../../../../shared/crypto/double-ratchet-primitives';
import { AD, codeOf, newSession, recv, seeds, send, snapshot, withSeed } from '../../../helpers/ratchet';

type Party = 'alice' | 'bob';
const other = (p: Party): Party => (p === 'alice' ? 'bob' : 'alice');

interface Sent {
  id: number;
  from: Party;
  text: string;
  wire: Uint8Array;
}

interface RunStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicates: number;
  reloads: number;
  ratchets: number;
  maxSkipped: number;
}

/**
 * One random conversation: sends both ways in bursts, delivery in random order, loss,
 * re-delivery of delivered messages, and reload of a party from its serialized state.
 */
function runConversation(seed: number, steps: number): RunStats {
  const rng = new SeededRng(seed);
  const s = newSession(seed + 1_000_003);
  // Receiver's model of its ratchet-key history: the last MAX_PAST_REMOTE_KEYS + 1 entries are
  // the current DHr and the remembered past ones (Alice starts with Bob's initial key).
  const history: Record<Party, string[]> = { alice: [bytesToHex(s.alice.dhr!)], bob: [] };
  const inFlight: Sent[] = [];
  const delivered: Sent[] = [];
  const lostTo: Record<Party, Set<string>> = { alice: new Set(), bob: new Set() };
  const stats: RunStats = { sent: 0, delivered: 0, lost: 0, duplicates: 0, reloads: 0, ratchets: 0, maxSkipped: 0 };
  const pSend = 0.25 + rng.next() * 0.3; // per-run mix: some runs are bursty, some ping-pong
  const pAlice = 0.2 + rng.next() * 0.6;
  let bobCanSend = false;
  let nextId = 0;
  const pick = <T>(xs: T[]): number => rng.int(xs.length);
  const keyOf = (w: Uint8Array) => {
    const m = decodeMessage(w);
    return `${bytesToHex(m.header.dh)}:${m.header.n}`;
  };

  const deliver = (msg: Sent) => {
    const to = other(msg.from);
    const dhBefore = s[to].dhr ? bytesToHex(s[to].dhr!) : '';
    expect(recv(s, to, decodeMessage(msg.wire)), `message ${msg.id}`).toBe(msg.text);
    const dhAfter = bytesToHex(s[to].dhr!);
    if (dhAfter !== dhBefore) {
      history[to].push(dhAfter);
      stats.ratchets++;
    }
    if (to === 'bob') bobCanSend = true;
    delivered.push(msg);
    stats.delivered++;
    stats.maxSkipped = Math.max(stats.maxSkipped, s[to].skipped.size);
  };

  for (let step = 0; step < steps; step++) {
    const r = rng.next();
    if (r < pSend || inFlight.length === 0) {
      const from: Party = !bobCanSend || rng.next() < pAlice ? 'alice' : 'bob';
      const burst = 1 + (rng.next() < 0.2 ? rng.int(6) : 0);
      for (let i = 0; i < burst; i++) {
        const text = `${from} #${nextId} ${'z'.repeat(rng.int(40))}`;
        inFlight.push({ id: nextId++, from, text, wire: encodeMessage(send(s, from, text)) });
        stats.sent++;
      }
    } else if (r < pSend + 0.45) {
      deliver(inFlight.splice(pick(inFlight), 1)[0]!);
    } else if (r < pSend + 0.52) {
      const gone = inFlight.splice(pick(inFlight), 1)[0]!;
      lostTo[other(gone.from)].add(keyOf(gone.wire));
      stats.lost++;
    } else if (r < pSend + 0.62 && delivered.length > 0) {
      const dup = delivered[pick(delivered)]!;
      const to = other(dup.from);
      const before = snapshot(s[to]);
      const known = history[to].slice(-(MAX_PAST_REMOTE_KEYS + 1));
      const expected = known.includes(bytesToHex(decodeMessage(dup.wire).header.dh)) ? 'DUPLICATE' : 'DECRYPT_FAILED';
      expect(
        codeOf(() => recv(s, to, decodeMessage(dup.wire))),
        `duplicate of ${dup.id}`,
      ).toBe(expected);
      expect(snapshot(s[to])).toBe(before);
      stats.duplicates++;
    } else {
      const p: Party = rng.next() < 0.5 ? 'alice' : 'bob';
      s[p] = deserialize(serialize(s[p]));
      stats.reloads++;
    }
  }
  // Flush: everything still in flight arrives, in random order, and decrypts once.
  while (inFlight.length > 0) deliver(inFlight.splice(pick(inFlight), 1)[0]!);
  // Only keys of lost messages may remain: used keys are always deleted.
  for (const p of ['alice', 'bob'] as const) {
    for (const id of s[p].skipped.keys()) expect(lostTo[p].has(id), `${p} kept key ${id}`).toBe(true);
  }
  expect(new Set(delivered.map((m) => m.id)).size).toBe(delivered.length);
  expect(delivered.length + stats.lost).toBe(stats.sent);
  return stats;
}

describe('Double Ratchet properties', () => {
  it('random interleavings: out of order, loss, duplicates, reloads; each message decrypts exactly once', () => {
    const total: RunStats = { sent: 0, delivered: 0, lost: 0, duplicates: 0, reloads: 0, ratchets: 0, maxSkipped: 0 };
    for (const seed of seeds(100, 24)) {
      withSeed(seed, () => {
        const st = runConversation(seed, 220);
        for (const k of Object.keys(total) as (keyof RunStats)[]) {
          total[k] = k === 'maxSkipped' ? Math.max(total[k], st[k]) : total[k] + st[k];
        }
      });
    }
    // The runs must actually exercise what they claim to (guards against a vacuous generator).
    if (process.env.RATCHET_SEED === undefined) {
      expect(total.delivered).toBeGreaterThan(2000);
      expect(total.lost).toBeGreaterThan(100);
      expect(total.duplicates).toBeGreaterThan(200);
      expect(total.ratchets).toBeGreaterThan(300);
      expect(total.reloads).toBeGreaterThan(100);
      expect(total.maxSkipped).toBeGreaterThan(5);
    }
  });

  it(`a duplicate from a chain older than the last ${MAX_PAST_REMOTE_KEYS} is DECRYPT_FAILED (spec path), newer ones DUPLICATE`, () => {
    const s = newSession(31);
    const first = send(s, 'alice', 'first');
    recv(s, 'bob', first);
    const fromBob: RatchetMessage[] = [];
    // Each round trip is one new receiving chain for each party. Alice's first past key is Bob's
    // initial key, so after 66 round trips her memory holds Bob's chains 1..64 besides the current.
    for (let i = 0; i < MAX_PAST_REMOTE_KEYS + 2; i++) {
      fromBob.push(send(s, 'bob', `b${i}`));
      recv(s, 'alice', fromBob[i]!);
      recv(s, 'bob', send(s, 'alice', `a${i}`));
    }
    const before = snapshot(s.bob);
    expect(codeOf(() => recv(s, 'bob', first))).toBe('DECRYPT_FAILED');
    expect(snapshot(s.bob)).toBe(before);
    const beforeA = snapshot(s.alice);
    expect(codeOf(() => recv(s, 'alice', fromBob[0]!))).toBe('DECRYPT_FAILED');
    expect(codeOf(() => recv(s, 'alice', fromBob[1]!))).toBe('DUPLICATE');
    expect(snapshot(s.alice)).toBe(beforeA);
  });
});

/** What a holder of `st` can read of a message sent from `st`'s own current sending chain. */
function readOwnChain(st: RatchetState, m: RatchetMessage): string | null {
  if (st.cks === null || !bytesEqual(m.header.dh, st.dhs.publicKey) || m.header.n < st.ns) return null;
  let ck = st.cks;
  let mk = ck;
  for (let i = st.ns; i <= m.header.n; i++) [ck, mk] = kdfCk(ck);
  try {
    return utf8.decode(decrypt(mk, m.ciphertext, concatAd(AD, encodeHeader(m.header))));
  } catch {
    return null;
  }
}

/** A state with the attacker's deletions undone as far as the state allows: nothing consumed. */
function rewound(st: RatchetState): RatchetState {
  return { ...st, nr: 0, pastDhr: [] };
}

describe('Double Ratchet security properties', () => {
  it("forward secrecy: a full copy of Bob's state cannot decrypt messages he already decrypted", () => {
    for (const seed of seeds(200, 4)) {
      withSeed(seed, () => {
        const s = newSession(seed);
        const a = [0, 1, 2, 3, 4, 5].map((i) => send(s, 'alice', `chain 1 #${i}`));
        for (const i of [0, 1, 2, 4, 5]) recv(s, 'bob', a[i]!); // a3 still pending (its key is stored)
        recv(s, 'alice', send(s, 'bob', 'reply'));
        const c2 = [0, 1].map((i) => send(s, 'alice', `chain 2 #${i}`));
        recv(s, 'bob', c2[0]!); // c2[1] still in the future of the chain
        const stolen = deserialize(serialize(s.bob));
        const consumed = [a[0], a[1], a[2], a[4], a[5], c2[0]].map((m) => m!);

        // 1. As-is: every consumed message is refused.
        for (const m of consumed) expect(codeOf(() => ratchetDecrypt(stolen, m, AD))).toBe('DUPLICATE');
        // 2. With the bookkeeping rewound (Nr = 0, no past keys) the chain keys are still past them.
        for (const m of consumed) {
          expect(['DECRYPT_FAILED', 'TOO_MANY_SKIPPED']).toContain(codeOf(() => ratchetDecrypt(rewound(stolen), m, AD)));
        }
        // 3. Replanting each old chain's ratchet key as the current one does not help either.
        for (const m of consumed) {
          const replanted: RatchetState = { ...stolen, dhr: m.header.dh, nr: 0, pastDhr: [] };
          expect(codeOf(() => ratchetDecrypt(replanted, m, AD))).toBe('DECRYPT_FAILED');
        }
        // Positive controls: the same attacker does read what the state legitimately still holds.
        expect(utf8.decode(ratchetDecrypt(stolen, a[3]!, AD).plaintext)).toBe('chain 1 #3');
        expect(utf8.decode(ratchetDecrypt(stolen, c2[1]!, AD).plaintext)).toBe('chain 2 #1');
      });
    }
  });

  it("post-compromise security: one fresh DH ratchet step each way locks out a thief of Alice's state", () => {
    for (const seed of seeds(300, 4)) {
      withSeed(seed, () => {
        const s = newSession(seed);
        for (let i = 0; i < 3; i++) {
          recv(s, 'bob', send(s, 'alice', `warm-up a${i}`));
          recv(s, 'alice', send(s, 'bob', `warm-up b${i}`));
        }
        const stolenBlob = serialize(s.alice);
        // Alice's randomness from now on is fresh (unknown to the thief); record it only to build
        // the negative control below.
        const aliceFresh: Uint8Array[] = [];
        const realRnd = s.rndA;
        s.rndA = (n) => {
          const b = realRnd(n);
          aliceFresh.push(b);
          return b;
        };
        const x1 = send(s, 'alice', 'x1 (old chain)');
        recv(s, 'bob', x1);
        const y1 = send(s, 'bob', "y1 (Bob stepped, still to Alice's stolen key)");
        recv(s, 'alice', y1); // Alice steps with a fresh key
        const x2 = send(s, 'alice', 'x2');
        recv(s, 'bob', x2); // Bob steps again: one fresh step each way since the theft
        const after: [Party, RatchetMessage][] = [['alice', x2]];
        for (let i = 0; i < 8; i++) {
          const from: Party = i % 3 === 0 ? 'bob' : 'alice';
          const m = send(s, from, `later ${i}`);
          recv(s, other(from), m);
          after.push([from, m]);
        }

        // The thief follows the traffic with the stolen state: Bob's messages through
        // RatchetDecrypt (with the thief's own randomness), Alice's by deriving her sending chain.
        const thief = (rnd?: (n: number) => Uint8Array) => {
          let st = deserialize(stolenBlob);
          const read: string[] = [];
          for (const [from, m] of [['alice', x1], ['bob', y1], ...after] as [Party, RatchetMessage][]) {
            if (from === 'alice') {
              read.push(readOwnChain(st, m) ?? '-');
              continue;
            }
            try {
              const r = ratchetDecrypt(st, m, AD, rnd ? { randomBytes: rnd } : {});
              st = r.state;
              read.push(utf8.decode(r.plaintext));
            } catch {
              read.push('-');
            }
          }
          return read;
        };
        const stolenView = thief();
        expect(stolenView.slice(0, 2)).toEqual(['x1 (old chain)', "y1 (Bob stepped, still to Alice's stolen key)"]);
        expect(stolenView.slice(2)).toEqual(after.map(() => '-'));
        // Every later message is also opaque to the untouched stolen state on its own.
        for (const [, m] of after) {
          expect(codeOf(() => ratchetDecrypt(deserialize(stolenBlob), m, AD))).not.toBe('NONE');
          expect(readOwnChain(deserialize(stolenBlob), m)).toBeNull();
        }

        // Negative control: a thief who also knew Alice's "fresh" randomness reads everything,
        // so the lock-out above comes from the fresh keys and nothing else.
        let k = 0;
        const omniscient = thief(() => aliceFresh[k++]!);
        expect(omniscient).toEqual([
          'x1 (old chain)',
          "y1 (Bob stepped, still to Alice's stolen key)",
          'x2',
          ...after.slice(1).map((_, i) => `later ${i}`),
        ]);
      });
    }
  });
});
