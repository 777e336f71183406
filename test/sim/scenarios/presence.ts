/**
 * Presence: the real chat layer on the simulator. N nodes (a fifth of them malicious: forged and
 * stale answers, forged and replayed stores, dropped stores), U users on honest nodes. Random
 * pairs become contacts through addresses while both are online; other requests are made while
 * the owner is offline and must be seen within a minute of its return; contacts look each other
 * up across period rollovers while the network churns. Reported, with goals:
 *   requestSuccess ≥ 0.999, offlineRequestSuccess ≥ 0.99, findMs {p50, p90}, findSuccess ≥ 0.999,
 *   identityKeyLeaks = 0, linkablePeriods = 0, forgedPresenceAccepted = 0, requestFloodCost.
 */
import { bytesToHex, hexToBytes } from '../../../shared/crypto/bytes';
import { x25519 } from '@noble/curves/ed25519.js';
import { publicKeyOf } from '../../../shared/crypto/ed25519';
import { issueCertificate } from '../../../shared/chat/certificate';
import { PERIOD_MS, POW_BITS } from '../../../shared/chat/constants';
import { mintStamp } from '../../../shared/chat/pow';
import { buildRequestEnvelope } from '../../../shared/chat/request';
import { mutableTarget } from '../../../shared/records/bep44';
import type { MutableRecord } from '../../../shared/records/types';
import { runAsync, settleAsync } from '../../../shared/sim/async-driver';
import { openSimUser, type SimUser } from '../../../shared/sim/chat-users';
import type { RecordPeer } from '../../../shared/sim/records-testnet';
import { summarize } from '../../../shared/sim/stats';
import { SeededRng } from '../../../shared/env/rng';
import { attackedNet, type AttackedNetOptions } from './attacked-net';
import { shuffle } from './pick';
import { IkScanner } from './ik-scanner';
import type { ScenarioContext } from './types';

export interface PresenceOptions extends AttackedNetOptions {
  /** Proof-of-work bits in the simulation (the flood measurement uses POW_BITS). @default 4 */
  powBits?: number;
  /** Fraction of delivered frames scanned for identity keys. @default 1 */
  scanFrames?: number;
  /** Stored records scanned for identity keys at the end, a seeded sample of every live node's. @default all */
  scanRecords?: number;
  /** Minutes of the find phase (it must cross a period rollover). @default 120 */
  findMinutes?: number;
  /** Requests in the flood. @default 1000 */
  flood?: number;
  log?: (s: string) => void;
}

const minute = 60_000;

