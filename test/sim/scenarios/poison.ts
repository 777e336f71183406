/**
 * Poisoning: a fraction of nodes (default 30%) run the Adversary instead of the honest record
 * layer. Honest owners publish and update records; attackers forge, replay, answer with stale or
 * forged copies and drop stores; honest readers get. Every record an honest table accepts is
 * audited against what the owners really signed, and so is every get result.
 */
import { SeedPick, shuffle } from './pick';
import { VALUES_DEFAULTS } from '../../../shared/records/constants';
import { bytesToHex, hexToBytes } from '../../../shared/crypto/bytes';
import type { ValuesInit } from '../../../shared/records/values';
import { validateRecord } from '../../../shared/records/policy';
import { RecordTable, type PutOptions, type PutResult, type RecordTableInit } from '../../../shared/records/record-table';
import type { DhtRecord } from '../../../shared/records/types';
import { Adversary, AdversaryShared } from '../../../shared/sim/adversary';
import type { SimNetworkOptions } from '../../../shared/sim/network';
import { createRecordsTestnet, type RecordPeer } from '../../../shared/sim/records-testnet';
import { summarize } from '../../../shared/sim/stats';
import type { VirtualClock } from '../../../shared/sim/virtual-clock';
import { round, SimOwner } from './record-owner';

export interface PoisonOptions {
  seed: number;
  /** @default 200 */
  nodes?: number;
  /** Fraction of malicious nodes. @default 0.3 */
  malicious?: number;
  /** Honest owners, one record each. @default 20 */
  owners?: number;
  /** Simulated minutes of attack. @default 60 */
  minutes?: number;
  /** Owners publish a new seq this often, ms. @default 300000 */
  updateMs?: number;
  /** One get network-wide this often, ms. @default 3000 */
  getEveryMs?: number;
  /** STORE attacks (forgeries + replays) over the run, all attackers together. @default 12000 */
  storeAttacks?: number;
  /** Fraction of STORE attacks that are replays of old genuine records. @default 0.15 */
  replayFraction?: number;
  /** Attackers answer with only attacker contacts. @default false */
  lure?: boolean;
  values?: ValuesInit;
  network?: SimNetworkOptions;
  log?: (line: string) => void;
}

/** A RecordTable that reports every write that changed state (for the forgery audit). */
class AuditedRecordTable extends RecordTable {
  constructor(
    clock: VirtualClock,
    init: RecordTableInit | undefined,
    private readonly audit: (target: string, record: DhtRecord) => void,
  ) {
    super({ clock }, init);
  }

  override put(target: Uint8Array | string, record: DhtRecord, opts: PutOptions = {}): PutResult {
    const r = super.put(target, record, opts);
    if (r.ok && r.changed) this.audit(typeof target === 'string' ? target : bytesToHex(target), record);
    return r;
  }
}

