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
import { generateKeyPair } from '../../../shared/crypto/ed25519';
import { utf8 } from '../../../shared/crypto/bytes';
import { DhtNode } from '../../../shared/dht/node';
import { DhtValues } from '../../../shared/records/values';
import { compareDistance, randomId } from '../../../shared/dht/node-id';
import { RecordTable } from '../../../shared/records/record-table';
import { mutableTarget, signMutable } from '../../../shared/records/bep44';
import { SimKeyring } from '../../../shared/sim/sim-auth';
import { SeededRng } from '../../../shared/env/rng';
import { createOverlay, type Overlay } from '../../../shared/overlay/setup';
import { summarize } from '../../../shared/sim/stats';
import { createTestnet, type SimNode, type Testnet } from '../../../shared/sim/testnet';
import type { ScenarioContext } from './types';

type Mode = 'direct' | 'overlay';

export async function connectionsScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { scenario: 'connections', nodes: ctx.nodes ?? 100, hours: 24, maxOpen: 24 };
  const runs: [string, Mode, number][] = [
    ['direct', 'direct', 0],
    ['overlay', 'overlay', 0],
    // Churn: every other node leaves after an exponential session (mean 8 h). (`runMode` takes
    // any mean; 2 h runs for a long while here: 4× the joins.)
    ['overlayChurn8h', 'overlay', 480],
  ];
  for (const [name, mode, session] of runs) {
    out[name] = runMode(ctx, mode, session);
    ctx.log(`${name}: ${JSON.stringify(out[name])}`);
  }
  return { ...out, goal: 300, seed: ctx.seed };
}

interface Member {
  sn: SimNode;
  values: DhtValues;
  target: Uint8Array;
}

/**
 * One 24 h day of a tab opened in a running network: `nodes` form the network first, then a fifth
 * more join it (the "tabs that stay open", the ones measured, joining included). With
 * `meanSessionMin` > 0 every other node leaves after an exponential session and is replaced by
 * a newcomer. (The network's very first nodes are everyone's bootstrap seeds while it forms, a
 * one-off cost not counted here.)
 */
