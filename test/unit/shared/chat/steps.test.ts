import { describe, expect, it } from 'vitest';
import { Steps } from '../../../../shared/chat/steps';

describe('Steps', () => {
  it('runs a job once at a time; asked again while running (any number of times), it runs once more', async () => {
    const steps = new Steps(() => undefined);
    let runs = 0;
    let open: (() => void) | undefined;
    const job = async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (open = r));
    };
    const first = steps.run('a', job);
    void steps.run('a', job);
    void steps.run('a', job);
    expect(runs).toBe(1);
    open!();
    await first;
    expect(runs).toBe(2);
    await steps.run('a', job);
    expect(runs).toBe(3);
  });

  it('counts a job that throws, and does not run it again once stopped', async () => {
    let errors = 0;
    let stopped = false;
    const steps = new Steps(
      () => errors++,
      () => stopped,
    );
    let runs = 0;
    let open: (() => void) | undefined;
    const job = async () => {
      runs++;
      await new Promise<void>((r) => (open = r));
      throw new Error('boom');
    };
    const first = steps.run('b', job);
    void steps.run('b', job);
    stopped = true;
    open!();
    await first;
    expect(runs).toBe(1);
    expect(errors).toBe(1);
  });
});