export async function runPresence(o: PresenceOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? (() => {});
  const { n, shared, rt, clock, rng, honest, userPeers } = attackedNet(o, 0x9e37);
  const powBits = o.powBits ?? 4;
  const users: SimUser[] = [];
  for (const [i, p] of userPeers.entries()) users.push(await openSimUser(p, i, rng, { powBits }));
  log(`presence: ${n} nodes (${n - honest.length} malicious), ${users.length} users`);

  // ---- audits: what each user published, what readers accepted, IKs in frames and records ----
  const published = new Map<string, Set<string>>(); // target -> seq:v-hex
  const keysByUser = new Map<number, Map<string, Set<number>>>(); // user -> blinded k hex -> periods
  let forgedAccepted = 0;
  const audit = (u: SimUser): void => {
    const io = u.chat.records;
    const pub = io.publish.bind(io);
    io.publish = async (args, own) => {
      const r = await pub(args, own);
      const set = published.get(r.target) ?? new Set<string>();
      set.add(`${r.record.seq}:${bytesToHex(r.record.v)}`);
      published.set(r.target, set);
      if (args.kind !== 'request') {
        shared.observe(r.target, r.record); // attackers read the DHT like anyone
        const m = keysByUser.get(u.index) ?? new Map<string, Set<number>>();
        const periods = m.get(bytesToHex(r.record.k)) ?? new Set<number>();
        periods.add(args.t);
        m.set(bytesToHex(r.record.k), periods);
        keysByUser.set(u.index, m);
      }
      return r;
    };
    const read = io.read.bind(io);
    io.read = async (ref) => {
      const r = await read(ref);
      if (r && ref.kind !== 'request') {
        const rec: MutableRecord = r.record;
        const target = bytesToHex(mutableTarget(rec.k));
        if (!published.get(target)?.has(`${rec.seq}:${bytesToHex(rec.v)}`)) forgedAccepted++;
      }
      return r;
    };
  };
  users.forEach(audit);
  const scanner = new IkScanner(users.map((u) => u.chat.me.ik));
  let leaks = 0;
  const scanRate = o.scanFrames ?? 1;
  const deliver = rt.tn.net.deliver.bind(rt.tn.net);
  rt.tn.net.deliver = (from, to, frame) => {
    if (scanRate >= 1 || rng.next() < scanRate) leaks += scanner.scan(frame).length;
    deliver(from, to, frame);
  };

  // ---- start: users come online over a minute --------------------------------------------------
  for (const u of users) clock.setTimeout(() => u.chat.start(), rng.int(minute));
  await runAsync(clock, 5 * minute);

  // Owners accept every request (the requests here are all wanted), but the flood's victim.
  const victim = users[0]!;
  const autoAccept = (u: SimUser) =>
    u.chat.on('contact', (e) => {
      if (e.state === 'pending' && u.index !== victim.index) u.chat.people.accept(e.contactId).catch(() => {});
    });
  users.forEach(autoAccept);

  // ---- online requests ------------------------------------------------------------------------
  const pairs: Array<[SimUser, SimUser]> = [];
  const wanted = Math.max(1, Math.floor(users.length * 0.4));
  for (let tries = 0; pairs.length < wanted && tries < wanted * 10; tries++) {
    const a = users[rng.int(users.length)]!;
    const b = users[rng.int(users.length)]!;
    if (a === b || b === victim || a.chat.contacts.get(b.chat.id) || b.chat.contacts.get(a.chat.id)) continue;
    pairs.push([a, b]);
    void a.chat.people.addContact(b.chat.address()).catch(() => {});
  }
  await runAsync(clock, 10 * minute);
  const accepted = (a: SimUser, b: SimUser) =>
    a.chat.contacts.get(b.chat.id)?.state === 'accepted' && b.chat.contacts.get(a.chat.id)?.state === 'accepted';
  const requestSuccess = pairs.filter(([a, b]) => accepted(a, b)).length / pairs.length;
  log(`presence: ${pairs.length} online requests, success ${requestSuccess}`);

  // ---- offline requests: the owner is away when asked, and must see it within a minute back ----
  const inPairs = new Set(pairs.flat());
  const away = shuffle(
    users.filter((u) => !inPairs.has(u)),
    rng,
  ).slice(0, Math.max(2, Math.floor(users.length / 20)));
  const askers = shuffle(
    users.filter((u) => !away.includes(u)),
    rng,
  );
  const offline: Array<{ owner: SimUser; asker: SimUser; seenAt?: number; backAt?: number }> = away.map((owner, i) => ({
    owner,
    asker: askers[i % askers.length]!,
  }));
  for (const w of offline) {
    w.owner.chat.close();
    rt.remove(w.owner.peer, 'crash');
  }
  await runAsync(clock, 5 * minute);
  for (const w of offline) void w.asker.chat.people.addContact(w.owner.chat.address()).catch(() => {});
  await runAsync(clock, 10 * minute);
  for (const w of offline) {
    const peer = rt.addPeer(hexToBytes(w.owner.peer.node.hex));
    const back = await openSimUser(peer, w.owner.index, rng, { powBits }, w.owner.store);
    audit(back);
    autoAccept(back);
    users[users.indexOf(w.owner)] = back;
    w.backAt = clock.now();
    back.chat.on('contact', (e) => {
      if (e.contactId === w.asker.chat.id && e.state === 'pending' && w.seenAt === undefined) w.seenAt = clock.now();
    });
    rt.join(peer, () => back.chat.start());
    w.owner = back;
  }
  await runAsync(clock, 3 * minute);
  const seenInTime = offline.filter((w) => w.seenAt !== undefined && w.seenAt - w.backAt! <= minute).length;
  const offlineRequestSuccess = seenInTime / offline.length;
  log(`presence: ${offline.length} offline requests, seen within 1 min of return ${seenInTime}`);

  // ---- finding contacts across rollovers, with churn in the background -------------------------
  const churnable = () => rt.live().filter((p) => p.values && !users.some((u) => u.peer === p));
  const churn = async (): Promise<void> => {
    for (let i = 0; i < Math.max(1, Math.floor(n / 200)); i++) {
      const gone = churnable()[rng.int(churnable().length)];
      if (gone) rt.remove(gone, rng.next() < 0.5 ? 'crash' : 'leave');
      rt.addAndJoin();
    }
  };
  const finds: number[] = [];
  let findAttempts = 0;
  let findOk = 0;
  const linked = pairs.filter(([a, b]) => accepted(a, b));
  const endAt = clock.now() + (o.findMinutes ?? (2 * PERIOD_MS) / minute) * minute;
  while (clock.now() < endAt) {
    await churn();
    const batch = Array.from({ length: Math.min(20, linked.length) }, () => linked[rng.int(linked.length)]!);
    await Promise.all(
      batch.map(async ([a, b]) => {
        findAttempts++;
        const r = await settleAsync(clock, a.chat.findContact(b.chat.id), minute);
        if (r?.fresh && r.nodes.includes(b.peer.node.hex)) {
          findOk++;
          finds.push(r.ms);
        }
      }),
    );
    await runAsync(clock, 5 * minute);
    log(`presence: t=${Math.round(clock.now() / minute)} min, ${findAttempts} finds, ${findOk} ok`);
  }
  const findStats = summarize(finds);
  log(`presence: ${findAttempts} finds, ok ${findOk}, p50 ${findStats.p50} ms`);

  // ---- records at rest: no IK in any stored record on any live node (or in a seeded sample) ----
  const stored = rt.live().flatMap((p) => [...p.table.entries()]);
  const sample = sampleOf(stored, o.scanRecords ?? stored.length, o.seed ^ 0x5ca7);
  for (const e of sample) {
    const r = e.record;
    leaks += scanner.scan(hexToBytes(e.target)).length;
    if (r.type === 'mutable') for (const b of [r.k, r.salt, r.v, r.sig]) leaks += scanner.scan(b).length;
    else leaks += scanner.scan(r.v).length;
  }
  let linkable = 0;
  for (const m of keysByUser.values()) if ([...m.values()].some((periods) => periods.size > 1)) linkable++;

  return {
    scenario: 'presence',
    nodes: n,
    malicious: n - honest.length,
    users: users.length,
    requests: pairs.length,
    requestSuccess: round(requestSuccess),
    offlineRequests: offline.length,
    offlineRequestSuccess: round(offlineRequestSuccess),
    finds: findAttempts,
    findSuccess: round(findAttempts ? findOk / findAttempts : 0),
    findMs: { p50: round(findStats.p50, 0), p90: round(findStats.p90, 0) },
    identityKeyLeaks: leaks,
    bytesScanned: scanner.scanned,
    recordsStored: stored.length,
    recordsScanned: sample.length,
    linkablePeriods: linkable,
    forgedPresenceAccepted: forgedAccepted,
    attackerForgeAttempts: shared.counters.get('forge.attempts'),
    periodsCrossed: Math.floor(clock.now() / PERIOD_MS),
    requestFloodCost: await floodCost(victim, o.flood ?? 1000),
    seed: o.seed,
  };
}

