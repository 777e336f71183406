/**
 * connections: how many WebRTC connections a tab creates in a day under normal load, with the
 * simulator's connection model (setup costs 3 RTTs, at most `maxOpen` open, both ends of a new
 * connection count it, as both create an RTCPeerConnection). Load per node: joining, bucket
 * refresh, an owner republishing one record, and a few lookups and gets a minute across the
 * network. Two designs on the same seed:
 *  - `direct`: every RPC goes to its peer on a direct connection, dialed on demand (LRU closes
 *    the least recently used beyond the cap). Plain Kademlia over WebRTC.
 *  - `overlay`: a LinkKeeper keeps links to the closest neighbours and one per farther bucket;
 *    RPCs to anyone else are tunneled over those links (tunnel.ts). What the browser runs.
 * Reports lifetime connections per node per 24 h, lookup correctness and latency, get success.
 */
import { generateKeyPair } from '../../crypto/ed25519';
import { utf8 } from '../../crypto/bytes';
import { DhtNode } from '../../dht/node';
import { DhtValues } from '../../dht/values';
import { compareDistance, randomId } from '../../dht/node-id';
import { RecordTable } from '../../records/record-table';
import { mutableTarget, signMutable } from '../../records/bep44';
import { attachOverlay, type SimOverlay } from '../overlay';
import { summarize } from '../stats';
import { createTestnet, type SimNode } from '../testnet';
import type { ScenarioContext } from './index';

type Mode = 'direct' | 'overlay';

export async function connectionsScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { scenario: 'connections', nodes: ctx.nodes ?? 100, hours: 24, maxOpen: 24 };
  for (const mode of ['direct', 'overlay'] as const) out[mode] = runMode(ctx, mode);
  return { ...out, goal: 300, seed: ctx.seed };
}

function runMode(ctx: ScenarioContext, mode: Mode): Record<string, unknown> {
  const nodes = ctx.nodes ?? 100;
  const hours = 24;
  const maxOpen = 24;
  const perMinute = 3;
  const overlays = new Map<SimNode['node'], SimOverlay>();
  const tn = createTestnet(nodes, {
    seed: ctx.seed,
    network: { connections: { setupRtts: 3, maxOpen } },
    makeNode: (t, id, endpoint) => {
      const node = new DhtNode({ transport: endpoint, clock: t.clock, rng: t.rng.fork() }, { ...t.opts.dht, id });
      if (mode === 'overlay') overlays.set(node, attachOverlay(node, endpoint));
      return node;
    },
    onJoined: (sn) => overlays.get(sn.node)?.keeper.start(),
  });
  const live = tn.live();
  const values = live.map((n) => new DhtValues(n.node, new RecordTable({ clock: tn.clock })));
  // Every node owns one record and republishes it (DhtValues' own timer).
  const targets = live.map((n, i) => {
    const kp = generateKeyPair(tn.rng.bytes(32));
    const rec = signMutable({ secretKey: kp.secretKey, salt: utf8.encode('profile'), seq: 1, value: utf8.encode(n.node.hex) });
    values[i]!.putRecord(rec, () => {}, { own: true });
    return mutableTarget(kp.publicKey, utf8.encode('profile'));
  });
  const start = new Map(live.map((n) => [n, n.endpoint.connectionsCreated]));
  const framesAtStart = live.reduce((a, n) => a + n.endpoint.framesSent, 0);
  let lookups = 0;
  let found = 0;
  const latency: number[] = [];
  let gets = 0;
  let got = 0;
  for (let m = 0; m < hours * 60; m++) {
    for (let j = 0; j < perMinute; j++) {
      const from = live[tn.rng.int(live.length)]!;
      const target = randomId(tn.rng);
      const t0 = tn.clock.now();
      from.node.lookup(target, (r) => {
        lookups++;
        const best = tn.trueClosest(target, 1)[0];
        if (best && r.closest[0] && compareDistance(r.closest[0].id, best.node.id, target) === 0) found++;
        latency.push(tn.clock.now() - t0);
      });
    }
    const i = tn.rng.int(live.length);
    values[tn.rng.int(live.length)]!.getRecord(targets[i]!, (r) => {
      gets++;
      if (r.record) got++;
    });
    tn.runFor(60_000);
    if (m % 60 === 0) {
      ctx.sampleHeap();
      ctx.log(`${mode}: hour ${m / 60}/${hours}`);
    }
  }
  const perNode = live.map((n) => n.endpoint.connectionsCreated - start.get(n)!);
  const s = summarize(perNode);
  const lat = summarize(latency);
  const frames = live.reduce((a, n) => a + n.endpoint.framesSent, 0) - framesAtStart;
  const tunnels = [...overlays.values()].reduce((a, o) => a + o.tunnel.counters.get('delivered'), 0);
  return {
    connectionsPerNodePerDay: { p50: s.p50, p90: s.p90, max: Math.max(...perNode) },
    lookupSuccess: lookups ? found / lookups : 0,
    lookupLatencyMs: { p50: lat.p50, p90: lat.p90 },
    getSuccess: gets ? got / gets : 0,
    framesPerNodePerMinute: frames / live.length / (hours * 60),
    ...(mode === 'overlay' ? { tunneledRequests: tunnels } : {}),
  };
}
