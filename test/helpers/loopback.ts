/**
 * Guard for tests that start WebRTC: every byte must stay on loopback, so they refuse to run
 * unless the process sees only loopback addresses (`../shared/tools/loopback-only` gives it a
 * network namespace with nothing but `lo`). Outside it, an ICE agent would gather and probe
 * real interfaces (and Chromium would announce mDNS candidates on the LAN).
 */
import { networkInterfaces } from 'node:os';

export function nonLoopbackAddresses(): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.internal) out.push(`${name}:${a.address}`);
  }
  return out;
}

export function assertLoopbackOnly(): void {
  const bad = nonLoopbackAddresses();
  if (bad.length > 0) {
    throw new Error(
      `refusing to start WebRTC outside a loopback-only network namespace (found ${bad.join(', ')}). ` +
        'Run from the project root as: ../shared/tools/loopback-only npx vitest run <files> (npm test in CI is wrapped the same way).',
    );
  }
}
