/** The cluster options: --redis / SIGNAL_REDIS_URL and its companions, validated; absent, the server stays alone. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../signal-server/config';

const options = (argv: string[], env: Record<string, string> = {}) => {
  const r = parseConfig(argv, env);
  if (!r.ok || r.help) throw new Error(`parse failed: ${JSON.stringify(r)}`);
  return r.options;
};

describe('signal server config: the cluster', () => {
  it('is off by default', () => {
    expect(options([]).redis).toBeUndefined();
  });
  it('reads SIGNAL_REDIS_URL and --redis (the flag wins), with defaults for the rest', () => {
    expect(options([], { SIGNAL_REDIS_URL: 'redis://redis.internal:6379' })).toMatchObject({
      redis: 'redis://redis.internal:6379',
      redisChannels: 'instance',
      redisPrefix: 'p2p-signal:',
      redisLeaseMs: 15000,
    });
    expect(options(['--redis', 'rediss://r:6380/2'], { SIGNAL_REDIS_URL: 'redis://x' }).redis).toBe('rediss://r:6380/2');
    expect(options(['--redis=redis://r', '--redis-channels', 'id', '--redis-prefix', 'chat:', '--redis-lease-ms', '5000'])).toMatchObject({
      redisChannels: 'id',
      redisPrefix: 'chat:',
      redisLeaseMs: 5000,
    });
  });
  it('refuses what it cannot use', () => {
    expect(parseConfig(['--redis', 'http://r'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--redis', 'redis://r', '--redis-channels', 'both'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--redis', 'redis://r', '--redis-lease-ms', '10'], {})).toMatchObject({ ok: false });
  });
});
