/**
 * The service worker: keeps the app shell (the page, its scripts, the manifest and icons) so the
 * app opens without a network, and history (in IndexedDB) stays readable. Scripts and icons are
 * content-hashed, so they are served from the cache; the page itself is fetched fresh when the
 * network answers within NAV_TIMEOUT_MS and from the cache otherwise. Nothing else is touched: the
 * signaling WebSocket and WebRTC never pass through here. The build (vite.config.ts) fills in the
 * file list and a version derived from it; a new version replaces the old cache.
 */
declare const __PRECACHE__: string[];
declare const __VERSION__: string;

const sw = globalThis as unknown as ServiceWorkerGlobalScope;
const CACHE = `p2p-chat-shell-${__VERSION__}`;
const SHELL = '/index.html';
const NAV_TIMEOUT_MS = 3_000;

sw.addEventListener('install', (ev) => {
  ev.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(__PRECACHE__))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (ev) => {
  ev.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('p2p-chat-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

async function page(req: Request): Promise<Response> {
  const cached = caches.match(SHELL, { cacheName: CACHE });
  try {
    const res = await Promise.race([
      fetch(req),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow network')), NAV_TIMEOUT_MS)),
    ]);
    if (res.ok) return res;
    return (await cached) ?? res;
  } catch (e) {
    const shell = await cached;
    if (shell) return shell;
    throw e;
  }
}

async function asset(req: Request): Promise<Response> {
  return (await caches.match(req, { cacheName: CACHE })) ?? fetch(req);
}

sw.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== sw.location.origin) return;
  if (req.mode === 'navigate') return ev.respondWith(page(req));
  if (__PRECACHE__.includes(url.pathname)) ev.respondWith(asset(req));
});
