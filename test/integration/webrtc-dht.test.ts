/**
 * The real Kademlia core (shared/dht) over the real WebRTC transport: 8 DhtNodes in one Node
 * process, each on its own WebRtcTransport (@roamhq/wrtc), signaled through the loopback hub.
 * They join through one seed and find each other. Run inside ../shared/tools/loopback-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../shared/crypto/bytes';
import { systemClock } from '../../shared/env/clock';
import { cryptoRng } from '../../shared/env/rng';
import { DhtNode } from '../../shared/dht/node';
import { createWrtcTestnet, type WrtcTestnet } from '../helpers/wrtc';

let net: WrtcTestnet | undefined;
const dhts: DhtNode[] = [];
afterEach(() => {
  for (const d of dhts.splice(0)) d.destroy();
  net?.destroy();
  net = undefined;
});

describe('DhtNode over WebRtcTransport', () => {
  it('8 nodes join through one seed and every node finds every other', { timeout: 300_000 }, async () => {
    net = createWrtcTestnet(8);
    for (const t of net.nodes) {
      // A request's hard timeout covers a first WebRTC dial on a loaded machine (the transport's
      // 15 s connect timeout): the test is about finding every node, not about speed.
      const init = { id: hexToBytes(t.id), maintenance: false, minTimeoutMs: 15_000 };
      dhts.push(new DhtNode({ transport: t, clock: systemClock, rng: cryptoRng }, init));
    }
    const seed = dhts[0]!;
    const t0 = performance.now();
    for (const d of dhts.slice(1)) {
      const r = await new Promise<{ contacts: number }>((res) => d.join([seed.id], res));
      expect(r.contacts).toBeGreaterThan(0);
    }
    const joinMs = performance.now() - t0;
    let found = 0;
    const lookupMs: number[] = [];
    for (const d of dhts) {
      for (const other of dhts) {
        if (other === d) continue;
        const s = performance.now();
        const r = await d.findNode(other.id);
        lookupMs.push(performance.now() - s);
        if (r.closest.some((p, i) => p.id.every((b, j) => b === other.id[j]) && r.answered[i])) found++;
      }
    }
    expect(found).toBe(8 * 7);
    const stats = net.nodes.map((t) => t.stats());
    for (const s of stats) {
      expect(s.lifetimeConnections).toBeLessThanOrEqual(14); // <= 7 peers, a glare may add one each
      expect(s.drops.connect_failed + s.drops.connect_timeout + s.drops.queue_full).toBe(0);
    }
    lookupMs.sort((a, b) => a - b);
    console.log(
      `[webrtc-dht] 8 nodes: joins took ${joinMs.toFixed(0)} ms in total; findNode median ${lookupMs[lookupMs.length >> 1]!.toFixed(1)} ms; ` +
        `connections open per node ${stats.map((s) => s.open).join(',')}`,
    );
  });
});
