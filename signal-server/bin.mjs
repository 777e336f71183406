#!/usr/bin/env node
// p2p-signal: runs signal-server/main.ts in this process through tsx's ESM loader, so signals
// (SIGTERM for graceful shutdown) reach the server directly. Needs `npm install` (tsx) in the repo.
import { fileURLToPath } from 'node:url';

let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('p2p-signal: tsx is not installed; run `npm install` in the repository first\n');
  process.exit(1);
}
register();
await import(fileURLToPath(new URL('./main.ts', import.meta.url)));
