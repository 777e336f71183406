/**
 * The headless Node peer (web/headless): the CLI logs its node id, a second peer joins through
 * it over real WebRTC and finds it, SIGTERM stops it cleanly, and its identity survives a
 * restart. Real signal server on port 0. Run inside ../shared/tools/loopback-only.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../shared/crypto/bytes';
import type { SignalServer } from '../../signal-server/server';
import { startNodePeer, type NodePeer } from '../../web/headless/peer';
import { assertLoopbackOnly } from '../helpers/loopback';
import { startServer } from '../helpers/signal-harness';
import { runCli } from '../helpers/headless-cli';

let server: SignalServer | undefined;
const children: ChildProcess[] = [];
const peers: NodePeer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.close();
  server = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('headless Node peer', () => {
  it('logs its id, is found over WebRTC, stops on SIGTERM, keeps its identity', async () => {
    assertLoopbackOnly();
    server = await startServer();
    const dataA = await mkdtemp(join(tmpdir(), 'peer-a-'));
    const dataB = await mkdtemp(join(tmpdir(), 'peer-b-'));
    dirs.push(dataA, dataB);

    const a = runCli(['--signal', server.wsUrl, '--data', dataA]);
    children.push(a.p);
    const idLine = await a.waitLine('node id');
    expect(idLine.newIdentity).toBe(true);
    const idA = idLine.id as string;
    expect(idA).toMatch(/^[0-9a-f]{40}$/);
    await a.waitLine('joined');

    // A second peer (in-process, same code) joins through the server's sample and finds A.
    const b = await startNodePeer({ signalUrl: server.wsUrl, dataDir: dataB });
    peers.push(b);
    expect((await b.joined).contacts).toBeGreaterThanOrEqual(1);
    const r = await b.dht.findNode(hexToBytes(idA));
    expect(r.closest.some((p, i) => p.hex === idA && r.answered[i])).toBe(true);
    expect(b.transport.isConnected(idA)).toBe(true);

    // SIGTERM: clean stop, exit 0.
    a.p.kill('SIGTERM');
    const killer = setTimeout(() => a.p.kill('SIGKILL'), 10_000);
    expect(await a.exited).toBe(0);
    clearTimeout(killer);
    expect(a.lines.some((l) => l.msg === 'shutting down')).toBe(true);

    // Restart with the same data dir: same id.
    const a2 = runCli(['--signal', server.wsUrl, '--data', dataA]);
    children.push(a2.p);
    const again = await a2.waitLine('node id');
    expect(again.id).toBe(idA);
    expect(again.newIdentity).toBe(false);
    await a2.waitLine('joined');
    a2.p.kill('SIGTERM');
    expect(await a2.exited).toBe(0);
  });
});
