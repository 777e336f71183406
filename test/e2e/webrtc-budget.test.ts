/**
 * The connection budget in real Chromium: LRU eviction with a BYE (the evicted tab reports no
 * peer-down), protected peers kept, and the lifetime hard stop. Run inside
 * ../shared/tools/loopback-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportTabs } from '../helpers/transport-tabs';

let tt: TransportTabs | undefined;
let setupError: unknown;
beforeAll(async () => {
  try {
    tt = await TransportTabs.start();
  } catch (e) {
    setupError = e;
  }
});
afterAll(async () => {
  await tt?.close();
});

describe('connection budget in Chromium', () => {
  it('evicts the LRU unprotected connection with a BYE and stops at the lifetime limit', async () => {
    if (setupError) throw setupError;
    const hub = await tt!.open('?maxOpen=2&lifetimeLimit=4');
    const peers = [await tt!.open(), await tt!.open(), await tt!.open(), await tt!.open()];
    const h = tt!.tab(hub);
    await h.evaluate((p) => window.testNode.protect(p, 'chat'), peers[0]!);
    for (const p of peers.slice(0, 3)) expect(await h.evaluate((x) => window.testNode.tryConnect(x), p)).toBe('ok');
    // peers[1] was the LRU unprotected connection: evicted with a BYE.
    await tt!.tab(peers[1]!).waitForFunction((x) => !window.testNode.connected(x), hub, { timeout: 5_000 });
    const s = await h.evaluate(() => window.testNode.stats());
    expect(s.open).toBe(2);
    expect(s.lifetimeConnections).toBe(3);
    expect(await h.evaluate((x) => window.testNode.connected(x), peers[0]!)).toBe(true);
    // Give a would-be peer-down time to surface: none, because eviction is not failure.
    await new Promise((r) => setTimeout(r, 500));
    expect(await tt!.tab(peers[1]!).evaluate(() => window.testNode.peerDowns())).toEqual([]);
    // Lifetime: one more is allowed (4), then LIFETIME_LIMIT, whoever the peer is.
    expect(await h.evaluate((x) => window.testNode.tryConnect(x), peers[3]!)).toBe('ok');
    expect(await h.evaluate((x) => window.testNode.tryConnect(x), peers[1]!)).toBe('LIFETIME_LIMIT');
    expect((await h.evaluate(() => window.testNode.stats())).lifetimeConnections).toBe(4);
  });
});
