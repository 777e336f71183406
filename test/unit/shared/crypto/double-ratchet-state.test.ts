/** Double Ratchet state serialization: round trips mid-conversation, strict decoding, corruption. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes } from '../../../../shared/crypto/bytes';
import {
  deserialize,
  encodeMessage,
  MAX_PAST_REMOTE_KEYS,
  MAX_SKIPPED_TOTAL,
  MAX_STATE_BYTES,
  serialize,
  skippedKeyId,
  type RatchetMessage,
  type RatchetState,
  type SkippedKey,
} from '../../../../shared/crypto/double-ratchet';
import { SeededRng } from '../../../../shared/env/rng';
import { codeOf, newSession, recv, send, snapshot, type Session } from '../../../helpers/ratchet';

/** The error message fn throws ('NONE' if it returns). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
    return 'NONE';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Replace the trailing SHA-256 so a semantic defect gets past the checksum. */
function reseal(blob: Uint8Array): Uint8Array {
  const body = blob.subarray(0, blob.length - 32);
  return concatBytes(body, sha256(body));
}

/** A session mid-conversation: skipped keys on both sides, past chains, both chains live. */
function midConversation(seed: number): { s: Session; pending: { to: 'alice' | 'bob'; m: RatchetMessage; text: string }[] } {
  const s = newSession(seed);
  const pending: { to: 'alice' | 'bob'; m: RatchetMessage; text: string }[] = [];
  const a = [0, 1, 2].map((i) => send(s, 'alice', `a${i}`));
  recv(s, 'bob', a[2]!);
  pending.push({ to: 'bob', m: a[0]!, text: 'a0' }, { to: 'bob', m: a[1]!, text: 'a1' });
  const b = [0, 1].map((i) => send(s, 'bob', `b${i}`));
  recv(s, 'alice', b[1]!);
  pending.push({ to: 'alice', m: b[0]!, text: 'b0' });
  recv(s, 'bob', send(s, 'alice', 'a3'));
  return { s, pending };
}

