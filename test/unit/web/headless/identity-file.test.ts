import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../../shared/crypto/bytes';
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
});
