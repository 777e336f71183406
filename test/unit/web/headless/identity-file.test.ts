import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../../shared/crypto/bytes';
import { generateKeyPair, nodeIdFromPublicKey } from '../../../../shared/crypto/ed25519';
import { NODE_PUZZLE_BITS } from '../../../../shared/dht/constants';
import { solvesPuzzle } from '../../../../shared/dht/node-puzzle';
import { SeededRng } from '../../../../shared/env/rng';
import { loadOrCreateIdentity } from '../../../../web/headless/identity-file';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tmp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'peer-id-'));
  dirs.push(d);
  return d;
};

describe('node-peer identity file', () => {
  it('creates a 0600 identity once and loads the same key afterwards', async () => {
    const dir = await tmp();
    const a = await loadOrCreateIdentity(join(dir, 'data'));
    expect(a.created).toBe(true);
    expect((await stat(join(dir, 'data', 'identity.json'))).mode & 0o777).toBe(0o600);
    const b = await loadOrCreateIdentity(join(dir, 'data'));
    expect(b.created).toBe(false);
    expect(bytesToHex(b.keys.secretKey)).toBe(bytesToHex(a.keys.secretKey));
  });

  it('moves a corrupt or mismatched file aside and creates a new identity', async () => {
    const dir = await tmp();
    const first = await loadOrCreateIdentity(dir);
    const stored = JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8')) as Record<string, string>;
    stored.publicKey = '00'.repeat(32); // does not match the seed
    await writeFile(join(dir, 'identity.json'), JSON.stringify(stored));
    const second = await loadOrCreateIdentity(dir, 1234);
    expect(second.created).toBe(true);
    expect(bytesToHex(second.keys.publicKey)).not.toBe(bytesToHex(first.keys.publicKey));
    expect((await readdir(dir)).sort()).toEqual(['identity.json', 'identity.json.corrupt-1234']);
    await writeFile(join(dir, 'identity.json'), 'not json');
    expect((await loadOrCreateIdentity(dir, 5678)).created).toBe(true);
  });

  it('a key whose node id does not solve the puzzle is moved aside (weak) and replaced by one that does', async () => {
    const dir = await tmp();
    const rng = new SeededRng(22);
    let weak = generateKeyPair(rng.bytes(32));
    while (solvesPuzzle(nodeIdFromPublicKey(weak.publicKey), NODE_PUZZLE_BITS)) weak = generateKeyPair(rng.bytes(32));
    const body = { f: 'p2p-id/1', secretKey: bytesToHex(weak.secretKey), publicKey: bytesToHex(weak.publicKey), createdAt: 0 };
    await writeFile(join(dir, 'identity.json'), JSON.stringify(body));
    expect(bytesToHex((await loadOrCreateIdentity(dir, 1, 0)).keys.publicKey)).toBe(body.publicKey); // puzzle off: kept
    const r = await loadOrCreateIdentity(dir, 4321);
    expect(r.created).toBe(true);
    expect(solvesPuzzle(nodeIdFromPublicKey(r.keys.publicKey), NODE_PUZZLE_BITS)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['identity.json', 'identity.json.weak-4321']);
  });
});
