/**
 * The component test harness: the app's elements on a test page (test/fixtures/pages/
 * components.html) in real Chromium, one fresh context (own storage) per test, fed by the fakes.
 * Must run inside ../shared/tools/loopback-only.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buildTestPages, launchChromium, serveStatic, type BuiltPages, type StaticServer } from './browser';

export interface ComponentHarness {
  open(opts?: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; permissions?: string[] }): Promise<Page>;
  /** Uncaught errors of `page` so far (tests expect none). */
  errors(page: Page): string[];
  close(): Promise<void>;
}

export async function componentHarness(): Promise<ComponentHarness> {
  let pages: BuiltPages | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const errorsOf = new WeakMap<Page, string[]>();
  try {
    browser = await launchChromium();
    pages = await buildTestPages(['components.html']);
    server = await serveStatic(pages.dir);
  } catch (e) {
    await browser?.close();
    await pages?.cleanup();
    throw e;
  }
  const origin = server.origin;
  return {
    async open(opts = {}) {
      const ctx = await browser!.newContext({
        viewport: opts.viewport ?? { width: 1000, height: 760 },
        colorScheme: opts.colorScheme ?? 'light',
        permissions: opts.permissions ?? [],
      });
      contexts.push(ctx);
      const page = await ctx.newPage();
      const errors: string[] = [];
      errorsOf.set(page, errors);
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${origin}/components.html`);
      await page.waitForFunction(() => document.body.dataset.ready === '1');
      return page;
    },
    errors: (page) => errorsOf.get(page) ?? [],
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close();
      await server?.close();
      await pages?.cleanup();
    },
  };
}

/**
 * One harness for a test file, with its hooks: started before the file's tests, closed after, and
 * after each test the page it opened last must have thrown nothing. Call at the file's top level.
 */
export function componentSuite(): Pick<ComponentHarness, 'open'> {
  let h: ComponentHarness | undefined;
  let last: Page | undefined;
  beforeAll(async () => {
    h = await componentHarness();
  }, 120_000);
  afterAll(() => h?.close());
  afterEach(() => {
    if (last) expect(h!.errors(last)).toEqual([]);
  });
  return {
    async open(opts) {
      last = await h!.open(opts);
      return last;
    },
  };
}
