/**
 * Chat: the real chat code on the simulator, under churn and attack. N nodes (a fifth malicious:
 * they forge, replay, serve stale and drop records, mailbox slots included), U users on honest
 * nodes, each with a few contacts made through addresses. Users come and go (Weibull sessions),
 * and send to random contacts while online, so a share of messages finds the recipient away and
 * goes through the mailbox. At the end everyone is online for half an hour, then every message is
 * checked in its recipient's history. Reported, with goals:
 *   delivered, lost = 0, duplicates = 0, outOfOrder = 0, deliveryMs {live, offline} {p50, p90},
 *   forgedAccepted = 0, replayAccepted = 0, mailbox bytes stored per node.
 */
import { hexToBytes } from '../../../shared/crypto/bytes';
import { MemoryChatStore } from '../../../shared/chat/store';
import { runAsync, settleAsync } from '../../../shared/sim/async-driver';
import { openSimUser, type SimUser } from '../../../shared/sim/chat-users';
import { summarize } from '../../../shared/sim/stats';
import { attackedNet, type AttackedNetOptions } from './attacked-net';
import type { ScenarioContext } from './types';

export interface ChatScenarioOptions extends AttackedNetOptions {
  /** Simulated hours of churn and chatting. @default 24 */
  hours?: number;
  /** Contacts per user (about). @default 3 */
  contacts?: number;
  /** Mean minutes between a user's messages while online. @default 20 */
  sendEveryMin?: number;
  /** Median online session, and median time away, minutes (Weibull, shape 0.5). @default 60, 30 */
  onlineMedianMin?: number;
  offlineMedianMin?: number;
  log?: (s: string) => void;
}

const minute = 60_000;

interface Sent {
  from: number;
  to: number;
  id: string;
  text: string;
  sentAt: number;
  recipientOnline: boolean;
}