/**
 * A reusable address under a flood: 1,000 requests from 1,000 fresh identities that hold the
 * link, handed straight to the owner's inbox. Sender work: minting at POW_BITS (measured on a
 * sample). Receiver work: everything the owner does per request.
 */
async function floodCost(owner: SimUser, count: number): Promise<Record<string, number>> {
  const chat = owner.chat;
  const random = (k: number) => crypto.getRandomValues(new Uint8Array(k));
  const envelopes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const ikSeed = random(32);
    const dkSecret = random(32);
    const dk = x25519.getPublicKey(dkSecret);
    const certificate = issueCertificate(ikSeed, { deviceKey: dk, nodeId: random(20), issuedAt: chat.now });
    const built = buildRequestEnvelope({
      from: { ik: publicKeyOf(ikSeed), dk, dkSecret, certificate, name: `spam${i}`, presenceSecret: random(32) },
      to: { ik: chat.me.ik, dk: chat.me.dk, inviteSecret: chat.me.inviteSecret },
      timestamp: chat.now,
      powBits: chat.powBits,
      randomBytes: random,
    });
    if (built) envelopes.push(built.envelope);
  }
  const t0 = performance.now();
  for (const e of envelopes) await chat.receive('flood', e);
  const receiverMs = (performance.now() - t0) / envelopes.length;
  const samples = 8;
  const s0 = performance.now();
  let hashes = 0;
  for (let i = 0; i < samples; i++) hashes += mintStamp(random(72), POW_BITS)?.hashes ?? 0;
  const senderMs = (performance.now() - s0) / samples;
  return {
    requests: envelopes.length,
    powBits: POW_BITS,
    senderHashesPerRequest: Math.round(hashes / samples),
    senderMsPerRequest: round(senderMs, 2),
    receiverMsPerRequest: round(receiverMs, 3),
    ratio: round(senderMs / receiverMs, 1),
    /** Spam requests that passed every check and now wait for the owner (bounded by MAX_PENDING_REQUESTS). */
    pendingKept: chat.people.requests().length,
  };
}

/** `m` of `xs` at random (seeded, its own rng: the run's stays untouched), or all of them. */
function sampleOf<T>(xs: T[], m: number, seed: number): T[] {
  if (m >= xs.length) return xs;
  const rng = new SeededRng(seed);
  const a = [...xs];
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, m);
}

function round(x: number, d = 4): number {
  return Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 0;
}

export async function presenceScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  return runPresence({
    seed: ctx.seed,
    nodes: ctx.nodes ?? 1000,
    users: ctx.users,
    flood: ctx.flood,
    scanRecords: ctx.scanRecords,
    scanFrames: ctx.scanFrames,
    findMinutes: ctx.findMinutes,
    log: ctx.log,
  });
}

export type { RecordPeer };
