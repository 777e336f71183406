/**
 * How the chat node's own state is kept in the store: the identity (`identity`) and contacts
 * (`contact/<id>`), as plain JSON with bytes as hex. Decoders check every field and return null
 * for anything foreign or corrupt (it is skipped, never thrown).
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes';
import { curves } from '../crypto/curves';
import { publicKeyOf } from '../crypto/ed25519';
import type { Contact } from './contacts';
import type { SelfState } from './context';
import { asJson, type JsonValue } from './store';

export function createSelf(random: (n: number) => Uint8Array, name: string, now: number): SelfState {
  const ikSeed = random(32);
  const dkSecret = random(32);
  return {
    ikSeed,
    ik: publicKeyOf(ikSeed),
    dkSecret,
    dk: curves().x25519PublicKey(dkSecret),
    presenceSecret: random(32),
    inviteSecret: random(16),
    name,
    createdAt: now,
  };
}

export function encodeSelf(s: SelfState): JsonValue {
  return {
    v: 1,
    ikSeed: bytesToHex(s.ikSeed),
    dkSecret: bytesToHex(s.dkSecret),
    presenceSecret: bytesToHex(s.presenceSecret),
    inviteSecret: bytesToHex(s.inviteSecret),
    name: s.name,
    createdAt: s.createdAt,
  };
}

export function decodeSelf(v: JsonValue | undefined): SelfState | null {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v.v !== 1) return null;
  const hex = (k: string, n: number): Uint8Array | null => {
    const x = v[k];
    return typeof x === 'string' && x.length === 2 * n && /^[0-9a-f]*$/.test(x) ? hexToBytes(x) : null;
  };
  const ikSeed = hex('ikSeed', 32);
  const dkSecret = hex('dkSecret', 32);
  const presenceSecret = hex('presenceSecret', 32);
  const inviteSecret = hex('inviteSecret', 16);
  if (!ikSeed || !dkSecret || !presenceSecret || !inviteSecret || typeof v.name !== 'string' || typeof v.createdAt !== 'number')
    return null;
  return {
    ikSeed,
    ik: publicKeyOf(ikSeed),
    dkSecret,
    dk: curves().x25519PublicKey(dkSecret),
    presenceSecret,
    inviteSecret,
    name: v.name,
    createdAt: v.createdAt,
  };
}

export function encodeContact(c: Contact): JsonValue {
  return asJson(c);
}

export function decodeContact(v: JsonValue): Contact | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  if (typeof v.id !== 'string' || !/^[0-9a-f]{64}$/.test(v.id) || typeof v.name !== 'string') return null;
  if (v.state !== 'requested' && v.state !== 'pending' && v.state !== 'accepted') return null;
  if (!Array.isArray(v.devices) || !v.devices.every((d) => typeof d === 'string')) return null;
  return v as unknown as Contact;
}
