import { describe, expect, it } from 'vitest';
import { exportStore, importStore, inBackup, openBackup, sealBackup } from '../../../../shared/chat/backup';
import { ChatError } from '../../../../shared/chat/errors';
import { MemoryChatStore } from '../../../../shared/chat/store';
import { seededRandom } from '../../../helpers/chat';

const identity = { v: 1, name: 'Alice' };
async function filled(): Promise<MemoryChatStore> {
  const s = new MemoryChatStore();
  await s.batch([
    { key: 'identity', value: identity },
    { key: 'contact/ab', value: { id: 'ab', name: 'Bob' } },
    { key: 'msg/ab/000000000000001-x', value: { text: 'hello' } },
    { key: 'session/ab/01', value: { sid: '01' } },
    { key: 'settings', value: { readReceipts: false } },
  ]);
  return s;
}
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return e instanceof ChatError ? e.code : String(e);
  }
}

describe('backup', () => {
  it('round trip: identity, contacts, history and settings come back; sessions do not travel', async () => {
    const file = await exportStore(await filled(), 'correct horse', seededRandom(1));
    const target = new MemoryChatStore();
    await target.batch([{ key: 'contact/zz', value: 'stale' }]);
    await importStore(target, file, 'correct horse', (v) => JSON.stringify(v) === JSON.stringify(identity));
    expect(target.keys().sort()).toEqual(['contact/ab', 'identity', 'msg/ab/000000000000001-x', 'settings']);
    expect(await target.get('msg/ab/000000000000001-x')).toEqual({ text: 'hello' });
    expect(inBackup('session/ab/01')).toBe(false);
  });

  it('a wrong passphrase, a flipped bit, a truncated or foreign file: a coded error, and nothing changes', async () => {
    const file = await sealBackup([['identity', identity]], 'pass', seededRandom(2));
    const target = await filled();
    const before = target.keys().sort();
    const ok = () => true;
    expect(await code(importStore(target, file, 'wrong', ok))).toBe('WRONG_PASSPHRASE');
    const flipped = Uint8Array.from(file);
    flipped[flipped.length - 5]! ^= 1;
    expect(await code(importStore(target, flipped, 'pass', ok))).toBe('WRONG_PASSPHRASE');
    expect(await code(importStore(target, file.subarray(0, 30), 'pass', ok))).toBe('BAD_BACKUP');
    expect(await code(importStore(target, new TextEncoder().encode('not a backup at all, really not'.repeat(5)), 'pass', ok))).toBe(
      'BAD_BACKUP',
    );
    expect(await code(importStore(target, file, 'pass', () => false))).toBe('BAD_BACKUP');
    expect(target.keys().sort()).toEqual(before);
  });

  it('refuses a backup without an identity, and entries a backup never carries', async () => {
    expect(await code(openBackup(await sealBackup([['contact/ab', 1]], 'p'), 'p'))).toBe('BAD_BACKUP');
    expect(
      await code(
        openBackup(
          await sealBackup(
            [
              ['identity', 1],
              ['session/x/y', 1],
            ],
            'p',
          ),
          'p',
        ),
      ),
    ).toBe('BAD_BACKUP');
    expect(await code(sealBackup([['identity', 1]], ''))).toBe('BAD_ARGUMENT');
  });
});
