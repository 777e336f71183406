/**
 * Node must exit by itself once every transport is destroyed (simple-peer kept it alive ~5 s
 * without iceCompleteTimeout: 200). Runs a child process; run inside ../shared/tools/loopback-only.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertLoopbackOnly } from '../helpers/loopback';

const child = fileURLToPath(new URL('../helpers/wrtc-exit-child.ts', import.meta.url));

describe('WebRtcTransport lifecycle in Node', () => {
  it('the process exits on its own soon after destroy()', async () => {
    assertLoopbackOnly();
    const p = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const killer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    const exitedAt = Date.now();
    clearTimeout(killer);
    // libwebrtc's own notice when a trickled candidate arrives for a closing connection is benign.
    const errors = err.split('\n').filter((l) => l.trim() !== '' && l.trim() !== 'Ignoring unsupported ICE candidate.');
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const m = /destroyed at (\d+)/.exec(out);
    expect(m).not.toBeNull();
    const lingerMs = exitedAt - Number(m![1]);
    console.log(`[webrtc-exit] process exited ${lingerMs} ms after destroy()`);
    // Generous bound: without iceCompleteTimeout it lingers ~5 s; with it, ~0.2 s.
    expect(lingerMs).toBeLessThan(3000);
  });
});