describe('Double Ratchet state serialization', () => {
  it('round trips exactly, for initial states and mid-conversation states with skipped keys', () => {
    const fresh = newSession(20);
    const { s } = midConversation(21);
    expect(s.bob.skipped.size).toBe(2);
    expect(s.alice.skipped.size).toBe(1);
    expect(s.bob.pastDhr.length).toBe(1);
    for (const st of [fresh.alice, fresh.bob, s.alice, s.bob]) {
      const blob = serialize(st);
      const back = deserialize(blob);
      expect(bytesToHex(serialize(back))).toBe(bytesToHex(blob));
      expect(back.ns).toBe(st.ns);
      expect(back.nr).toBe(st.nr);
      expect(back.pn).toBe(st.pn);
      expect([...back.skipped.keys()]).toEqual([...st.skipped.keys()]);
      expect(Object.isFrozen(back)).toBe(true);
    }
  });

  it('persisting and reloading after every step changes nothing: same bytes as a run that never reloads', () => {
    const script = (reload: boolean) => {
      const { s, pending } = midConversation(22);
      const out: string[] = [];
      const maybeReload = () => {
        if (!reload) return;
        s.alice = deserialize(serialize(s.alice));
        s.bob = deserialize(serialize(s.bob));
      };
      maybeReload();
      for (const p of pending) {
        out.push(recv(s, p.to, p.m));
        maybeReload();
      }
      for (let i = 0; i < 6; i++) {
        const from = i % 3 === 2 ? 'bob' : 'alice';
        const m = send(s, from, `msg ${i}`);
        out.push(bytesToHex(encodeMessage(m)));
        maybeReload();
        out.push(recv(s, from === 'alice' ? 'bob' : 'alice', m));
        maybeReload();
      }
      return [...out, snapshot(s.alice), snapshot(s.bob)];
    };
    const plain = script(false);
    expect(plain.slice(0, 3)).toEqual(['a0', 'a1', 'b0']);
    expect(script(true)).toEqual(plain);
  });

  it('a state at the size bounds round trips; MAX_STATE_BYTES is exact', () => {
    const { s } = midConversation(23);
    const rng = new SeededRng(23);
    const skipped = new Map<string, SkippedKey>();
    for (let i = 0; i < MAX_SKIPPED_TOTAL; i++) {
      const e = { dh: rng.bytes(32), n: rng.int(1000), mk: rng.bytes(32) };
      skipped.set(skippedKeyId(e.dh, e.n), e);
    }
    const pastDhr = Array.from({ length: MAX_PAST_REMOTE_KEYS }, () => rng.bytes(32));
    const big: RatchetState = { ...s.bob, skipped, pastDhr };
    const blob = serialize(big);
    expect(blob.length).toBe(MAX_STATE_BYTES);
    expect(bytesToHex(serialize(deserialize(blob)))).toBe(bytesToHex(blob));
    expect(codeOf(() => serialize({ ...big, pastDhr: [...pastDhr, rng.bytes(32)] }))).toBe('BAD_STATE');
    const tooMany = new Map(skipped);
    tooMany.set('extra', { dh: rng.bytes(32), n: 5000, mk: rng.bytes(32) });
    expect(codeOf(() => serialize({ ...big, skipped: tooMany }))).toBe('BAD_STATE');
  });

  it('every flipped byte, every truncation and any trailing byte is BAD_STATE', () => {
    const { s } = midConversation(24);
    const blob = serialize(s.bob);
    for (let i = 0; i < blob.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Uint8Array.from(blob);
        bad[i]! ^= mask;
        expect(
          messageOf(() => deserialize(bad)),
          `byte ${i}`,
        ).toBe('BAD_STATE: checksum mismatch');
      }
    }
    for (let len = 0; len < blob.length; len++)
      expect(
        codeOf(() => deserialize(blob.subarray(0, len))),
        `len ${len}`,
      ).toBe('BAD_STATE');
    expect(codeOf(() => deserialize(Uint8Array.of(...blob, 0)))).toBe('BAD_STATE');
    expect(codeOf(() => deserialize(reseal(Uint8Array.of(...blob.subarray(0, -32), 0, ...blob.subarray(-32)))))).toBe('BAD_STATE');
    expect(codeOf(() => deserialize(new Uint8Array(MAX_STATE_BYTES + 1)))).toBe('BAD_STATE');
    expect(codeOf(() => deserialize(new Uint8Array(300)))).toBe('BAD_STATE');
    expect(codeOf(() => deserialize('not bytes' as unknown as Uint8Array))).toBe('BAD_STATE');
  });

  it('semantic defects behind a valid checksum are BAD_STATE', () => {
    const { s } = midConversation(25);
    const st = s.bob; // flags 7: DHr, CKs, CKr all present
    const blob = serialize(st);
    expect(codeOf(() => deserialize(reseal(blob)))).toBe('NONE'); // the resealer itself is sound
    const patched = (at: number, bytes: number[]) => {
      const b = Uint8Array.from(blob);
      b.set(bytes, at);
      return messageOf(() => deserialize(reseal(b)));
    };
    expect(patched(0, [0x45])).toBe('BAD_STATE: not a ratchet state');
    expect(patched(2, [2])).toBe('BAD_STATE: unknown version 2');
    expect(patched(3, [7 | 8])).toBe('BAD_STATE: unknown flags');
    expect(patched(3, [3])).toMatch(/^BAD_STATE/); // claims no CKr: the layout no longer adds up
    expect(patched(208, [0, MAX_PAST_REMOTE_KEYS + 1])).toBe('BAD_STATE: too many past DHr keys');
    const skippedAt = 210 + st.pastDhr.length * 32;
    expect(patched(skippedAt, [(MAX_SKIPPED_TOTAL + 1) >> 8, (MAX_SKIPPED_TOTAL + 1) & 0xff])).toBe('BAD_STATE: too many skipped keys');
    expect(patched(skippedAt, [0, st.skipped.size + 1])).toMatch(/^BAD_STATE: truncated/); // count beyond the data
    expect(patched(skippedAt + 2 + 32, [0xff, 0xff, 0xff, 0xff])).toBe('BAD_STATE: skipped n out of range');

    const viaSerialize = (bad: RatchetState) => messageOf(() => deserialize(serialize(bad)));
    expect(viaSerialize({ ...st, dhr: null })).toBe('BAD_STATE: CKr without DHr');
    expect(viaSerialize({ ...st, cks: null })).toBe('BAD_STATE: counters or keys without a sending chain');
    expect(viaSerialize({ ...st, ckr: null })).toBe('BAD_STATE: Nr without CKr');
    expect(viaSerialize({ ...st, dhs: { secretKey: st.dhs.secretKey, publicKey: st.dhr! } })).toBe(
      'BAD_STATE: DHs public key does not match its secret',
    );
    const first = [...st.skipped.values()][0]!;
    const dup = new Map(st.skipped);
    dup.set('another id, same entry', first);
    expect(viaSerialize({ ...st, skipped: dup })).toBe('BAD_STATE: duplicate skipped key');
    expect(codeOf(() => serialize({ ...st, ns: 2 ** 32 }))).toBe('BAD_STATE');
    expect(codeOf(() => serialize({ ...st, rk: new Uint8Array(31) }))).toBe('BAD_STATE');
  });
});
