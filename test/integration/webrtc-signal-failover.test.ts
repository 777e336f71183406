/**
 * Headless Node peers (real WebRTC over @roamhq/wrtc) given two signaling instances of one
 * cluster (a real redis-server, both instances in child processes). The instance that one of them
 * uses is SIGKILLed: its peers' signaling clients move to the other instance and re-register,
 * while every open WebRTC connection stays as it was (no peer-down, same peers) and the DHT keeps
 * answering. Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodePeer, type NodePeer } from '../../web/headless/peer';
import { spawnInstance, type ChildInstance } from '../helpers/cluster';
import { assertLoopbackOnly } from '../helpers/loopback';
import { startRedis, type RedisProc } from '../helpers/redis';
import { waitFor } from '../helpers/wrtc';

const N = 4;
let redis: RedisProc;
const instances: ChildInstance[] = [];
const peers: NodePeer[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  for (const i of instances.splice(0)) await i.kill();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('node peers fail over between signaling instances', () => {
  it('keeps its WebRTC connections and the overlay when its instance dies', { timeout: 300_000 }, async () => {
    assertLoopbackOnly();
    for (let i = 0; i < 2; i++) instances.push(await spawnInstance(redis.url, 'rtc:', ['--redis-lease-ms', '2000']));
    const urls = instances.map((i) => i.wsUrl).join(',');
    for (let i = 0; i < N; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'peer-failover-'));
      dirs.push(dir);
      const p = await startNodePeer({ signalUrl: urls, dataDir: dir, node: { backoff: { baseMs: 200, maxMs: 2000 } } });
      peers.push(p);
      await p.joined;
    }
    await waitFor(() => peers.every((p) => p.transport.peers().length === N - 1), 20_000, 'a full mesh');
    const put = await peers[0]!.node.put('k', 'before');
    expect(put.replicas).toBeGreaterThanOrEqual(N - 2);

    const downs: string[] = [];
    for (const p of peers) p.transport.onPeerDown((peer) => downs.push(`${p.id.slice(0, 6)}-${peer.slice(0, 6)}`));
    const meshBefore = peers.map((p) => [...p.transport.peers()].sort());
    const victim = instances.find((i) => i.wsUrl === peers[0]!.client.url)!;
    const moving = peers.filter((p) => p.client.url === victim.wsUrl);
    const welcomes = moving.map((p) => new Promise<void>((r) => p.client.on('welcome', () => r())));

    await victim.kill();
    await Promise.all(welcomes);
    const other = instances.find((i) => i !== victim)!;
    expect(peers.every((p) => p.client.state === 'open' && p.client.url === other.wsUrl)).toBe(true);
    // registered again: every peer's bootstrap sample holds all the others (fewer than 8)
    for (const p of peers)
      expect([...(await p.client.bootstrap())].sort()).toEqual(
        peers
          .filter((q) => q !== p)
          .map((q) => q.id)
          .sort(),
      );

    // the overlay did not notice: no connection went down, every peer keeps the same neighbours
    expect(downs).toEqual([]);
    expect(peers.map((p) => [...p.transport.peers()].sort())).toEqual(meshBefore);
    const got = await peers[N - 1]!.node.get(peers[0]!.node.publicKey, 'k');
    expect(got?.value).toBe('before');
    expect(moving.length).toBeGreaterThan(0);
  });
});
