import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';

const WEB = resolve(import.meta.dirname, 'web');

/**
 * Builds web/sw/sw.ts into dist/sw.js with the list of files to keep offline (every emitted file
 * and everything in web/public) and a version hashed from their contents: a small hand-written
 * worker, instead of a plugin that brings workbox (web/sw/sw.ts says what it does).
 */
function serviceWorker(): Plugin {
  return {
    name: 'p2p-service-worker',
    apply: 'build',
    enforce: 'post',
    async generateBundle(_opts, bundle) {
      const hash = createHash('sha256');
      const files: string[] = [];
      for (const [name, out] of Object.entries(bundle)) {
        if (name.endsWith('.map')) continue;
        files.push(`/${name}`);
        hash.update(name).update(out.type === 'chunk' ? out.code : out.source);
      }
      for (const name of readdirSync(resolve(WEB, 'public'))) {
        files.push(`/${name}`);
        hash.update(name).update(readFileSync(resolve(WEB, 'public', name)));
      }
      files.sort();
      const source = readFileSync(resolve(WEB, 'sw/sw.ts'), 'utf8');
      const { code } = await transform(source, {
        loader: 'ts',
        minify: true,
        target: 'es2022',
        define: { __PRECACHE__: JSON.stringify(files), __VERSION__: JSON.stringify(hash.digest('hex').slice(0, 12)) },
      });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}

// The web app lives in web/; the signal server serves the built dist/.
export default defineConfig({
  root: 'web',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173 },
  plugins: [serviceWorker()],
});
