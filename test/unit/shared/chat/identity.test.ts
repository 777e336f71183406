/**
 * shared/chat/identity.ts: seeded identities (deterministic, documented draw order), keys checked
 * against Node's Ed25519 and X25519, copies and immutability, rotations, a broken random source,
 * and the identity working with the address link and device certificate modules.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAddress, encodeAddress } from '../../../../shared/chat/address';
import { verifyCertificate, issueCertificate } from '../../../../shared/chat/certificate';
import { INVITE_SECRET_BYTES, PRESENCE_SECRET_BYTES } from '../../../../shared/chat/constants';
import { createIdentity, rotateInviteSecret, rotatePresenceSecret, type Identity } from '../../../../shared/chat/identity';
import { bytesEqual, concatBytes, hexToBytes } from '../../../../shared/crypto/bytes';
import { chatCode, seededRandom } from '../../../helpers/chat';

const PKCS8_ED25519 = hexToBytes('302e020100300506032b657004220420');
const PKCS8_X25519 = hexToBytes('302e020100300506032b656e04220420');
const SPKI_X25519 = hexToBytes('302a300506032b656e032100');

/** The raw public key Node derives from a raw private key (last 32 bytes of the SPKI DER). */
function nodePublicKey(pkcs8Prefix: Uint8Array, secret: Uint8Array): Uint8Array {
  const priv = createPrivateKey({ key: Buffer.from(concatBytes(pkcs8Prefix, secret)), format: 'der', type: 'pkcs8' });
  const der = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** Randomness that hands out 0, 1, 2, … as bytes, so each draw's position is visible. */
function countingRandom(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

describe('createIdentity', () => {
  it('draws IK seed, DK secret, presence secret, invite secret, in that order', () => {
    const id = createIdentity(countingRandom());
    const bytes = (from: number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
    expect(id.identityKey.seed).toEqual(bytes(0, 32));
    expect(id.deviceKey.secretKey).toEqual(bytes(32, 32));
    expect(id.presenceSecret).toEqual(bytes(64, PRESENCE_SECRET_BYTES));
    expect(id.inviteSecret).toEqual(bytes(64 + PRESENCE_SECRET_BYTES, INVITE_SECRET_BYTES));
  });

  it('derives public keys as Node does (Ed25519 for IK, X25519 for DK)', () => {
    const id = createIdentity(seededRandom(31));
    expect(id.identityKey.publicKey).toEqual(nodePublicKey(PKCS8_ED25519, id.identityKey.seed));
    expect(id.deviceKey.publicKey).toEqual(nodePublicKey(PKCS8_X25519, id.deviceKey.secretKey));
  });

  it('gives device keys that agree on a shared secret with Node X25519', () => {
    const a = createIdentity(seededRandom(41));
    const b = createIdentity(seededRandom(42));
    const shared = diffieHellman({
      privateKey: createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_X25519, a.deviceKey.secretKey)), format: 'der', type: 'pkcs8' }),
      publicKey: createPublicKey({ key: Buffer.from(concatBytes(SPKI_X25519, b.deviceKey.publicKey)), format: 'der', type: 'spki' }),
    });
    const back = diffieHellman({
      privateKey: createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_X25519, b.deviceKey.secretKey)), format: 'der', type: 'pkcs8' }),
      publicKey: createPublicKey({ key: Buffer.from(concatBytes(SPKI_X25519, a.deviceKey.publicKey)), format: 'der', type: 'spki' }),
    });
    expect(shared.length).toBe(32);
    expect(shared.equals(back)).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(createIdentity(seededRandom(5))).toEqual(createIdentity(seededRandom(5)));
    const a = createIdentity(seededRandom(5));
    const b = createIdentity(seededRandom(6));
    for (const [x, y] of [
      [a.identityKey.seed, b.identityKey.seed],
      [a.deviceKey.secretKey, b.deviceKey.secretKey],
      [a.presenceSecret, b.presenceSecret],
      [a.inviteSecret, b.inviteSecret],
    ] as const) {
      expect(bytesEqual(x, y)).toBe(false);
    }
  });

  it('uses crypto randomness by default', () => {
    const a = createIdentity();
    const b = createIdentity();
    expect(bytesEqual(a.identityKey.seed, b.identityKey.seed)).toBe(false);
    expect(a.inviteSecret.length).toBe(INVITE_SECRET_BYTES);
    expect(a.presenceSecret.length).toBe(PRESENCE_SECRET_BYTES);
  });

  it('copies the random bytes: a source reusing its buffer does not change the identity', () => {
    const shared = new Uint8Array(64);
    let k = 0;
    const reusing = (n: number): Uint8Array => {
      shared.fill(++k);
      return shared.subarray(0, n);
    };
    const id = createIdentity(reusing);
    expect(id.identityKey.seed).toEqual(new Uint8Array(32).fill(1));
    expect(id.deviceKey.secretKey).toEqual(new Uint8Array(32).fill(2));
    expect(id.inviteSecret).toEqual(new Uint8Array(INVITE_SECRET_BYTES).fill(4));
  });

  it('refuses a source that returns the wrong number of bytes (BAD_ARGUMENT)', () => {
    expect(chatCode(() => createIdentity((n) => new Uint8Array(n - 1)))).toBe('BAD_ARGUMENT');
    expect(chatCode(() => createIdentity((n) => new Uint8Array(n + 1)))).toBe('BAD_ARGUMENT');
  });
});

