/**
 * Proves real WebRTC works in the harness: Debian Chromium, three tabs in three contexts, each
 * running the real WebRtcTransport (test/fixtures/pages/transport-page.ts), signaling relayed by
 * this test through Playwright. Run inside ../shared/tools/loopback-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportTabs } from '../helpers/transport-tabs';

let tt: TransportTabs | undefined;
const ids: string[] = [];
const tab = (id: string) => tt!.tab(id);
const openTab = async (query = '') => {
  const id = await tt!.open(query);
  ids.push(id);
  return id;
};

// A setup failure (no Chromium, not in the loopback namespace) fails every test with its
// message; nothing is reported as skipped.
let setupError: unknown;
beforeAll(async () => {
  try {
    tt = await TransportTabs.start();
    await openTab();
    await openTab();
    await openTab('?lifecycle=0'); // c vanishes without closing its connections
  } catch (e) {
    setupError = e;
  }
});
function ready(): void {
  if (setupError) throw setupError;
}

afterAll(async () => {
  await tt?.close();
});

describe('WebRTC in Debian Chromium (loopback)', () => {
  it('two tabs in separate contexts open a data channel and exchange frames both ways', async () => {
    ready();
    const [a, b] = ids as [string, string];
    const ms = await tab(a).evaluate((peer) => window.testNode.connect(peer), b);
    await tab(a).evaluate((peer) => window.testNode.send(peer, 'hello from a'), b);
    await tab(b).evaluate((peer) => window.testNode.send(peer, 'hello from b'), a);
    await tab(b).waitForFunction(() => window.testNode.received().length === 1, undefined, { timeout: 10_000 });
    await tab(a).waitForFunction(() => window.testNode.received().length === 1, undefined, { timeout: 10_000 });
    expect(await tab(b).evaluate(() => window.testNode.received())).toEqual([[a, 'hello from a']]);
    expect(await tab(a).evaluate(() => window.testNode.received())).toEqual([[b, 'hello from b']]);
    const sa = await tab(a).evaluate(() => window.testNode.stats());
    expect(sa.open).toBe(1);
    expect(sa.lifetimeConnections).toBe(1);
    console.log(`[webrtc-smoke] Chromium first data channel setup: ${ms.toFixed(1)} ms`);
  });

  it('connects on demand (send queues while dialing), then reports a closed tab as down', async () => {
    ready();
    const [a, b, c] = ids as [string, string, string];
    await tab(c).evaluate(
      (peers) => {
        for (const p of peers) window.testNode.send(p, 'queued from c');
      },
      [a, b],
    );
    await tab(a).waitForFunction(() => window.testNode.received().length === 2, undefined, { timeout: 10_000 });
    await tab(b).waitForFunction(() => window.testNode.received().length === 2, undefined, { timeout: 10_000 });
    expect((await tab(a).evaluate(() => window.testNode.received()))[1]).toEqual([c, 'queued from c']);
    const setup = await tab(c).evaluate(() => window.testNode.stats().setupMs);
    console.log(`[webrtc-smoke] Chromium on-demand setup (2 parallel dials): ${setup.map((x) => x.toFixed(1)).join(' ')} ms`);
    // Closing tab c, which does not close its connections on pagehide (like a crashed tab),
    // must still surface as a peer-down in a and b (ICE 'disconnected' + grace, ~9 s).
    await tab(c).close();
    await tab(a).waitForFunction((p) => window.testNode.peerDowns().includes(p), c, { timeout: 15_000 });
    await tab(b).waitForFunction((p) => window.testNode.peerDowns().includes(p), c, { timeout: 15_000 });
    expect(await tab(a).evaluate(() => window.testNode.stats().open)).toBe(1);
  });

  it('a tab that closes normally (pagehide: BYE, then the browser closes) is gone at once, with no failure', async () => {
    ready();
    const [a] = ids as [string];
    const d = await openTab();
    await tab(d).evaluate((peer) => window.testNode.connect(peer), a);
    const t0 = Date.now();
    await tab(d).close();
    // Far below the ~9 s of the silent path above.
    await tab(a).waitForFunction((p) => !window.testNode.connected(p), d, { timeout: 4_000 });
    console.log(
      `[webrtc-smoke] closed tab (pagehide) gone after ${Date.now() - t0} ms; peerDowns ${JSON.stringify(await tab(a).evaluate(() => window.testNode.peerDowns()))}`,
    );
    // It said BYE before its connections went: a read it, so counts no failure and would not redial.
    expect(await tab(a).evaluate(() => window.testNode.peerDowns())).not.toContain(d);
    ids.pop();
  });

  it('measures repeated setup between two tabs (close and redial)', async () => {
    ready();
    const [a, b] = ids as [string, string];
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await tab(a).evaluate((peer) => window.testNode.close(peer), b);
      await tab(b).waitForFunction((p) => !window.testNode.connected(p), a, { timeout: 5_000 });
      times.push(await tab(a).evaluate((peer) => window.testNode.connect(peer), b));
    }
    await tab(a).evaluate((peer) => window.testNode.send(peer, 'after redials'), b);
    await tab(b).waitForFunction(() => window.testNode.received().some((r) => r[1] === 'after redials'), undefined, { timeout: 10_000 });
    expect(await tab(b).evaluate(() => window.testNode.peerDowns())).toEqual([ids[2]]);
    const sorted = [...times].sort((x, y) => x - y);
    console.log(`[webrtc-smoke] Chromium redial setup ms: ${times.map((x) => x.toFixed(1)).join(' ')} (median ${sorted[2]!.toFixed(1)})`);
  });
});
