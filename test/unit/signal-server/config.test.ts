import { describe, expect, it } from 'vitest';
import { NODE_PUZZLE_BITS } from '../../../shared/dht/constants';
import { MAX_PUZZLE_BITS } from '../../../shared/dht/node-puzzle';
import { parseConfig } from '../../../signal-server/config';

const portOf = (argv: string[], env: Record<string, string>): number | undefined => {
  const r = parseConfig(argv, env);
  if (!r.ok || r.help) throw new Error(`parse failed: ${JSON.stringify(r)}`);
  return r.options.port;
};

describe('signal server config: the port', () => {
  it('defaults to 8080', () => {
    expect(portOf([], {})).toBe(8080);
  });
  it('reads PORT (set by PaaS and container platforms) when neither SIGNAL_PORT nor --port is given', () => {
    expect(portOf([], { PORT: '3000' })).toBe(3000);
  });
  it('SIGNAL_PORT wins over PORT, and --port over both', () => {
    expect(portOf([], { PORT: '3000', SIGNAL_PORT: '4000' })).toBe(4000);
    expect(portOf(['--port', '5000'], { PORT: '3000', SIGNAL_PORT: '4000' })).toBe(5000);
  });
  it('a bad PORT is a clear error, not a silent default', () => {
    expect(parseConfig([], { PORT: 'abc' })).toMatchObject({ ok: false });
    expect(parseConfig([], { PORT: '70000' })).toMatchObject({ ok: false, error: '--port out of range' });
  });
});

describe('signal server config: the issue 16 limits', () => {
  it('has the documented defaults and reads each from its flag or environment variable', () => {
    const r = parseConfig(['--hello-per-min', '30', '--max-json-depth=16'], {
      SIGNAL_TURN_PER_MIN_IP: '5',
      SIGNAL_TURN_SECRET: 's',
      SIGNAL_TURN: 'turn:127.0.0.1:3478',
    });
    if (!r.ok || r.help) throw new Error(JSON.stringify(r));
    expect(r.options).toMatchObject({
      helloPerMin: 30,
      helloBurst: 60,
      maxJsonDepth: 16,
      bytesPerToken: 2048,
      turnPerMinPerIp: 5,
      turnPerMinPerId: 2,
      maxPendingPerIp: 64,
      maxPending: 2048,
      upgradeTimeoutMs: 5000,
      unknownTargetCost: 4,
    });
    expect(r.options.turnSecret?.ttlSec).toBe(3600);
  });
  it('the node-id puzzle: NODE_PUZZLE_BITS by default (as the tabs), set by flag or env, 0..MAX_PUZZLE_BITS', () => {
    const bits = (argv: string[], env: Record<string, string> = {}) => {
      const r = parseConfig(argv, env);
      return r.ok && !r.help ? r.options.nodePuzzleBits : undefined;
    };
    expect(bits([])).toBe(NODE_PUZZLE_BITS);
    expect(bits(['--node-puzzle-bits', '0'])).toBe(0);
    expect(bits([], { SIGNAL_NODE_PUZZLE_BITS: '12' })).toBe(12);
    expect(parseConfig(['--node-puzzle-bits', String(MAX_PUZZLE_BITS + 1)], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--node-puzzle-bits', '-1'], {})).toMatchObject({ ok: false });
  });
  it('refuses depth limits outside 4..64 and zero rates', () => {
    expect(parseConfig(['--max-json-depth', '100'], {})).toMatchObject({ ok: false });
    expect(parseConfig(['--hello-per-min', '0'], {})).toMatchObject({ ok: false });
  });
});
