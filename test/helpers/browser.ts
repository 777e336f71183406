/**
 * Real-browser harness: Debian Chromium (never a downloaded browser) driven by playwright-core,
 * with the flags that make WebRTC work over loopback (see ../shared/tools/README.md), one
 * browser context per identity, and pages served from http://127.0.0.1:PORT (a secure context
 * for crypto.subtle). Must run inside ../shared/tools/loopback-only.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { assertLoopbackOnly } from './loopback';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--allow-loopback-in-peer-connection',
  // No DNS for anything but loopback: stops Chromium's own background lookups.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/** Throws a clear error (the test FAILS, it is not skipped) when Chromium is not installed. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests need Debian's chromium package: ` +
        'run `apt-get install -y chromium` (outside the loopback namespace; .ci/run does it), or set CHROMIUM_PATH.',
    );
  }
}

export async function launchChromium(opts: { headless?: boolean; args?: string[] } = {}): Promise<Browser> {
  assertLoopbackOnly();
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    timeout: 30_000,
  });
}

/**
 * A context whose profile (IndexedDB, storage) lives in `userDataDir` and survives closing and
 * relaunching, for identity-survives-restart tests. Same flags and permissions as above.
 */
export async function launchPersistentChromium(
  userDataDir: string,
  opts: { headless?: boolean; args?: string[] } = {},
): Promise<BrowserContext> {
  assertLoopbackOnly();
  assertChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    permissions: ['camera', 'microphone'],
    timeout: 30_000,
  });
}

/**
 * A fresh context = a separate identity (own IndexedDB, storage). Camera/microphone permission
 * is what lets Chromium gather loopback ICE candidates; no media is ever opened.
 */
export async function newIdentityContext(browser: Browser, origin?: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ permissions: ['camera', 'microphone'] });
  if (origin) await ctx.grantPermissions(['camera', 'microphone'], { origin });
  return ctx;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/** Serve `dir` on 127.0.0.1 (port 0 = any free port). GET only; no path escapes `dir`. */
export async function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (path !== root && !path.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (path === root) path = join(root, 'index.html');
    readFile(path).then(
      (body) => res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export interface BuiltPages {
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * Build HTML entry points under test/fixtures/pages/ with vite into a temp dir, e.g.
 * `buildTestPages(['transport.html'])` then serve `dir` and open `/transport.html`.
 */
export async function buildTestPages(entries: string[]): Promise<BuiltPages> {
  const { build } = await import('vite');
  const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../fixtures/pages');
  const dir = await mkdtemp(join(tmpdir(), 'p2p-test-pages-'));
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir: dir,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      rollupOptions: { input: Object.fromEntries(entries.map((e) => [e.replace(/\.html$/, ''), join(root, e)])) },
    },
  });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
