/**
 * Unlinkable periods: over 1,000 consecutive periods, no record key repeats, within a kind or
 * across kinds, secrets, slots and identities. A repeat would let a storage node link one
 * period's record to another's (or an invite to a presence record). Slow: ~5,000 blinded keys.
 */
import { describe, expect, it } from 'vitest';
import { REQUEST_SLOTS } from '../../../../shared/chat/constants';
import { blindedKeyFor, requestSlotKey } from '../../../../shared/chat/sealed-record';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { publicKeyOf } from '../../../../shared/crypto/ed25519';

const PERIODS = 1000;
const T0 = 487_000;
const IK = publicKeyOf(new Uint8Array(32).fill(0x41));
const OTHER_IK = publicKeyOf(new Uint8Array(32).fill(0x42));
const INVITE = new Uint8Array(16).fill(0x51);
const PRESENCE = new Uint8Array(32).fill(0x52);
const OTHER_PRESENCE = new Uint8Array(32).fill(0x53);

describe(`record keys over ${PERIODS} periods`, () => {
  it('never repeat: per period, per kind, per secret, per slot, per identity', { timeout: 600_000 }, () => {
    const seen = new Map<string, string>();
    const add = (label: string, key: Uint8Array) => {
      const k = bytesToHex(key);
      expect(seen.get(k), `${label} repeats ${seen.get(k)}`).toBeUndefined();
      seen.set(k, label);
    };
    add('IK', IK);
    add('other IK', OTHER_IK);
    for (let i = 0; i < PERIODS; i++) {
      const t = T0 + i;
      add(`presence t${t}`, blindedKeyFor('presence', IK, PRESENCE, t));
      add(`invite t${t}`, blindedKeyFor('invite', IK, INVITE, t));
      add(`presence, other secret, t${t}`, blindedKeyFor('presence', IK, OTHER_PRESENCE, t));
      add(`slot ${i % REQUEST_SLOTS} t${t}`, requestSlotKey(INVITE, IK, t, i % REQUEST_SLOTS).publicKey);
      if (i % 10 === 0) add(`presence, other IK, t${t}`, blindedKeyFor('presence', OTHER_IK, PRESENCE, t));
    }
    for (let slot = 0; slot < REQUEST_SLOTS; slot++)
      if (slot !== 0) add(`slot ${slot} t${T0}`, requestSlotKey(INVITE, IK, T0, slot).publicKey);
    expect(seen.size).toBe(2 + 4 * PERIODS + PERIODS / 10 + REQUEST_SLOTS - 1);
  });
});
