/**
 * connections: how many WebRTC connections a tab creates in a day under normal load, with the
 * simulator's connection model (setup costs 3 RTTs, at most `maxOpen` open, LRU closed first).
 * Load per node: bucket refresh, an owner republishing one record every republish interval, and a
 * few lookups a minute across the network. Reports lifetime connections per node per 24 h.
 */
import { generateKeyPair } from '../../crypto/ed25519';
import { utf8 } from '../../crypto/bytes';
import { DhtValues } from '../../dht/values';
import { randomId } from '../../dht/node-id';
import { RecordTable } from '../../records/record-table';
import { signMutable } from '../../records/bep44';
import { summarize } from '../stats';
import { createTestnet } from '../testnet';
import type { ScenarioContext } from './index';

export async function connectionsScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const nodes = ctx.nodes ?? 200;
  const hours = 24;
  const maxOpen = 24;
  const lookupsPerMinute = 3;
  const tn = createTestnet(nodes, { seed: ctx.seed, network: { connections: { setupRtts: 3, maxOpen } } });
  const live = tn.live();
  const values = live.map((n) => new DhtValues(n.node, new RecordTable({ clock: tn.clock })));
  // Every node owns one record and republishes it (DhtValues' own timer).
  live.forEach((n, i) => {
    const kp = generateKeyPair(tn.rng.bytes(32));
    values[i]!.putRecord(signMutable({ secretKey: kp.secretKey, salt: utf8.encode('profile'), seq: 1, value: utf8.encode(n.node.hex) }), () => {}, { own: true });
  });
  const start = new Map(live.map((n) => [n, n.endpoint.connectionsCreated]));
  for (let m = 0; m < hours * 60; m++) {
    for (let j = 0; j < lookupsPerMinute; j++) live[tn.rng.int(live.length)]!.node.lookup(randomId(tn.rng), () => {});
    tn.runFor(60_000);
    if (m % 60 === 0) {
      ctx.sampleHeap();
      ctx.log(`hour ${m / 60}/${hours}`);
    }
  }
  const perNode = live.map((n) => n.endpoint.connectionsCreated - start.get(n)!);
  const s = summarize(perNode);
  return {
    scenario: 'connections',
    nodes,
    hours,
    maxOpen,
    connectionsPerNodePerDay: { p50: s.p50, p90: s.p90, max: Math.max(...perNode) },
    goal: 300,
    seed: ctx.seed,
  };
}
