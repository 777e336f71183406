import { describe, expect, it } from 'vitest';
import type { IceServer, WelcomeMsg } from '../../../../shared/protocol/signaling';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import { RUNTIME_DEFAULTS } from '../../../../web/runtime/constants';
import { keepTurnFresh } from '../../../../web/runtime/turn-refresh';

const STUN: IceServer = { urls: 'stun:127.0.0.1:3478' };
const OWN: IceServer = { urls: 'stun:127.0.0.2:3478' };
const turn = (n: number): IceServer => ({ urls: 'turn:127.0.0.1:3478', username: `u${n}`, credential: `c${n}` });
const welcome = (turnOn: boolean, servers: IceServer[]): WelcomeMsg => ({
  t: 'welcome',
  nodeId: 'a'.repeat(40),
  iceServers: servers,
  peers: [],
  heartbeatMs: 30_000,
  limits: {} as WelcomeMsg['limits'],
  ...(turnOn ? { turn: true } : {}),
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TURN credential refresh', () => {
  it('asks for fresh credentials before they expire and swaps only the TURN entries', async () => {
    const clock = new VirtualClock();
    const sets: IceServer[][] = [];
    let n = 1;
    let fail = false;
    const client = { turnCredentials: () => (fail ? Promise.reject(new Error('RATE_LIMITED')) : Promise.resolve([turn(++n)])) };
    const r = keepTurnFresh(client, (s) => sets.push(s), clock, [OWN]);
    r.welcome(welcome(true, [STUN, turn(1)]));
    expect(sets.at(-1)).toEqual([OWN, STUN, turn(1)]);
    clock.runFor(RUNTIME_DEFAULTS.turnRefresh.everyMs - 1);
    expect(sets).toHaveLength(1);
    clock.runFor(1);
    await flush();
    expect(sets.at(-1)).toEqual([OWN, STUN, turn(2)]);
    // A refused ask is tried again after retryMs, then the cycle goes on.
    fail = true;
    clock.runFor(RUNTIME_DEFAULTS.turnRefresh.everyMs);
    await flush();
    expect(sets).toHaveLength(2);
    fail = false;
    clock.runFor(RUNTIME_DEFAULTS.turnRefresh.retryMs);
    await flush();
    expect(sets.at(-1)).toEqual([OWN, STUN, turn(3)]);
    r.stop();
    clock.runFor(10 * RUNTIME_DEFAULTS.turnRefresh.everyMs);
    await flush();
    expect(sets).toHaveLength(3);
  });

  it('does nothing more for a welcome without TURN on request', async () => {
    const clock = new VirtualClock();
    const sets: IceServer[][] = [];
    let asked = 0;
    const client = {
      turnCredentials: () => {
        asked++;
        return Promise.resolve([]);
      },
    };
    const r = keepTurnFresh(client, (s) => sets.push(s), clock);
    r.welcome(welcome(false, [STUN]));
    clock.runFor(10 * RUNTIME_DEFAULTS.turnRefresh.everyMs);
    await flush();
    expect(sets).toEqual([[STUN]]);
    expect(asked).toBe(0);
  });
});
