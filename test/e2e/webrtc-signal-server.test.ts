/**
 * Chromium tabs (one context each) run the real WebRtcTransport with the real SignalClient over
 * the browser's WebSocket, against the real signal server on 127.0.0.1 port 0: they meet through
 * the server's welcome sample and exchange frames over data channels.
 * Run inside ../shared/tools/loopback-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SignalServer } from '../../signal-server/server';
import { buildTestPages, launchChromium, newIdentityContext, serveStatic, type BuiltPages, type StaticServer } from '../helpers/browser';
import { startServer } from '../helpers/signal-harness';

const TABS = 4;
let pages: BuiltPages | undefined;
let web: StaticServer | undefined;
let signal: SignalServer | undefined;
let browser: Browser | undefined;
const tabs: Page[] = [];
let setupError: unknown;

beforeAll(async () => {
  try {
    browser = await launchChromium();
    pages = await buildTestPages(['signal.html']);
    web = await serveStatic(pages.dir);
    signal = await startServer({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
  } catch (e) {
    setupError = e;
  }
});

afterAll(async () => {
  await browser?.close();
  await signal?.close();
  await web?.close();
  await pages?.cleanup();
});

describe('Chromium tabs over the signal server', () => {
  it(`${TABS} tabs meet through the server's welcome and exchange frames`, async () => {
    if (setupError) throw setupError;
    for (let i = 0; i < TABS; i++) {
      const ctx = await newIdentityContext(browser!);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error('[page error]', e));
      await page.goto(`${web!.origin}/signal.html?signal=${encodeURIComponent(signal!.wsUrl)}`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading', undefined, { timeout: 15_000 });
      const err = await page.evaluate(() => window.signalError ?? null);
      expect(err).toBeNull();
      tabs.push(page);
    }
    const nodes = await Promise.all(
      tabs.map((p) =>
        p.evaluate(() => ({ id: window.signalNode!.id, peers: window.signalNode!.welcomePeers, ice: window.signalNode!.iceServers })),
      ),
    );
    expect(nodes[0]!.ice).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    let expected = 0;
    for (let i = 0; i < TABS; i++) {
      expect(nodes[i]!.peers.length).toBe(i);
      for (const p of nodes[i]!.peers) {
        await tabs[i]!.evaluate(([to, text]) => window.signalNode!.send(to, text), [p, `hi from ${i}`] as const);
        expected++;
      }
    }
    const total = async () =>
      (await Promise.all(tabs.map((p) => p.evaluate(() => window.signalNode!.received().length)))).reduce((a, b) => a + b, 0);
    const end = Date.now() + 20_000;
    while ((await total()) < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await total()).toBe(expected);
    const stats = await Promise.all(tabs.map((p) => p.evaluate(() => window.signalNode!.stats())));
    for (const s of stats) expect(s.open).toBe(TABS - 1);
    const setup = stats.flatMap((s) => s.setupMs).sort((a, b) => a - b);
    console.log(
      `[webrtc-signal-server e2e] Chromium setup via ws signaling (parallel dials per tab), ms: ${setup.map((x) => x.toFixed(0)).join(' ')}`,
    );
  });
});
