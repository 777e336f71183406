/**
 * Helpers for the browser-node e2e suite and the browser bench: build the real page (web/) with
 * vite into a temp dir, serve it with the real signal server on 127.0.0.1, and open tabs (one
 * browser context each = one identity) that run the node and expose `window.p2p`.
 * Must run inside ../shared/tools/loopback-only.
 */
import { NODE_PUZZLE_BITS } from '../../shared/dht/constants';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { silentLogger } from '../../signal-server/log';
import { createSignalServer, type SignalServer } from '../../signal-server/server';

const WEB_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../web');

export interface BuiltApp {
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * Build the page (web/index.html) into a fresh temp dir with the project's vite config (so the
 * service worker is built too). `minify: true` is the production build.
 */
export async function buildApp(opts: { minify?: boolean } = {}): Promise<BuiltApp> {
  const { build } = await import('vite');
  const dir = await mkdtemp(join(tmpdir(), 'p2p-app-'));
  await build({
    configFile: resolve(WEB_ROOT, '../vite.config.ts'),
    root: WEB_ROOT,
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, target: 'es2022', minify: opts.minify ?? false },
  });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The real signal server serving the built page; `port` 0 picks a free one (reuse it to restart).
 * It checks the node-id puzzle as the CLI does (tabs make keys that solve it).
 */
export function startSignal(staticDir: string, port = 0): Promise<SignalServer> {
  return createSignalServer({
    port,
    host: '127.0.0.1',
    staticDir,
    log: silentLogger,
    shutdownGraceMs: 300,
    nodePuzzleBits: NODE_PUZZLE_BITS,
  });
}

export interface Tab {
  ctx: BrowserContext;
  page: Page;
  id: string;
  publicKey: string;
  errors: string[];
}

/** Open the page in `ctx` (a new context if omitted) and wait for `window.p2p`. */
export async function openTab(
  browser: Browser,
  origin: string,
  opts: { profile?: string; ctx?: BrowserContext; timeoutMs?: number } = {},
): Promise<Tab> {
  const ctx = opts.ctx ?? (await browser.newContext({ permissions: ['camera', 'microphone'] }));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/${opts.profile ? `?profile=${encodeURIComponent(opts.profile)}` : ''}`);
  return { ctx, page, errors, ...(await waitForNode(page, opts.timeoutMs ?? 20_000)) };
}

/** Wait until the page's node is up; throws the page's start error if it failed. */
export async function waitForNode(page: Page, timeoutMs = 20_000): Promise<{ id: string; publicKey: string }> {
  await page.waitForFunction(() => window.p2p !== undefined || window.p2pError !== undefined, undefined, { timeout: timeoutMs });
  const r = await page.evaluate(() =>
    window.p2p
      ? { id: window.p2p.id, publicKey: window.p2p.publicKey, error: null }
      : { id: '', publicKey: '', error: window.p2pError ?? 'unknown' },
  );
  if (r.error) throw new Error(`node failed to start in the page: ${r.error}`);
  return { id: r.id, publicKey: r.publicKey };
}

/** Poll `cond` until it holds; throws after `timeoutMs` with `what` (and the last value). */
export async function waitUntil<T>(
  cond: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await cond();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