describe('rotation', () => {
  const random = seededRandom(77);
  const id = createIdentity(random);
  const snapshot = (x: Identity): string => JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
  const before = snapshot(id);

  it('rotateInviteSecret: a new invite secret, everything else kept, the old identity unchanged', () => {
    const next = rotateInviteSecret(id, random);
    expect(next.inviteSecret.length).toBe(INVITE_SECRET_BYTES);
    expect(bytesEqual(next.inviteSecret, id.inviteSecret)).toBe(false);
    expect({ ...next, inviteSecret: id.inviteSecret }).toEqual(id);
    expect(snapshot(id)).toBe(before);
  });

  it('rotatePresenceSecret: a new presence secret, everything else kept, the old identity unchanged', () => {
    const next = rotatePresenceSecret(id, random);
    expect(next.presenceSecret.length).toBe(PRESENCE_SECRET_BYTES);
    expect(bytesEqual(next.presenceSecret, id.presenceSecret)).toBe(false);
    expect({ ...next, presenceSecret: id.presenceSecret }).toEqual(id);
    expect(snapshot(id)).toBe(before);
  });

  it('refuses a source that repeats the old secret (BAD_ARGUMENT)', () => {
    expect(chatCode(() => rotateInviteSecret(id, () => Uint8Array.from(id.inviteSecret)))).toBe('BAD_ARGUMENT');
    expect(chatCode(() => rotatePresenceSecret(id, () => Uint8Array.from(id.presenceSecret)))).toBe('BAD_ARGUMENT');
  });

  it('a rotated invite secret changes the address link', () => {
    const next = rotateInviteSecret(id, random);
    const link = (x: Identity): string =>
      encodeAddress({ identityKey: x.identityKey.publicKey, inviteSecret: x.inviteSecret }, 'https://c.example');
    expect(link(next)).not.toBe(link(id));
    expect(decodeAddress(link(next)).inviteSecret).toEqual(next.inviteSecret);
  });
});

describe('with the other chat modules', () => {
  it('publishes an address that reads back and certifies its device key', () => {
    const id = createIdentity(seededRandom(88));
    const address = decodeAddress(
      encodeAddress({ identityKey: id.identityKey.publicKey, inviteSecret: id.inviteSecret, name: 'Ana' }, 'https://c.example'),
    );
    expect(address.identityKey).toEqual(id.identityKey.publicKey);
    const cert = issueCertificate(id.identityKey.seed, {
      deviceKey: id.deviceKey.publicKey,
      nodeId: new Uint8Array(20).fill(9),
      issuedAt: 1,
    });
    expect(verifyCertificate(cert, address.identityKey)?.deviceKey).toEqual(id.deviceKey.publicKey);
  });
});
