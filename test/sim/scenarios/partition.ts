/**
 * Partition and heal: every owner publishes seq 1 to the whole network; the network splits in two
 * (SimNetwork.partition); each owner publishes newer seqs on its own side while the other side
 * keeps the old copy; then the network heals. `converged` is the fraction of (record, replica)
 * pairs, over the k live nodes closest to each target, that hold the owner's newest seq one
 * republish interval after healing; `convergeSeconds` is when it first reached 1.0.
 *
 * `onHeal` models what nodes do when they notice the split is over: nothing (only the timers:
 * owner republish, holder re-replication), or rejoin through a fresh bootstrap sample and
 * reconcile (push every held record that is newer than what the network returns).
 */
import { VALUES_DEFAULTS } from '../../../shared/records/constants';
import type { ValuesInit } from '../../../shared/records/values';
import type { SimNetworkOptions } from '../../../shared/sim/network';
import { createRecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { round, SimOwner } from './record-owner';

export interface PartitionOptions {
  seed: number;
  /** @default 200 */
  nodes?: number;
  /** Owners (one record each), spread over both sides. @default 10 */
  owners?: number;
  /** Fraction of nodes on side 0. @default 0.5 */
  split?: number;
  /** How long the partition lasts, ms. @default 1800000 */
  partitionMs?: number;
  /** Newer seqs each owner publishes during the partition. @default 2 */
  updates?: number;
  /** @default 'reconcile' */
  onHeal?: 'none' | 'reconcile';
  /** Sampling step after healing, ms. @default 5000 */
  stepMs?: number;
  values?: ValuesInit;
  network?: SimNetworkOptions;
  log?: (line: string) => void;
}

export function runPartition(o: PartitionOptions): Record<string, unknown> {
  const n = o.nodes ?? 200;
  const partitionMs = o.partitionMs ?? 1_800_000;
  const updates = o.updates ?? 2;
  const step = o.stepMs ?? 5000;
  const values: ValuesInit = { ...o.values };
  const republishMs = values.republishMs ?? VALUES_DEFAULTS.republishMs;
  const log = o.log ?? (() => {});
  const rt = createRecordsTestnet(n, { seed: o.seed, values, ...(o.network ? { network: o.network } : {}), settleMs: 20_000 });
  const clock = rt.clock;
  const rng = rt.tn.rng.fork();
  const k = values.replicas ?? rt.peers[0]!.node.k;

  const live = rt.live().filter((p) => p.values);
  const owners: { peer: RecordPeer; owner: SimOwner }[] = [];
  const ownerCount = Math.min(o.owners ?? 10, live.length);
  for (let i = 0; i < ownerCount; i++) owners.push({ peer: live[(i * 7919) % live.length]!, owner: new SimOwner(rng, `part-${i}`) });

  // Everyone holds seq 1.
  for (const w of owners) w.owner.publish(w.peer.values!, clock);
  clock.runFor(60_000);

  // Split: a seeded coin per endpoint. Owners alternate sides so both sides have news.
  const split = o.split ?? 0.5;
  const side = new Map<string, number>();
  for (const p of rt.peers) side.set(p.node.hex, rng.next() < split ? 0 : 1);
  owners.forEach((w, i) => {
    side.set(w.peer.node.hex, i % 2);
  });
  rt.tn.net.partition((e) => side.get(e.hex) ?? 0);
  const partitionedAt = clock.now();
  log(`partition: split at ${Math.round(partitionedAt / 1000)} s`);
  for (let u = 0; u < updates; u++) {
    clock.runFor(partitionMs / (updates + 1));
    for (const w of owners) w.owner.publish(w.peer.values!, clock);
  }
  clock.runUntil(partitionedAt + partitionMs);

  const convergedNow = (): { fraction: number; newest: number; pairs: number } => {
    const all = rt.live();
    let newest = 0;
    let pairs = 0;
    for (const w of owners) {
      for (const p of rt.trueClosest(w.owner.target, k, all)) {
        pairs++;
        const rec = p.table.get(w.owner.target);
        if (rec?.type === 'mutable' && rec.seq === w.owner.seq) newest++;
      }
    }
    return { fraction: pairs ? newest / pairs : 0, newest, pairs };
  };

  const atHeal = convergedNow();
  rt.tn.net.heal();
  const healedAt = clock.now();
  log(`partition: healed at ${Math.round(healedAt / 1000)} s, converged ${atHeal.fraction.toFixed(3)}`);
  const framesAtHeal = rt.frames();
  if ((o.onHeal ?? 'reconcile') === 'reconcile') {
    for (const p of rt.live()) {
      rt.tn.join(p.sim, () => p.values?.reconcile());
    }
  }

  let convergeSeconds: number | null = null;
  let atOneInterval: { fraction: number; newest: number; pairs: number } | undefined;
  const horizon = healedAt + 3 * republishMs;
  const curve: [number, number][] = [];
  for (let t = healedAt + step; t <= horizon; t += step) {
    clock.runUntil(t);
    const c = convergedNow();
    if (curve.length === 0 || curve[curve.length - 1]![1] !== round(c.fraction, 3))
      curve.push([Math.round((t - healedAt) / 1000), round(c.fraction, 3)]);
    if (convergeSeconds === null && c.fraction === 1) convergeSeconds = (t - healedAt) / 1000;
    if (!atOneInterval && t >= healedAt + republishMs) atOneInterval = c;
    if (atOneInterval && convergeSeconds !== null) break;
  }
  const oneInterval = atOneInterval ?? convergedNow();
  return {
    scenario: 'partition',
    nodes: n,
    owners: owners.length,
    replicas: k,
    republishMin: republishMs / 60_000,
    partitionMin: partitionMs / 60_000,
    updatesDuringPartition: updates,
    onHeal: o.onHeal ?? 'reconcile',
    sides: [...side.values()].reduce((a, s) => (s === 0 ? [a[0]! + 1, a[1]!] : [a[0]!, a[1]! + 1]), [0, 0]),
    convergedAtHeal: round(atHeal.fraction),
    converged: round(oneInterval.fraction),
    replicaPairs: oneInterval.pairs,
    convergeSeconds,
    curve,
    framesAfterHeal: rt.frames() - framesAtHeal,
    seed: o.seed,
  };
}

export async function partitionScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  return runPartition({ seed: ctx.seed, ...(ctx.nodes ? { nodes: ctx.nodes } : {}), log: ctx.log });
}