export async function runChat(o: ChatScenarioOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? (() => {});
  const { n, shared, rt, clock, rng, honest, userPeers: peers } = attackedNet(o, 0xc4a7);
  const userCount = peers.length;
  const stores = Array.from({ length: userCount }, () => new MemoryChatStore());
  const users: Array<SimUser | undefined> = [];
  for (const [i, p] of peers.entries()) users.push(await openSimUser(p, i, rng, { powBits: 4 }, stores[i]));
  const mailboxTargets = new Set<string>();
  const watch = (u: SimUser) => {
    const io = u.chat.records;
    const pub = io.publish.bind(io);
    io.publish = async (args, own) => {
      const r = await pub(args, own);
      if (args.kind === 'mailbox') mailboxTargets.add(r.target);
      shared.observe(r.target, r.record); // attackers read the DHT like anyone (and replay it)
      return r;
    };
    u.chat.on('contact', (e) => {
      if (e.state === 'pending') u.chat.people.accept(e.contactId).catch(() => {});
    });
  };
  for (const u of users) watch(u!);
  for (const u of users) clock.setTimeout(() => u!.chat.start(), rng.int(minute));
  await runAsync(clock, 5 * minute);
  log(`chat: ${n} nodes (${n - honest.length} malicious), ${userCount} users`);

  // ---- contacts through addresses ------------------------------------------------------------------
  const links = new Map<number, Set<number>>();
  const linked = (a: number, b: number) => links.get(a)?.has(b) ?? false;
  const per = o.contacts ?? 3;
  for (let i = 0; i < userCount; i++) {
    for (let k = 0; k < per / 2; k++) {
      const j = rng.int(userCount);
      if (j === i || linked(i, j)) continue;
      links.set(i, (links.get(i) ?? new Set()).add(j));
      links.set(j, (links.get(j) ?? new Set()).add(i));
      void users[i]!.chat.people.addContact(users[j]!.chat.address()).catch(() => {});
    }
  }
  await runAsync(clock, 15 * minute);
  const pairs = [...links.entries()].flatMap(([a, bs]) => [...bs].filter((b) => a < b).map((b) => [a, b] as const));
  const accepted = pairs.filter(([a, b]) => users[a]!.chat.contacts.get(users[b]!.chat.id)?.state === 'accepted').length;
  log(`chat: ${pairs.length} contact pairs, ${accepted} accepted`);

  // ---- churn and chatting --------------------------------------------------------------------------
  const online = new Set<number>(users.keys());
  const sent: Sent[] = [];
  const weibull = (median: number) => median * (-Math.log(1 - rng.next()) / Math.LN2) ** 2;
  const goAway = (i: number) => {
    const u = users[i]!;
    online.delete(i);
    u.chat.close();
    rt.remove(u.peer, rng.next() < 0.5 ? 'crash' : 'leave');
    clock.setTimeout(() => void comeBack(i), weibull((o.offlineMedianMin ?? 30) * minute));
  };
  const comeBack = async (i: number) => {
    const old = users[i]!;
    const peer = rt.addPeer(hexToBytes(old.peer.node.hex));
    const u = await openSimUser(peer, i, rng, { powBits: 4 }, stores[i]);
    users[i] = u;
    watch(u);
    rt.join(peer, () => u.chat.start());
    online.add(i);
    if (clock.now() < churnEnd) clock.setTimeout(() => goAway(i), weibull((o.onlineMedianMin ?? 60) * minute));
  };
  const churnEnd = clock.now() + (o.hours ?? 24) * 60 * minute;
  for (const i of users.keys()) clock.setTimeout(() => goAway(i), weibull((o.onlineMedianMin ?? 60) * minute));
  const sendEvery = (o.sendEveryMin ?? 20) * minute;
  const tick = async (i: number) => {
    if (clock.now() >= churnEnd) return;
    clock.setTimeout(() => void tick(i), -Math.log(1 - rng.next()) * sendEvery);
    if (!online.has(i)) return;
    const mine = [...(links.get(i) ?? [])].filter((j) => users[i]!.chat.contacts.get(users[j]!.chat.id)?.state === 'accepted');
    if (mine.length === 0) return;
    const to = mine[rng.int(mine.length)]!;
    const text = `m${sent.length} ${i}->${to}`;
    try {
      const { messageId } = await users[i]!.chat.talk.send(users[to]!.chat.id, text);
      sent.push({ from: i, to, id: messageId, text, sentAt: clock.now(), recipientOnline: online.has(to) });
    } catch {
      // closed between the check and the send: not sent
    }
  };
  for (const i of users.keys()) clock.setTimeout(() => void tick(i), rng.next() * sendEvery);
  while (clock.now() < churnEnd) {
    await runAsync(clock, 30 * minute);
    log(`chat: t=${Math.round(clock.now() / minute)} min, ${sent.length} sent, ${online.size}/${userCount} online`);
  }

  // ---- everyone back, then check every message -------------------------------------------------------
  for (const i of users.keys()) if (!online.has(i)) await comeBack(i);
  await runAsync(clock, 30 * minute);
  let delivered = 0;
  let lost = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let forged = 0;
  const liveMs: number[] = [];
  const offlineMs: number[] = [];
  const sentTexts = new Set(sent.map((s) => s.text));
  for (let r = 0; r < userCount; r++) {
    for (const s of [...(links.get(r) ?? [])]) {
      const hist = await settleAsync(clock, users[r]!.chat.talk.messages(users[s]!.chat.id, { limit: 500 }));
      const ids = hist.map((m) => m.messageId);
      duplicates += ids.length - new Set(ids).size;
      for (const m of hist) if (m.from === 'them' && !sentTexts.has(m.text)) forged++;
      const fromS = sent.filter((x) => x.from === s && x.to === r);
      const byId = new Map(hist.map((m) => [m.messageId, m]));
      let last = -1;
      for (const x of fromS) {
        const m = byId.get(x.id);
        if (!m) {
          lost++;
          continue;
        }
        delivered++;
        const at = ids.indexOf(x.id);
        if (at < last) outOfOrder++;
        last = at;
        (x.recipientOnline ? liveMs : offlineMs).push((m.receivedAt ?? 0) - x.sentAt);
      }
    }
  }
  let mailboxBytes = 0;
  for (const p of rt.live())
    for (const e of p.table.entries()) if (mailboxTargets.has(e.target) && e.record.type === 'mutable') mailboxBytes += e.record.v.length;
  const live = summarize(liveMs);
  const off = summarize(offlineMs);
  return {
    scenario: 'chat',
    nodes: n,
    malicious: n - honest.length,
    users: userCount,
    hours: o.hours ?? 24,
    contactPairs: pairs.length,
    acceptedPairs: accepted,
    sent: sent.length,
    sentWhileRecipientAway: sent.filter((s) => !s.recipientOnline).length,
    delivered,
    lost,
    duplicates,
    outOfOrder,
    deliveryMs: {
      live: { p50: Math.round(live.p50), p90: Math.round(live.p90) },
      offline: { p50: Math.round(off.p50), p90: Math.round(off.p90) },
    },
    forgedAccepted: forged,
    replayAccepted: duplicates,
    attackerForgeAttempts: shared.counters.get('forge.attempts'),
    mailboxBytesPerNode: Math.round(mailboxBytes / rt.live().length),
    seed: o.seed,
  };
}

export async function chatScenario(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  return runChat({
    seed: ctx.seed,
    nodes: ctx.nodes ?? 1000,
    ...(ctx.users !== undefined ? { users: ctx.users } : {}),
    ...(ctx.hours !== undefined ? { hours: ctx.hours } : {}),
    log: ctx.log,
  });
}