export function runPoison(o: PoisonOptions): Record<string, unknown> {
  const n = o.nodes ?? 200;
  const fraction = o.malicious ?? 0.3;
  const minutes = o.minutes ?? 60;
  const updateMs = o.updateMs ?? 300_000;
  const getEvery = o.getEveryMs ?? 3000;
  const storeAttacks = o.storeAttacks ?? 12_000;
  const replayFraction = o.replayFraction ?? 0.15;
  const log = o.log ?? (() => {});
  const shared = new AdversaryShared();
  const byTarget = new Map<string, SimOwner>();
  let forgedInTables = 0;
  let acceptedReplays = 0;
  const audit = (target: string, record: DhtRecord) => {
    const owner = byTarget.get(target);
    if (owner) {
      if (record.type !== 'mutable' || !owner.isGenuine(record)) forgedInTables++;
      else if (record.seq < owner.seq) acceptedReplays++; // genuine but old: fine for a node that had nothing
    } else if (!validateRecord(hexToBytes(target), record).ok) {
      forgedInTables++;
    }
  };

  // Exactly round(fraction · n) attackers, chosen by a seeded shuffle.
  const pick = new SeedPick(o.seed ^ 0x5eed, n, Math.round(fraction * n));
  const dropModes: ('lie' | 'silent')[] = [];
  const rt = createRecordsTestnet(n, {
    seed: o.seed,
    ...(o.values ? { values: o.values } : {}),
    ...(o.network ? { network: o.network } : {}),
    makeTable: (clock, init) => new AuditedRecordTable(clock, init, audit),
    before: (node, index) => {
      if (!pick.has(index)) return undefined;
      const mode = dropModes.length % 2 === 0 ? 'lie' : 'silent';
      dropModes.push(mode);
      return new Adversary(node, pick.rng.fork(), shared, { lure: o.lure ?? false, dropMode: mode });
    },
    settleMs: 20_000,
  });
  const clock = rt.clock;
  const rng = rt.tn.rng.fork();
  const honest = rt.peers.filter((p) => p.values);
  const attackers = rt.peers.filter((p) => p.before instanceof Adversary).map((p) => p.before as Adversary);

  // Owners: distinct honest nodes.
  const ownerCount = Math.min(o.owners ?? 20, honest.length - 1);
  const ownerPeers = shuffle(honest, rng).slice(0, ownerCount);
  const owners: { peer: RecordPeer; owner: SimOwner }[] = ownerPeers.map((peer, i) => ({ peer, owner: new SimOwner(rng, `poison-${i}`) }));
  for (const w of owners) byTarget.set(w.owner.targetHex, w.owner);
  const start = clock.now();
  const end = start + minutes * 60_000;

  const publish = (w: { peer: RecordPeer; owner: SimOwner }) => {
    const rec = w.owner.publish(w.peer.values!, clock);
    shared.observe(w.owner.targetHex, rec); // attackers read the DHT like anyone
  };
  owners.forEach((w, i) => {
    clock.setTimeout(() => publish(w), i * 100);
    const loop = () => {
      if (clock.now() >= end) return;
      publish(w);
      clock.setTimeout(loop, updateMs * (0.8 + 0.4 * rng.next()));
    };
    clock.setTimeout(loop, updateMs * rng.next() + 60_000);
  });

  // Attacks, spread evenly over the run from minute 1.
  const attackEvery = Math.max(1, (end - start - 60_000) / Math.max(1, storeAttacks));
  let attacksStarted = 0;
  const attack = () => {
    if (clock.now() >= end || attacksStarted >= storeAttacks || attackers.length === 0) return;
    attacksStarted++;
    const a = attackers[rng.int(attackers.length)]!;
    const w = owners[rng.int(owners.length)]!;
    a.attack(w.owner.target, rng.next() < replayFraction);
    clock.setTimeout(attack, attackEvery);
  };
  clock.setTimeout(attack, 60_000);

  // Readers.
  let gets = 0;
  let success = 0;
  let staleReads = 0;
  let missing = 0;
  let forgedReads = 0;
  const agreeing: number[] = [];
  const latency: number[] = [];
  const reader = () => {
    if (clock.now() >= end) return;
    clock.setTimeout(reader, getEvery);
    const w = owners[rng.int(owners.length)]!;
    const need = w.owner.requiredSeq(clock.now(), 10_000);
    if (need === 0) return;
    const from = honest[rng.int(honest.length)]!;
    if (from === w.peer) return;
    gets++;
    from.values!.getRecord(w.owner.target, (r) => {
      const rec = r.record;
      latency.push(Math.round(r.lookup.durationMs));
      agreeing.push(r.replicas);
      if (!rec) return void missing++;
      if (rec.type !== 'mutable' || !w.owner.isGenuine(rec)) return void forgedReads++;
      if (rec.seq < need) return void staleReads++;
      success++;
    });
  };
  clock.setTimeout(reader, 90_000);

  for (let m = 0; m < minutes; m += 10) {
    clock.runUntil(Math.min(end, start + (m + 10) * 60_000));
    log(`poison: minute ${m + 10}/${minutes}, gets ${gets}, attacks ${attacksStarted}`);
  }
  clock.runFor(30_000);

  const c = shared.counters;
  const refusedByHonest: Record<string, number> = {};
  let invalidAnswersDropped = 0;
  for (const p of honest) {
    for (const [code, v] of Object.entries(p.table.counters.refused)) if (v) refusedByHonest[code] = (refusedByHonest[code] ?? 0) + v;
    invalidAnswersDropped += p.values!.counters.get('get.invalid');
  }
  const storeForge = c.get('forge.attempts') - c.get('answer.forged');
  const byKind: Record<string, number> = {};
  const answers: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.snapshot())) {
    if (k.startsWith('forge.') && !['forge.attempts', 'forge.noAnswer', 'forge.stored'].includes(k) && !k.startsWith('forge.refused'))
      byKind[k.slice(6)] = v;
    if (k.startsWith('forge.refused.') || k.startsWith('replay.refused.')) answers[k] = v;
  }
  return {
    scenario: 'poison',
    nodes: n,
    malicious: attackers.length,
    honest: honest.length,
    owners: owners.length,
    minutes,
    getQuorum: o.values?.getQuorum ?? VALUES_DEFAULTS.getQuorum,
    lure: o.lure ?? false,
    forgeAttempts: c.get('forge.attempts'),
    storeForgeAttempts: storeForge,
    answerForgeAttempts: c.get('answer.forged'),
    forgeKinds: byKind,
    forgeStoredAnswers: c.get('forge.stored'),
    forgeNoAnswer: c.get('forge.noAnswer'),
    replayAttempts: c.get('replay.attempts'),
    replaysAcceptedByEmptyNodes: acceptedReplays,
    staleAnswers: c.get('answer.stale'),
    storesLied: c.get('store.lied'),
    storesSilent: c.get('store.silent'),
    refusalAnswers: answers,
    refusedByHonestTables: refusedByHonest,
    invalidAnswersDropped,
    forgedAccepted: forgedInTables + forgedReads,
    forgedInTables,
    forgedReads,
    gets,
    getSuccess: gets ? round(success / gets, 5) : 0,
    staleReads,
    missing,
    agreeingReplicas: summarize(agreeing),
    getLatencyMs: summarize(latency),
    seed: o.seed,
  };
}

export async function poisonScenario(ctx: {
  seed: number;
  nodes: number | undefined;
  log: (l: string) => void;
}): Promise<Record<string, unknown>> {
  return runPoison({ seed: ctx.seed, ...(ctx.nodes ? { nodes: ctx.nodes } : {}), log: ctx.log });
}
