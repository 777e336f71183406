import { describe, expect, it } from 'vitest';
import { Latch } from '../../../../shared/env/latch';

describe('Latch', () => {
  it('waiters before and after open() resolve; a later fail() changes nothing', async () => {
    const l = new Latch();
    let early = false;
    const p = l.wait().then(() => (early = true));
    await Promise.resolve();
    expect(early).toBe(false);
    expect(l.isOpen).toBe(false);
    l.open();
    await p;
    expect(early).toBe(true);
    l.fail(new Error('too late'));
    expect(l.isOpen).toBe(true);
    await expect(l.wait()).resolves.toBeUndefined();
  });

  it('fail() rejects waiters before and after it with its error; a later open() changes nothing', async () => {
    const l = new Latch();
    const e = new Error('closed');
    const p = l.wait();
    l.fail(e);
    await expect(p).rejects.toBe(e);
    l.open();
    expect(l.isOpen).toBe(false);
    await expect(l.wait()).rejects.toBe(e);
  });
});
