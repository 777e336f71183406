/**
 * Static file serving for the built web app: GET/HEAD only, content types by extension,
 * no path traversal (resolved and real paths must stay under the root), SPA fallback to
 * index.html for extension-less paths, and a placeholder page when the app is not built.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>p2p-chat signaling server</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>p2p-chat signaling server</h1>
<p>The signaling endpoint is running at <code>/signal</code>; health at <a href="/healthz">/healthz</a>,
metrics at <a href="/metrics">/metrics</a>.</p>
<p>The web app is not built, so there is nothing else to serve. Run <code>npm run build</code>
(or <code>npm start</code>, which builds first), or pass <code>--static DIR</code>.</p>
</body></html>
`;

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

/** A handler serving `root` (or the placeholder page when `root` is null or has no index.html). */
export function createStaticHandler(root: string | null): StaticHandler {
  const absRoot = root === null ? null : resolve(root);
  let realRoot: Promise<string | null> | null = null;
  const getRealRoot = (): Promise<string | null> => {
    if (absRoot === null) return Promise.resolve(null);
    // Retried until the directory exists, so a build after start is picked up.
    realRoot ??= realpath(absRoot).catch(() => {
      realRoot = null;
      return null;
    });
    return realRoot;
  };

  const sendFile = async (req: IncomingMessage, res: ServerResponse, file: string, size: number, immutable: boolean): Promise<void> => {
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': contentType(file),
      'content-length': size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((done) => {
      const s = createReadStream(file);
      s.on('error', () => {
        res.destroy();
        done();
      });
      s.on('close', done);
      s.pipe(res);
    });
  };

  const placeholder = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : PLACEHOLDER);
  };

  /** The real path of `rel` under the root, or null if missing, not a file, or escaping the root. */
  const lookup = async (base: string, rel: string): Promise<{ file: string; size: number } | null> => {
    const candidate = resolve(base, `.${rel}`);
    if (candidate !== base && !candidate.startsWith(base + sep)) return null;
    try {
      let file = await realpath(candidate);
      if (file !== base && !file.startsWith(base + sep)) return null;
      let st = await stat(file);
      if (st.isDirectory()) {
        file = await realpath(resolve(file, 'index.html'));
        if (!file.startsWith(base + sep)) return null;
        st = await stat(file);
      }
      return st.isFile() ? { file, size: st.size } : null;
    } catch {
      return null;
    }
  };

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('method not allowed\n');
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('bad path\n');
    }
    if (rel.includes('\0') || rel.includes('\\')) {
      res.writeHead(400, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('bad path\n');
    }
    const base = await getRealRoot();
    if (base === null) return placeholder(req, res);
    const hit = await lookup(base, rel);
    if (hit) return sendFile(req, res, hit.file, hit.size, rel.startsWith('/assets/'));
    // SPA fallback: app routes have no extension; missing assets are real 404s.
    if (extname(rel) === '') {
      const index = await lookup(base, '/index.html');
      if (index) return sendFile(req, res, index.file, index.size, false);
      return placeholder(req, res);
    }
    res.writeHead(404, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'not found\n');
  };
}
