/**
 * The node runtime's signaling paths with five headless Node peers over real WebRTC
 * (@roamhq/wrtc) and the real signal server: after the server is stopped, every ordered pair
 * closes its channel and redials it. Offers and answers then travel only through the overlay:
 * greedy routing where a closer connected peer exists, and through the connected peer closest to
 * the target where none does (for each target, its closest node has no greedy hop, so the relay
 * path is always exercised). Puts and gets keep working; the server comes back on the same port
 * and everyone is welcomed again. Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { startNodePeer, type NodePeer } from '../../web/headless/peer';
import { assertLoopbackOnly } from '../helpers/loopback';
import { startServer } from '../helpers/signal-harness';
import { waitFor } from '../helpers/wrtc';

const N = 5;
let server: SignalServer | undefined;
const peers: NodePeer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  await server?.close();
  server = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('node runtime: signaling through the overlay', () => {
  it('redials every pair without the server (greedy and relay paths), then reconnects to it', async () => {
    assertLoopbackOnly();
    server = await startServer({ shutdownGraceMs: 200 });
    const port = server.port;
    for (let i = 0; i < N; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'peer-overlay-'));
      dirs.push(dir);
      const p = await startNodePeer({ signalUrl: server.wsUrl, dataDir: dir });
      peers.push(p);
      await p.joined;
    }
    // Neighbour maintenance connects everyone to everyone in a network this small.
    await waitFor(() => peers.every((p) => p.transport.peers().length === N - 1), 15_000, 'a full mesh');
    const put0 = await Promise.all(peers.map((p, i) => p.node.put('o', `before ${i}`)));
    // A holder slower than its soft timeout during the parallel puts may be left out.
    for (const r of put0) expect(r.replicas).toBeGreaterThanOrEqual(N - 2);

    await server.close();
    server = undefined;
    await waitFor(() => peers.every((p) => p.client.state !== 'open'), 5000, 'clients to see the server gone');
    const before = peers.map((p) => p.node.stats());

    const failures: string[] = [];
    for (const a of peers) {
      for (const b of peers) {
        if (a === b) continue;
        a.node.disconnect(b.id);
        await waitFor(() => !b.transport.isConnected(a.id), 3000, 'the remote to see the BYE');
        await a.node.connect(b.id).catch((e: unknown) => failures.push(`${a.id.slice(0, 6)}->${b.id.slice(0, 6)}: ${String(e)}`));
      }
    }
    expect(failures).toEqual([]);

    const after = peers.map((p) => p.node.stats());
    const delta = (f: (s: (typeof after)[number]) => number) => after.reduce((n, s, i) => n + f(s) - f(before[i]!), 0);
    expect(delta((s) => s.transport.lifetimeConnections)).toBeGreaterThanOrEqual(2 * N * (N - 1));
    expect(delta((s) => s.signaling.routes.overlay)).toBeGreaterThanOrEqual(2 * N * (N - 1));
    expect(delta((s) => s.signaling.routes.relay)).toBeGreaterThanOrEqual(N); // at least one per target
    expect(delta((s) => s.signaling.routes.server)).toBe(0);
    expect(delta((s) => s.signaling.routes.lost)).toBe(0);
    for (const s of after) expect(Object.values(s.signaling.overlayDrops).reduce((x, y) => x + y, 0)).toBe(0);

    // Records without the server.
    const put1 = await Promise.all(peers.map((p, i) => p.node.put('o', `after ${i}`)));
    for (const [i, a] of peers.entries()) {
      for (const [j, b] of peers.entries()) {
        if (i === j) continue;
        expect(await a.node.get(b.node.publicKey, 'o')).toMatchObject({ value: `after ${j}`, seq: put1[j]!.seq });
      }
    }

    // The server returns on the same port: every client is welcomed again.
    server = await startServer({ port });
    await waitFor(() => peers.every((p) => p.client.state === 'open'), 15_000, 'clients to reconnect');
    peers.forEach((p, i) => {
      expect(p.node.stats().signaling.welcomes).toBeGreaterThan(before[i]!.signaling.welcomes);
    });
  }, 300_000);
});
