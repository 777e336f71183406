/**
 * A flood from some clients over real WebSockets: flooders are paused by their token bucket (TCP
 * backpressure) and held to burst + rate·t, and the well-behaved pair keeps talking. Latencies are
 * printed, not asserted: they are the bench's (npm run bench:signal), and they depend on how busy
 * the machine is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { type RawClient, authed, percentile, sleep, startServer } from '../helpers/signal-harness';

const RATE = 50;
const BURST = 200;

/** Relay latencies A -> B (sorted), and how many relays the server answered with TARGET_BUSY instead. */
async function measure(a: RawClient, b: RawClient, n: number, gapMs: number): Promise<{ lat: number[]; busy: number }> {
  const lat: number[] = [];
  let busy = 0;
  const onErr = (data: Buffer): void => {
    const m = JSON.parse(data.toString()) as { t: string; code?: string };
    if (m.t === 'error' && m.code === 'TARGET_BUSY') busy++;
  };
  a.ws.on('message', onErr);
  const sentAt = new Map<number, number>();
  const onMsg = (data: Buffer): void => {
    const m = JSON.parse(data.toString()) as { t: string; from?: string; payload?: { probe?: number } };
    if (m.t === 'relay' && m.from === a.nodeId && typeof m.payload?.probe === 'number') {
      const t0 = sentAt.get(m.payload.probe);
      if (t0 !== undefined) lat.push(performance.now() - t0);
    }
  };
  b.ws.on('message', onMsg);
  for (let i = 0; i < n; i++) {
    sentAt.set(i, performance.now());
    a.send({ t: 'relay', to: b.nodeId, payload: { probe: i } });
    await sleep(gapMs);
  }
  const end = Date.now() + 5000;
  while (lat.length + busy < n && Date.now() < end) await sleep(10);
  b.ws.off('message', onMsg);
  a.ws.off('message', onErr);
  return { lat: lat.sort((x, y) => x - y), busy };
}

describe('signal fairness', () => {
  let server: SignalServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('a flood from 5 clients does not slow a well-behaved pair', async () => {
    server = await startServer({ ratePerSec: RATE, burst: BURST, maxConnectionsPerIp: 100, overloadLagMs: 50 });
    const a = await authed(server, 1);
    const b = await authed(server, 2);
    clients.push(a, b);
    const flooders: RawClient[] = [];
    for (let i = 0; i < 5; i++) flooders.push(await authed(server, 10 + i));
    clients.push(...flooders);
    let fromFlood = 0;
    const floodIds = new Set(flooders.map((f) => f.nodeId));
    b.ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString()) as { from?: string };
      if (m.from && floodIds.has(m.from)) fromFlood++;
    });

    const { lat: base } = await measure(a, b, 40, 20);
    expect(base).toHaveLength(40);

    // Flood at full speed (bounded: 3 s, 200k frames, 1 MB unsent per flooder) while measuring again.
    const junk = { t: 'relay', to: b.nodeId, payload: 'x'.repeat(1000) };
    const frame = JSON.stringify(junk);
    let floodSent = 0;
    let flooding = true;
    const floodLoop = (async () => {
      const end = Date.now() + 3000;
      while (flooding && Date.now() < end && floodSent < 200_000) {
        for (const f of flooders) {
          for (let k = 0; k < 50 && f.ws.bufferedAmount < 1 << 20; k++) {
            f.ws.send(frame);
            floodSent++;
          }
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await sleep(200);
    const t0 = Date.now();
    const { lat: under, busy } = await measure(a, b, 40, 20);
    const floodMs = Date.now() - t0 + 200;
    flooding = false;
    await floodLoop;

    const p99base = percentile(base, 99);
    const p99 = percentile(under, 99);
    const limited = a.inbox.filter((m) => m.t === 'error' && m.code === 'RATE_LIMITED').length;
    // eslint-disable-next-line no-console
    console.log(
      `fairness: baseline p50 ${percentile(base, 50).toFixed(1)} p99 ${p99base.toFixed(1)} ms; under flood p50 ${percentile(under, 50).toFixed(1)} p99 ${p99.toFixed(1)} ms; flood sent ${floodSent}, delivered ${fromFlood}; good relays delivered ${under.length}, busy ${busy}, rate-limit notices ${limited}`,
    );
    // Latency under flood is a benchmark figure (npm run bench:signal), and exact shedding is tested
    // sans-IO (test/unit/signal-server/hub.test.ts). Here, what holds however loaded the machine:
    // the good pair still talks, and a good relay that did not arrive was answered TARGET_BUSY or
    // its sender was told it was rate limited: none vanished unannounced.
    expect(under.length).toBeGreaterThanOrEqual(1);
    expect(under.length + busy === 40 || limited > 0).toBe(true);
    expect(floodSent).toBeGreaterThan(5 * (BURST + 100)); // the flood really went past the limit
    // flood deliveries bounded by the buckets: burst + rate x time per flooder, time as it passed
    // (without rate limiting this fails: every flood frame is relayed)
    expect(fromFlood).toBeLessThanOrEqual(5 * (BURST + RATE * (floodMs / 1000 + 1)));
    expect(server.metrics.rateLimitedTotal).toBeGreaterThanOrEqual(5);
    expect((server.metrics.dropped.get('rate_limited') ?? 0) + (server.metrics.dropped.get('overload') ?? 0)).toBeGreaterThan(0);
  });
});
