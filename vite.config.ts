import { defineConfig } from 'vite';

// The web app lives in web/; the signal server serves the built dist/.
export default defineConfig({
  root: 'web',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173 },
});
