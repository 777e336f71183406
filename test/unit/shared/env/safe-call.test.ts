import { describe, expect, it } from 'vitest';
import { callSafely } from '../../../../shared/env/safe-call';

describe('callSafely', () => {
  it('runs the function, keeps its exception in, and says whether it threw', () => {
    let ran = 0;
    expect(callSafely(() => void ran++)).toBe(true);
    expect(
      callSafely(() => {
        ran++;
        throw new Error('a listener bug');
      }),
    ).toBe(false);
    expect(ran).toBe(2);
  });
});
