import 'fake-indexeddb/auto';
import { createStore, get, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../../../shared/crypto/bytes';
import { generateKeyPair, nodeIdFromPublicKey, sign, verify } from '../../../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../../../shared/dht/constants';
import { solvesPuzzle } from '../../../../shared/dht/node-puzzle';
import { SeededRng } from '../../../../shared/env/rng';
import { IDENTITY_KEY, identityDbName, loadOrCreateIdentity } from '../../../../web/storage/identity-store';

let n = 0;
const profile = (): string => `id-${process.pid}-${n++}`;

describe('identity store', () => {
  it('creates a key pair once and returns the same one after a reload', async () => {
    const p = profile();
    const first = await loadOrCreateIdentity(p);
    expect(first.created).toBe(true);
    const again = await loadOrCreateIdentity(p);
    expect(again.created).toBe(false);
    expect(bytesToHex(again.keyPair.publicKey)).toBe(bytesToHex(first.keyPair.publicKey));
    const msg = utf8.encode('hi');
    expect(verify(sign(msg, again.keyPair.secretKey), msg, first.keyPair.publicKey)).toBe(true);
  });

  it('gives each profile its own identity', async () => {
    const a = await loadOrCreateIdentity(profile());
    const b = await loadOrCreateIdentity(profile());
    expect(bytesToHex(a.keyPair.publicKey)).not.toBe(bytesToHex(b.keyPair.publicKey));
  });

  it('two tabs opening the same new profile at once agree on one key', async () => {
    const p = profile();
    const [a, b] = await Promise.all([loadOrCreateIdentity(p), loadOrCreateIdentity(p)]);
    expect(bytesToHex(a.keyPair.publicKey)).toBe(bytesToHex(b.keyPair.publicKey));
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });

  it('moves a corrupt identity aside and creates a new one instead of crashing', async () => {
    const p = profile();
    const raw = createStore(identityDbName(p), 'identity');
    const garbage = { f: 'p2p-id/1', secretKey: '00'.repeat(32), publicKey: '11'.repeat(32), createdAt: 0 };
    await set(IDENTITY_KEY, garbage, raw);
    const res = await loadOrCreateIdentity(p, { now: 1234 });
    expect(res).toMatchObject({ created: true, replacedCorrupt: true });
    expect(await get(`${IDENTITY_KEY}.corrupt.1234`, raw)).toEqual(garbage);
    const again = await loadOrCreateIdentity(p);
    expect(bytesToHex(again.keyPair.publicKey)).toBe(bytesToHex(res.keyPair.publicKey));
  });

  it('makes a key whose node id solves the puzzle; a stored key that does not (made before it) is set aside and replaced', async () => {
    const p = profile();
    const made = await loadOrCreateIdentity(p);
    expect(solvesPuzzle(nodeIdFromPublicKey(made.keyPair.publicKey), NODE_PUZZLE_BITS)).toBe(true);
    // A valid key that does not solve it, as a tab kept before the puzzle existed.
    const rng = new SeededRng(21);
    let weak = generateKeyPair(rng.bytes(32));
    while (solvesPuzzle(nodeIdFromPublicKey(weak.publicKey), NODE_PUZZLE_BITS)) weak = generateKeyPair(rng.bytes(32));
    const raw = createStore(identityDbName(p), 'identity');
    const old = { f: 'p2p-id/1', secretKey: bytesToHex(weak.secretKey), publicKey: bytesToHex(weak.publicKey), createdAt: 0 };
    await set(IDENTITY_KEY, old, raw);
    const res = await loadOrCreateIdentity(p, { now: 99 });
    expect(res).toMatchObject({ created: true, replacedCorrupt: false });
    expect(await get(`${IDENTITY_KEY}.weak.99`, raw)).toEqual(old);
    expect(solvesPuzzle(nodeIdFromPublicKey(res.keyPair.publicKey), NODE_PUZZLE_BITS)).toBe(true);
    // With the puzzle off, the same weak key is kept as it is.
    await set(IDENTITY_KEY, old, raw);
    expect(bytesToHex((await loadOrCreateIdentity(p, { puzzleBits: 0 })).keyPair.publicKey)).toBe(old.publicKey);
  });

  it('rejects profile names that are not safe database names', async () => {
    await expect(loadOrCreateIdentity('')).rejects.toThrow(TypeError);
    await expect(loadOrCreateIdentity('a/b')).rejects.toThrow(TypeError);
  });
});
