/**
 * E2E helper: Chromium tabs, one browser context (identity) each, running the real
 * WebRtcTransport on test/fixtures/pages/transport.html, with signaling relayed by the test runner
 * (page.exposeFunction out, page.evaluate in). Query options of the page: `lifecycle=0` (do not
 * close connections on pagehide), `maxOpen=N`, `lifetimeLimit=N`.
 */
import type { Browser, Page } from 'playwright-core';
import { buildTestPages, launchChromium, newIdentityContext, serveStatic, type BuiltPages, type StaticServer } from './browser';

export class TransportTabs {
  readonly tabs = new Map<string, Page>();
  readonly ids: string[] = [];

  private constructor(
    readonly browser: Browser,
    private readonly pages: BuiltPages,
    private readonly server: StaticServer,
  ) {}

  /** Launch Chromium, build and serve the test page. Throws a clear error without Chromium. */
  static async start(): Promise<TransportTabs> {
    const browser = await launchChromium();
    try {
      const pages = await buildTestPages(['transport.html']);
      const server = await serveStatic(pages.dir);
      return new TransportTabs(browser, pages, server);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** Open a tab in a fresh context; resolves with its node id once the transport is ready. */
  async open(query = ''): Promise<string> {
    const ctx = await newIdentityContext(this.browser);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e));
    let myId: string | null = null;
    await page.exposeFunction('__signalOut', async (to: string, json: string) => {
      const target = this.tabs.get(to);
      if (!myId || !target || target.isClosed()) return;
      await target.evaluate(([f, j]) => window.testNode.signalIn(f, j), [myId, json] as const).catch(() => {});
    });
    await page.goto(`${this.server.origin}/transport.html${query}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 15_000 });
    const id = await page.evaluate(() => window.testNode.id);
    myId = id;
    this.tabs.set(id, page);
    this.ids.push(id);
    return id;
  }

  tab(id: string): Page {
    const p = this.tabs.get(id);
    if (!p) throw new Error(`no tab ${id}`);
    return p;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
    await this.pages.cleanup();
  }
}