export function runMode(ctx: ScenarioContext, mode: Mode, meanSessionMin: number, hours = 24): Record<string, unknown> {
  const nodes = ctx.nodes ?? 100;
  const maxOpen = 24;
  const perMinute = 3;
  const overlays = new Map<SimNode['node'], Overlay>();
  const tables = new Map<SimNode['node'], RecordTable>();
  const keyring = new SimKeyring(new SeededRng(ctx.seed ^ 0x4b3f));
  const tn = createTestnet(nodes, {
    seed: ctx.seed,
    network: { connections: { setupRtts: 3, maxOpen } },
    makeNode: (t, id, endpoint) => {
      const node = new DhtNode({ transport: endpoint, clock: t.clock, rng: t.rng.fork() }, { ...t.opts.dht, id });
      if (mode === 'overlay')
        overlays.set(
          node,
          createOverlay(
            node,
            {
              connectedPeers: () => endpoint.connectedPeers(),
              isConnected: (p) => endpoint.open.has(p),
              setWanted: (w) => (endpoint.wanted = w),
              auth: keyring.auth(id),
            },
            { maxOpen },
          ),
        );
      tables.set(node, new RecordTable({ clock: t.clock }));
      return node;
    },
    onJoined: (sn) => overlays.get(sn.node)?.keeper.start(),
  });
  // Every node owns one record and republishes it (DhtValues' own timer).
  const member = (sn: SimNode): Member => {
    const values = new DhtValues(sn.node, tables.get(sn.node)!);
    const kp = generateKeyPair(tn.rng.bytes(32));
    const salt = utf8.encode('profile');
    values.putRecord(signMutable({ secretKey: kp.secretKey, salt, seq: 1, value: utf8.encode(sn.node.hex) }), () => {}, { own: true });
    return { sn, values, target: mutableTarget(kp.publicKey, salt) };
  };
  const members = tn.live().map(member);
  const stayers: Member[] = [];
  for (let i = 0; i < Math.ceil(nodes / 5); i++) {
    const sn = tn.addNode();
    tn.clock.setTimeout(() => tn.join(sn, () => void (sn.endpoint.alive && stayers.push(member(sn)))), i * 1000);
  }
  tn.runFor(Math.ceil(nodes / 5) * 1000 + 30_000);
  members.push(...stayers);
  const startFrames = members.reduce((a, m) => a + m.sn.endpoint.framesSent, 0);
  let lookups = 0;
  let found = 0;
  const latency: number[] = [];
  let gets = 0;
  let got = 0;
  let replaced = 0;
  for (let m = 0; m < hours * 60; m++) {
    if (meanSessionMin > 0) replaced += churn(tn, members, stayers, meanSessionMin, member, (sn) => overlays.get(sn.node)?.keeper.stop());
    const live = members.filter((x) => x.sn.endpoint.alive && x.sn.joined);
    for (let j = 0; j < perMinute; j++) {
      const from = live[tn.rng.int(live.length)]!.sn;
      const target = randomId(tn.rng);
      const t0 = tn.clock.now();
      from.node.lookup(target, (r) => {
        lookups++;
        const best = tn.trueClosest(
          target,
          1,
          tn.live().filter((n) => n !== from),
        )[0];
        if (best && r.closest[0] && compareDistance(r.closest[0].id, best.node.id, target) === 0) found++;
        latency.push(tn.clock.now() - t0);
      });
    }
    live[tn.rng.int(live.length)]!.values.getRecord(live[tn.rng.int(live.length)]!.target, (r) => {
      gets++;
      if (r.record) got++;
    });
    tn.runFor(60_000);
    if (m % 60 === 0) {
      ctx.sampleHeap();
      ctx.log(`${mode}${meanSessionMin ? ' + churn' : ''}: minute ${m}/${hours * 60}, ${tn.live().length} live, ${replaced} replaced`);
    }
  }
  // Lifetime counts, joining included: what a tab opened at the start has used after 24 h.
  const perNode = stayers.map((x) => x.sn.endpoint.connectionsCreated);
  const s = summarize(perNode);
  const lat = summarize(latency);
  const frames = members.reduce((a, x) => a + x.sn.endpoint.framesSent, 0) - startFrames;
  const tunnels = [...overlays.values()].reduce((a, o) => a + (o.tunnel?.counters.get('delivered') ?? 0), 0);
  return {
    connectionsPerNodePerDay: { p50: s.p50, p90: s.p90, max: Math.max(...perNode) },
    measuredNodes: stayers.length,
    ...(meanSessionMin ? { meanSessionMin, replaced } : {}),
    lookupSuccess: lookups ? found / lookups : 0,
    lookupLatencyMs: { p50: lat.p50, p90: lat.p90 },
    getSuccess: gets ? got / gets : 0,
    framesPerNodePerMinute: frames / members.filter((x) => x.sn.endpoint.alive).length / (hours * 60),
    ...(mode === 'overlay' ? { tunneledRequests: tunnels } : {}),
  };
}

/** One minute of churn: each leaver (not a stayer) goes, half gracefully, and a newcomer joins. */
function churn(
  tn: Testnet,
  members: Member[],
  stayers: Member[],
  meanSessionMin: number,
  member: (sn: SimNode) => Member,
  gone: (sn: SimNode) => void,
): number {
  const keep = new Set(stayers);
  let n = 0;
  for (let i = 0; i < members.length; i++) {
    const x = members[i]!;
    if (keep.has(x) || !x.sn.endpoint.alive || tn.rng.next() >= 1 / meanSessionMin) continue;
    x.values.stop();
    gone(x.sn);
    if (tn.rng.next() < 0.5) tn.leave(x.sn);
    else tn.crash(x.sn);
    const sn = tn.addNode();
    tn.join(sn, () => {
      if (sn.endpoint.alive) members.push(member(sn));
    });
    n++;
  }
  return n;
}
