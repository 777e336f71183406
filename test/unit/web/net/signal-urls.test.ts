/**
 * Signaling fail-over on the client side, against fake sockets on a VirtualClock: the URL list
 * (comma-separated or an array), a random start spread over the instances, a move to the next URL
 * after every drop or failed attempt (with the usual backoff), re-registration there, and no
 * change at all for a single URL.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../shared/env/rng';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';
import { SignalClient } from '../../../../web/net/signal-client';
import { SignalUrls, parseSignalUrls } from '../../../../web/net/signal-urls';
import { testSeed } from '../../../helpers/dht';
import { FakeSocketServer, settleMicrotasks, welcome } from '../../../helpers/fake-websocket';
import { keyFromSeed } from '../../../helpers/records';

const SEED = testSeed(0xfa11);
const A = 'wss://a.test/signal';
const B = 'wss://b.test/signal';
const C = 'wss://c.test/signal';

describe('signaling URL lists', () => {
  it('parses comma-separated lists and arrays, trimming blanks and duplicates', () => {
    expect(parseSignalUrls(` ${A}, ${B} ,,${A}`)).toEqual([A, B]);
    expect(parseSignalUrls([A, `${B},${C}`])).toEqual([A, B, C]);
    expect(parseSignalUrls(A)).toEqual([A]);
    expect(() => new SignalUrls(' , ', new SeededRng(1))).toThrow(TypeError);
  });

  it('starts at a random URL, so clients spread over the instances, then cycles through all', () => {
    const rng = new SeededRng(SEED);
    const starts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const u = new SignalUrls([A, B, C], rng).current;
      starts.set(u, (starts.get(u) ?? 0) + 1);
    }
    for (const u of [A, B, C]) expect(starts.get(u), `seed ${SEED}`).toBeGreaterThan(60);
    const u = new SignalUrls([A, B, C], rng);
    const seen = [u.current];
    for (let i = 0; i < 3; i++) {
      u.advance();
      seen.push(u.current);
    }
    expect(new Set(seen.slice(0, 3)).size).toBe(3);
    expect(seen[3]).toBe(seen[0]);
  });

  it('one URL draws nothing from the rng (the single-server client is unchanged)', () => {
    const a = new SeededRng(5);
    const b = new SeededRng(5);
    new SignalUrls(A, a);
    expect(a.next()).toBe(b.next());
  });
});

describe('SignalClient fail-over', () => {
  const rig = () => {
    const clock = new VirtualClock(1_000_000);
    const server = new FakeSocketServer();
    const client = new SignalClient({
      url: `${A},${B}`,
      keyPair: keyFromSeed(3),
      WebSocket: server.WebSocket,
      clock,
      rng: new SeededRng(SEED),
      backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.5 },
    });
    return { clock, server, client };
  };
  const handshake = async (server: FakeSocketServer): Promise<void> => {
    const nonce = server.challenge(server.last);
    await settleMicrotasks();
    welcome(server.last, nonce);
  };

  it('moves to the other instance after a drop, with backoff, and registers there', async () => {
    const { clock, server, client } = rig();
    const p = client.connect();
    await handshake(server);
    await p;
    const first = server.last.url;
    expect(client.url).toBe(first);
    const welcomes: number[] = [];
    client.on('welcome', () => welcomes.push(clock.now()));
    const droppedAt = clock.now();
    server.last.drop(1006, 'instance died');
    expect(client.state).toBe('reconnecting');
    clock.runUntil(droppedAt + 499);
    expect(server.sockets.length, 'no retry before base·(1−jitter)').toBe(1);
    clock.runUntil(droppedAt + 1000);
    expect(server.sockets.length).toBe(2);
    const second = server.last.url;
    expect(second).not.toBe(first);
    expect(client.url).toBe(second);
    await handshake(server);
    expect(client.state).toBe('open');
    expect(welcomes.length).toBe(1);
    expect(server.last.receivedOf('hello').length).toBe(1);
  });

  it('a failed attempt moves on too: a dead instance is skipped on the next try', async () => {
    const { clock, server, client } = rig();
    void client.connect().catch(() => {});
    const firstUrl = server.last.url;
    server.last.drop(1006, 'refused');
    clock.runUntil(clock.now() + 1000);
    expect(server.last.url).not.toBe(firstUrl);
    server.last.drop(1006, 'refused');
    clock.runUntil(clock.now() + 2000);
    expect(server.last.url).toBe(firstUrl);
    await handshake(server);
    expect(client.state).toBe('open');
    client.close();
  });
});
