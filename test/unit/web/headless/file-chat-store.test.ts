import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileChatStore } from '../../../../web/headless/file-chat-store';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'chat-store-'));
  dirs.push(d);
  return d;
}

describe('FileChatStore', () => {
  it('batches survive reopening; lists are by prefix in key order', async () => {
    const d = await dir();
    const s = await FileChatStore.open(d);
    await s.batch([
      { key: 'contact/b', value: { n: 2 } },
      { key: 'contact/a', value: { n: 1 } },
      { key: 'identity', value: 'me' },
    ]);
    await s.batch([{ key: 'contact/b', delete: true }]);
    const again = await FileChatStore.open(d);
    expect(await again.get('identity')).toBe('me');
    expect(await again.list('contact/')).toEqual([['contact/a', { n: 1 }]]);
  });

  it('a failed write changes nothing in memory or on disk', async () => {
    const d = await dir();
    const s = await FileChatStore.open(d);
    await s.batch([{ key: 'k', value: 1 }]);
    await rm(d, { recursive: true, force: true });
    await expect(s.batch([{ key: 'k', value: 2 }])).rejects.toThrow();
    expect(await s.get('k')).toBe(1);
  });

  it('a corrupt file is an error, not an empty store', async () => {
    const d = await dir();
    await writeFile(join(d, 'chat.json'), '{not json');
    await expect(FileChatStore.open(d)).rejects.toThrow(/unreadable/);
    expect(await readFile(join(d, 'chat.json'), 'utf8')).toBe('{not json');
  });
});
