/**
 * relay-forgery: a network on the connection budget (links and tunnels, as the browser runs it) in
 * which a fraction of nodes relay tunnels dishonestly: they answer tunneled requests in the
 * target's name (attacker ids for every lookup, "stored" for every store) and inject tunnel
 * origins nobody owns into the peers they are linked to (shared/sim/relay-forger.ts). As DHT nodes
 * in their own name they behave. Reports the share of gets that find a record every honest node
 * published, the share of lookups whose closest result is the true closest live node, attacker
 * ids among lookup results, and how many injected ids honest routing tables hold at the end.
 */
import { utf8 } from '../../../shared/crypto/bytes';
import { generateKeyPair } from '../../../shared/crypto/ed25519';
import { DhtNode } from '../../../shared/dht/node';
import { compareDistance, randomId } from '../../../shared/dht/node-id';
import { mutableTarget, signMutable } from '../../../shared/records/bep44';
import { RecordTable } from '../../../shared/records/record-table';
import { DhtValues } from '../../../shared/records/values';
import { SimKeyring } from '../../../shared/sim/sim-auth';
import { SeededRng } from '../../../shared/env/rng';
import { createOverlay, type Overlay } from '../../../shared/overlay/setup';
import { ForgerShared, RelayForger } from '../../../shared/sim/relay-forger';
import { createTestnet, type SimNode } from '../../../shared/sim/testnet';
import { SeedPick } from './pick';
import { round } from './record-owner';
import type { ScenarioContext } from './types';

export interface RelayForgeryOptions {
  seed: number;
  /** @default 300 */
  nodes?: number;
  /** Fraction of malicious relays. @default 0.2 */
  malicious: number;
  /** Simulated minutes of traffic after the network formed. @default 30 */
  minutes?: number;
  /** Lookups and gets per minute, network-wide. @default 20, 10 */
  lookupsPerMinute?: number;
  getsPerMinute?: number;
  /** Made-up origins each attacker injects per minute into one linked honest peer, for the first 5 minutes. @default 10 */
  injectPerMinute?: number;
  log?: (line: string) => void;
}

export interface RelayForgeryRow {
  malicious: number;
  getSuccess: number;
  trueClosest: number;
  attackersInResults: number;
  unprovenFiled: number;
  injected: number;
  forged: number;
  gets: number;
  lookups: number;
}

interface Member {
  sn: SimNode;
  values: DhtValues;
  target: Uint8Array;
}

export function runRelayForgery(o: RelayForgeryOptions): RelayForgeryRow {
  const n = o.nodes ?? 300;
  const minutes = o.minutes ?? 30;
  const lpm = o.lookupsPerMinute ?? 20;
  const gpm = o.getsPerMinute ?? 10;
  const ipm = o.injectPerMinute ?? 10;
  const maxOpen = 24;
  const pick = new SeedPick(o.seed ^ 0xf0f0, n, Math.round(o.malicious * n));
  const shared = new ForgerShared();
  const overlays = new Map<DhtNode, Overlay>();
  const forgers = new Map<DhtNode, RelayForger>();
  const tables = new Map<DhtNode, RecordTable>();
  let built = 0;
  const keyring = new SimKeyring(new SeededRng(o.seed ^ 0x4b3f));
  const tn = createTestnet(n, {
    seed: o.seed,
    network: { connections: { setupRtts: 3, maxOpen } },
    makeNode: (t, id, endpoint) => {
      const node = new DhtNode({ transport: endpoint, clock: t.clock, rng: t.rng.fork() }, { ...t.opts.dht, id });
      if (pick.has(built++)) forgers.set(node, new RelayForger(node, shared, t.rng.fork()));
      const hooks = {
        connectedPeers: () => endpoint.connectedPeers(),
        isConnected: (p: string) => endpoint.open.has(p),
        setWanted: (w: ReadonlySet<string>) => (endpoint.wanted = w),
        auth: keyring.auth(id),
      };
      overlays.set(node, createOverlay(node, hooks, { maxOpen }));
      tables.set(node, new RecordTable({ clock: t.clock }));
      return node;
    },
    onJoined: (sn) => overlays.get(sn.node)?.keeper.start(),
  });
  const rng = tn.rng.fork();
  const honest: Member[] = [];
  for (const sn of tn.live()) {
    const values = new DhtValues(sn.node, tables.get(sn.node)!);
    if (forgers.has(sn.node)) continue;
    const kp = generateKeyPair(rng.bytes(32));
    const salt = utf8.encode('profile');
    values.putRecord(signMutable({ secretKey: kp.secretKey, salt, seq: 1, value: utf8.encode(sn.node.hex) }), () => {}, { own: true });
    honest.push({ sn, values, target: mutableTarget(kp.publicKey, salt) });
  }
  tn.runFor(5 * 60_000);
  const honestHex = new Set(honest.map((m) => m.sn.node.hex));

  let lookups = 0;
  let found = 0;
  let inResults = 0;
  let results = 0;
  let gets = 0;
  let got = 0;
  for (let m = 0; m < minutes; m++) {
    for (const [node, f] of forgers) {
      const linked = [...tn.get(node.hex)!.endpoint.connectedPeers()].filter((h) => honestHex.has(h));
      if (linked.length > 0 && m < 5) f.inject(tn.get(linked[rng.int(linked.length)]!)!.node, ipm, rng);
    }
    for (let j = 0; j < lpm; j++) {
      const from = honest[rng.int(honest.length)]!.sn;
      const target = randomId(rng);
      from.node.lookup(target, (r) => {
        lookups++;
        const best = tn.trueClosest(
          target,
          1,
          tn.live().filter((x) => x !== from),
        )[0];
        if (best && r.closest[0] && compareDistance(r.closest[0].id, best.node.id, target) === 0) found++;
        for (const c of r.closest) {
          results++;
          if (shared.members.has(c.hex)) inResults++;
        }
      });
    }
    for (let j = 0; j < gpm; j++) {
      const from = honest[rng.int(honest.length)]!;
      const of = honest[rng.int(honest.length)]!;
      if (of === from) continue;
      from.values.getRecord(of.target, (r) => {
        gets++;
        if (r.record) got++;
      });
    }
    tn.runFor(60_000);
    if (m % 10 === 9) o.log?.(`relay-forgery ${o.malicious}: minute ${m + 1}/${minutes}, gets ${gets}, lookups ${lookups}`);
  }
  let unproven = 0;
  for (const h of honest) for (const c of h.sn.node.table.contacts()) if (shared.injected.has(c.hex)) unproven++;
  const c = shared.counters.snapshot();
  const forged = Object.entries(c)
    .filter(([k]) => k.startsWith('forged.'))
    .reduce((a, [, v]) => a + v, 0);
  return {
    malicious: o.malicious,
    getSuccess: gets ? round(got / gets, 4) : 0,
    trueClosest: lookups ? round(found / lookups, 4) : 0,
    attackersInResults: results ? round(inResults / results, 4) : 0,
    unprovenFiled: unproven,
    injected: shared.counters.get('injected'),
    forged,
    gets,
    lookups,
  };
}

export async function relayForgeryScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const rows: RelayForgeryRow[] = [];
  for (const malicious of [0, 0.1, 0.2]) {
    const row = runRelayForgery({ seed: ctx.seed, malicious, ...(ctx.nodes ? { nodes: ctx.nodes } : {}), log: ctx.log });
    ctx.sampleHeap();
    ctx.log(JSON.stringify(row));
    rows.push(row);
  }
  return { rows, scenario: 'relay-forgery', nodes: ctx.nodes ?? 300, seed: ctx.seed };
}
