/**
 * The network the chat and presence scenarios run on: a records testnet of `nodes` nodes, a
 * seeded share of them (`malicious`, 20% by default) adversaries that inject, replay and drop
 * records (half lying about it, half silent), and a shuffled choice of honest nodes for the users.
 */
import { Adversary, AdversaryShared } from '../../../shared/sim/adversary';
import { createRecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { SeedPick, shuffle } from './pick';

export interface AttackedNetOptions {
  seed: number;
  /** @default 1000 */
  nodes?: number;
  /** Share of adversary nodes. @default 0.2 */
  malicious?: number;
  /** Users (at most one per honest node). @default a tenth of the nodes */
  users?: number;
}

/** `salt` keeps each scenario's choice of attackers its own for the same seed. */
export function attackedNet(o: AttackedNetOptions, salt: number) {
  const n = o.nodes ?? 1000;
  const shared = new AdversaryShared();
  const pick = new SeedPick(o.seed ^ salt, n, Math.round((o.malicious ?? 0.2) * n));
  const rt = createRecordsTestnet(n, {
    seed: o.seed,
    before: (node, index) =>
      pick.has(index) ? new Adversary(node, pick.rng.fork(), shared, { dropMode: index % 2 ? 'lie' : 'silent' }) : undefined,
    settleMs: 20_000,
  });
  const rng = rt.tn.rng.fork();
  const honest = rt.peers.filter((p) => p.values);
  const userCount = Math.min(o.users ?? Math.round(n / 10), honest.length);
  const userPeers: RecordPeer[] = shuffle(honest, rng).slice(0, userCount);
  return { n, shared, rt, clock: rt.clock, rng, honest, userPeers };
}
