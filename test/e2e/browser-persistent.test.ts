/**
 * Harness check: a persistent Chromium profile keeps IndexedDB across a browser restart (what
 * the "identity survives" tests rely on), with the same flags and permissions.
 * Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTestPages, launchPersistentChromium, serveStatic } from '../helpers/browser';

describe('persistent Chromium profile', () => {
  it('keeps IndexedDB across a browser restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-profile-'));
    const pages = await buildTestPages(['transport.html']);
    const server = await serveStatic(pages.dir);
    try {
      const url = `${server.origin}/transport.html`;
      const idb = ({ op, value }: { op: 'put' | 'get'; value?: string }) =>
        new Promise<string | null>((resolve, reject) => {
          const req = indexedDB.open('harness-check', 1);
          req.onupgradeneeded = () => req.result.createObjectStore('kv');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const tx = req.result.transaction('kv', op === 'put' ? 'readwrite' : 'readonly');
            const store = tx.objectStore('kv');
            const r = op === 'put' ? store.put(value, 'k') : store.get('k');
            tx.oncomplete = () => {
              req.result.close();
              resolve(op === 'put' ? value! : ((r.result as string | undefined) ?? null));
            };
            tx.onerror = () => reject(tx.error);
          };
        });
      let ctx = await launchPersistentChromium(dir);
      let page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      const id = await page.evaluate(() => window.testNode.id);
      await page.evaluate(idb, { op: 'put' as const, value: id });
      await ctx.close();
      ctx = await launchPersistentChromium(dir);
      page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      expect(await page.evaluate(idb, { op: 'get' as const })).toBe(id);
      await ctx.close();
    } finally {
      await server.close();
      await pages.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
